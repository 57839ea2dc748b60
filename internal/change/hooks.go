package change

import (
	"maps"
	"slices"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/redact"
)

// HookField is the field of the change that removes a hook (or, in a revert, adds it back).
const HookField = "hook"

// DiffHook lists what sending c to a hook changes: cur is the hook as read (nil: there is none
// yet), c what the write sends. Secrets (tokens, URL variable and custom header values) show
// only the words above; variables and headers get a line per entry. A new hook also shows the
// events it starts with.
func DiffHook(kind integrations.Definition, cur *client.Hook, c client.HookChange) []Change {
	var out []Change
	for _, f := range kind.Fields {
		v, given := c.Values[f.Key]
		if !given || integrations.IsKeyValues(f.Key) {
			continue
		}
		if f.Masked() {
			before, unknown := hookSecret(cur, f.Key)
			out = append(out, Change{Field: f.Key, Before: secretBefore(before, unknown), After: secretAfter(before, v, unknown)})
			continue
		}
		var before any
		if cur != nil {
			before = hookValue(f, cur.Values[f.Key])
		}
		out = append(out, Change{Field: f.Key, Before: before, After: hookValue(f, v)})
	}
	for _, kv := range []struct {
		field string
		want  map[string]string
	}{{integrations.HookURLVariables, c.URLVariables}, {integrations.HookCustomHeaders, c.CustomHeaders}} {
		for _, name := range client.SortedKeys(kv.want) {
			before, had := "", false
			if cur != nil {
				before, had = entriesOf(cur, kv.field)[name]
			}
			unknown := had && before == ""
			out = append(out, Change{Field: kv.field + "." + name, Before: secretBefore(before, unknown), After: secretAfter(before, kv.want[name], unknown)})
		}
	}
	if ev := hookEvents(kind, cur, c); ev != nil {
		out = append(out, *ev)
	}
	return out
}

// hookValue is a field's side of a change; a URL without what it may carry in clear.
func hookValue(f integrations.Field, v string) any {
	if f.Key == integrations.HookURL {
		v = redact.HookURL(v)
	}
	return f.TypedOrNil(effective(f, v))
}

// RemovedHook is the change of deleting h.
func RemovedHook(h client.Hook) []Change {
	return []Change{{Field: HookField, Before: redact.HookURL(h.Identity()), After: nil}}
}

// hookSecret is a hook's secret as read, and whether the backend holds it without returning
// it (or cannot say whether it holds it).
func hookSecret(cur *client.Hook, key string) (string, bool) {
	if cur == nil {
		return "", false
	}
	if v, ok := cur.Values[key]; ok {
		return v, false
	}
	set, known := cur.SecretSet[key]
	return "", set || !known
}

func entriesOf(h *client.Hook, field string) map[string]string {
	if field == integrations.HookURLVariables {
		return h.URLVariables
	}
	return h.CustomHeaders
}

// hookEvents compares the events on before and after the write, as one list each.
func hookEvents(kind integrations.Definition, cur *client.Hook, c client.HookChange) *Change {
	base := kind.DefaultEventStates()
	before := []string{}
	if cur != nil {
		base = cur.Events
		before = onEvents(kind, cur.Events)
	} else if c.Events == nil {
		c.Events = map[string]bool{}
	}
	if c.Events == nil {
		return nil
	}
	next := maps.Clone(base)
	if next == nil {
		next = map[string]bool{}
	}
	maps.Copy(next, c.Events)
	after := onEvents(kind, next)
	if cur != nil && slices.Equal(before, after) {
		return nil
	}
	return &Change{Field: "events", Before: before, After: after}
}

func onEvents(kind integrations.Definition, states map[string]bool) []string {
	on := []string{}
	for _, e := range kind.Events {
		if states[e] {
			on = append(on, e)
		}
	}
	return on
}
