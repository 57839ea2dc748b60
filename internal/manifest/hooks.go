package manifest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/forgekit/integrations/internal/redact"
	"go.yaml.in/yaml/v3"
)

// HooksKey is the key, beside a scope's integrations, that lists its webhooks.
const HooksKey = "hooks"

// eventsKey lists a hook's events switched on.
const eventsKey = "events"

// HookSettings is one webhook as a manifest writes it: its fields by the hook kind's keys
// (secrets as references), its URL variables and custom headers by name (values as
// references), and the events switched on.
type HookSettings struct {
	Kind   integrations.Definition
	Values map[string]string
	// URLVariables and CustomHeaders map names to references; nil writes no key.
	URLVariables  map[string]string
	CustomHeaders map[string]string
	Events        []string
}

// MarshalYAML writes the hook's keys in the kind's field order, its name first, then events.
func (h *HookSettings) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v any) error {
		var val yaml.Node
		if err := val.Encode(v); err != nil {
			return err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &val)
		return nil
	}
	for _, f := range hookFieldOrder(h.Kind) {
		var err error
		switch {
		case f.Key == integrations.HookURLVariables && h.URLVariables != nil:
			err = add(f.Key, h.URLVariables)
		case f.Key == integrations.HookCustomHeaders && h.CustomHeaders != nil:
			err = add(f.Key, h.CustomHeaders)
		case integrations.IsKeyValues(f.Key):
		case h.Values[f.Key] != "":
			v := h.Values[f.Key]
			if isReference(v) {
				err = add(f.Key, v)
			} else {
				err = add(f.Key, f.Typed(v))
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if h.Events != nil {
		if err := add(eventsKey, h.Events); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// hookFieldOrder is the kind's fields with the name first: it identifies the hook.
func hookFieldOrder(kind integrations.Definition) []integrations.Field {
	var out []integrations.Field
	if f, ok := kind.Field(integrations.HookName); ok {
		out = append(out, f)
	}
	for _, f := range kind.Fields {
		if f.Key != integrations.HookName {
			out = append(out, f)
		}
	}
	return out
}

// HookEntry is one validated webhook of a manifest, values canonical.
type HookEntry struct {
	Scope client.Scope
	Kind  integrations.Definition
	// Values are the fields given; secrets still as references until ResolveHooks. A field
	// absent keeps what the hook has.
	Values map[string]string
	// URLVariables and CustomHeaders are the exact sets wanted (names to values or references);
	// nil keeps what the hook has.
	URLVariables  map[string]string
	CustomHeaders map[string]string
	// Events are the wanted states of every event of the kind; nil keeps them.
	Events map[string]bool
	Line   int
}

// Name is the hook's name, "" when the entry gives none.
func (h HookEntry) Name() string { return h.Values[integrations.HookName] }

// URL is the hook's URL template.
func (h HookEntry) URL() string { return h.Values[integrations.HookURL] }

// Identity is what identifies the hook: its name, or its URL when it has none.
func (h HookEntry) Identity() string {
	if h.Name() != "" {
		return h.Name()
	}
	return h.URL()
}

// Key names the entry in reports: "project:acme/web hook ci".
func (h HookEntry) Key() string { return h.Scope.String() + " " + hookLabel(h.Identity()) }

// hookLabel names a hook in reports; a URL without what it may carry in clear.
func hookLabel(identity string) string { return "hook " + redact.HookURL(identity) }

// readHooks reads a scope's list of hooks: each a mapping of the hook kind's fields, with
// secrets as references, and the events switched on.
func readHooks(name string, scope client.Scope, n *yaml.Node) ([]HookEntry, error) {
	where := scope.String() + " " + HooksKey
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(name, n.Line, "%s: want a list of hooks, each a mapping with url and its other fields", where)
	}
	kind := integrations.HookKind(scope.Level)
	var out []HookEntry
	for i, item := range n.Content {
		h, err := readHook(name, fmt.Sprintf("%s[%d]", where, i), scope, kind, item)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			// As client.SameHook matches: by name, and by URL where either has no name.
			sameName := o.Name() != "" && o.Name() == h.Name()
			if sameName || (o.URL() == h.URL() && (o.Name() == "" || h.Name() == "")) {
				by := h.URL()
				if sameName {
					by = h.Name()
				}
				return nil, errAt(name, h.Line, "%s: a hook identified by %s is given twice (first at line %d)", where, quote.Value(by), o.Line)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

func readHook(name, where string, scope client.Scope, kind integrations.Definition, n *yaml.Node) (HookEntry, error) {
	h := HookEntry{Scope: scope, Kind: kind, Values: map[string]string{}, Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return h, errAt(name, n.Line, "%s: want a mapping with url and the hook's other fields", where)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == eventsKey {
			events, err := readHookEvents(name, where, scope, kind, v)
			if err != nil {
				return h, err
			}
			h.Events = events
			continue
		}
		f, ok := kind.Field(k.Value)
		if !ok {
			return h, errAt(name, k.Line, "%s: %s has no key %s; valid keys: %s, events", where, kind.Name, quote.Value(k.Value), strings.Join(kind.FieldKeys(), ", "))
		}
		if integrations.IsKeyValues(f.Key) {
			entries, err := readKeyValues(name, where, kind, f.Key, v)
			if err != nil {
				return h, err
			}
			if f.Key == integrations.HookURLVariables {
				h.URLVariables = entries
			} else {
				h.CustomHeaders = entries
			}
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return h, errAt(name, v.Line, "%s: %s: want a single value", where, f.Key)
		}
		var val any
		if err := v.Decode(&val); err != nil {
			return h, errAt(name, v.Line, "%s: %s: %v", where, f.Key, err)
		}
		raw := integrations.Canonical(val)
		switch {
		case isReference(raw):
			h.Values[f.Key] = raw
			continue
		case f.Masked() && raw != "":
			return h, errAt(name, v.Line, "%s: %s is a secret: write it as a reference (env:NAME or file:PATH), never in the file", where, f.Key)
		}
		norm, err := kind.Normalize(f.Key, raw)
		if err != nil {
			return h, errAt(name, v.Line, "%s: %v", where, err)
		}
		h.Values[f.Key] = norm
	}
	if strings.TrimSpace(h.URL()) == "" {
		return h, errAt(name, n.Line, "%s: missing url (it identifies a hook without a name, and GitLab requires it)", where)
	}
	if isReference(h.URL()) || isReference(h.Name()) {
		return h, errAt(name, n.Line, "%s: url and name identify the hook and cannot be references; put secret parts of the URL in url_variables", where)
	}
	if carriesSecrets(h.URL()) {
		return h, errAt(name, n.Line, "%s: url holds a secret in clear (credentials or a token parameter): write those parts as {NAME} and give each in url_variables as a reference", where)
	}
	if h.URLVariables != nil {
		if err := integrations.ValidateHook(kind, h.Values, client.SortedKeys(h.URLVariables)); err != nil {
			return h, errAt(name, n.Line, "%s: %v", where, err)
		}
	}
	return h, nil
}

// placeholderParam is a query parameter whose whole value is a {NAME} placeholder: the name of
// a URL variable, not a secret.
var placeholderParam = regexp.MustCompile(`[?&][^=&#]+=\{[A-Za-z_][A-Za-z0-9_]*\}`)

// carriesSecrets reports whether a hook URL holds a secret in clear (userinfo, a token-like
// parameter) or one export masked: a manifest holds secrets only as references.
func carriesSecrets(u string) bool {
	bare := placeholderParam.ReplaceAllString(u, "")
	return strings.Contains(u, redact.Mask) || redact.URL(bare) != bare
}

// readKeyValues reads URL variables or custom headers: names to references, since their
// values are write-only secrets.
func readKeyValues(name, where string, kind integrations.Definition, field string, n *yaml.Node) (map[string]string, error) {
	out := map[string]string{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return out, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(name, n.Line, "%s: %s: want a mapping of NAME to a reference (env:NAME or file:PATH)", where, field)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, err := kind.Normalize(field, k.Value+"=x"); err != nil {
			return nil, errAt(name, k.Line, "%s: %v", where, err)
		}
		if v.Kind != yaml.ScalarNode || !isReference(v.Value) {
			return nil, errAt(name, v.Line, "%s: %s.%s is a secret: write it as a reference (env:NAME or file:PATH), never in the file", where, field, k.Value)
		}
		if _, dup := out[k.Value]; dup {
			return nil, errAt(name, k.Line, "%s: %s.%s is given twice", where, field, k.Value)
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

// readHookEvents reads the list of events switched on: every other event of the kind is off.
func readHookEvents(name, where string, scope client.Scope, kind integrations.Definition, n *yaml.Node) (map[string]bool, error) {
	var list []string
	if err := n.Decode(&list); err != nil {
		return nil, errAt(name, n.Line, "%s: events: want a list of event names", where)
	}
	events := map[string]bool{}
	for _, e := range kind.Events {
		events[e] = false
	}
	for _, e := range list {
		if err := kind.CheckEventAt(scope.Level, e); err != nil {
			return nil, errAt(name, n.Line, "%s: %v", where, err)
		}
		events[e] = true
	}
	return events, nil
}

// ResolveHooks replaces the hooks' references with their values, checked by the field's rules.
// A resolver that leaves a reference as it is (plan) keeps it for plan to name.
func ResolveHooks(name string, hooks []HookEntry, resolve func(string) (string, error)) error {
	for i := range hooks {
		h := &hooks[i]
		if err := resolveValues(name, h.Line, h.Key(), h.Kind, h.Values, resolve); err != nil {
			return err
		}
		for _, kv := range []struct {
			field string
			m     map[string]string
		}{{integrations.HookURLVariables, h.URLVariables}, {integrations.HookCustomHeaders, h.CustomHeaders}} {
			for k, v := range kv.m {
				got, err := resolve(v)
				if err != nil {
					return errAt(name, h.Line, "%s: %s.%s: %v", h.Key(), kv.field, k, err)
				}
				if got == v {
					continue
				}
				if got == "" || strings.ContainsAny(got, "\r\n") {
					return errAt(name, h.Line, "%s: %s.%s: the value must be one non-empty line", h.Key(), kv.field, k)
				}
				if _, err := h.Kind.Normalize(kv.field, k+"="+got); err != nil {
					return errAt(name, h.Line, "%s: %v", h.Key(), err)
				}
				kv.m[k] = got
			}
		}
	}
	return nil
}

// hookSettings is what export writes of a hook: its fields, secrets as references named by
// SecretEnv, and the variables those references need. label names the hook in the variables:
// its name, or its ID when it has none.
func hookSettings(h client.Hook) (*HookSettings, []string) {
	kind := integrations.HookKind(h.Scope.Level)
	label := h.Name()
	if label == "" {
		label = fmt.Sprint(h.ID)
	}
	ref := func(field string) string { return SecretEnv(h.Scope, "hook_"+label, field) }
	s := &HookSettings{Kind: kind, Values: map[string]string{}}
	var needed []string
	for _, f := range kind.Fields {
		v := h.Values[f.Key]
		switch {
		case integrations.IsKeyValues(f.Key):
		case f.Masked():
			// Only a secret known to be set is written: one GitLab cannot tell about is not invented.
			if v != "" || h.SecretSet[f.Key] {
				name := ref(f.Key)
				s.Values[f.Key] = "env:" + name
				needed = append(needed, name)
			}
		case f.Key == integrations.HookURL && carriesSecrets(v):
			// Masked, never in clear: plan then asks for the secret parts as URL variables.
			s.Values[f.Key] = redact.URL(v)
		case v != "":
			s.Values[f.Key] = v
		}
	}
	keyRefs := func(field string, m map[string]string) map[string]string {
		if len(m) == 0 {
			return nil
		}
		out := map[string]string{}
		for _, k := range client.SortedKeys(m) {
			name := ref(field + "_" + k)
			out[k] = "env:" + name
			needed = append(needed, name)
		}
		return out
	}
	s.URLVariables = keyRefs(integrations.HookURLVariables, h.URLVariables)
	s.CustomHeaders = keyRefs(integrations.HookCustomHeaders, h.CustomHeaders)
	s.Events = []string{}
	for _, e := range kind.Events {
		if h.Events[e] {
			s.Events = append(s.Events, e)
		}
	}
	return s, needed
}

// sortHooks orders hooks as export writes them: by name, then URL, then ID, so that the same
// hooks export alike from any backend.
func sortHooks(hooks []client.Hook) {
	sort.SliceStable(hooks, func(i, j int) bool {
		a, b := hooks[i], hooks[j]
		if a.Name() != b.Name() {
			return a.Name() < b.Name()
		}
		if a.URL() != b.URL() {
			return a.URL() < b.URL()
		}
		return a.ID < b.ID
	})
}

// exportHooks is what export writes of a scope's hooks, and the variables their references
// need.
func exportHooks(hooks []client.Hook) ([]*HookSettings, []string) {
	hooks = slices.Clone(hooks)
	sortHooks(hooks)
	var out []*HookSettings
	var needed []string
	for _, h := range hooks {
		s, vars := hookSettings(h)
		out = append(out, s)
		needed = append(needed, vars...)
	}
	return out, needed
}
