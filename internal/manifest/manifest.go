// Package manifest is configuration as code: a YAML file that lists, per scope and integration,
// whether it inherits or its own settings (active, fields, events). Export writes one from a
// backend, Read validates one against the catalog with file and line in every error, and Plan
// compares one with a backend to list what apply would change.
package manifest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/forgekit/integrations/internal/quote"
	"github.com/forgekit/integrations/internal/yamldoc"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"go.yaml.in/yaml/v3"
)

// Version is the file format's version.
const Version = 1

// File is a manifest.
type File struct {
	Version int                       `yaml:"version"`
	Scopes  map[string]*ScopeSettings `yaml:"scopes"`
}

// ScopeSettings are one scope's webhooks and integrations, by name.
type ScopeSettings struct {
	Hooks        []*HookSettings      `yaml:"hooks,omitempty"`
	Integrations map[string]*Settings `yaml:",inline"`
}

// Manifest is a validated manifest: its integrations, its webhooks, and the scopes that list
// their hooks (those --prune removes other hooks from).
type Manifest struct {
	Entries    []Entry
	Hooks      []HookEntry
	HookScopes []client.Scope
}

// Settings are one integration's wanted state at one scope.
type Settings struct {
	// Inherit drops the scope's own settings: the nearest parent's apply.
	Inherit bool `yaml:"inherit,omitempty"`
	// Active is nil when inheriting.
	Active *bool `yaml:"active,omitempty"`
	// Settings holds field values; secrets are references (env:NAME or file:PATH).
	Settings map[string]any `yaml:"settings,omitempty"`
	// Events lists the events switched on; an empty list switches all off, no list keeps them.
	Events *[]string `yaml:"events,omitempty"`
}

// Entry is one validated scope and integration of a manifest, values canonical.
type Entry struct {
	Scope   client.Scope
	Def     integrations.Definition
	Inherit bool
	Active  bool
	// Values are canonical; secrets still as references until Resolve.
	Values map[string]string
	Events map[string]bool
	Line   int
}

// Key names an entry in reports: "project:acme/web slack".
func (e Entry) Key() string { return e.Scope.String() + " " + e.Def.Name }

// Error is a manifest that breaks the catalog's rules: it names the file, line and field.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *Error) UsageError() bool { return true }

func errAt(file string, line int, format string, args ...any) error {
	return &Error{fmt.Sprintf("%s:%d: ", file, line) + fmt.Sprintf(format, args...)}
}

