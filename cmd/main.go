// Package cmd holds the command tree and the one place where errors become exit codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/manifest"
	"github.com/forgekit/integrations/internal/output"
)

// Exit codes: the contract scripts rely on.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitAuth      = 4
	exitCancelled = 130
)

// Version is set at build time with -ldflags "-X github.com/forgekit/integrations/cmd.Version=…".
var Version = ""

// Main runs the command line and returns the process's exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, f := NewRoot(Version)
	defer f.Close()
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && !errors.Is(err, cmdutil.ErrSilent) {
		err = cmdutil.ErrCancel
	}
	if f.Deadline > 0 && errors.Is(err, context.DeadlineExceeded) {
		err = &deadlineError{after: f.Deadline, err: err}
	}
	code := exitCode(err)
	switch {
	case code == exitOK:
		if f.IOStreams.IsStderrTTY() {
			fmt.Fprintln(f.IOStreams.ErrOut, err)
		}
	case errors.Is(err, cmdutil.ErrSilent):
	case code == exitCancelled:
		fmt.Fprintln(f.IOStreams.ErrOut, "cancelled; nothing more was written")
	default:
		fmt.Fprintln(f.IOStreams.ErrOut, "error: "+oneLine(err.Error()))
		if code == exitAuth {
			fmt.Fprintln(f.IOStreams.ErrOut, "hint: set GITLAB_TOKEN or run 'integrations auth login'")
		}
	}
	return code
}

func exitCode(err error) int {
	var (
		noResults cmdutil.NoResultsError
		flagErr   *cmdutil.FlagError
		catErr    *integrations.Error
		inputErr  *client.InputError
		cfgErr    *config.Error
		jqErr     *output.JQError
		jqRunErr  *output.JQRunError
		fileErr   *local.FileError
		keyErr    *local.KeyError
		manErr    *manifest.Error
	)
	switch {
	case err == nil, errors.As(err, &noResults):
		return exitOK
	case errors.Is(err, cmdutil.ErrCancel), errors.Is(err, forms.ErrCancelled), errors.Is(err, context.Canceled):
		return exitCancelled
	case errors.Is(err, client.ErrUnauthorized):
		return exitAuth
	case errors.As(err, &flagErr), errors.As(err, &catErr), errors.As(err, &inputErr),
		errors.As(err, &cfgErr), errors.As(err, &jqErr), errors.As(err, &jqRunErr), errors.As(err, &fileErr), errors.As(err, &manErr), errors.As(err, &keyErr),
		errors.Is(err, forms.ErrNoPrompt), strings.HasPrefix(err.Error(), "unknown command"):
		return exitUsage
	}
	return exitFailed
}

// deadlineError is a run stopped by its --timeout: it says so rather than "context deadline
// exceeded", keeping whatever the failing step added.
type deadlineError struct {
	after time.Duration
	err   error
}

func (e *deadlineError) Error() string {
	msg := fmt.Sprintf("stopped at the run's deadline (--timeout %s)", e.after)
	if e.err.Error() != context.DeadlineExceeded.Error() {
		msg += ": " + e.err.Error()
	}
	return msg
}

func (e *deadlineError) Unwrap() error { return e.err }

// oneLine keeps an error to the single line the contract promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
