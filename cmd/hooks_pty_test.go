package cmd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
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
