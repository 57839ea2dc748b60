// Package doctor finds what is broken below a scope: webhooks GitLab disabled or is backing
// off, hooks and integrations whose recent deliveries fail, integrations set up in a way GitLab
// or the receiving service can no longer use, and required secrets that are not set. Its checks
// are pure functions of what a backend returns and the catalog says; Doctor reads one scope at
// a time through small interfaces, and repairs disabled hooks by testing them.
package doctor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Check names, stable in JSON output.
const (
	HookDisabled          = "hook_disabled"
	HookBackingOff        = "hook_backing_off"
	FailingDeliveries     = "failing_deliveries"
	RemovedIntegration    = "removed_integration"
	DeprecatedIntegration = "deprecated_integration"
	RetiredAddress        = "retired_address"
	MissingSecret         = "missing_secret"
)

// Kinds of thing a finding is about.
const (
	KindHook        = "hook"
	KindIntegration = "integration"
)

// Finding is one thing that needs attention.
type Finding struct {
	Scope string `json:"scope"`
	Kind  string `json:"kind"`
	// Name is the integration's name, or the hook's name (its URL when it has none).
	Name    string `json:"name"`
	HookID  *int64 `json:"hook_id"`
	Check   string `json:"check"`
	Problem string `json:"problem"`
	// Fix says what repairs it, in words or as a command.
	Fix string `json:"fix"`
	// Fixable findings are repaired by doctor --fix.
	Fixable bool `json:"fixable"`
}

func hookFinding(h client.Hook, check, problem, fix string, fixable bool) Finding {
	id := h.ID
	return Finding{
		Scope: h.Scope.String(), Kind: KindHook, Name: h.Identity(), HookID: &id,
		Check: check, Problem: problem, Fix: fix, Fixable: fixable,
	}
}

func integrationFinding(def integrations.Definition, s client.Scope, check, problem, fix string) Finding {
	return Finding{Scope: s.String(), Kind: KindIntegration, Name: def.Name, Check: check, Problem: problem, Fix: fix}
}

// CheckHook reports a hook GitLab has stopped calling: disabled for good after too many
// failures, or paused until disabled_until. Only a delivery that succeeds brings it back, and a
// test is the one GitLab forces through a disabled hook.
func CheckHook(h client.Hook, now time.Time) []Finding {
	fix := fmt.Sprintf("make the receiver answer 2xx, then integrations doctor --fix %s (tests the hook, which re-enables it)", h.Scope.Flag())
	switch h.AlertStatus {
	case "disabled":
		return []Finding{hookFinding(h, HookDisabled, "GitLab disabled the hook after repeated failed deliveries; it sends nothing until re-enabled", fix, true)}
	case "temporarily_disabled":
		until := "for now"
		if h.DisabledUntil != nil {
			if !h.DisabledUntil.After(now) {
				return nil // the pause is over; GitLab calls it again
			}
			until = "until " + h.DisabledUntil.UTC().Format(time.RFC3339)
		}
		return []Finding{hookFinding(h, HookBackingOff, "GitLab paused the hook after failed deliveries and skips its events "+until, fix, true)}
	}
	return nil
}

