package manifest

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// appendScope appends what the yaml library writes of map[string]*ScopeSettings{key: s} with
// an indent of 2, every line two spaces further in (under scopes:), without the library's
// reflection, which was most of a large export's time. It returns false, having appended
// nothing, for what it leaves to the library: hooks, a key that is not written plain, a value
// over several lines, a shape export does not make.
func appendScope(buf []byte, key string, s *ScopeSettings) ([]byte, bool) {
	if len(s.Hooks) > 0 || len(s.Integrations) == 0 || !plainKey(key) {
		return buf, false
	}
	start := len(buf)
	buf = append(append(append(buf, "  "...), key...), ":\n"...)
	var ok bool
	for _, name := range sortedKeys(s.Integrations) {
		if buf, ok = appendSettings(buf, name, s.Integrations[name]); !ok {
			return buf[:start], false
		}
	}
	return buf, true
}

func appendSettings(buf []byte, name string, e *Settings) ([]byte, bool) {
	if !plainKey(name) || e == nil || !e.Inherit && e.Active == nil && len(e.Settings) == 0 && e.Events == nil {
		return buf, false
	}
	buf = append(append(append(buf, "    "...), name...), ":\n"...)
	if e.Inherit {
		buf = append(buf, "      inherit: true\n"...)
	}
	if e.Active != nil {
		buf = strconv.AppendBool(append(buf, "      active: "...), *e.Active)
		buf = append(buf, '\n')
	}
	ok := true
	if len(e.Settings) > 0 {
		buf = append(buf, "      settings:\n"...)
		for _, k := range sortedKeys(e.Settings) {
			if !plainKey(k) {
				return buf, false
			}
			buf = append(append(buf, "        "...), k...)
			switch v := e.Settings[k].(type) {
			case string:
				buf, ok = appendScalar(append(buf, ": "...), v)
				buf = append(buf, '\n')
			case bool:
				buf = append(strconv.AppendBool(append(buf, ": "...), v), '\n')
			case int64:
				buf = append(strconv.AppendInt(append(buf, ": "...), v, 10), '\n')
			case []string:
				buf, ok = appendList(append(buf, ':'), "          ", v)
			default:
				ok = false
			}
			if !ok {
				return buf, false
			}
		}
	}
	if e.Events != nil {
		buf, ok = appendList(append(buf, "      events:"...), "        ", *e.Events)
	}
	return buf, ok
}

// appendList appends a block sequence after its key's colon, items at indent; an empty one is
// written in flow style, as the library does.
func appendList(buf []byte, indent string, items []string) ([]byte, bool) {
	if len(items) == 0 {
		return append(buf, " []\n"...), true
	}
	buf = append(buf, '\n')
	var ok bool
	for _, it := range items {
		if buf, ok = appendScalar(append(append(buf, indent...), "- "...), it); !ok {
			return buf, false
		}
		buf = append(buf, '\n')
	}
	return buf, true
}

// appendScalar appends a string as the library writes it as a block mapping's value or
// sequence item: plain where it can tell it is, else as the library quotes it; false for a
// string with a line break of YAML's (the library indents what follows one to the context).
func appendScalar(buf []byte, s string) ([]byte, bool) {
	if plain(s) {
		return append(buf, s...), true
	}
	if strings.ContainsAny(s, yamlBreaks) {
		return buf, false
	}
	raw, err := yaml.Marshal(map[string]string{"k": s})
	if err != nil {
		return buf, false
	}
	q, ok := strings.CutPrefix(string(raw), "k: ")
	q, end := strings.CutSuffix(q, "\n")
	return append(buf, q...), ok && end
}

// yamlBreaks are the characters YAML reads as line breaks.
const yamlBreaks = "\n\r\u0085\u2028\u2029"

// plainKey is a key the library writes plain as a simple key: plain, and short enough to be
// simple (the library writes longer keys after "? ").
func plainKey(s string) bool { return len(s) <= 128 && plain(s) }

// plain reports whether the library writes s plain in block context: a string that starts
// with an ASCII letter, holds only printable ASCII, ends in no space, has no ": " or " #" and
// no trailing colon (the emitter's indicators), and does not read back as a bool or null.
// Letter-first strings are never read as numbers or timestamps. Anything else it leaves to the
// library; it may say no to a string the library writes plain, never the other way round.
func plain(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c > '~':
			return false
		case c == ' ' && i == len(s)-1:
			return false
		case c == ':' && (i == len(s)-1 || s[i+1] == ' '):
			return false
		case c == '#' && s[i-1] == ' ':
			return false
		}
	}
	return !slices.Contains(readsAsOther, s)
}

// readsAsOther are the letter-first words the library quotes: bools and null, and the YAML 1.1
// bools it quotes for other parsers.
var readsAsOther = []string{
	"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL",
	"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
}

// sortedKeys lists a map's keys in the order the library writes them.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case yamlKeyLess(a, b):
			return -1
		case yamlKeyLess(b, a):
			return 1
		}
		return 0
	})
	return keys
}
