package client

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// Hooks reads and writes webhooks: project hooks at a project, group hooks at a group and
// system hooks at the instance. Both backends implement it beside Backend.
type Hooks interface {
	// ListHooks returns the scope's hooks by ID. GitLab's project list leaves out URL
	// variables and custom headers (their maps are nil: unknown); GetHook has them.
	ListHooks(ctx context.Context, s Scope) ([]Hook, error)
	// GetHook returns one hook; an unknown ID is a NotFound InputError.
	GetHook(ctx context.Context, s Scope, id int64) (Hook, error)
	// AddHook creates a hook; the caller has validated c and made sure it is not a duplicate.
	AddHook(ctx context.Context, s Scope, c HookChange) (HookResult, error)
	// EditHook changes what c names. A backend that cannot read secrets back returns a
	// MissingSecretsError naming those the change would otherwise lose.
	EditHook(ctx context.Context, s Scope, id int64, c HookChange) (HookResult, error)
	// RemoveHook deletes a hook; an unknown ID is a NotFound InputError.
	RemoveHook(ctx context.Context, s Scope, id int64) error
}

// Hook is one webhook as a backend knows it.
type Hook struct {
	ID    int64
	Scope Scope
	// Values holds the hook's fields by the hook kind's keys (integrations.HookKind). The URL
	// keeps its {NAME} placeholders. token and signing_token appear only where the backend can
	// read them (the local store); output code masks them by the metadata.
	Values map[string]string
	// Events maps every event of the hook's kind to its state.
	Events map[string]bool
	// SecretSet says whether token and signing_token are set; a missing key means unknown
	// (GitLab before 19.0).
	SecretSet map[string]bool
	// URLVariables and CustomHeaders map names to values. Values are "" where the backend
	// never returns them (GitLab). A nil map means the names are unknown too.
	URLVariables  map[string]string
	CustomHeaders map[string]string
	// AlertStatus is GitLab's executable, temporarily_disabled or disabled; "" when unknown.
	AlertStatus   string
	DisabledUntil *time.Time
	Created       time.Time
}

// Name is the hook's name, "" when it has none.
func (h Hook) Name() string { return h.Values[integrations.HookName] }

// URL is the hook's URL template.
func (h Hook) URL() string { return h.Values[integrations.HookURL] }

// IdentifiedBy says how people and manifests identify the hook: by its name, or by its URL
// when it has no name.
func (h Hook) IdentifiedBy() string {
	if h.Name() != "" {
		return "name"
	}
	return "url"
}

// Identity is the name or URL the hook is identified by.
func (h Hook) Identity() string {
	if h.Name() != "" {
		return h.Name()
	}
	return h.URL()
}

// HookChange is a change to a hook, or a new hook. Only what it names changes.
type HookChange struct {
	// Values to set by the hook kind's keys; "" clears a field (a secret: removes it).
	Values map[string]string
	// Events to switch on or off.
	Events map[string]bool
	// URLVariables and CustomHeaders to set; a "" value removes the name.
	URLVariables  map[string]string
	CustomHeaders map[string]string
	// Current is the hook the caller already read in full (GetHook), sparing a request.
	Current *Hook
}

// Empty reports whether the change names nothing.
func (c HookChange) Empty() bool {
	return len(c.Values) == 0 && len(c.Events) == 0 && len(c.URLVariables) == 0 && len(c.CustomHeaders) == 0
}

// HookResult is the hook after a write and what the write had to do.
type HookResult struct {
	Hook    Hook
	Created []Scope
	// Warnings are side effects the caller should pass on.
	Warnings []string
}

// HookRef is how a user names a hook: its ID, its name, or its URL.
type HookRef struct {
	ID  int64
	Ref string
}

// ParseHookRef reads a hook argument: digits are an ID, anything else a name or URL.
func ParseHookRef(s string) (HookRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return HookRef{}, Invalidf("empty hook reference: give its ID, name or URL")
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return HookRef{}, Invalidf("invalid hook ID %q", s)
		}
		return HookRef{ID: id}, nil
	}
	return HookRef{Ref: s}, nil
}

// FindHook picks the hook r names among hooks: by ID, else by name, else by URL among hooks
// with no name. It also says what matched ("id", "name" or "url"). No match is a NotFound
// InputError; several are an InputError listing their IDs.
func FindHook(hooks []Hook, r HookRef, where Scope) (Hook, string, error) {
	if r.ID != 0 {
		for _, h := range hooks {
			if h.ID == r.ID {
				return h, "id", nil
			}
		}
		return Hook{}, "", NotFoundf("no hook %d at %s", r.ID, where.Describe())
	}
	for _, by := range []string{"name", "url"} {
		var found []Hook
		for _, h := range hooks {
			if (by == "name" && h.Name() == r.Ref) || (by == "url" && h.Name() == "" && h.URL() == r.Ref) {
				found = append(found, h)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], by, nil
		}
		ids := make([]string, len(found))
		for i, h := range found {
			ids[i] = strconv.FormatInt(h.ID, 10)
		}
		return Hook{}, "", Invalidf("%d hooks at %s have the %s %q (IDs %s); name one by its ID", len(found), where.Describe(), by, r.Ref, strings.Join(ids, ", "))
	}
	return Hook{}, "", NotFoundf("no hook named %q (nor one without a name at that URL) at %s", r.Ref, where.Describe())
}

// SameHook finds the existing hook a new one would duplicate: the one with the same name, or
// else one with the same URL where either has no name (the URL identifies an unnamed hook).
// Adding it again is an update.
func SameHook(hooks []Hook, name, url string) (Hook, bool) {
	for _, h := range hooks {
		if name != "" && h.Name() == name {
			return h, true
		}
	}
	for _, h := range hooks {
		if h.URL() == url && (name == "" || h.Name() == "") {
			return h, true
		}
	}
	return Hook{}, false
}

// SortedKeys lists a map's names in order, for output.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MergeNames returns the names the hook will have after the change: current ones plus those
// set, less those removed.
func MergeNames(cur, change map[string]string) []string {
	var out []string
	for k := range cur {
		if v, ok := change[k]; !ok || v != "" {
			out = append(out, k)
		}
	}
	for k, v := range change {
		if _, had := cur[k]; !had && v != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// HookSecretsOwner names a hook's write-only secrets among the fingerprints of what this tool
// wrote (SecretRecord.Integration): by the identity the hook has, its name or else its URL.
// Every command that writes a hook's secrets records them under it, so none finds a stale one.
func HookSecretsOwner(h Hook) string { return "hook:" + h.Identity() }

// HookSecrets are the secret values a change writes, by the keys their fingerprints are kept
// under: token, signing_token, url_variables.NAME and custom_headers.NAME.
func HookSecrets(c HookChange) map[string]string {
	out := map[string]string{}
	for _, k := range []string{integrations.HookToken, integrations.HookSigningToken} {
		if v := c.Values[k]; v != "" {
			out[k] = v
		}
	}
	for prefix, m := range map[string]map[string]string{integrations.HookURLVariables: c.URLVariables, integrations.HookCustomHeaders: c.CustomHeaders} {
		for name, v := range m {
			if v != "" {
				out[prefix+"."+name] = v
			}
		}
	}
	return out
}

// HookSecretsNeeded is a backend whose hook edits need write-only values sent again in some
// cases (GitLab clears the token and headers when the URL changes, and never returns them).
// NeededAgain names, as --set keys, those an edit c of cur would need and does not carry: a
// caller can refuse it before any write.
type HookSecretsNeeded interface {
	NeededAgain(cur Hook, c HookChange) []string
}
