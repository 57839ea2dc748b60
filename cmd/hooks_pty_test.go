package cmd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// A person adds a webhook through the form built from the project hook's metadata: the URL
// with a variable for its secret part, the token typed masked, events, a header.
func TestHookFormInATerminal(t *testing.T) {
	// Each drives its own program in its own directory.
	t.Parallel()
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	term := startTerminal(t, dir, "hooks", "add", "-p", "acme/web")

	term.waitFor("Project webhook")
	term.focus("URL")
	term.send("https://{host}/pty" + enter)
	term.focus("URL variables")
	term.send("host=ci.example.com" + enter)
	term.focus("Secret token")
	term.send("PTY-TOKEN-SECRET" + enter)
	term.focus("Signing token")
	term.send(enter)
	term.focus("Trigger events")
	term.send(down + " " + enter) // push is on by default; add tag_push
	term.focus("Name")
	term.send("pty" + enter)
	term.focus("Description")
	term.send(enter)
	term.focus("SSL verification")
	term.send(enter)
	term.focus("Custom headers")
	term.send("X-Pty=header-value" + enter)
	term.focus("Custom webhook template")
	term.send(enter)
	term.focus("Branch filter")
	term.send(enter)
	term.focus("Branch filter pattern")
	term.send(enter)

	term.waitFor("token: set (hidden)")
	term.focus("Save these settings?")
	term.send(enter)
	if code := term.exitCode(); code != 0 {
		t.Fatalf("exit code %d; screen:\n%s", code, stripANSI(term.out.String()))
	}
	if strings.Contains(term.out.String(), "PTY-TOKEN-SECRET") {
		t.Error("the token was shown on screen; secrets are typed masked")
	}

	out, code := run(t, dir, "hooks", "show", "pty", "-p", "acme/web", "-o", "json")
	if code != 0 {
		t.Fatalf("show: %d %s", code, out)
	}
	var v struct {
		URL           string   `json:"url"`
		URLVariables  []string `json:"url_variables"`
		CustomHeaders []string `json:"custom_headers"`
		TokenSet      *bool    `json:"token_set"`
		Events        []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	var on []string
	for _, e := range v.Events {
		if e.Enabled {
			on = append(on, e.Name)
		}
	}
	if v.URL != "https://{host}/pty" || !slices.Equal(v.URLVariables, []string{"host"}) || !slices.Equal(v.CustomHeaders, []string{"X-Pty"}) ||
		v.TokenSet == nil || !*v.TokenSet || !slices.Equal(on, []string{"push", "tag_push"}) {
		t.Errorf("saved hook: %s", out)
	}
}

// On GitLab, the hook form names the server by its host, as the integration form does, and
// the values of URL variables and custom headers, which GitLab never returns, are typed
// masked like every other secret: their names stay readable, their values never show.
func TestHookFormMasksEntryValuesAndNamesTheHost(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "m", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	dir := t.TempDir()
	term := startSized(t, dir, 40, 100, []string{"GITLAB_HOST=" + fake.URL, "GITLAB_TOKEN=tok"}, "hooks", "add", "-p", "acme/web")

	host := strings.TrimPrefix(fake.URL, "http://")
	term.waitFor("Project webhook — project:acme/web on " + host)
	term.focus("URL")
	term.send("https://{host}/pty" + enter)
	term.focus("URL variables")
	term.send("host=VARSECRET.example.com")
	term.waitScreen("the variable's name shows", func(lines []string) bool { return onScreen(lines, "host=****") })
	term.send(enter)
	term.focus("Secret token")
	term.send(enter)
	term.focus("Signing token")
	term.send(enter)
	term.focus("Trigger events")
	term.send(enter)
	term.focus("Name")
	term.send("pty" + enter)
	term.focus("Description")
	term.send(enter)
	term.focus("SSL verification")
	term.send(enter)
	term.focus("Custom headers")
	term.send("X-One=HEADERSECRET1")
	term.send(altEnter)
	term.send("X-Two=")
	term.send(paste("HEADER SECRET2"))
	term.waitScreen("both headers' names show", func(lines []string) bool {
		return onScreen(lines, "X-One=*************") && onScreen(lines, "X-Two=**************")
	})
	term.send(enter)
	term.focus("Custom webhook template")
	term.send(enter)
	term.focus("Branch filter")
	term.send(enter)
	term.focus("Branch filter pattern")
	term.send(enter)
	term.focus("Save these settings?")
	term.send(enter)
	if code := term.exitCode(); code != 0 {
		t.Fatalf("exit code %d; screen:\n%s", code, stripANSI(term.out.String()))
	}
	shown := stripANSI(term.out.String())
	for _, secret := range []string{"VARSECRET", "HEADERSECRET1", "SECRET2"} {
		if strings.Contains(shown, secret) {
			t.Errorf("%s was shown on screen; secret values are typed masked", secret)
		}
	}
	if strings.Contains(shown, "on the http") {
		t.Error("the header names the server by its API address, not its host")
	}
	hooks := fake.Hooks("project", "acme/web")
	if len(hooks) != 1 {
		t.Fatalf("hooks on the server: %+v", hooks)
	}
	h := hooks[0]
	if h.URLVariables["host"] != "VARSECRET.example.com" || h.CustomHeaders["X-One"] != "HEADERSECRET1" || h.CustomHeaders["X-Two"] != "HEADER SECRET2" {
		t.Errorf("the server received variables %v and headers %v", h.URLVariables, h.CustomHeaders)
	}
}

const altEnter = "\x1b\r"

// paste wraps text as a terminal's bracketed paste.
func paste(text string) string { return "\x1b[200~" + text + "\x1b[201~" }

// A help text whose line ends in punctuation exactly at the form's edge keeps its last
// character: on an 80-column terminal the custom headers' help once lost the ";" after
// custom_headers.NAME=VALUE.
func TestHookFormHelpIsWholeAt80Columns(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	term := startSized(t, t.TempDir(), 24, 80, nil, "hooks", "add", "-p", "acme/web")
	term.focus("URL")
	term.send("https://ci.example.com/hook" + enter)
	for _, title := range []string{"URL variables", "Secret token", "Signing token", "Trigger events", "Name", "Description", "SSL verification"} {
		term.focus(title)
		term.send(enter)
	}
	term.focus("Custom headers")
	const help = "With --set, use custom_headers.NAME=VALUE; an empty VALUE removes NAME."
	term.waitScreen("the custom headers' help is whole", func(lines []string) bool {
		var text []string
		for _, l := range lines {
			text = append(text, strings.TrimPrefix(strings.TrimSpace(l), "┃ "))
		}
		return strings.Contains(strings.Join(strings.Fields(strings.Join(text, " ")), ""), strings.Join(strings.Fields(help), ""))
	})
	term.send("\x1b")
	if code := term.exitCode(); code != 130 {
		t.Errorf("Esc: exit %d, want 130", code)
	}
}
