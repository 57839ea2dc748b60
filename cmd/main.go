// Package cmd holds the command tree and the one place where errors become exit codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/spf13/cobra"
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
	// SIGTERM, what CI sends on cancel, stops a run the way Ctrl-C does: writes in flight
	// finish, the journal is saved, the exit code is 130.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, f := NewRoot(Version)
	defer f.Close()
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	interrupted := ctx.Err() != nil && !errors.Is(err, cmdutil.ErrSilent)
	if interrupted {
		err = forms.ErrCancelled
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
	case errors.Is(err, forms.ErrNotSaved):
		fmt.Fprintln(f.IOStreams.ErrOut, "not saved; nothing was written")
	case code == exitCancelled && interrupted:
		// A run interrupted part-way may have written some targets already.
		fmt.Fprintln(f.IOStreams.ErrOut, "cancelled; nothing more was written")
	case code == exitCancelled:
		fmt.Fprintln(f.IOStreams.ErrOut, "cancelled; nothing was written")
	default:
		msg, hint := explain(cmd, err)
		fmt.Fprintln(f.IOStreams.ErrOut, "error: "+oneLine(msg))
		if code == exitAuth {
			hint = "set GITLAB_TOKEN or run 'integrations auth login'"
		}
		if hint != "" {
			fmt.Fprintln(f.IOStreams.ErrOut, "hint: "+hint)
		}
	}
	return code
}

// explain splits an error into its message and the advice for a line of its own: the name
// probably meant, or the flag to use instead — only a flag the command takes.
func explain(cmd *cobra.Command, err error) (msg, hint string) {
	msg = err.Error()
	if first, suggestions, ok := strings.Cut(msg, "\n\nDid you mean this?\n"); ok {
		names := strings.Fields(suggestions)
		for i, n := range names {
			names[i] = strconv.Quote(n)
		}
		return first, "did you mean " + strings.Join(names, " or ") + "?"
	}
	var ie *client.InputError
	if errors.As(err, &ie) {
		flag, advice := ie.Advice()
		if flag == "" {
			return msg, ""
		}
		msg = strings.Replace(msg, "; "+advice, "", 1)
		if cmd != nil && takesFlag(cmd, flag) {
			return msg, advice
		}
		if cmd != nil {
			return msg, fmt.Sprintf("'%s' takes %s", cmd.CommandPath(), scopeFlags(cmd))
		}
		return msg, ""
	}
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		hint = h.Hint()
	}
	return msg, hint
}

func takesFlag(cmd *cobra.Command, short string) bool {
	return cmd.Flags().ShorthandLookup(strings.TrimPrefix(short, "-")) != nil
}

// scopeFlags lists the scope flags a command takes, for advice in its own terms.
func scopeFlags(cmd *cobra.Command) string {
	var out []string
	for _, f := range []struct{ short, what string }{{"p", "-p PROJECT"}, {"g", "-g GROUP"}} {
		if cmd.Flags().ShorthandLookup(f.short) != nil {
			out = append(out, f.what)
		}
	}
	if cmd.Flags().Lookup("instance") != nil {
		out = append(out, "--instance")
	}
	if len(out) == 0 {
		return "no scope flag"
	}
	return strings.Join(out, ", ")
}

func exitCode(err error) int {
	var noResults cmdutil.NoResultsError
	switch {
	case err == nil, errors.As(err, &noResults):
		return exitOK
	case errors.Is(err, forms.ErrCancelled), errors.Is(err, context.Canceled):
		return exitCancelled
	case errors.Is(err, client.ErrUnauthorized):
		return exitAuth
	case cmdutil.IsUsageError(err), strings.HasPrefix(err.Error(), "unknown command"):
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
