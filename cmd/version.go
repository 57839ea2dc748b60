package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/spf13/cobra"
)

func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cmdutil.MaxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(f.IOStreams.Out, "integrations %s\n", versionString(f.AppVersion))
			return err
		},
	}
}

// versionString is the version given at build time, else the module version `go install`
// recorded, else "dev"; with the Go version that built it.
func versionString(v string) string {
	if v == "" {
		v = "dev"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	return fmt.Sprintf("%s (%s)", v, runtime.Version())
}
