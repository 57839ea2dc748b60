package hooks

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
)

// wanted is what the user asked for, checked against the hook kind's metadata.
type wanted struct {
	// values are plain fields and the tokens; "" clears.
	values map[string]string
	// vars and headers are URL variable and custom header entries; "" removes one.
	vars, headers map[string]string
	events        *cmdutil.EventChange
}

func (w wanted) given() bool {
	return len(w.values) > 0 || len(w.vars) > 0 || len(w.headers) > 0 || w.events != nil
}

// parseWanted reads --from-file, --set and --events the way integrations read them, plus
// url_variables.NAME=VALUE and custom_headers.NAME=VALUE for single entries.
func parseWanted(kind integrations.Definition, vf cmdutil.ValueFlags, stdin io.Reader) (wanted, error) {
	w := wanted{values: map[string]string{}, vars: map[string]string{}, headers: map[string]string{}}
	var entries [][2]string
	plain := vf
	plain.Sets = nil
	for _, kv := range vf.Sets {
		key, _, _ := strings.Cut(kv, "=")
		field, _, dotted := strings.Cut(strings.TrimSpace(key), ".")
		if dotted && integrations.IsKeyValues(field) {
			entries = append(entries, [2]string{field, strings.TrimSpace(kv)})
			continue
		}
		plain.Sets = append(plain.Sets, kv)
	}
	s, err := plain.Parse(kind, stdin)
	if err != nil {
		return w, err
	}
	w.events = s.Events
	for k, v := range s.Values {
		if !integrations.IsKeyValues(k) {
			w.values[k] = v
			continue
		}
		for name, val := range integrations.ParseKeyValues(v) {
			if err := w.entry(kind, k, name, val); err != nil {
				return w, err
			}
		}
	}
	for _, e := range entries {
		field := e[0]
		nameVal := strings.TrimPrefix(e[1], field+".")
		name, val, ok := strings.Cut(nameVal, "=")
		if !ok {
			return w, cmdutil.FlagErrorf("--set %s.%s: want %s.NAME=VALUE", field, nameVal, field)
		}
		if err := w.entry(kind, field, strings.TrimSpace(name), val); err != nil {
			return w, err
		}
	}
	return w, nil
}

// entry resolves one URL variable or header value (a reference is read now) and checks it by
// the field's rules.
func (w *wanted) entry(kind integrations.Definition, field, name, raw string) error {
	val, err := cmdutil.Resolve(raw)
	if err != nil {
		return cmdutil.FlagErrorf("%s: %s.%s: %v", kind.Name, field, name, err)
	}
	if strings.ContainsAny(val, "\r\n") {
		return cmdutil.FlagErrorf("%s: %s.%s: the value must be one line", kind.Name, field, name)
	}
	if _, err := kind.Normalize(field, name+"="+val); err != nil {
		return err
	}
	if field == integrations.HookURLVariables {
		w.vars[name] = val
	} else {
		w.headers[name] = val
	}
	return nil
}

