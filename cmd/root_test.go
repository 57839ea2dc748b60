package cmd

import (
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/spf13/cobra"
)

// Only runs that may hold a record for each of tens of thousands of targets trade CPU for
// memory; a short command keeps the runtime's default, which does not collect during start-up.
func TestOnlyRunsOverManyTargetsTuneTheCollector(t *testing.T) {
	e := cmdtest.New(t, cmdtest.WithConfig(map[string]any{}))
	root := func(f *cmdutil.Factory) *cobra.Command { return NewCmdRoot(f, &cobra.Command{}) }
	for args, want := range map[string]bool{
		"version":                                false,
		"list":                                   false,
		"show slack -p acme/web":                 false,
		"hooks list -p acme/web":                 false,
		"bulk status slack -g acme":              true,
		"bulk hooks remove ci -g acme --dry-run": true,
		"export -p acme/web":                     true,
		"plan -f missing.yaml":                   true,
		"apply -f missing.yaml --yes":            true,
	} {
		called, many := false, false
		e.Factory.TuneMemory = func(m bool) { called, many = true, m }
		_ = e.Run(root, args) // what the command then does is not the point
		if !called || many != want {
			t.Errorf("%s: collector tuned %v for many targets %v, want for many targets %v", args, called, many, want)
		}
	}
}
