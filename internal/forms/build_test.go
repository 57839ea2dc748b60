package forms

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	tea "charm.land/bubbletea/v2"
	"github.com/forgekit/integrations/internal/integrations"
)

func lookup(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runAccessible runs a built form in accessible mode over scripted lines. huh reads each prompt
// with a fresh scanner, so the reader hands out one byte at a time to keep later answers.
func runAccessible(t *testing.T, f *Form, answers ...string) string {
	t.Helper()
	var out bytes.Buffer
	in := iotest.OneByteReader(strings.NewReader(strings.Join(answers, "\n") + "\n"))
	if err := f.Form.WithAccessible(true).WithInput(in).WithOutput(&out).Run(); err != nil {
		t.Fatalf("form: %v\n%s", err, out.String())
	}
	return out.String()
}

func TestBuildJenkinsFormInAccessibleMode(t *testing.T) {
	d := lookup(t, "jenkins")
	in := &Input{Values: map[string]string{}, Events: d.DefaultEventStates(), Level: integrations.Project}
	f := Build(d, in, false)
	out := runAccessible(t, f,
		"y",                      // active
		"ftp://not-http",         // jenkins_url: refused inline
		"https://ci.example.com", // jenkins_url
		"",                       // project_name: required, refused when blank
		"web",                    // project_name
		"s3cret",                 // password (not masked off a terminal)
		"2", "0",                 // events: add merge requests, done
		"n",   // enable_ssl_verification
		"bot", // username
		"y",   // save
	)
	if err := f.Apply(); err != nil {
		t.Fatal(err)
	}
	name, _ := d.Field("project_name")
	for _, want := range []string{"not an http(s) URL", name.Title + " is required", d.Description} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	want := map[string]string{
		"jenkins_url": "https://ci.example.com", "project_name": "web", "password": "s3cret",
		"enable_ssl_verification": "false", "username": "bot",
	}
	for k, v := range want {
		if in.Values[k] != v {
			t.Errorf("%s = %q, want %q", k, in.Values[k], v)
		}
	}
	if !in.Active || !in.Events["push"] || !in.Events["merge_request"] || in.Events["tag_push"] {
		t.Errorf("active %v events %v", in.Active, in.Events)
	}
	if !f.Confirmed() {
		t.Error("save was answered yes")
	}
}

func TestSelectsShowLabelsAndStoreValues(t *testing.T) {
	d := lookup(t, "jira")
	in := &Input{
		Values: map[string]string{"url": "https://jira.example", "password": "p"}, SecretSet: map[string]bool{"password": true},
		Events: d.DefaultEventStates(), Level: integrations.Project,
	}
	f := buildAccessible(d, in, false)
	var out bytes.Buffer
	// Every prompt takes its default except the authentication method: option 2.
	answers := []string{"y", "", "", "2"}
	for range 40 {
		answers = append(answers, "")
	}
	r := iotest.OneByteReader(strings.NewReader(strings.Join(answers, "\n")))
	if err := f.Form.WithAccessible(true).WithInput(r).WithOutput(&out).Run(); err != nil {
		t.Fatal(err)
	}
	if err := f.apply(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2. Jira personal access token") {
		t.Errorf("select does not show labels:\n%s", out.String())
	}
	if in.Values["jira_auth_type"] != "1" || in.Values["url"] != "https://jira.example" || in.Values["password"] != "p" {
		t.Errorf("values %v", in.Values)
	}
}

func TestSetSecretShowsItIsSetAndBlankKeepsIt(t *testing.T) {
	d := lookup(t, "slack")
	in := &Input{
		Values:    map[string]string{"webhook": "https://hooks.example/old", "channel": "#dev"},
		SecretSet: map[string]bool{"webhook": true},
		Events:    d.DefaultEventStates(), Active: true, Level: integrations.Group,
	}
	f := buildAccessible(d, in, false)
	answers := []string{"", ""} // keep active, keep the webhook
	for range 40 {
		answers = append(answers, "")
	}
	var out bytes.Buffer
	r := iotest.OneByteReader(strings.NewReader(strings.Join(answers, "\n")))
	if err := f.Form.WithAccessible(true).WithInput(r).WithOutput(&out).Run(); err != nil {
		t.Fatal(err)
	}
	if err := f.apply(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Enter a new webhook url") {
		t.Errorf("set secret not announced:\n%s", out.String())
	}
	if strings.Contains(out.String(), "hooks.example/old") {
		t.Error("the form showed a stored secret")
	}
	if in.Values["webhook"] != "https://hooks.example/old" || in.Values["channel"] != "#dev" {
		t.Errorf("values %v", in.Values)
	}
}

func TestTerminalFillAccessibleReviewAndDecline(t *testing.T) {
	d := lookup(t, "webex_teams")
	in := &Input{
		Values: map[string]string{}, Events: d.DefaultEventStates(), Level: integrations.Project,
		Summary: func(in *Input) []string { return []string{"webhook: (set)", "active: off → on"} },
	}
	answers := []string{"y", "https://webexapis.com/v1/webhooks/incoming/x", "0", "", "", "", "n"}
	var out bytes.Buffer
	term := NewTerminal(iotest.OneByteReader(strings.NewReader(strings.Join(answers, "\n")+"\n")), &out, true)
	err := term.Fill(context.Background(), d, in)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("declining to save: got %v, want ErrCancelled\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "active: off → on") {
		t.Errorf("review page lacks the summary:\n%s", out.String())
	}
	if len(in.Values) != 0 {
		t.Errorf("a declined form changed the input: %v", in.Values)
	}
}

// Every integration's form builds, renders, and survives end of input.
func TestEveryIntegrationFormBuildsAndRenders(t *testing.T) {
	for _, d := range integrations.Catalog() {
		in := &Input{
			Values: map[string]string{}, Events: d.DefaultEventStates(), Level: d.Levels[0],
			Summary: func(*Input) []string { return []string{"change"} },
		}
		f := Build(d, in, true)
		f.Form.Init()
		m, _ := f.Form.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
		view := m.View()
		if !strings.Contains(view, d.Title) {
			t.Errorf("%s: first page does not show the title:\n%s", d.Name, view)
		}
		g := buildAccessible(d, &Input{Values: map[string]string{}, Events: d.DefaultEventStates(), Level: d.Levels[0]}, false)
		var out bytes.Buffer
		if err := g.Form.WithAccessible(true).WithInput(strings.NewReader("")).WithOutput(&out).Run(); err != nil {
			t.Errorf("%s: accessible run at end of input: %v", d.Name, err)
		}
		if err := g.apply(); err != nil {
			t.Errorf("%s: applying defaults: %v", d.Name, err)
		}
	}
}
