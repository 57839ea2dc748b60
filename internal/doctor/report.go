package doctor

import (
	"context"
	"strconv"
	"time"

	"github.com/forgekit/integrations/internal/client"
)

// Checked counts what a report looked at.
type Checked struct {
	Scopes       int `json:"scopes"`
	Integrations int `json:"integrations"`
	Hooks        int `json:"hooks"`
}

// Report is doctor's answer for a scope and everything below it.
type Report struct {
	Scope    string    `json:"scope"`
	OK       bool      `json:"ok"`
	Checked  Checked   `json:"checked"`
	Findings []Finding `json:"findings"`
	// Unchecked says what could not be checked, and why.
	Unchecked []string `json:"unchecked"`
	// Repairs are what --fix did; null without it.
	Repairs []Repair `json:"repairs"`

	repairable []client.Hook
}

// NewReport gathers the scopes' reports, in the walk's order.
func NewReport(root client.Scope, scopes []ScopeReport) *Report {
	r := &Report{Scope: root.String(), Findings: []Finding{}, Unchecked: []string{}}
	for _, s := range scopes {
		r.Checked.Scopes++
		r.Checked.Integrations += s.Integrations
		r.Checked.Hooks += s.Hooks
		r.Findings = append(r.Findings, s.Findings...)
		r.Unchecked = append(r.Unchecked, s.Unchecked...)
		r.repairable = append(r.repairable, s.Repairable...)
	}
	r.OK = len(r.Findings) == 0
	return r
}

// Repairable are the hooks --fix would test.
func (r *Report) Repairable() []client.Hook { return r.repairable }

// Results of a repair.
const (
	RepairPlanned = "planned"
	RepairFixed   = "fixed"
	RepairFailed  = "failed"
)

// Repair is one hook --fix tests to re-enable it.
type Repair struct {
	Scope  string  `json:"scope"`
	HookID int64   `json:"hook_id"`
	Name   string  `json:"name"`
	Event  *string `json:"event"`
	Result string  `json:"result"`
	Error  *string `json:"error"`

	hook client.Hook
}

// PlanRepairs lists the tests --fix would send, one per disabled or paused hook.
func (r *Report) PlanRepairs() []Repair {
	out := make([]Repair, 0, len(r.repairable))
	for _, h := range r.repairable {
		rp := Repair{Scope: h.Scope.String(), HookID: h.ID, Name: h.Identity(), Result: RepairPlanned, hook: h}
		if e := TestEvent(h); e != "" {
			rp.Event = &e
		}
		out = append(out, rp)
	}
	return out
}

// Repair tests each planned hook in turn (GitLab allows few tests a minute per project or
// group, so one at a time), then reads the hook again: it is fixed when GitLab calls it again,
// whatever the test answered (a 3xx re-enables a hook although the test reports 422). The
// repaired hooks' findings leave the report. done is called after each.
func (d *Doctor) Repair(ctx context.Context, t HookTester, r *Report, plan []Repair, done func(Repair)) error {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	fixed := map[string]bool{}
	for i := range plan {
		rp := &plan[i]
		event := ""
		if rp.Event != nil {
			event = *rp.Event
		}
		testErr := t.TestHook(ctx, rp.hook.Scope, rp.HookID, event)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		after, err := d.Hooks.GetHook(ctx, rp.hook.Scope, rp.HookID)
		switch {
		case err != nil:
			msg := err.Error()
			rp.Result, rp.Error = RepairFailed, &msg
		case len(CheckHook(after, now())) == 0:
			rp.Result = RepairFixed
			fixed[hookKey(rp.hook)] = true
		case testErr != nil:
			msg := testErr.Error()
			rp.Result, rp.Error = RepairFailed, &msg
		default:
			msg := "the test was sent but GitLab still has the hook disabled"
			rp.Result, rp.Error = RepairFailed, &msg
		}
		if done != nil {
			done(*rp)
		}
	}
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if !f.Fixable || f.HookID == nil || !fixed[f.Scope+"#"+strconv.FormatInt(*f.HookID, 10)] {
			kept = append(kept, f)
		}
	}
	r.Findings, r.Repairs, r.OK = kept, plan, len(kept) == 0
	return nil
}

func hookKey(h client.Hook) string { return h.Scope.String() + "#" + strconv.FormatInt(h.ID, 10) }
