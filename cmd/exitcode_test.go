package cmd

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
)

// markedOnly is a usage error Main has never heard of: the marker alone makes it exit 2.
type markedOnly struct{}

func (markedOnly) Error() string    { return "bad input" }
func (markedOnly) UsageError() bool { return true }

// Scripts rely on the exit code of each kind of error, however deeply a command wrapped it.
func TestExitCode(t *testing.T) {
	_, catalogErr := integrations.Lookup("no-such-integration")
	for name, tc := range map[string]struct {
		err  error
		want int
	}{
		"flag":          {cmdutil.FlagErrorf("bad flag"), exitUsage},
		"catalog":       {catalogErr, exitUsage},
		"input":         {client.Invalidf("bad value"), exitUsage},
		"config":        {&config.Error{Err: errors.New("broken")}, exitUsage},
		"jq":            {&output.JQError{Err: errors.New("parse")}, exitUsage},
		"no prompt":     {forms.ErrNoPrompt, exitUsage},
		"marker only":   {markedOnly{}, exitUsage},
		"cancel":        {forms.ErrCancelled, exitCancelled},
		"not saved":     {forms.ErrNotSaved, exitCancelled},
		"interrupted":   {context.Canceled, exitCancelled},
		"unauthorized":  {client.ErrUnauthorized, exitAuth},
		"no results":    {cmdutil.NewNoResultsError("none"), exitOK},
		"other failure": {errors.New("server said 500"), exitFailed},
	} {
		if got := exitCode(fmt.Errorf("step: %w", tc.err)); got != tc.want {
			t.Errorf("%s: exit %d, want %d", name, got, tc.want)
		}
	}
	// cobra's own, never wrapped.
	if got := exitCode(errors.New(`unknown command "x" for "integrations"`)); got != exitUsage {
		t.Errorf("unknown command: exit %d, want %d", got, exitUsage)
	}
}
