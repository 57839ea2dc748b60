package integration

import (
	"context"
	"fmt"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
)

// nameOrPick returns the integration named on the command line. Without one, a terminal offers
// a filterable list of the integrations that can be set at the scope, saying which are active
// there; anything else is a usage error that points to the list.
func nameOrPick(ctx context.Context, f *cmdutil.Factory, sf cmdutil.ScopeFlags, args []string, verb string, keep func(integrations.Definition) bool) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	if !f.IOStreams.CanPrompt() {
		return nil, cmdutil.WithHint(cmdutil.FlagErrorf("integrations %s: missing the integration name", verb),
			"see them with 'integrations list'")
	}
	scope, err := sf.Scope()
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	if !scope.IsZero() {
		b, err := f.Backend()
		if err != nil {
			return nil, err
		}
		states, err := b.List(ctx, scope)
		if err != nil && !client.IsNotFound(err) {
			return nil, err
		}
		for _, st := range states {
			active[st.Name] = st.Active
		}
	}
	var options []forms.Option
	for _, d := range integrations.Catalog() {
		if d.Removed() || (!scope.IsZero() && !d.SupportsLevel(scope.Level)) || (keep != nil && !keep(d)) {
			continue
		}
		// Short enough for one line at 60 columns; only the active ones say so.
		label := d.Title + " · " + d.Category
		if active[d.Name] {
			label += " · active here"
		}
		options = append(options, forms.Option{Label: label, Value: d.Name})
	}
	title := "Which integration?"
	if !scope.IsZero() {
		title = fmt.Sprintf("Which integration at %s?", scope.Describe())
	}
	name, err := f.Prompter().Pick(ctx, title, options)
	if err != nil {
		return nil, err
	}
	return []string{strings.TrimSpace(name)}, nil
}
