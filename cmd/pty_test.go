package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal drives the real command line through a pseudo-terminal, as a person would.
type terminal struct {
	t *testing.T
	// mute leaves terminal queries unanswered, as a captured pty in CI does.
	mute       bool
	rows, cols int
	cmd        *exec.Cmd
	pty        *os.File
	mu         sync.Mutex
	out        bytes.Buffer
	seen       int
	done       chan struct{}
}

func programEnv(t *testing.T, dir string) []string {
	t.Helper()
	env := []string{
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
	return startSized(t, dir, 50, 120, nil, args...)
}

// startSized starts the program on a rows×cols terminal with extra environment variables.
func startSized(t *testing.T, dir string, rows, cols int, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Env = append(programEnv(t, dir), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, done: make(chan struct{}), rows: rows, cols: cols}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if !term.mute {
				term.answerQueries(buf[:n])
			}
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

// focus waits until the field titled title has the focus marker on the screen: huh moves
// focus with a command that runs after the key, so keys sent earlier would reach the previous
// field. The renderer redraws only the cells that change, so the screen is rebuilt from the
// whole output rather than read off the stream.
func (term *terminal) focus(title string) {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range term.screen() {
			if strings.HasPrefix(strings.TrimSpace(line), "┃ "+title) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.t.Fatalf("waiting for the focus on %q; the screen showed:\n%s", title, strings.Join(term.screen(), "\n"))
}

// screen is what the terminal shows now, line by line.
func (term *terminal) screen() []string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return render(term.out.String(), term.rows, term.cols)
}

// waitScreen waits until the screen satisfies ok, and returns it.
func (term *terminal) waitScreen(what string, ok func(lines []string) bool) []string {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if lines := term.screen(); ok(lines) {
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.t.Fatalf("waiting until %s; the screen showed:\n%s", what, strings.Join(term.screen(), "\n"))
	return nil
}

// render plays the output on a rows×cols screen, understanding the few controls the renderer
// uses (cursor moves, erasing, line feeds), and returns the screen's lines.
func render(out string, rows, cols int) []string {
	grid := make([][]rune, rows)
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", cols))
	}
	r, c := 0, 0
	pending := false
	clamp := func() { r, c = max(0, min(r, rows-1)), max(0, min(c, cols-1)) }
	lineFeed := func() {
		if r == rows-1 {
			copy(grid, grid[1:])
			grid[rows-1] = []rune(strings.Repeat(" ", cols))
		} else {
			r++
		}
	}
	runes := []rune(out)
	for i := 0; i < len(runes); i++ {
		ch := runes[i]
		switch {
		case ch == '\r':
			c = 0
		case ch == '\n':
			lineFeed()
		case ch == '\b':
			c = max(0, c-1)
		case ch == '\t': // the renderer moves the cursor over unchanged cells with tabs
			c = min((c/8+1)*8, cols-1)
		case ch == 0x1b && i+1 < len(runes) && runes[i+1] == '[':
			j := i + 2
			for j < len(runes) && (runes[j] < 0x40 || runes[j] > 0x7e) {
				j++
			}
			if j >= len(runes) {
				i = j
				continue
			}
			params := string(runes[i+2 : j])
			n, err := strconv.Atoi(strings.TrimPrefix(params, "?"))
			if err != nil || n == 0 {
				n = 1
			}
			switch runes[j] {
			case 'A':
				r -= n
			case 'B':
				r += n
			case 'C':
				c += n
			case 'D':
				c -= n
			case 'G':
				c = n - 1
			case 'H', 'f':
				row, col, _ := strings.Cut(params, ";")
				rr, _ := strconv.Atoi(row)
				cc, _ := strconv.Atoi(col)
				r, c = max(rr, 1)-1, max(cc, 1)-1
			case 'K':
				from, to := c, cols
				switch params {
				case "1":
					from, to = 0, c+1
				case "2":
					from = 0
				}
				for k := from; k < to && k < cols; k++ {
					grid[r][k] = ' '
				}
			case 'X': // erase n characters
				for k := c; k < c+n && k < cols; k++ {
					grid[r][k] = ' '
				}
			case 'P': // delete n characters, shifting the rest left
				line := append(append([]rune{}, grid[r][:c]...), grid[r][min(c+n, cols):]...)
				grid[r] = append(line, []rune(strings.Repeat(" ", cols-len(line)))...)
			case '@': // insert n blanks
				line := append(append(append([]rune{}, grid[r][:c]...), []rune(strings.Repeat(" ", n))...), grid[r][c:]...)
				grid[r] = line[:cols]
			case 'J':
				for rr := r + 1; rr < rows && params != "1"; rr++ {
					grid[rr] = []rune(strings.Repeat(" ", cols))
				}
				for k := c; k < cols; k++ {
					grid[r][k] = ' '
				}
			}
			clamp()
			i = j
		case ch == 0x1b && i+1 < len(runes) && runes[i+1] == ']':
			j := i + 2
			for j < len(runes) && runes[j] != 0x07 && !strings.HasPrefix(string(runes[j:min(j+2, len(runes))]), "\x1b\\") {
				j++
			}
			i = j
			if i < len(runes) && runes[i] == 0x1b {
				i++
			}
		case ch == 0x1b:
			i++
		case ch < 0x20:
		default:
			if pending {
				c = 0
				lineFeed()
			}
			grid[r][c] = ch
			// Writing the last column leaves the cursor there with a wrap pending, as terminals
			// do: a following move starts from the last column, the next character wraps.
			pending = c == cols-1
			c = min(c+1, cols-1)
			continue
		}
		pending = false
	}
	lines := make([]string, rows)
	for i, g := range grid {
		lines[i] = strings.TrimRight(string(g), " ")
	}
	return lines
}

func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := term.pty.Write([]byte(keys)); err != nil {
		term.t.Fatal(err)
	}
	if strings.HasSuffix(keys, esc) {
		time.Sleep(60 * time.Millisecond) // lets the program tell a lone Esc from a key sequence
	}
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
			// The renderer skips unchanged cells with "cursor forward"; count them as spaces so
			// that text on one line reads as it shows.
			if j < len(s) && s[j] == 'C' {
				n, err := strconv.Atoi(s[i+2 : j])
				if err != nil {
					n = 1
				}
				b.WriteString(strings.Repeat(" ", min(n, 200)))
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
	cmd := exec.Command(program, args...)
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
	// Each drives its own program in its own directory.
	t.Parallel()
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

	// The selected events' channels share one page, one line each; the unselected event's
	// channel is not asked.
	term.focus("push ")
	lines := term.screen()
	if !strings.Contains(strings.Join(lines, "\n"), "Page 3 of 6 · Channels") || !onScreen(lines, "  alert") || onScreen(lines, "  issue ") {
		t.Errorf("the channels page:\n%s", strings.Join(lines, "\n"))
	}
	for _, ev := range []string{"push", "confidential_issue", "merge_request", "note", "confidential_note", "tag_push", "pipeline", "wiki_page", "alert"} {
		term.focus(ev + " ")
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
	t.Parallel()
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

// Commands that draw no form must not query the terminal: a pty that nothing answers (CI log
// capture, script, ssh -tt) would otherwise stall every run until the query times out, and the
// query's bytes would land in the captured output.
func TestCommandsDoNotQueryTheTerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(program, "list", "--category", "chat")
	cmd.Env = programEnv(t, dir)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, done: make(chan struct{}), mute: true}
	go func() {
		defer close(term.done)
		_, _ = io.Copy(&lockedWriter{term}, f)
	}()
	t.Cleanup(func() { f.Close() })
	if code := term.exitCode(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out := term.out.String()
	if strings.Contains(out, "\x1b]11;?") || strings.Contains(out, "\x1b[6n") {
		t.Errorf("the command queried the terminal: %q", out[:min(len(out), 80)])
	}
	if !strings.Contains(out, "slack") {
		t.Errorf("no listing: %q", out)
	}
}

type lockedWriter struct{ term *terminal }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.term.mu.Lock()
	defer w.term.mu.Unlock()
	return w.term.out.Write(p)
}
