package integrations

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/forgekit/integrations/internal/boolval"
	"github.com/forgekit/integrations/internal/input"
	"github.com/forgekit/integrations/internal/quote"
)

// MaxValueBytes is the longest value any field takes: 1 MiB, far above any real setting and low
// enough that a mistaken file: reference cannot exhaust memory.
const MaxValueBytes = input.MaxValueBytes

// Normalize checks a raw value for the field named key and returns it in canonical form:
// "true"/"false" for checkboxes, a decimal integer for numbers, a choice's value for selects,
// comma-joined items for string arrays. An empty value clears an optional field.
func (d Definition) Normalize(key, raw string) (string, error) {
	f, ok := d.Field(key)
	if !ok {
		hint := fmt.Sprintf("its fields are listed by 'integrations show %s'", d.Name)
		if s := Closest(key, d.FieldKeys()); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		return "", &Error{msg: fmt.Sprintf("%s has no field %s", d.Name, quote.Value(key)), hint: hint}
	}
	if len(raw) > MaxValueBytes {
		return "", errorf("%s: %s: the value is %d bytes; the limit is %d (1 MiB)", d.Name, key, len(raw), MaxValueBytes)
	}
	if strings.IndexByte(raw, 0) >= 0 {
		return "", errorf("%s: %s: the value holds a NUL byte, which no field accepts", d.Name, key)
	}
	v, err := f.normalize(raw)
	if err != nil {
		msg := err.Error()
		if f.Masked() {
			msg = redact(msg, raw)
		}
		return "", errorf("%s: %s: %s", d.Name, key, msg)
	}
	return v, nil
}

// redact keeps a secret out of an error message, whichever rule quoted it.
func redact(msg, secret string) string {
	for _, s := range []string{secret, strings.TrimSpace(secret)} {
		if s != "" {
			msg = strings.ReplaceAll(msg, quote.Value(s), "the value")
			msg = strings.ReplaceAll(msg, strconv.Quote(s), "the value")
			msg = strings.ReplaceAll(msg, s, "…")
		}
	}
	return msg
}

func (f Field) normalize(raw string) (string, error) {
	if f.Kind != Textarea && f.Kind != Password && !f.Secret {
		raw = strings.TrimSpace(raw)
	}
	if raw == "" {
		return "", nil
	}
	var v string
	switch f.Kind {
	case Checkbox:
		b, ok := ParseBool(raw)
		if !ok {
			return "", errorf("%s is not a boolean (use true or false)", quote.Value(raw))
		}
		v = strconv.FormatBool(b)
	case Number:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return "", errorf("%s is not a whole number", quote.Value(raw))
		}
		v = strconv.FormatInt(n, 10)
	case StringArray:
		var items []string
		for _, it := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' }) {
			if it = strings.TrimSpace(it); it != "" && !slices.Contains(items, it) {
				items = append(items, it)
			}
		}
		v = strings.Join(items, ",")
	default:
		v = raw
	}
	if len(f.Choices) > 0 {
		c, ok := f.matchChoice(v)
		if !ok {
			return "", errorf("%s is not one of: %s", quote.Value(raw), strings.Join(f.choiceList(), ", "))
		}
		v = c
	}
	if f.URL {
		if err := checkURL(v); err != nil {
			return "", err
		}
	}
	if f.check != nil {
		if err := f.check(v); err != nil {
			return "", err
		}
	}
	return v, nil
}

func (f Field) matchChoice(v string) (string, bool) {
	for _, c := range f.Choices {
		if c.Value == v {
			return c.Value, true
		}
	}
	for _, c := range f.Choices {
		if strings.EqualFold(c.Label, v) {
			return c.Value, true
		}
	}
	return "", false
}

func (f Field) choiceList() []string {
	var out []string
	for _, c := range f.Choices {
		if c.Value != "" {
			out = append(out, c.Value)
		}
	}
	return out
}

// ParseBool accepts the spellings people and YAML use for booleans.
func ParseBool(s string) (value, ok bool) { return boolval.Parse(s) }

func checkURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorf("%s is not an http(s) URL", quote.Value(v))
	}
	return nil
}

// Missing lists the required fields that have no value in values.
func (d Definition) Missing(values map[string]string) []Field {
	var out []Field
	for _, f := range d.Fields {
		if f.Required && strings.TrimSpace(values[f.Key]) == "" {
			out = append(out, f)
		}
	}
	return out
}

// Validate checks a complete set of values: every key is a field, every value is valid for its
// field, and every required field has a value.
func (d Definition) Validate(values map[string]string) error {
	for _, k := range sortedKeys(values) {
		if _, err := d.Normalize(k, values[k]); err != nil {
			return err
		}
	}
	if missing := d.Missing(values); len(missing) > 0 {
		keys := make([]string, len(missing))
		for i, f := range missing {
			keys[i] = f.Key
		}
		return errorf("%s: missing required %s", d.Name, strings.Join(keys, ", "))
	}
	return d.CheckRules(values)
}

// CheckRules applies the rules that tie fields together (GitLab's model validations).
func (d Definition) CheckRules(values map[string]string) error {
	for _, rule := range d.Rules {
		if err := rule(values); err != nil {
			return err
		}
	}
	return nil
}

// CheckEventAt reports whether the integration supports the event at level l: group-only events
// (group mentions) at a project are refused, never ignored.
func (d Definition) CheckEventAt(l Level, name string) error {
	if err := d.CheckEvent(name); err != nil {
		return err
	}
	if !slices.Contains(d.SupportedEvents(l), name) {
		return errorf("%s supports the %q event only at group level", d.Name, name)
	}
	return nil
}

// CheckEvent reports whether the event is known and supported by the integration.
func (d Definition) CheckEvent(name string) error {
	if !d.SupportsEvent(name) {
		supported := d.SupportedEvents("")
		if len(supported) == 0 {
			return errorf("%s has no trigger events", d.Name)
		}
		return errorf("%s does not support the %s event; supported: %s", d.Name, quote.Value(name), strings.Join(supported, ", "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
