package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal drives the real command line through a pseudo-terminal, as a person would.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int
	done chan struct{}
}

func programEnv(t *testing.T, dir string) []string {
	t.Helper()
	env := []string{
		"INTEGRATIONS_TEST_RUN_MAIN=1",
		"HOME=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"INTEGRATIONS_SECRET_KEY=pty test key",
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
	}
	return env
}

func startTerminal(t *testing.T, dir string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = programEnv(t, dir)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			term.answerQueries(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		f.Close()
	})
	return term
}

// answerQueries replies as a terminal would to the queries programs send at start: the
// background colour (OSC 11) and the cursor position (DSR), which termenv uses as a sentinel.
// Without replies the program waits for a timeout.
func (term *terminal) answerQueries(chunk []byte) {
	if bytes.Contains(chunk, []byte("\x1b]11;?")) {
		_, _ = term.pty.Write([]byte("\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\"))
	}
	if bytes.Contains(chunk, []byte("\x1b[6n")) {
		_, _ = term.pty.Write([]byte("\x1b[1;1R"))
	}
}

// waitFor waits until text appears after what earlier waits consumed; positions count the
// text a person reads, escape sequences removed.
func (term *terminal) waitFor(text string) {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		screen := stripANSI(term.out.String())
		if i := strings.Index(screen[min(term.seen, len(screen)):], text); i >= 0 {
			term.seen += i + len(text)
			term.mu.Unlock()
			return
		}
		term.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	term.t.Fatalf("waiting for %q; the screen showed:\n%s", text, stripANSI(term.out.String()[max(0, term.out.Len()-3000):]))
}

// focus waits until the field titled title has the focus marker: huh moves focus with a
// command that runs after the key, so keys sent earlier would reach the previous field.
func (term *terminal) focus(title string) {
	term.t.Helper()
	term.waitFor("┃ " + title)
}

func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := term.pty.Write([]byte(keys)); err != nil {
		term.t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond) // lets the program tell a lone Esc from a key sequence
}

func (term *terminal) exitCode() int {
	term.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- term.cmd.Wait() }()
	select {
	case err := <-errc:
		<-term.done
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			term.t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		term.t.Fatalf("the program did not exit; screen:\n%s", stripANSI(term.out.String()))
	}
	return -1
}

// stripANSI removes escape sequences, so waits match the text a person reads.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		if i+1 < len(s) && s[i+1] == ']' {
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !strings.HasPrefix(s[j:], "\x1b\\") {
				j++
			}
			i = j
			continue
		}
		i++
	}
	return b.String()
}

// run runs the program without a terminal and returns stdout and the exit code.
func run(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = programEnv(t, dir)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errOut, strings.NewReader("")
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String() + errOut.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

const (
	enter = "\r"
	esc   = "\x1b"
	down  = "\x1b[B"
	right = "\x1b[C"
)

func TestSlackFormInATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	term := startTerminal(t, dir, "configure", "slack", "-p", "acme/web")

	term.waitFor("Slack notifications")
	term.focus("Active")
	term.send(enter)
	term.focus("Webhook URL")
	term.send("https://hooks.slack.com/services/T1/B1/PTY-SECRET" + enter)

	term.focus("Trigger events")
	term.send(down + " " + enter) // switch off the second event, issues

	// One page per selected event that takes a channel.
	for _, ev := range []string{"push", "confidential issue", "merge request", "note", "confidential note", "tag push", "pipeline", "wiki page", "alert"} {
		term.focus("Channel for " + ev + " events")
		if ev == "push" {
			term.send("#pushes")
		}
		term.send(enter)
	}
	term.focus("Username")
	term.send(enter)
	term.focus("Default channel")
	term.send("#general" + enter)

	term.focus("Notify only broken pipelines")
	term.send(right + enter) // the checkbox: yes → no
	term.focus("Notify only on pipeline status changes")
	term.send(enter)
	term.focus("Branches for notifications")
	term.send(down + enter) // the select: default branch → protected branches
	term.focus("Labels for notifications")
	term.send(enter)
	term.focus("Label matching")
	term.send(enter)

	term.waitFor("webhook: (none) → (set)")
	term.focus("Save these settings?")
	term.send(enter)
	if code := term.exitCode(); code != 0 {
		t.Fatalf("exit code %d; screen:\n%s", code, stripANSI(term.out.String()))
	}
	if strings.Contains(term.out.String(), "PTY-SECRET") {
		t.Error("the webhook was shown on screen; secrets are typed masked")
	}

	out, code := run(t, dir, "show", "slack", "-p", "acme/web", "-o", "json")
	if code != 0 {
		t.Fatalf("show: %d %s", code, out)
	}
	var v struct {
		Active bool `json:"active"`
		Fields []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
			Set   *bool  `json:"set"`
		} `json:"fields"`
		Events []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{}
	for _, f := range v.Fields {
		values[f.Name] = f.Value
		if f.Name == "webhook" && (f.Set == nil || !*f.Set) {
			t.Error("webhook not saved")
		}
	}
	want := map[string]any{
		"channel": "#general", "push_channel": "#pushes", "notify_only_broken_pipelines": false,
		"branches_to_be_notified": "protected",
	}
	for k, w := range want {
		if values[k] != w {
			t.Errorf("%s = %v, want %v", k, values[k], w)
		}
	}
	events := map[string]bool{}
	for _, e := range v.Events {
		events[e.Name] = e.Enabled
	}
	if !v.Active || events["issue"] || !events["push"] || !events["pipeline"] {
		t.Errorf("active %v events %v", v.Active, events)
	}
}

func TestEscapeInTheFormWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real terminal")
	}
	dir := t.TempDir()
	term := startTerminal(t, dir, "configure", "slack", "-p", "acme/web")
	term.focus("Active")
	term.send(enter)
	term.focus("Webhook URL")
	term.send("https://hooks.slack.com/services/T1/B1/X" + enter)
	term.focus("Trigger events")
	term.send(esc)
	if code := term.exitCode(); code != 130 {
		t.Fatalf("exit code %d, want 130; screen:\n%s", code, stripANSI(term.out.String()))
	}
	// The project was never created: nothing was written.
	if out, code := run(t, dir, "list", "-p", "acme/web"); code != 2 || !strings.Contains(out, "project acme/web not found") {
		t.Errorf("after Esc: exit %d, %s", code, out)
	}
}
