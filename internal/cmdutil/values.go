package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/input"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/forgekit/integrations/internal/yamldoc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// ValueFlags are the flags that give an integration's settings: --set, --from-file, --events.
type ValueFlags struct {
	Sets     []string
	FromFile string
	Events   string
}

// AddValueFlags registers the value flags on cmd, with completion from the catalog for the
// integration named in the first argument.
func AddValueFlags(cmd *cobra.Command, v *ValueFlags) {
	cmd.Flags().StringArrayVar(&v.Sets, "set", nil, "set a field: `key=value` (repeatable; split at the first =; value may be env:NAME or file:PATH)")
	cmd.Flags().StringVarP(&v.FromFile, "from-file", "f", "", "read fields (and events) from a YAML or JSON `FILE`; - reads stdin")
	cmd.Flags().StringVar(&v.Events, "events", "", "trigger events: `a,b` sets exactly these, +a,-b adds and removes, none clears")
	_ = cmd.RegisterFlagCompletionFunc("set", CompleteSet)
	_ = cmd.RegisterFlagCompletionFunc("events", CompleteEvents)
}

// Given reports whether any value flag was used.
func (v ValueFlags) Given() bool { return len(v.Sets) > 0 || v.FromFile != "" || v.Events != "" }

// Settings are values and event changes read from flags and files, validated against the catalog.
type Settings struct {
	// Values are canonical; an empty value clears the field.
	Values map[string]string
	Events *EventChange
}

// Parse reads --from-file, then --set (which wins), resolving env: and file: references and
// normalizing each value by its field's type. Any problem is a usage error naming the field.
func (v ValueFlags) Parse(def integrations.Definition, stdin io.Reader) (Settings, error) {
	s := Settings{Values: map[string]string{}}
	if v.FromFile != "" {
		if err := readSettingsFile(def, v.FromFile, stdin, &s); err != nil {
			return s, err
		}
	}
	for _, kv := range v.Sets {
		key, raw, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return s, FlagErrorf("--set %s: want key=value", quote.Value(kv))
		}
		key = strings.TrimSpace(key)
		val, err := setValue(def, key, raw)
		if err != nil {
			return s, err
		}
		s.Values[key] = val
	}
	if v.Events != "" {
		ch, err := ParseEvents(def, v.Events)
		if err != nil {
			return s, err
		}
		s.Events = ch
	}
	return s, nil
}

func setValue(def integrations.Definition, key, raw string) (string, error) {
	if _, ok := def.Field(key); !ok {
		_, err := def.Normalize(key, raw) // the catalog's message lists the valid fields
		return "", err
	}
	resolved, err := Resolve(raw)
	if err != nil {
		return "", FlagErrorf("%s: %s: %v", def.Name, key, err)
	}
	return def.Normalize(key, resolved)
}

// Resolve reads a reference: env:NAME is the variable's value, file:PATH the file's content
// (without its final newline). Other values are returned as given. References keep secrets off
// command lines and out of files under review.
func Resolve(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "env:"):
		name := strings.TrimPrefix(v, "env:")
		val, ok := os.LookupEnv(name)
		if !ok || name == "" {
			return "", fmt.Errorf("environment variable %s is not set", quote.Value(name))
		}
		return val, nil
	case strings.HasPrefix(v, "file:"):
		path := strings.TrimPrefix(v, "file:")
		raw, err := input.ReadFile(path, input.MaxValueBytes)
		if err != nil {
			return "", fmt.Errorf("reading file:%s: %w", path, err)
		}
		return strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r"), nil
	}
	return v, nil
}

// ReadInput reads the file a flag names, or stdin for "-", and returns the name to use in
// messages; either is cut off at input.MaxDocumentBytes. A file that cannot be read, is not a
// regular file or is over the limit is a usage error naming it.
func ReadInput(path string, stdin io.Reader) (string, []byte, error) {
	if path == "-" {
		raw, err := input.ReadAll(stdin, input.MaxDocumentBytes)
		if err != nil {
			return "stdin", nil, FlagErrorf("reading stdin: %v", err)
		}
		return "stdin", raw, nil
	}
	raw, err := input.ReadFile(path, input.MaxDocumentBytes)
	if err != nil {
		return path, nil, FlagErrorf("reading %s: %v", path, err)
	}
	return path, raw, nil
}

// readSettingsFile reads a mapping of field → value, with an optional events key (a list, a
// comma-separated string, or a mapping of event → bool). JSON is YAML too.
func readSettingsFile(def integrations.Definition, path string, stdin io.Reader, s *Settings) error {
	name, raw, err := ReadInput(path, stdin)
	if err != nil {
		return err
	}
	m, err := yamldoc.Parse(name, raw)
	if err != nil {
		return FlagErrorWrap(err)
	}
	if m == nil {
		return FlagErrorf("%s is empty", name)
	}
	if m.Kind != yaml.MappingNode {
		return FlagErrorf("%s:%d: want a mapping of field: value", name, m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		at := fmt.Sprintf("%s:%d", name, k.Line)
		if k.Value == "events" {
			ch, err := eventsFromNode(def, v)
			if err != nil {
				return FlagErrorf("%s: %v", at, err)
			}
			s.Events = ch
			continue
		}
		var val any
		switch {
		case v.Kind == yaml.MappingNode && def.Base == integrations.HookBase && integrations.IsKeyValues(k.Value):
			// A hook's URL variables and custom headers: a mapping of NAME: VALUE.
			lines, err := keyValueLines(v)
			if err != nil {
				return FlagErrorf("%s: %s: %v", at, k.Value, err)
			}
			val = lines
		case v.Kind != yaml.ScalarNode && v.Kind != yaml.SequenceNode:
			return FlagErrorf("%s: %s: want a value, not a %s", at, quote.Value(k.Value), kindName(v))
		default:
			if err := v.Decode(&val); err != nil {
				return FlagErrorf("%s: %s: %v", at, k.Value, err)
			}
		}
		norm, err := setValue(def, k.Value, integrations.Canonical(val))
		if err != nil {
			return FlagErrorf("%s: %v", at, err)
		}
		s.Values[k.Value] = norm
	}
	return nil
}

// keyValueLines turns a mapping of NAME: VALUE into NAME=VALUE lines.
func keyValueLines(m *yaml.Node) (string, error) {
	var lines []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		name, val := m.Content[i], m.Content[i+1]
		if val.Kind != yaml.ScalarNode || strings.ContainsAny(val.Value, "\r\n") {
			return "", fmt.Errorf("%s: want a one-line value", quote.Value(name.Value))
		}
		lines = append(lines, name.Value+"="+val.Value)
	}
	return strings.Join(lines, "\n"), nil
}

