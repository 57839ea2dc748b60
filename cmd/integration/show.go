package integration

import (
	"context"
	"fmt"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type showOptions struct {
	IO      *iostreams.IOStreams
	Backend func() (client.Backend, error)
	Output  *output.Options

	Name       string
	ScopeFlags cmdutil.ScopeFlags

	def   integrations.Definition
	scope client.Scope
}

// NewCmdShow builds `integrations show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*showOptions) error) *cobra.Command {
	opts := &showOptions{IO: f.IOStreams, Backend: f.Backend, Output: f.Output}
	cmd := &cobra.Command{
		Use:   "show [<integration>]",
		Short: "Show an integration's fields, events and levels, and its settings at a scope",
		Long: heredoc.Doc(`
			Show what an integration is made of: its fields (type, whether required, choices,
			default), the trigger events it supports and the levels it can be set at.

			With a scope, also show the current values there and whether they are the scope's own
			settings or inherited from a parent, and from which one. Secret values are never shown:
			only whether they are set.
		`),
		Example: heredoc.Doc(`
			$ integrations show slack
			$ integrations show jira -p acme/web
			$ integrations show slack -g acme -o json --jq '.fields[] | select(.required) | .name'
		`),
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := nameOrPick(cmd.Context(), f, opts.ScopeFlags, args, "show", nil)
			if err != nil {
				return err
			}
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	return cmd
}

func (o *showOptions) complete(args []string) error {
	o.Name = args[0]
	var err error
	if o.def, err = integrations.Lookup(o.Name); err != nil {
		return err
	}
	o.scope, err = o.ScopeFlags.Scope()
	return err
}

func showRun(ctx context.Context, o *showOptions) error {
	var st *client.State
	var srv *integrations.Server
	if !o.scope.IsZero() {
		if !o.def.SupportsLevel(o.scope.Level) {
			return levelError(o.def, o.scope)
		}
		b, err := o.Backend()
		if err != nil {
			return err
		}
		var got client.State
		srv, err = withServer(ctx, b, func() (err error) {
			got, err = b.Get(ctx, o.scope, o.def)
			return err
		})
		if err != nil {
			return err
		}
		st = &got
	} else if b, err := o.Backend(); err == nil {
		srv = b.APIServer(ctx) // a connected server: mark what it lacks
	}
	view := newShowView(o.def, st, srv)
	return output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printShow(p, o.def, st, srv, view) })
}

// apiNote says in the tables where GitLab's API has a field or event, and whether the connected
// server lacks it.
func apiNote(a integrations.Availability, srv *integrations.Server) string {
	note := a.Describe()
	if srv != nil && !a.In(*srv) {
		lacks := "not on GitLab " + srv.Effective().String()
		if note == "" {
			return lacks
		}
		return note + "; " + lacks
	}
	return note
}

func levelError(d integrations.Definition, s client.Scope) error {
	return cmdutil.FlagErrorf("%s cannot be set at %s level; it supports: %s", d.Name, s.Level, strings.Join(d.LevelNames(), ", "))
}

func printShow(p *output.Printer, d integrations.Definition, st *client.State, srv *integrations.Server, v showView) {
	p.Linef("%s (%s)", d.Title, d.Name)
	if p.IsTTY() {
		p.Paragraph(d.Description)
	}
	meta := fmt.Sprintf("category: %s   levels: %s", d.Category, strings.Join(v.Levels, ", "))
	if d.APISlug != "" {
		meta += "   api: integrations/" + d.APISlug
	}
	p.Paragraph(meta)
	switch {
	case d.Removed():
		p.Paragraph(fmt.Sprintf("removed from GitLab%s; kept for older servers", removedIn(d)))
	case d.Deprecated != "":
		p.Paragraph(d.Deprecated)
	}
	for _, n := range d.Notes {
		p.Linef("note: %s", n)
	}
	if st != nil {
		state := "inactive"
		if st.Active {
			state = "active"
		}
		if !st.Configured {
			state = "not configured"
		}
		p.Linef("%s: %s, %s", st.Scope, state, settingsWord(*st))
	}
	p.Linef("")
	rows := make([][]string, 0, len(v.Fields))
	for i, fv := range v.Fields {
		f, _ := d.Field(fv.Name)
		req := ""
		if f.Required {
			req = "required"
		} else if f.RequiredWhen != "" {
			req = "required " + f.RequiredWhen
		}
		rows = append(rows, []string{fv.Name, string(f.Kind), req, displayValue(f, v.Fields[i], st), f.Title, apiNote(d.FieldAPI(f.Key), srv)})
	}
	p.Table([]string{"field", "type", "required", "value", "title", "gitlab"}, rows)
	if len(v.Events) > 0 {
		p.Linef("")
		rows = rows[:0]
		for _, ev := range v.Events {
			rows = append(rows, []string{ev.Name, ev.APIFlag, eventState(d, ev, st), apiNote(d.EventAPI(ev.Name), srv)})
		}
		p.Table([]string{"event", "api flag", "enabled", "gitlab"}, rows)
	}
}

// eventState is an event's state in a table: on/off, the default without a scope, or unknown
// where the server never returns it.
func eventState(d integrations.Definition, ev eventView, st *client.State) string {
	switch {
	case ev.Enabled != nil:
		return onOff(*ev.Enabled)
	case st != nil:
		return "unknown (the server never returns it)"
	}
	return "default " + onOff(d.DefaultEventState(ev.Name))
}

func removedIn(d integrations.Definition) string {
	if d.RemovedIn == "" {
		return ""
	}
	return " in " + d.RemovedIn
}

// displayValue renders a value for people; secrets only as set or not set.
func displayValue(f integrations.Field, fv fieldView, st *client.State) string {
	switch {
	case st == nil:
		if fv.Default != nil {
			return fmt.Sprintf("(default %v)", fv.Default)
		}
		return ""
	case fv.Set == nil:
		return "(write-only on the server)"
	case f.Masked() && *fv.Set:
		return "•••••• (set)"
	case f.Masked():
		return "(not set)"
	case !*fv.Set && fv.Default != nil:
		return fmt.Sprintf("(default %v)", fv.Default)
	case !*fv.Set:
		return "-"
	}
	return st.Values[f.Key]
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
