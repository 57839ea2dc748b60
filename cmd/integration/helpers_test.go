package integration

import (
	"context"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/spf13/cobra"
)

func listCmd(f *cmdutil.Factory) *cobra.Command   { return NewCmdList(f, nil) }
func showCmd(f *cmdutil.Factory) *cobra.Command   { return NewCmdShow(f, nil) }
func eventsCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdEvents(f, nil) }

// seed writes settings straight into the test's store.
func seed(t *testing.T, e *cmdtest.Env, level integrations.Level, path, name string, active bool, values map[string]string, events map[string]bool) {
	t.Helper()
	sc, err := client.ParseScope(level, path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Save(context.Background(), sc, d, client.Update{Values: values, Events: events, Active: &active}); err != nil {
		t.Fatal(err)
	}
}

func configureCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdConfigure(f, nil) }
func enableCmd(f *cmdutil.Factory) *cobra.Command    { return NewCmdEnable(f, nil) }
func disableCmd(f *cmdutil.Factory) *cobra.Command   { return NewCmdDisable(f, nil) }
