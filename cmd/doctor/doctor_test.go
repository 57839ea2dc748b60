package doctor

import (
	"errors"
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/spf13/cobra"
)

func TestNewCmdDoctor(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		tty   bool
		ci    string
		scope string
		err   string
	}{
		{args: []string{"-g", "acme"}, scope: "group:acme"},
		{args: []string{"--instance"}, scope: "instance"},
		{args: []string{"-p", "acme/web", "--fix"}, tty: true, scope: "project:acme/web"},
		{args: []string{"-p", "acme/web", "--fix", "--yes"}, scope: "project:acme/web"},
		{args: []string{"-p", "acme/web", "--fix"}, err: "doctor --fix tests hooks on the server: pass --yes to go ahead without a terminal"},
		// CI never prompts, terminal or not.
		{args: []string{"-p", "acme/web", "--fix"}, tty: true, ci: "true", err: "doctor --fix tests hooks on the server: pass --yes to go ahead without a terminal"},
		{args: []string{"-p", "acme/web", "--yes"}, err: "--yes goes with --fix"},
		{args: nil, err: "doctor needs a scope: -p PROJECT, -g GROUP (and everything below it) or --instance"},
		{args: []string{"-p", "a", "-g", "b"}, err: "give at most one of -p/--project, -g/--group and --instance"},
	} {
		t.Run(tc.scope+tc.err, func(t *testing.T) {
			e := cmdtest.New(t, cmdtest.TTY(tc.tty))
			if tc.ci != "" {
				e.Factory.IOStreams.SetNeverPrompt(true)
			}
			var got *options
			err := e.RunArgs(func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdDoctor(f, func(o *options) error { got = o; return nil })
			}, tc.args...)
			if tc.err != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || err.Error() != tc.err {
					t.Fatalf("err = %v, want the usage error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.scope.String() != tc.scope {
				t.Errorf("scope %s, want %s", got.scope, tc.scope)
			}
		})
	}
}
