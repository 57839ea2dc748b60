package doctor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// HookLog reads a hook's deliveries, newest first: GitLab's event log of the hook, or the
// request log of this tool's own deliveries on the local store (client.HookDeliveries).
type HookLog interface {
	HookEvents(ctx context.Context, s client.Scope, id int64, f client.EventFilter) ([]client.HookDelivery, error)
}

// IntegrationLog is the request log `integrations test` keeps, newest first.
type IntegrationLog interface {
	Logs(ctx context.Context, server, scope, integration string, limit int, failedOnly bool) ([]client.LogEntry, error)
}

// HookTester sends test events through hooks (client.HookDeliveries). GitLab forces a test
// through a disabled hook and re-enables the hook when the receiver answers 2xx or 3xx.
type HookTester interface {
	TestHook(ctx context.Context, s client.Scope, id int64, event string) (client.HookDelivery, error)
	// DeliveryLimit is how many tests a project or group allows per window; 0 is no limit.
	DeliveryLimit() (n int, per time.Duration)
}

// Recent is how many of the newest deliveries a check reads: enough to tell a run of
// failures, and one page of GitLab's event log.
const Recent = 10

// Doctor examines scopes through what the backend offers; a nil reader is a check it cannot
// make, said in the report.
type Doctor struct {
	Backend client.Backend
	// Hooks is nil where the backend has no webhooks.
	Hooks             client.Hooks
	HookLog           HookLog
	IntegrationLog    IntegrationLog
	GroupIntegrations bool
	// Now and Sleep are the clock; nil is the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Waiting is told when a repair waits for the test limit at a project or group.
	Waiting func(s client.Scope, d time.Duration)
}

func (d *Doctor) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Doctor) sleep(ctx context.Context, w time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, w)
	}
	return client.Sleep(ctx, w)
}

// ScopeReport is what Examine found at one scope.
type ScopeReport struct {
	Scope        client.Scope
	Integrations int
	Hooks        int
	Findings     []Finding
	// Unchecked says what could not be checked here, and why.
	Unchecked []string
	// Repairable are the hooks doctor --fix repairs by testing them.
	Repairable []client.Hook
}

// Examine checks one scope. root is the scope the user named: settings inherited from above
// it are reported there, and inherited settings below it only where they are set.
func (d *Doctor) Examine(ctx context.Context, s client.Scope, root bool) (ScopeReport, error) {
	r := ScopeReport{Scope: s}
	if err := d.examineIntegrations(ctx, s, root, &r); err != nil {
		return r, err
	}
	if err := d.examineHooks(ctx, s, &r); err != nil {
		return r, err
	}
	return r, nil
}

func (d *Doctor) examineIntegrations(ctx context.Context, s client.Scope, root bool, r *ScopeReport) error {
	switch {
	case s.Level == integrations.Instance && !d.Backend.Capabilities().Instance:
		r.Unchecked = append(r.Unchecked, fmt.Sprintf("integrations at %s: %s has no API for instance-level integrations", s, d.Backend.Where()))
		return nil
	case s.Level == integrations.Group && !d.GroupIntegrations:
		r.Unchecked = append(r.Unchecked, fmt.Sprintf("integrations at %s: %s has no group-level integration API (GitLab 17.9 or later)", s, d.Backend.Where()))
		return nil
	}
	states, err := d.Backend.List(ctx, s)
	if err != nil {
		return fmt.Errorf("reading the integrations at %s: %w", s, err)
	}
	for _, st := range states {
		def, err := integrations.Lookup(st.Name)
		if err != nil || !st.Active || (st.Inherited && !root) {
			continue
		}
		r.Integrations++
		if d.needsValues(def, s, r) {
			// Lists carry no values; the checks of values need the settings themselves.
			if st, err = d.Backend.Get(ctx, s, def); err != nil {
				return fmt.Errorf("reading %s at %s: %w", def.Name, s, err)
			}
		}
		r.Findings = append(r.Findings, CheckIntegration(def, st)...)
		if d.IntegrationLog == nil {
			continue
		}
		entries, err := d.IntegrationLog.Logs(ctx, d.Backend.Capabilities().Server, s.String(), def.Name, Recent, false)
		if err != nil {
			return fmt.Errorf("reading the request log of %s at %s: %w", def.Name, s, err)
		}
		if msg := DescribeFailures(logDeliveries(entries)); msg != "" {
			r.Findings = append(r.Findings, integrationFinding(def, s, FailingDeliveries, msg,
				fmt.Sprintf("see integrations logs %s %s --failed; once fixed, integrations test %s %s", def.Name, s.Flag(), def.Name, s.Flag())))
		}
	}
	return nil
}

func (d *Doctor) examineHooks(ctx context.Context, s client.Scope, r *ScopeReport) error {
	if d.Hooks == nil {
		return nil
	}
	hooks, err := d.Hooks.ListHooks(ctx, s)
	if unreadable(err) {
		r.Unchecked = append(r.Unchecked, fmt.Sprintf("hooks at %s: %v", s, err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the hooks at %s: %w", s, err)
	}
	for _, h := range hooks {
		r.Hooks++
		if h.URLVariables == nil && len(integrations.URLPlaceholders(h.URL())) > 0 {
			// The list left the variables out; the hook itself has their names.
			full, err := d.Hooks.GetHook(ctx, s, h.ID)
			if err != nil {
				return fmt.Errorf("reading hook %d at %s: %w", h.ID, s, err)
			}
			h = full
		}
		r.Findings = append(r.Findings, CheckHookSecrets(h)...)
		if off := CheckHook(h, d.now()); len(off) > 0 {
			// A paused hook's log only repeats why it was paused.
			r.Findings = append(r.Findings, off...)
			r.Repairable = append(r.Repairable, h)
			continue
		}
		if d.HookLog == nil {
			continue
		}
		events, err := d.HookLog.HookEvents(ctx, s, h.ID, client.EventFilter{Limit: Recent})
		if unreadable(err) {
			r.Unchecked = append(r.Unchecked, fmt.Sprintf("deliveries of hook %d at %s: %v", h.ID, s, err))
			continue
		}
		if err != nil {
			return fmt.Errorf("reading the deliveries of hook %d at %s: %w", h.ID, s, err)
		}
		if msg := DescribeFailures(hookDeliveries(events)); msg != "" {
			r.Findings = append(r.Findings, hookFinding(h, FailingDeliveries, msg,
				fmt.Sprintf("see integrations hooks events %d %s --failed", h.ID, s.Flag()), false))
		}
	}
	return nil
}

// needsValues says whether def has values to check that the backend can read back: a server
// never returns secrets, so a retired address held in one goes unchecked, as r says.
func (d *Doctor) needsValues(def integrations.Definition, s client.Scope, r *ScopeReport) bool {
	server := d.Backend.Capabilities().Server != ""
	need := false
	for _, f := range def.Fields {
		readable := !server || !f.Secret
		switch {
		case len(f.Retired) > 0 && !readable:
			r.Unchecked = append(r.Unchecked, fmt.Sprintf("%s of %s at %s: %s never returns it, so a retired address there goes unseen", f.Key, def.Name, s, d.Backend.Where()))
		case (len(f.Retired) > 0 || (f.Required && f.Masked())) && readable:
			need = true
		}
	}
	return need
}

// unreadable is a refusal to read that leaves the rest of the scope worth checking: a role or
// tier the token lacks (group hooks are GitLab Premium), or an API the server does not have
// (system hooks have no event log on GitLab).
func unreadable(err error) bool {
	var ie *client.InputError
	return err != nil && (errors.Is(err, client.ErrUnauthorized) || errors.As(err, &ie))
}
