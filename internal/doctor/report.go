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

// Repair tests each planned hook in turn, then reads it again: it is fixed when GitLab calls
// it again, whatever the test answered (a 3xx re-enables a hook although the test reports
// 422). Tests at one project or group keep within the limit its hooks share, waiting when the
// plan holds more. The repaired hooks' findings leave the report; done is called after each.
func (d *Doctor) Repair(ctx context.Context, t HookTester, r *Report, plan []Repair, done func(Repair)) error {
	pace := pacer{sent: map[string][]time.Time{}}
	pace.n, pace.per = t.DeliveryLimit()
	fixed := map[string]bool{}
	for i := range plan {
		rp := &plan[i]
		got, testErr := pace.test(ctx, d, t, rp)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		after, err := d.Hooks.GetHook(ctx, rp.hook.Scope, rp.HookID)
		switch {
		case err != nil:
			rp.fail(err.Error())
		case len(CheckHook(after, d.now())) == 0:
			rp.Result = RepairFixed
			fixed[hookKey(rp.hook)] = true
		case testErr != nil:
			rp.fail(testErr.Error())
		case got.Failed():
			rp.fail("the receiver did not accept the test: " + got.Error)
		default:
			rp.fail("the test was delivered but GitLab still has the hook disabled")
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

func (rp *Repair) event() string {
	if rp.Event == nil {
		return ""
	}
	return *rp.Event
}

func (rp *Repair) fail(msg string) { rp.Result, rp.Error = RepairFailed, &msg }

// PlanWait is how long a plan waits for the test limit (n tests per window at one project or
// group): nothing unless one place has more disabled hooks than that.
func PlanWait(plan []Repair, n int, per time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	at := map[string]int{}
	for _, rp := range plan {
		at[rp.Scope]++
	}
	var wait time.Duration
	for _, k := range at {
		wait += time.Duration((k-1)/n) * per
	}
	return wait
}

// test sends rp's test within the limit, and after a 429 waits what the server asked (else
// the window) and sends it again.
func (p *pacer) test(ctx context.Context, d *Doctor, t HookTester, rp *Repair) (client.HookDelivery, error) {
	return client.RetryRateLimited(p.per, func(_ *client.RateLimitError, w time.Duration) error {
		if d.Waiting != nil {
			d.Waiting(rp.hook.Scope, w)
		}
		return d.sleep(ctx, w)
	}, func() (client.HookDelivery, error) {
		if err := p.wait(ctx, d, rp.hook.Scope); err != nil {
			return client.HookDelivery{}, err
		}
		return t.TestHook(ctx, rp.hook.Scope, rp.HookID, rp.event())
	})
}

// pacer keeps tests within n per window at each project or group.
type pacer struct {
	n    int
	per  time.Duration
	sent map[string][]time.Time
}

func (p *pacer) wait(ctx context.Context, d *Doctor, s client.Scope) error {
	key := s.String()
	if p.n > 0 && len(p.sent[key]) >= p.n {
		if w := p.sent[key][len(p.sent[key])-p.n].Add(p.per).Sub(d.now()); w > 0 {
			if d.Waiting != nil {
				d.Waiting(s, w)
			}
			if err := d.sleep(ctx, w); err != nil {
				return err
			}
		}
	}
	p.sent[key] = append(p.sent[key], d.now())
	return nil
}

func hookKey(h client.Hook) string { return h.Scope.String() + "#" + strconv.FormatInt(h.ID, 10) }
