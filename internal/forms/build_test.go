package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
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
	f := buildAccessible(d, in, false)
	out := runAccessible(t, f,
		"y",                      // active
		"ftp://not-http",         // jenkins_url: refused inline
		"https://ci.example.com", // jenkins_url
		"",                       // project_name: required, refused when blank
		"web",                    // project_name
		"s3cret",                 // password (not masked off a terminal)
		"push,merge_request",     // events
		"n",                      // enable_ssl_verification
		"bot",                    // username
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
	// The webhook is asked masked, which needs a terminal: the prompt is skipped here.
	answers := []string{"y", "", "", "", "", "n"}
	var out bytes.Buffer
	term := NewTerminal(iotest.OneByteReader(strings.NewReader(strings.Join(answers, "\n")+"\n")), &out, true)
	err := term.Fill(context.Background(), d, in)
	if !errors.Is(err, ErrNotSaved) || !errors.Is(err, ErrCancelled) {
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
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			buildsAndRenders(t, d)
		})
	}
}

func buildsAndRenders(t *testing.T, d integrations.Definition) {
	t.Helper()
	in := &Input{
		Values: map[string]string{}, Events: d.DefaultEventStates(), Level: d.Levels[0],
		Summary: func(*Input) []string { return []string{"change"} },
	}
	f := Build(d, in, true)
	// Starting the form runs every page's start; none may move the form off its first page.
	s := &screen{form: f.Form, settings: f}
	settle(s, s.Init())
	settle(s, func() tea.Msg { return tea.WindowSizeMsg{Width: 100, Height: 40} })
	if view := s.form.View(); !strings.Contains(view, d.Title) || !strings.Contains(view, "Page 1 of") {
		t.Errorf("the form does not start on its first page:\n%s", view)
	}
	g := buildAccessible(d, &Input{Values: map[string]string{}, Events: d.DefaultEventStates(), Level: d.Levels[0]}, false)
	var out bytes.Buffer
	if err := g.Form.WithAccessible(true).WithInput(strings.NewReader("")).WithOutput(&out).Run(); err != nil {
		t.Errorf("accessible run at end of input: %v", err)
	}
	if err := g.apply(); err != nil {
		t.Errorf("applying defaults: %v", err)
	}
}

// viewOf renders the form field built for the catalog field key, as the terminal shows it.
func viewOf(t *testing.T, f *Form, key string) (huh.Field, string) {
	t.Helper()
	fld, ok := f.def.Field(key)
	if !ok {
		t.Fatalf("no field %s", key)
	}
	it := f.field(fld, true)
	it.field.WithTheme(huh.ThemeFunc(theme))
	it.field.WithWidth(100)
	it.field.Focus()
	return it.field, it.field.View()
}

func TestFieldsReadAsWhatTheyAre(t *testing.T) {
	d := lookup(t, "jira")
	in := &Input{Values: map[string]string{"password": "p"}, SecretSet: map[string]bool{"password": true}, Events: d.DefaultEventStates(), Level: integrations.Project}
	f := build(d, in, true, false)

	// A boolean GitLab declares as text is a choice, not free text.
	if field, _ := viewOf(t, f, "issues_enabled"); field == nil {
		t.Fatal("no field")
	} else if _, ok := field.(*huh.Select[string]); !ok {
		t.Errorf("issues_enabled is a %T, want a select", field)
	}
	// Editions in words.
	_, view := viewOf(t, f, "vulnerabilities_enabled")
	if !strings.Contains(view, "Only on GitLab Ultimate.") || strings.Contains(view, "(EE") {
		t.Errorf("edition not in words:\n%s", view)
	}
	// A stored secret's input says it is set instead of showing an example value.
	_, view = viewOf(t, f, "password")
	if !strings.Contains(view, "set; leave blank to keep)") { // the cursor covers the first character
		t.Errorf("stored secret input:\n%s", view)
	}
	// Yes/No buttons start at the same column whatever the field's text.
	col := func(key string) int {
		_, v := viewOf(t, f, key)
		for _, l := range strings.Split(v, "\n") {
			if i := strings.Index(l, "No"); i >= 0 && strings.Contains(l, "Yes") {
				return strings.Index(l, "Yes")
			}
		}
		t.Fatalf("%s shows no buttons:\n%s", key, v)
		return -1
	}
	if a, b := col("jira_issue_transition_automatic"), col("vulnerabilities_enabled"); a != b {
		t.Errorf("buttons at columns %d and %d", a, b)
	}
}

// The username applies only to basic authentication: with a token it is neither asked nor
// written.
func TestFieldsThatDoNotApplyAreNotAsked(t *testing.T) {
	d := lookup(t, "jira")
	in := &Input{
		Values:    map[string]string{"url": "https://jira.example.com", "password": "p"},
		SecretSet: map[string]bool{"password": true},
		Events:    d.DefaultEventStates(), Level: integrations.Project,
	}
	f := buildAccessible(d, in, false)
	// active, url, api_url, the method (2 = token), then blanks for the rest.
	answers := []string{"", "", "", "2"}
	for range 30 {
		answers = append(answers, "")
	}
	out := runAccessible(t, f, answers...)
	if strings.Contains(out, "Email or username") {
		t.Errorf("the username was asked with token authentication:\n%s", out)
	}
	if err := f.Apply(); err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Values["username"]; ok || in.Values["jira_auth_type"] != "1" {
		t.Errorf("values %v", in.Values)
	}
	for _, k := range []string{"jira_check_enabled", "vulnerabilities_enabled", "comment_on_event_enabled"} {
		if _, ok := in.Values[k]; ok {
			t.Errorf("untouched %s was written: %v", k, in.Values)
		}
	}
}

// settle runs cmd and what follows from it through m, as a program would, without a terminal.
func settle(m tea.Model, cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 1000; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
			for i := range v.Len() {
				queue = append(queue, v.Index(i).Interface().(tea.Cmd))
			}
			continue
		}
		if msg == nil || fmt.Sprintf("%T", msg) == "tea.windowSizeMsg" {
			continue // a request to the terminal, which is not there
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
}