// CheckHookSecrets reports {NAME} placeholders in a hook's URL with no URL variable to fill
// them: GitLab refuses to call such a URL. Where the variables' names are unknown (GitLab's
// project hook list leaves them out) nothing is reported.
func CheckHookSecrets(h client.Hook) []Finding {
	if h.URLVariables == nil {
		return nil
	}
	var missing []string
	for _, name := range integrations.URLPlaceholders(h.URL()) {
		if _, ok := h.URLVariables[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sets := make([]string, len(missing))
	for i, m := range missing {
		sets[i] = "--set url_variables." + m + "=env:…"
	}
	return []Finding{hookFinding(h, MissingSecret,
		fmt.Sprintf("the URL uses {%s} but no such URL variable is set", strings.Join(missing, "}, {")),
		fmt.Sprintf("integrations hooks edit %d %s %s", h.ID, h.Scope.Flag(), strings.Join(sets, " ")), false)}
}

// CheckIntegration reports settings GitLab or the receiving service can no longer use:
// integrations GitLab removed or deprecates, addresses the service retired (catalog
// metadata), and required secrets that are not set. It looks at active settings only: GitLab
// does not run inactive ones.
func CheckIntegration(def integrations.Definition, st client.State) []Finding {
	if !st.Active {
		return nil
	}
	s := st.Scope
	var out []Finding
	switch {
	case def.Removed():
		removed := "GitLab removed " + def.Title
		if def.RemovedIn != "" {
			removed += " in " + def.RemovedIn
		}
		out = append(out, integrationFinding(def, s, RemovedIntegration, removed+"; these settings do nothing",
			fmt.Sprintf("integrations disable %s %s", def.Name, s.Flag())))
	case def.Deprecated != "":
		out = append(out, integrationFinding(def, s, DeprecatedIntegration, def.Title+": "+def.Deprecated,
			"move to its replacement, then integrations disable "+def.Name+" "+s.Flag()))
	}
	for _, f := range def.Fields {
		if st.Unknown[f.Key] {
			continue
		}
		v := st.Values[f.Key]
		if r, ok := f.RetiredBy(v); ok {
			out = append(out, integrationFinding(def, s, RetiredAddress,
				fmt.Sprintf("%s no longer delivers: %s", f.Key, r.Why),
				fmt.Sprintf("set up %s, then integrations configure %s %s --set %s=env:…", r.Instead, def.Name, s.Flag(), f.Key)))
		}
	}
	var missing []string
	for _, f := range def.Missing(st.Values) {
		if f.Masked() && !st.Unknown[f.Key] && def.Applies(f, st.Values) {
			missing = append(missing, f.Key)
		}
	}
	if len(missing) > 0 {
		sets := make([]string, len(missing))
		for i, m := range missing {
			sets[i] = "--set " + m + "=env:…"
		}
		out = append(out, integrationFinding(def, s, MissingSecret,
			"required secret "+strings.Join(missing, ", ")+" is not set",
			fmt.Sprintf("integrations configure %s %s %s", def.Name, s.Flag(), strings.Join(sets, " "))))
	}
	return out
}

// Delivery is one recent request to a hook's or integration's receiver.
type Delivery struct {
	Time time.Time
	// Status is the receiver's HTTP status, or what happened instead ("internal error").
	Status string
	OK     bool
	Error  string
}

func logDeliveries(entries []client.LogEntry) []Delivery {
	out := make([]Delivery, len(entries))
	for i, e := range entries {
		out[i] = Delivery{Time: e.Time, OK: e.OK, Error: e.Error}
		if e.Status != 0 {
			out[i].Status = strconv.Itoa(e.Status)
		}
	}
	return out
}

// hookDeliveries are a hook's deliveries whose outcome is known (GitLab's system hook test
// does not say how the receiver answered).
func hookDeliveries(events []client.HookDelivery) []Delivery {
	out := make([]Delivery, 0, len(events))
	for _, e := range events {
		if e.Unknown {
			continue
		}
		d := Delivery{Time: e.Time, OK: !e.Failed(), Error: e.Error}
		if e.Status != 0 {
			d.Status = strconv.Itoa(e.Status)
		}
		out = append(out, d)
	}
	return out
}

// DescribeFailures describes deliveries (newest first) whose newest ones failed: how many in
// a row, and the newest's status. "" when the newest succeeded or there are none.
func DescribeFailures(ds []Delivery) string {
	n := 0
	for _, d := range ds {
		if d.OK {
			break
		}
		n++
	}
	if n == 0 {
		return ""
	}
	newest := ds[0]
	var parts []string
	for _, p := range []string{newest.Status, newest.Error} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	what := strings.Join(parts, ": ")
	if what == "" {
		what = "failed"
	}
	runs := "the last delivery failed"
	if n > 1 {
		runs = fmt.Sprintf("the last %d deliveries failed", n)
		if n == len(ds) {
			runs = fmt.Sprintf("all %d recent deliveries failed", n)
		}
	}
	return fmt.Sprintf("%s (newest %s: %s)", runs, newest.Time.UTC().Format(time.RFC3339), what)
}

// TestEvent picks the event a repairing test sends: push when the hook takes it, else its
// first event GitLab can test (group-only events cannot be), else push. System hooks take no
// event ("").
func TestEvent(h client.Hook) string {
	if h.Scope.Level == integrations.Instance {
		return ""
	}
	if h.Events["push"] {
		return "push"
	}
	kind := integrations.HookKind(h.Scope.Level)
	for _, e := range kind.Events {
		if h.Events[e] && !slices.Contains(groupOnlyEvents, e) {
			return e
		}
	}
	return "push"
}

// groupOnlyEvents are the group hook events GitLab's test endpoint refuses.
var groupOnlyEvents = []string{"member", "project", "subgroup"}
