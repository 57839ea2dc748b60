// Package iostreams holds the standard streams with what is known about them: whether each is a
// terminal, whether the user may be prompted, whether colour is wanted.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/forgekit/integrations/internal/boolval"
	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	neverPrompt                    bool
	colorEnabled                   bool
	width                          int
}

// System returns the process's streams and reads the environment that decides prompting.
func System() *IOStreams {
	ios := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	ios.neverPrompt = NoPromptEnv(os.Getenv)
	ios.colorEnabled = ios.stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	if ios.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			ios.width = w
		}
	}
	return ios
}

// NoPromptEnv reports whether the environment forbids prompts: INTEGRATIONS_NO_PROMPT or
// NO_PROMPT true (boolval's rule; a value it cannot read also forbids them, and config.Load
// refuses it), or CI set to anything but "false".
func NoPromptEnv(getenv func(string) string) bool {
	for _, name := range []string{"INTEGRATIONS_NO_PROMPT", "NO_PROMPT"} {
		if v, set, err := boolval.Env(getenv, name); err != nil || (set && v) {
			return true
		}
	}
	return boolval.CI(getenv)
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns streams over buffers, none of them a terminal.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetTTY marks every stream as a terminal or not; tests use it.
func (s *IOStreams) SetTTY(v bool) { s.stdinTTY, s.stdoutTTY, s.stderrTTY = v, v, v }

// CanPrompt is true only with a terminal on both stdin and stdout and nothing forbidding prompts.
func (s *IOStreams) CanPrompt() bool { return !s.neverPrompt && s.stdinTTY && s.stdoutTTY }

func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// TerminalWidth is the width of stdout's terminal, or 0 when unknown.
func (s *IOStreams) TerminalWidth() int { return s.width }
