package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
)

// target is the desired state of one integration at one scope, built from flags or a form.
type target struct {
	Values map[string]string
	Events map[string]bool
	// Asked are the events the user named: written even where the server's state is unknown.
	Asked  map[string]bool
	Active bool
}

// namedEvents are the events an --events value (or --enable/--disable) names.
func namedEvents(ch *cmdutil.EventChange) map[string]bool {
	out := map[string]bool{}
	if ch == nil {
		return out
	}
	for _, list := range [][]string{ch.Exact, ch.Add, ch.Remove} {
		for _, e := range list {
			out[e] = true
		}
	}
	return out
}

// checkNamedEvents refuses events given at a level that does not have them (group mentions at a
// project), rather than ignoring them.
func checkNamedEvents(d integrations.Definition, l integrations.Level, ch *cmdutil.EventChange) error {
	for _, e := range slices.Sorted(maps.Keys(namedEvents(ch))) {
		if err := d.CheckEventAt(l, e); err != nil {
			return err
		}
	}
	return nil
}

type changeView struct {
	Name    string          `json:"name"`
	Scope   string          `json:"scope"`
	Action  string          `json:"action"`
	Changes []change.Change `json:"changes"`
}

// describe lists what turning cur into next changes. next holds every value the scope will
// have, so a value it lacks is one the write clears; same are the write-only secrets known to
// be those the scope holds.
func describe(d integrations.Definition, cur client.State, next target, same map[string]bool) []change.Change {
	values := map[string]string{}
	for k := range mergeKeys(cur.Values, next.Values) {
		values[k] = next.Values[k]
	}
	want := change.Wanted{Active: next.Active, Values: values, Events: next.Events, Asked: next.Asked, Same: same}
	return change.Diff(d, cur.Scope.Level, cur, want)
}

// secretBook holds the fingerprints of the secrets this tool wrote to a server that never
// returns them: a write records them and a comparison reads them, here as in bulk and apply,
// so that neither compares with a secret another command has replaced since.
type secretBook interface {
	SecretsUnchanged(ctx context.Context, server, scope, integration string, secrets map[string]string) (bool, error)
	RecordSecretsBatch(ctx context.Context, recs []client.SecretRecord) error
}

func secretsOf(f *cmdutil.Factory) func() (secretBook, error) {
	return func() (secretBook, error) { return f.Store() }
}

// sameSecrets are the write-only secrets in values whose fingerprints match what this tool last
// wrote at cur's scope. Without fingerprints none is known to be the same, and it is written.
func (r saveRequest) sameSecrets(ctx context.Context, cur client.State, values map[string]string) map[string]bool {
	server := r.Backend.Capabilities().Server
	same := map[string]bool{}
	if server == "" || r.Secrets == nil {
		return same
	}
	book, err := r.Secrets()
	if err != nil {
		return same
	}
	for k, v := range values {
		if cur.Unknown[k] && v != "" {
			ok, err := book.SecretsUnchanged(ctx, server, cur.Scope.String(), r.Def.Name, map[string]string{k: v})
			same[k] = err == nil && ok
		}
	}
	return same
}

// remember records the fingerprints of the secrets a write just sent to a server.
func (r saveRequest) remember(ctx context.Context, scope client.Scope, sent map[string]string) {
	server := r.Backend.Capabilities().Server
	secrets := map[string]string{}
	for k, v := range sent {
		if f, ok := r.Def.Field(k); ok && f.Masked() {
			secrets[k] = v
		}
	}
	if server == "" || r.Secrets == nil || len(secrets) == 0 {
		return
	}
	book, err := r.Secrets()
	if err == nil {
		err = book.RecordSecretsBatch(ctx, []client.SecretRecord{{Server: server, Scope: scope.String(), Integration: r.Def.Name, Secrets: secrets}})
	}
	if err != nil {
		fmt.Fprintf(r.IO.ErrOut, "warning: the secrets were written, but not their fingerprints, so bulk and apply will write them again: %v\n", err)
	}
}

// reviewLines is the form's last page: what saving will write (the form writes only the answers
// a user changed, so the changes are the whole write), and, in words, that the write ends
// inheritance, since every inherited setting is then copied.
func reviewLines(d integrations.Definition, cur client.State, next target, same map[string]bool) []string {
	changes := describe(d, cur, next, same)
	if len(changes) == 0 {
		return nil // nothing is written
	}
	var lines []string
	if cur.Inherited {
		from := "its parent"
		if cur.InheritedFrom != nil {
			from = cur.InheritedFrom.Describe()
		}
		copied := 0
		for _, v := range cur.Values {
			if v != "" {
				copied++
			}
		}
		lines = append(lines, fmt.Sprintf("%s will stop inheriting %s from %s; its %d settings are copied.",
			cur.Scope.Describe(), d.Name, from, copied))
	}
	return append(lines, change.Lines(changes)...)
}

func actionOf(cur client.State, changes []change.Change) string {
	switch {
	case len(changes) == 0:
		return "unchanged"
	case !cur.Configured || cur.Inherited:
		return "create"
	}
	return "update"
}

// printChange writes a planned change (for --dry-run): a line per field, or the JSON shape.
func printChange(o *output.Printer, v changeView) {
	o.Linef("%s at %s: %s (dry run; nothing written)", v.Name, v.Scope, v.Action)
	for _, l := range change.Lines(v.Changes) {
		o.Linef("%s", l)
	}
}