// change turns what was asked into the change to send: against cur (nil for a new hook) only
// what differs. Secrets the backend cannot read back are sent whenever given.
func change(kind integrations.Definition, level integrations.Level, cur *client.Hook, w wanted) client.HookChange {
	c := client.HookChange{Values: map[string]string{}, URLVariables: map[string]string{}, CustomHeaders: map[string]string{}, Current: cur}
	for k, v := range w.values {
		f, _ := kind.Field(k)
		switch {
		case cur == nil:
			if v != "" {
				c.Values[k] = v
			}
		case f.Masked():
			known, have := cur.Values[k]
			if (have && known != v) || (!have && (v != "" || cur.SecretSet[k] || !hasKey(cur.SecretSet, k))) {
				c.Values[k] = v
			}
		case cur.Values[k] != v:
			c.Values[k] = v
		}
	}
	if w.events != nil {
		base := kind.DefaultEventStates()
		if cur != nil {
			base = cur.Events
		}
		next := w.events.Apply(kind, level, base)
		if cur == nil || !maps.Equal(next, kind.EventStates(level, cur.Events)) {
			c.Events = next
		}
	}
	diffEntries(c.URLVariables, curEntries(cur, true), w.vars)
	diffEntries(c.CustomHeaders, curEntries(cur, false), w.headers)
	return c
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

func curEntries(cur *client.Hook, vars bool) map[string]string {
	if cur == nil {
		return nil
	}
	if vars {
		return cur.URLVariables
	}
	return cur.CustomHeaders
}

// diffEntries adds to out the entries of want that change cur: a value unknown to the backend
// ("") is always sent; a removal only of an entry that exists.
func diffEntries(out, cur, want map[string]string) {
	for k, v := range want {
		old, had := cur[k]
		switch {
		case v == "" && had:
			out[k] = ""
		case v != "" && (old == "" || old != v):
			out[k] = v
		}
	}
}

// checkResult validates the hook as it will be after c: fields together, and every URL
// placeholder backed by a variable.
func checkResult(kind integrations.Definition, cur *client.Hook, c client.HookChange) error {
	values := map[string]string{}
	var vars map[string]string
	if cur != nil {
		maps.Copy(values, cur.Values)
		vars = cur.URLVariables
	}
	for k, v := range c.Values {
		values[k] = v
	}
	if strings.TrimSpace(values[integrations.HookURL]) == "" {
		return cmdutil.FlagErrorf("%s: missing --set url=… (required when not running interactively)", kind.Name)
	}
	return integrations.ValidateHook(kind, values, client.MergeNames(vars, c.URLVariables))
}

// formInput starts the hook form from the current hook (nil: a new one) and what was asked.
func formInput(kind integrations.Definition, level integrations.Level, cur *client.Hook, w wanted, where string) *forms.Input {
	in := &forms.Input{Values: map[string]string{}, SecretSet: map[string]bool{}, Active: true, Level: level, Where: where}
	in.Events = kind.DefaultEventStates()
	if cur != nil {
		for k, v := range cur.Values {
			if f, ok := kind.Field(k); ok && !f.Masked() {
				in.Values[k] = v
			}
		}
		in.Events = kind.EventStates(level, cur.Events)
		for k, set := range cur.SecretSet {
			in.SecretSet[k] = set
		}
		in.SecretSet[integrations.HookURLVariables] = len(cur.URLVariables) > 0
		in.SecretSet[integrations.HookCustomHeaders] = len(cur.CustomHeaders) > 0
	}
	maps.Copy(in.Values, w.values)
	if w.events != nil {
		in.Events = w.events.Apply(kind, level, in.Events)
	}
	in.Summary = func(in *forms.Input) []string { return summary(kind, cur, fromForm(kind, cur, in)) }
	return in
}

// fromForm reads the form's answers back as what is wanted: every plain field (a blank one
// clears), secrets only when typed, entries as typed, events exactly as ticked.
func fromForm(kind integrations.Definition, cur *client.Hook, in *forms.Input) wanted {
	w := wanted{values: map[string]string{}, vars: map[string]string{}, headers: map[string]string{}}
	for _, f := range kind.Fields {
		v, ok := in.Values[f.Key]
		switch {
		case integrations.IsKeyValues(f.Key):
			dst := w.vars
			if f.Key == integrations.HookCustomHeaders {
				dst = w.headers
			}
			maps.Copy(dst, integrations.ParseKeyValues(v))
		case f.Masked():
			if ok && (cur == nil || v != cur.Values[f.Key]) {
				w.values[f.Key] = v
			}
		default:
			if ok || (cur != nil && cur.Values[f.Key] != "") {
				w.values[f.Key] = v
			}
		}
	}
	on := []string{}
	for _, e := range kind.Events {
		if in.Events[e] {
			on = append(on, e)
		}
	}
	w.events = &cmdutil.EventChange{Exact: on, ExactGiven: true}
	return w
}

// summary describes a change for the form's review page and for --dry-run-like messages;
// secrets only say that they change.
func summary(kind integrations.Definition, cur *client.Hook, w wanted) []string {
	level := kind.Levels[0]
	c := change(kind, level, cur, w)
	var lines []string
	for _, f := range kind.Fields {
		v, ok := c.Values[f.Key]
		if !ok {
			continue
		}
		switch {
		case f.Masked() && v == "":
			lines = append(lines, f.Key+": removed")
		case f.Masked():
			lines = append(lines, f.Key+": set (hidden)")
		case v == "":
			lines = append(lines, f.Key+": cleared")
		default:
			lines = append(lines, fmt.Sprintf("%s: %s", f.Key, v))
		}
	}
	for _, kv := range []struct {
		field string
		m     map[string]string
	}{{integrations.HookURLVariables, c.URLVariables}, {integrations.HookCustomHeaders, c.CustomHeaders}} {
		for _, k := range client.SortedKeys(kv.m) {
			if kv.m[k] == "" {
				lines = append(lines, fmt.Sprintf("%s.%s: removed", kv.field, k))
			} else {
				lines = append(lines, fmt.Sprintf("%s.%s: set (hidden)", kv.field, k))
			}
		}
	}
	if c.Events != nil {
		var on []string
		for _, e := range kind.Events {
			if c.Events[e] {
				on = append(on, e)
			}
		}
		lines = append(lines, "events: "+strings.Join(orNone(on), ", "))
	}
	return lines
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	return s
}

// missingSecrets names the flags that supply what the server needs again.
func missingSecrets(server string, fields []string) error {
	flags := make([]string, len(fields))
	for i, f := range fields {
		flags[i] = "--set " + f + "=env:…"
	}
	slices.Sort(flags)
	return cmdutil.FlagErrorf("%s clears %s when the hook's URL changes and never returns them: add %s (env:NAME and file:PATH keep them off the command line)",
		server, strings.Join(fields, ", "), strings.Join(flags, " "))
}

// Wanted is what the value flags of a hook write ask for, parsed and checked by the hook
// kind's metadata: hooks add and edit, and bulk hooks across many projects.
type Wanted struct {
	kind integrations.Definition
	w    wanted
}

// ParseWanted reads the value flags of a write of kind's hooks.
func ParseWanted(kind integrations.Definition, vf cmdutil.ValueFlags, stdin io.Reader) (Wanted, error) {
	w, err := parseWanted(kind, vf, stdin)
	return Wanted{kind: kind, w: w}, err
}

// Given reports whether anything was asked.
func (w Wanted) Given() bool { return w.w.given() }

// Name and URL are those asked for, "" when not given: what identifies a hook being added.
func (w Wanted) Name() string { return w.w.values[integrations.HookName] }
func (w Wanted) URL() string  { return w.w.values[integrations.HookURL] }

// Change is what to send to turn cur (nil: no hook yet) into what was asked, checked as the
// hook will be after it: only what differs, secrets the backend cannot read back whenever
// given.
func (w Wanted) Change(level integrations.Level, cur *client.Hook) (client.HookChange, error) {
	c := change(w.kind, level, cur, w.w)
	return c, checkResult(w.kind, cur, c)
}