func kindName(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		return "mapping"
	}
	return "sequence"
}

func eventsFromNode(def integrations.Definition, n *yaml.Node) (*EventChange, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return ParseEvents(def, n.Value)
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return &EventChange{ExactGiven: true}, nil // an explicit empty list: none
		}
		return ParseEvents(def, strings.Join(list, ","))
	case yaml.MappingNode:
		var m map[string]bool
		if err := n.Decode(&m); err != nil {
			return nil, fmt.Errorf("events: want event: true|false: %w", err)
		}
		ch := &EventChange{}
		for e, on := range m {
			if err := def.CheckEvent(e); err != nil {
				return nil, err
			}
			if on {
				ch.Add = append(ch.Add, e)
			} else {
				ch.Remove = append(ch.Remove, e)
			}
		}
		return ch, nil
	}
	return nil, errors.New("events: want a list of event names")
}

// EventChange is an --events value: an exact list, or additions and removals.
type EventChange struct {
	Exact       []string
	ExactGiven  bool
	Add, Remove []string
}

// ParseEvents reads "a,b" (exactly these), "+a,-b" (add and remove) or "none"; mixing lists
// and changes is an error. An empty element is an error too: "none" is the only way to say
// none, so that a stray comma or an empty variable never switches every event off.
func ParseEvents(def integrations.Definition, spec string) (*EventChange, error) {
	ch := &EventChange{}
	if strings.TrimSpace(spec) == "none" {
		ch.ExactGiven = true
		return ch, nil
	}
	items, err := SplitList("--events", spec)
	if err != nil {
		return nil, err
	}
	relative, absolute := false, false
	for _, item := range items {
		name := strings.TrimLeft(item, "+-")
		if name == "" {
			return nil, FlagErrorf("--events %s: %s names no event", quote.Value(spec), quote.Value(item))
		}
		if err := def.CheckEvent(name); err != nil {
			return nil, err
		}
		switch item[0] {
		case '+':
			relative = true
			ch.Add = append(ch.Add, name)
		case '-':
			relative = true
			ch.Remove = append(ch.Remove, name)
		default:
			absolute = true
			ch.Exact = append(ch.Exact, name)
		}
	}
	if relative && absolute {
		return nil, FlagErrorf("--events %s: give either a list (a,b) or changes (+a,-b), not both", quote.Value(spec))
	}
	ch.ExactGiven = absolute || !relative
	return ch, nil
}

// SplitList splits a comma-separated flag value into its trimmed elements. An empty value or
// an empty element (",", "a,,b", " ") is a usage error naming the flag.
func SplitList(flag, s string) ([]string, error) {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		if parts[i] = strings.TrimSpace(p); parts[i] == "" {
			return nil, FlagErrorf("%s %s: empty element in the list; give names separated by commas (none means no events)", flag, quote.Value(s))
		}
	}
	return parts, nil
}

// RefuseEmptyLists refuses --events, --enable and --disable given with an empty value: an
// unset variable in a script must not read as "no events".
func RefuseEmptyLists(fs *pflag.FlagSet) error {
	for _, name := range []string{"events", "enable", "disable"} {
		if f := fs.Lookup(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return FlagErrorf("--%s was given an empty list; name the events (--events none means no events)", name)
		}
	}
	return nil
}

// Apply returns the event states after the change, for the events the integration supports.
func (ch *EventChange) Apply(def integrations.Definition, level integrations.Level, current map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, e := range def.SupportedEvents(level) {
		on, ok := current[e]
		if !ok {
			on = def.DefaultEventState(e)
		}
		if ch.ExactGiven {
			on = slices.Contains(ch.Exact, e)
		}
		if slices.Contains(ch.Add, e) {
			on = true
		}
		if slices.Contains(ch.Remove, e) {
			on = false
		}
		out[e] = on
	}
	return out
}

func CompleteSet(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	def, err := integrations.Lookup(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if key, _, ok := strings.Cut(toComplete, "="); ok {
		f, _ := def.Field(key)
		var out []string
		for _, c := range f.Choices {
			out = append(out, key+"="+c.Value+"\t"+c.Label)
		}
		if f.Kind == integrations.Checkbox {
			out = append(out, key+"=true", key+"=false")
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	var out []string
	for _, f := range def.Fields {
		out = append(out, f.Key+"=\t"+f.Title)
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

func CompleteEvents(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var supported []string
	if len(args) > 0 {
		if def, err := integrations.Lookup(args[0]); err == nil {
			supported = def.SupportedEvents("")
		}
	} else {
		for _, e := range integrations.Events() {
			supported = append(supported, e.Name)
		}
	}
	prefix := ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		prefix = toComplete[:i+1]
	}
	var out []string
	for _, e := range supported {
		out = append(out, prefix+e)
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
