// Package client defines the Backend every command talks to and the domain types it speaks in.
// Two implementations exist: local (an embedded SQLite store) and gitlab (a GitLab server's
// REST API). Backends translate their own failures into the errors below, so commands never
// inspect SQL or HTTP.
package client

import (
	"context"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// Backend reads and writes integration settings at a scope.
type Backend interface {
	// Where names the backend for messages: the store's path or the server's URL.
	Where() string
	// Capabilities says how the backend differs from the contract's common ground.
	Capabilities() Capabilities
	// APIServer is the GitLab server's version and edition, which decide what its API keeps,
	// read once; nil for the local store, which keeps everything the catalog has.
	APIServer(ctx context.Context) *integrations.Server
	// Resolve checks that the scope exists and returns it with both path and ID filled in.
	Resolve(ctx context.Context, s Scope) (Scope, error)
	// List returns the state of every integration configured at the scope, own or inherited.
	List(ctx context.Context, s Scope) ([]State, error)
	// Get returns one integration's state; Configured is false when nothing is set.
	Get(ctx context.Context, s Scope, def integrations.Definition) (State, error)
	// StartingState is what a write to the scope starts from: Get's answer, or for a scope the
	// backend does not have yet but a write would create (CreatesScopes), the state it would
	// inherit from its nearest existing parent.
	StartingState(ctx context.Context, s Scope, def integrations.Definition) (State, error)
	// Save applies an update. The caller has validated it against the catalog.
	Save(ctx context.Context, s Scope, def integrations.Definition, u Update) (SaveResult, error)
	// Disable deactivates the integration at the scope.
	Disable(ctx context.Context, s Scope, def integrations.Definition) (State, error)
	Close() error
}

// Capabilities are the documented differences between backends. They are the one place to ask
// how a backend behaves; what its server's version allows comes from APIServer, and an
// operation only some backends have (Walker, Hooks, …) is an interface its user asserts.
type Capabilities struct {
	// Server is the host key of a remote server; empty for the local store.
	Server string
	// DisableResets: disabling also erases the settings (GitLab's DELETE).
	DisableResets bool
	// SaveInactive: settings can be saved without activating them.
	SaveInactive bool
	// Instance: instance-level settings can be read and written.
	Instance bool
	// CreatesScopes: writing to an unknown project or group creates it.
	CreatesScopes bool
}

// State is an integration's settings at one scope.
type State struct {
	Name  string
	Scope Scope
	// Configured is true when settings exist here, own or inherited.
	Configured bool
	// ConfiguredUnknown is set where the backend cannot tell: GitLab lists only active
	// integrations, so an absent one may be unset or inactive.
	ConfiguredUnknown bool
	Active            bool
	Inherited         bool
	// InheritedFrom is the scope the settings come from; nil when not inherited or unknown.
	InheritedFrom *Scope
	// Values holds every stored value, secrets included where the backend can read them. Output
	// code masks secrets using the catalog; never print Values directly.
	Values map[string]string
	// Unknown marks fields whose value the backend cannot read back (secrets on GitLab).
	Unknown map[string]bool
	Events  map[string]bool
	// UnknownEvents marks events whose state the backend cannot read back: GitLab never returns
	// the work item and group mention flags, nor some of Datadog's.
	UnknownEvents map[string]bool
	Updated       time.Time
}

// Update is a change to one integration at one scope. Only what it names changes.
type Update struct {
	// Values to set; an empty string clears the field.
	Values map[string]string
	// Events to switch on or off. A server backend sends only those that change; an event whose
	// state the server never returns, only when it differs from its default or is in AskedEvents.
	Events map[string]bool
	// AskedEvents are the events the user named, to be written even where the server's state
	// of them is unknown.
	AskedEvents map[string]bool
	// Active sets the activation; nil keeps it (new settings start inactive).
	Active *bool
	// UseInherited drops the scope's own settings so that it inherits from its nearest parent.
	UseInherited bool
	// Current is the state the caller already read, sparing the backend a request.
	Current *State
}

// SaveResult is the state after a save and the scopes the save had to create.
type SaveResult struct {
	State   State
	Created []Scope
	// Warnings are side effects the caller should pass on, such as secrets the server cleared.
	Warnings []string
	// NotKept are the parameters (fields and event flags) the server answered without the value
	// sent: it dropped or changed them. NotKeptBy names the server for messages ("GitLab 18.6").
	NotKept   []string
	NotKeptBy string
}

// Namespace is a group or project met while walking a group.
type Namespace struct {
	Scope    Scope
	Archived bool
}

// WalkOptions choose what a walk visits.
type WalkOptions struct {
	// Subgroups reaches into subgroups (their projects, and with Groups the subgroups
	// themselves); without it only the group's own projects are visited.
	Subgroups bool
	// Groups visits the subgroups themselves, not only their projects.
	Groups bool
	// Archived includes archived projects.
	Archived bool
}

// Walker lists what lies below a group; both backends implement it for bulk runs.
type Walker interface {
	// Walk calls fn for the group itself, then (with Groups) its subgroups, then the projects
	// below, page by page, never holding every page at once.
	Walk(ctx context.Context, group Scope, o WalkOptions, fn func(Namespace) error) error
}

// StateWalker is a Walker that also reads one integration's state along the walk in a single
// pass (the local store), for inventories: states carry no secret values.
type StateWalker interface {
	WalkStates(ctx context.Context, group Scope, o WalkOptions, def integrations.Definition, fn func(Namespace, State) error) error
}

// User is the account a server's token belongs to (GitLab's GET /user).
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// TokenInfo describes a personal access token (GitLab's GET /personal_access_tokens/self).
type TokenInfo struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt *string  `json:"expires_at"`
	Active    bool     `json:"active"`
}
