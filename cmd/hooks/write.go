package hooks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
)

// writeOptions are what add and edit share: the value flags and what they ask for.
type writeOptions struct {
	common
	ValueFlags cmdutil.ValueFlags

	wanted wanted
}

func (o *writeOptions) parse() error {
	var err error
	o.wanted, err = parseWanted(o.kind, o.ValueFlags, o.IO.In)
	return err
}

// fill runs the hook form, starting from cur (nil for a new hook) and the flags given; place
// names the backend in its header.
func (o *writeOptions) fill(ctx context.Context, cur *client.Hook, place string) error {
	in := formInput(o.kind, o.scope.Level, cur, o.wanted, o.scope.String()+" on "+place)
	if err := o.Prompter().Fill(ctx, o.kind, in); err != nil {
		return err
	}
	o.wanted = fromForm(o.kind, cur, in)
	return nil
}

// edit sends c to the hook. When the server needs write-only values again (a URL change
// clears them on GitLab), it asks for them on a terminal, or names the flags that supply them.
func (o *writeOptions) edit(ctx context.Context, h client.Hooks, server string, cur client.Hook, c client.HookChange) (client.HookResult, error) {
	res, err := h.EditHook(ctx, o.scope, cur.ID, c)
	var mse *client.MissingSecretsError
	if !errors.As(err, &mse) {
		return res, err
	}
	if !o.IO.CanPrompt() {
		return res, missingSecrets(server, mse.Fields)
	}
	for _, f := range mse.Fields {
		v, err := o.Prompter().Password(ctx, fmt.Sprintf("%s of %s — %s clears it when the URL changes", f, describeHook(cur), server))
		if err != nil {
			return res, err
		}
		field, name, entry := strings.Cut(f, ".")
		if !entry {
			if v, err = o.kind.Normalize(f, v); err != nil {
				return res, err
			}
			c.Values[f] = v
			continue
		}
		w := wanted{vars: c.URLVariables, headers: c.CustomHeaders}
		if err := w.entry(o.kind, field, name, v); err != nil {
			return res, err
		}
	}
	return h.EditHook(ctx, o.scope, cur.ID, c)
}

// remember records the fingerprints of the secrets c sent to a server that never returns them,
// under the hook's identity, so that bulk hooks compares with these and never with the ones an
// earlier run wrote.
func (o *writeOptions) remember(ctx context.Context, b client.Backend, res client.HookResult, c client.HookChange) {
	server := b.Capabilities().Server
	secrets := client.HookSecrets(c)
	if server == "" || o.Store == nil || len(secrets) == 0 {
		return
	}
	scope := res.Hook.Scope
	if scope.IsZero() {
		scope = o.scope
	}
	st, err := o.Store()
	if err == nil {
		err = st.RecordSecretsBatch(ctx, []client.SecretRecord{{Server: server, Scope: scope.String(), Integration: client.HookSecretsOwner(res.Hook), Secrets: secrets}})
	}
	if err != nil {
		fmt.Fprintf(o.IO.ErrOut, "warning: the secrets were written, but not their fingerprints, so bulk hooks will write them again: %v\n", err)
	}
}

// report says what a write did: on stderr for people, as JSON on stdout when asked.
func (o *writeOptions) report(res client.HookResult, action string) error {
	if len(res.Created) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Created %s in the local store\n", client.FormatScopes(res.Created))
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(o.IO.ErrOut, "warning: "+w)
	}
	if o.IO.IsStdoutTTY() {
		verb := map[string]string{"created": "Added", "updated": "Updated", "unchanged": "Nothing to change for"}[action]
		fmt.Fprintf(o.IO.ErrOut, "✓ %s %s\n", verb, describeHook(res.Hook))
	}
	if !o.Output.IsJSON() {
		return nil
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return output.Write(o.IO, *o.Output, writeView{hookView: newHookView(res.Hook), Action: action, Warnings: warnings}, nil)
}