// SecretEnv is the environment variable an export names for a secret:
// INTEGRATIONS_<SCOPE>_<NAME>_<FIELD>, upper case, other characters as _. An export names one
// per secret, twice: it is built in one pass, rune by rune as strings.ToUpper maps them.
func SecretEnv(scope client.Scope, name, field string) string {
	parts := [...]string{"INTEGRATIONS_", scope.String(), "_", name, "_", field}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		for _, r := range p {
			switch r = unicode.ToUpper(r); {
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				b.WriteByte(byte(r))
			default:
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// Read validates a manifest and returns its integrations.
func Read(name string, raw []byte) ([]Entry, error) {
	m, err := ReadAll(name, raw)
	if err != nil {
		return nil, err
	}
	return m.Entries, nil
}

// ReadAll validates a manifest against the catalog and the hook kinds: scopes, integration
// names, levels, fields, value types and events. Every problem names the file, line and field.
func ReadAll(name string, raw []byte) (*Manifest, error) {
	root, err := yamldoc.Parse(name, raw)
	if err != nil {
		return nil, &Error{err.Error()}
	}
	if root == nil {
		return nil, &Error{name + " is empty"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, errAt(name, root.Line, "want a mapping with version and scopes")
	}
	out := &Manifest{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			if v.Value != fmt.Sprint(Version) {
				return nil, errAt(name, v.Line, "version %s is not supported (this build reads version %d)", quote.Value(v.Value), Version)
			}
		case "scopes":
			if err := readScopes(name, v, out); err != nil {
				return nil, err
			}
		default:
			return nil, errAt(name, k.Line, "unknown key %s (want version and scopes)", quote.Value(k.Value))
		}
	}
	return out, nil
}

func readScopes(name string, n *yaml.Node, out *Manifest) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(name, n.Line, "scopes: want a mapping of scope to integrations")
	}
	scopes := map[string]scopeAt{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		scope, err := parseScope(k.Value)
		if err != nil {
			return errAt(name, k.Line, "%v", err)
		}
		if err := checkScope(name, scopes, scopeAt{scope, k.Value, k.Line}); err != nil {
			return err
		}
		if v.Kind != yaml.MappingNode {
			return errAt(name, v.Line, "%s: want a mapping of integration to settings (and hooks)", k.Value)
		}
		names := map[string]int{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			ik, iv := v.Content[j], v.Content[j+1]
			if first, ok := names[ik.Value]; ok && ik.Value == HooksKey {
				return errAt(name, ik.Line, "%s: %s is given twice (first at line %d)", k.Value, HooksKey, first)
			}
			if ik.Value == HooksKey {
				names[HooksKey] = ik.Line
				hooks, err := readHooks(name, scope, iv)
				if err != nil {
					return err
				}
				out.Hooks = append(out.Hooks, hooks...)
				out.HookScopes = append(out.HookScopes, scope)
				continue
			}
			e, err := readEntry(name, scope, ik, iv)
			if err != nil {
				return err
			}
			if first, ok := names[e.Def.Name]; ok {
				return errAt(name, ik.Line, "%s: %s is given twice (first at line %d)", k.Value, e.Def.Name, first)
			}
			names[e.Def.Name] = ik.Line
			out.Entries = append(out.Entries, e)
		}
	}
	return nil
}

// scopeAt is a scope as the file names it.
type scopeAt struct {
	scope client.Scope
	text  string
	line  int
}

// checkScope refuses what apply would only find out half-way: a scope given twice (paths are
// case-insensitive, as in GitLab), one path as both a group and a project, and a scope below a
// project.
func checkScope(name string, seen map[string]scopeAt, s scopeAt) error {
	key := strings.ToLower(s.scope.String())
	if s.scope.Path == "" && s.scope.ID != 0 {
		key = fmt.Sprintf("%s:#%d", s.scope.Level, s.scope.ID)
	}
	if first, ok := seen[key]; ok {
		return errAt(name, s.line, "scope %s is given twice: %s is at line %d (paths are case-insensitive)", s.text, first.text, first.line)
	}
	seen[key] = s
	if s.scope.Path == "" {
		return nil
	}
	path := strings.ToLower(s.scope.Path)
	for _, o := range seen {
		other := strings.ToLower(o.scope.Path)
		switch {
		case o.scope.Path == "" || o.line == s.line:
		case other == path:
			return errAt(name, s.line, "%s and %s (line %d) name the same path; a path is either a group or a project", s.text, o.text, o.line)
		case o.scope.Level == integrations.Project && strings.HasPrefix(path, other+"/"):
			return errAt(name, s.line, "%s is below %s (line %d), a project, which cannot contain groups or projects", s.text, o.text, o.line)
		case s.scope.Level == integrations.Project && strings.HasPrefix(other, path+"/"):
			return errAt(name, o.line, "%s is below %s (line %d), a project, which cannot contain groups or projects", o.text, s.text, s.line)
		}
	}
	return nil
}

func parseScope(s string) (client.Scope, error) {
	if s == "instance" {
		return client.InstanceScope, nil
	}
	kind, path, ok := strings.Cut(s, ":")
	if !ok || (kind != "group" && kind != "project") {
		return client.Scope{}, fmt.Errorf("scope %s: want instance, group:PATH or project:PATH", quote.Value(s))
	}
	return client.ParseScope(integrations.Level(kind), path)
}

func readEntry(name string, scope client.Scope, k, v *yaml.Node) (Entry, error) {
	def, err := integrations.Lookup(k.Value)
	if err != nil {
		return Entry{}, errAt(name, k.Line, "%s: %v", scope, err)
	}
	where := fmt.Sprintf("%s %s", scope, def.Name)
	if !def.SupportsLevel(scope.Level) {
		return Entry{}, errAt(name, k.Line, "%s: %s cannot be set at %s level", where, def.Name, scope.Level)
	}
	if def.Removed() {
		return Entry{}, errAt(name, k.Line, "%s: %s was removed from GitLab", where, def.Name)
	}
	if v.Kind == yaml.MappingNode {
		if err := yamldoc.CheckKeys(name, v, where+": ", "inherit", "active", "settings", "events"); err != nil {
			return Entry{}, &Error{err.Error()}
		}
	}
	var s Settings
	if err := v.Decode(&s); err != nil {
		return Entry{}, errAt(name, v.Line, "%s: %v", where, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	e := Entry{Scope: scope, Def: def, Inherit: s.Inherit, Active: true, Values: map[string]string{}, Line: k.Line}
	if s.Inherit {
		if s.Active != nil || len(s.Settings) > 0 || s.Events != nil {
			return Entry{}, errAt(name, k.Line, "%s: inherit takes no active, settings or events", where)
		}
		return e, nil
	}
	if s.Active != nil {
		e.Active = *s.Active
	}
	if err := readValues(name, where, def, v, &e); err != nil {
		return Entry{}, err
	}
	if s.Events != nil {
		e.Events = map[string]bool{}
		for _, ev := range def.SupportedEvents(scope.Level) {
			e.Events[ev] = false
		}
		for _, ev := range *s.Events {
			if err := def.CheckEventAt(scope.Level, ev); err != nil {
				return Entry{}, errAt(name, lineOf(v, "events"), "%s: %v", where, err)
			}
			e.Events[ev] = true
		}
	}
	if missing := missingRequired(def, e.Values); e.Active && len(missing) > 0 {
		return Entry{}, errAt(name, k.Line, "%s: missing required %s", where, strings.Join(missing, ", "))
	}
	return e, nil
}

// readValues checks each setting by its field's type; secrets must be references so that the
// file never holds one.
func readValues(name, where string, def integrations.Definition, v *yaml.Node, e *Entry) error {
	settings := child(v, "settings")
	if settings == nil {
		return nil
	}
	if settings.Kind != yaml.MappingNode {
		return errAt(name, settings.Line, "%s: settings: want a mapping of field to value", where)
	}
	for i := 0; i+1 < len(settings.Content); i += 2 {
		fk, fv := settings.Content[i], settings.Content[i+1]
		f, ok := def.Field(fk.Value)
		if !ok {
			return errAt(name, fk.Line, "%s: no field %s; valid fields: %s", where, quote.Value(fk.Value), strings.Join(def.FieldKeys(), ", "))
		}
		var val any
		if err := fv.Decode(&val); err != nil {
			return errAt(name, fv.Line, "%s: %s: %v", where, f.Key, err)
		}
		raw := integrations.Canonical(val)
		if isReference(raw) {
			e.Values[f.Key] = raw
			continue
		}
		if f.Masked() && raw != "" {
			return errAt(name, fv.Line, "%s: %s is a secret: write it as a reference (env:NAME or file:PATH), never in the file", where, f.Key)
		}
		norm, err := def.Normalize(f.Key, raw)
		if err != nil {
			return errAt(name, fv.Line, "%s", err)
		}
		e.Values[f.Key] = norm
	}
	return nil
}

func isReference(v string) bool { return strings.HasPrefix(v, "env:") || strings.HasPrefix(v, "file:") }

func child(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func lineOf(n *yaml.Node, key string) int {
	if c := child(n, key); c != nil {
		return c.Line
	}
	return n.Line
}

func missingRequired(def integrations.Definition, values map[string]string) []string {
	var out []string
	for _, f := range def.Missing(values) {
		out = append(out, f.Key)
	}
	return out
}

// Resolve replaces references with their values, checked by the field's type. An unset
// reference is an error naming the file line and the variable.
func Resolve(name string, entries []Entry, resolve func(string) (string, error)) error {
	for i := range entries {
		if err := resolveValues(name, entries[i].Line, entries[i].Key(), entries[i].Def, entries[i].Values, resolve); err != nil {
			return err
		}
	}
	return nil
}

// resolveValues resolves the references among one entry's values in place, checked by the
// field's type.
func resolveValues(name string, line int, key string, def integrations.Definition, values map[string]string, resolve func(string) (string, error)) error {
	for k, v := range values {
		if !isReference(v) {
			continue
		}
		got, err := resolve(v)
		if err != nil {
			return errAt(name, line, "%s: %s: %v", key, k, err)
		}
		if got == v {
			continue // left unresolved on purpose (plan names the reference)
		}
		norm, err := def.Normalize(k, got)
		if err != nil {
			return errAt(name, line, "%v", err) // the error names the kind and the field
		}
		values[k] = norm
	}
	return nil
}

// Scopes lists the distinct scopes of entries, for --prune.
func Scopes(entries []Entry) []client.Scope {
	var out []client.Scope
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.Scope.String()] {
			seen[e.Scope.String()] = true
			out = append(out, e.Scope)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Encode writes a manifest with a header comment.
func Encode(f File, header string) ([]byte, error) {
	var buf bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		buf.WriteString("# " + line + "\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
