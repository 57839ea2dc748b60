package cmd

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every table fits the terminal it is drawn on, at 60, 80 and 120 columns: long cells end in
// "…", the name column keeps whole names that fit, and off a terminal the rows stay whole,
// tab-separated lines.
func TestTablesFitTheTerminal(t *testing.T) {
	// Each drives its own program in its own directory.
	t.Parallel()
	dir := t.TempDir()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer hook.Close()
	setup := [][]string{
		{"configure", "slack", "-g", "acme", "--set", "webhook=" + hook.URL + "/group", "--set", "channel=#general,#deployments-and-releases-of-the-web-frontend"},
		{"configure", "slack", "-p", "acme/web", "--set", "webhook=" + hook.URL + "/services/T0000/B0000/a-rather-long-webhook-path", "--set", "labels_to_be_notified=~backend,~frontend,~documentation,~security"},
		{"configure", "jira", "-p", "acme/web", "--set", "url=https://jira.example.com", "--set", "username=someone.with.a.long.name@example.com", "--set", "password=x"},
		{"test", "slack", "-p", "acme/web"},
		{"export", "--file", filepath.Join(dir, "acme.yaml")},
	}
	for _, args := range setup {
		if out, code := run(t, dir, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, out)
		}
	}
	commands := [][]string{
		{"list"},
		{"list", "-p", "acme/web"},
		{"show", "slack", "-p", "acme/web"},
		{"events"},
		{"logs", "slack", "-p", "acme/web"},
		{"bulk", "status", "slack", "-g", "acme"},
		{"plan", "-f", filepath.Join(dir, "acme.yaml"), "--store", filepath.Join(dir, "empty.db")},
	}
	for _, args := range commands {
		name := strings.Join(args[:min(len(args), 2)], " ")
		t.Run(name, func(t *testing.T) {
			tsv, code := run(t, dir, args...)
			if code != 0 {
				t.Fatalf("without a terminal: exit %d: %s", code, tsv)
			}
			widest := 0
			for _, l := range strings.Split(tsv, "\n") {
				widest = max(widest, utf8.RuneCountInString(l))
			}
			if strings.Contains(tsv, "…") {
				t.Errorf("tab-separated output was cut:\n%s", tsv)
			}
			for _, cols := range []int{60, 80, 120} {
				term := startSized(t, dir, 50, cols, nil, args...)
				if code := term.exitCode(); code != 0 {
					t.Fatalf("%d columns: exit %d", cols, code)
				}
				screen := stripANSI(term.out.String())
				for _, line := range strings.Split(strings.ReplaceAll(screen, "\r\n", "\n"), "\n") {
					if n := utf8.RuneCountInString(line); n > cols {
						t.Errorf("%d columns: a %d-character line:\n%s", cols, n, line)
					}
				}
				if widest > cols && !strings.Contains(screen, "…") {
					t.Errorf("%d columns: rows of %d characters were not shortened:\n%s", cols, widest, screen)
				}
			}
		})
	}
	_ = os.Remove(filepath.Join(dir, "empty.db"))
}
