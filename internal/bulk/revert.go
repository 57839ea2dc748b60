package bulk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Remover is a backend that can drop a scope's settings altogether (the local store); on
// GitLab the closest is its DELETE, which resets them.
type Remover interface {
	Remove(ctx context.Context, s client.Scope, def integrations.Definition) error
}

// RevertPlan turns a finished run's journal into the writes that put every changed target
// back as it was: those it changed, and those it was writing when it was killed. Targets the
// run skipped or failed are left alone.
func RevertPlan(j *JournalDoc, def integrations.Definition) *Report {
	rep := &Report{}
	for _, jt := range j.Targets {
		name := jt.Name
		t := &Target{Name: name, Kind: jt.Kind, Previous: jt.Previous, scope: parseTarget(name)}
		changed := jt.Result == Succeeded || jt.Result == Partial || jt.Result == Unknown
		switch {
		case !changed || jt.Action == ActSkip || jt.Action == ActRestore:
			t.Action, t.Result, t.Reason = ActSkip, Skipped, "not changed by the run"
		case jt.Previous == nil:
			t.Action, t.Result, t.Reason = ActSkip, Skipped, "no previous state was recorded"
		case jt.Result == Unknown:
			// The run was killed while writing it: restoring what it was is safe either way.
			t.Action, t.Result, t.Reason = ActRestore, Planned, "restore (the run stopped while writing it): "+previousWords(jt.Previous)
		default:
			t.Action, t.Result, t.Reason = ActRestore, Planned, "restore: "+previousWords(jt.Previous)
		}
		rep.Targets = append(rep.Targets, t)
	}
	rep.Count()
	return rep
}

func previousWords(p *Previous) string {
	switch {
	case p.Hook != nil && !p.Hook.Exists:
		return "no hook before the run (the one it added is removed)"
	case p.Hook != nil:
		return fmt.Sprintf("hook %d as it was", p.Hook.ID)
	case !p.Configured:
		return "not configured"
	case p.Inherited:
		return "inherited"
	case p.Active:
		return "active, custom settings"
	}
	return "inactive, custom settings"
}

// restore puts one target back. Secrets were never recorded: where the server needs them
// (GitLab), the error names them.
func (e *Executor) restore(ctx context.Context, spec Spec, t *Target) (string, error) {
	p := t.Previous
	switch {
	case p.Hook != nil:
		return e.restoreHook(ctx, spec, t)
	case !p.Configured:
		if r, ok := e.Backend.(Remover); ok {
			return "", r.Remove(ctx, t.scope, spec.Def)
		}
		_, err := e.Backend.Disable(ctx, t.scope, spec.Def)
		return "", err
	case p.Inherited:
		_, err := e.Backend.Save(ctx, t.scope, spec.Def, client.Update{UseInherited: true})
		return "", err
	case !p.Active && e.Backend.Capabilities().DisableResets:
		_, err := e.Backend.Disable(ctx, t.scope, spec.Def)
		return "", err
	}
	values := maps.Clone(p.Values)
	maps.Copy(values, spec.Values)
	active := p.Active
	_, err := e.save(ctx, t, spec.Def, client.Update{Values: values, Events: p.Events, Active: &active})
	var mse *client.MissingSecretsError
	if errors.As(err, &mse) {
		return "", fmt.Errorf("cannot restore without the secrets the run could not record: give %s with --set", strings.Join(mse.Fields, ", "))
	}
	var unknown []string
	for _, f := range spec.Def.Fields {
		if f.Masked() && spec.Values[f.Key] == "" {
			unknown = append(unknown, f.Key)
		}
	}
	if err != nil || len(unknown) == 0 {
		return "", err
	}
	return "; secrets were not recorded, check " + strings.Join(unknown, ", "), nil
}

func parseTarget(s string) client.Scope {
	kind, path, ok := strings.Cut(s, ":")
	if !ok {
		return client.InstanceScope
	}
	return client.Scope{Level: integrations.Level(kind), Path: path}
}
