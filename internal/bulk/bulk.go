// Package bulk changes one integration across groups and their projects: it walks the groups,
// reads each target's state, plans the smallest set of writes (once at a group where GitLab
// propagates, per project otherwise), runs them with a bounded worker pool that pauses together
// on rate limits, journals each target's previous state so that a run can be resumed or
// reverted, and reports per target.
package bulk

import (
	"encoding/json"
	"time"

	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Op is what the run does.
type Op string

const (
	OpEnable    Op = "enable"
	OpDisable   Op = "disable"
	OpConfigure Op = "configure"
	OpStatus    Op = "status"
	OpRevert    Op = "revert"
)

// Strategy says where writes go.
type Strategy string

const (
	Auto         Strategy = "auto"
	GroupLevel   Strategy = "group"
	ProjectLevel Strategy = "project"
)

// Strategies lists the accepted --strategy values.
var Strategies = []string{string(Auto), string(GroupLevel), string(ProjectLevel)}

// Action is what a target gets.
type Action string

const (
	ActConfigure Action = "configure"
	ActEnable    Action = "enable"
	ActDisable   Action = "disable"
	ActInherit   Action = "inherit"
	ActRestore   Action = "restore"
	ActSkip      Action = "skip"
	// The actions of configuration as code (plan and apply).
	ActCreate    Action = "create"
	ActUpdate    Action = "update"
	ActUnchanged Action = "unchanged"
)

// Result of a target.
const (
	Planned   = "planned"
	Succeeded = "succeeded"
	Failed    = "failed"
	Skipped   = "skipped"
	Pending   = "pending"
	// Partial is a write the server answered without keeping all it was sent.
	Partial = "partial"
)

// Spec is the run asked for.
type Spec struct {
	Op     Op
	Def    integrations.Definition
	Groups []client.Scope
	// Values are the fields to set (configure), canonical; secrets included.
	Values map[string]string
	// Events turns the current event states into the wanted ones; nil keeps them.
	Events func(level integrations.Level, current map[string]bool) map[string]bool
	// AskedEvents are the events the user named: written even where the server's state of
	// them is unknown (GitLab never returns some event flags).
	AskedEvents    map[string]bool
	Subgroups      bool
	Archived       bool
	ResetOverrides bool
	Force          bool
	Strategy       Strategy
}

// Previous is a target's state before the run, without secrets: what revert restores.
type Previous struct {
	Configured    bool              `json:"configured"`
	Active        bool              `json:"active"`
	Inherited     bool              `json:"inherited"`
	InheritedFrom *string           `json:"inherited_from"`
	Values        map[string]string `json:"values"`
	Events        map[string]bool   `json:"events"`
	// Hook is set for the targets of bulk hooks: the hook before the run.
	Hook *PreviousHook `json:"hook,omitempty"`
}

// Target is one group or project of a run and what happened to it.
type Target struct {
	// Name is the target's scope, and in an apply its integration: "project:acme/web slack".
	Name       string          `json:"target"`
	Kind       string          `json:"kind"`
	Action     Action          `json:"action"`
	Result     string          `json:"result"`
	Reason     string          `json:"reason"`
	Error      *string         `json:"error"`
	Attempts   int             `json:"attempts"`
	DurationMS int64           `json:"duration_ms"`
	Changes    []change.Change `json:"changes,omitempty"`
	Previous   *Previous       `json:"-"`

	// Overrides is set by status for custom settings under a group that has its own.
	Overrides bool `json:"-"`

	scope   client.Scope
	state   client.State
	secrets map[string]string
	// notKept are the parameters the server did not keep after the target's write.
	notKept []string
	// def and update are set for targets of an apply, where each has its own integration.
	def    *integrations.Definition
	update *client.Update
	// hook is set for the targets of bulk hooks: the webhook write to make.
	hook *hookWrite
}

// WithState records the state the target was read in, which a disable keeps a copy of.
func (t *Target) WithState(st client.State) *Target {
	t.state = st
	return t
}

// NewWrite makes a target of an apply: one integration at one scope, with the update to save
// (nil for disable). secrets are remembered through fingerprints once written.
func NewWrite(scope client.Scope, def integrations.Definition, action Action, reason string, changes []change.Change,
	update *client.Update, prev *Previous, secrets map[string]string,
) *Target {
	t := &Target{
		Name: scope.String() + " " + def.Name, Kind: string(scope.Level), Action: action, Reason: reason,
		Changes: changes, Previous: prev, scope: scope, def: &def, update: update, secrets: secrets, Result: Planned,
	}
	if action == ActUnchanged {
		t.Result = Skipped
	}
	return t
}

// State is the target's state as read when planning.
func (t *Target) State() client.State { return t.state }

// Totals count the targets by result.
type Totals struct {
	Planned   int `json:"planned"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	// Partial targets were written, but the server did not keep all of the write.
	Partial int `json:"partial"`
}

// Report is the contract's JSON for bulk runs and apply.
type Report struct {
	RunID   string    `json:"run_id"`
	Totals  Totals    `json:"totals"`
	Targets []*Target `json:"targets"`
}

// MarshalJSON writes run_id as null for a plan, which is not a run.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	var id *string
	if r.RunID != "" {
		id = &r.RunID
	}
	return json.Marshal(struct {
		RunID *string `json:"run_id"`
		*plain
	}{id, (*plain)(r)})
}

// Count recomputes the totals: planned counts every target that has a write to do.
func (r *Report) Count() {
	r.Totals = Totals{}
	for _, t := range r.Targets {
		switch t.Result {
		case Succeeded:
			r.Totals.Succeeded++
		case Failed:
			r.Totals.Failed++
		case Skipped:
			r.Totals.Skipped++
		case Partial:
			r.Totals.Partial++
		}
		if t.Action != ActSkip && t.Action != ActUnchanged {
			r.Totals.Planned++
		}
	}
}

// Writes counts the targets with a write to do.
func (r *Report) Writes() int {
	n := 0
	for _, t := range r.Targets {
		if t.pending() {
			n++
		}
	}
	return n
}

func NewRunID(now time.Time) string {
	return now.UTC().Format("20060102T150405Z") + "-" + randomSuffix()
}
