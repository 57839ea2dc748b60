package integrations

import (
	"fmt"
	"strconv"
	"strings"
)

// Typed converts a canonical value to the type the API and JSON output use: a bool for
// checkboxes, an integer for numbers, a list for string arrays, a string otherwise.
func (f Field) Typed(v string) any {
	switch f.Kind {
	case Checkbox:
		if b, ok := ParseBool(v); ok {
			return b
		}
	case Number:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case StringArray:
		if v == "" {
			return []string{}
		}
		return strings.Split(v, ",")
	}
	return v
}

// Canonical converts a value read from JSON or YAML (bool, number, list or string) to the
// canonical string Normalize accepts.
func Canonical(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, it := range v {
			parts[i] = Canonical(it)
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(v, ",")
	}
	// Anything else (a mapping, say) is kept visible so that validation rejects it by name.
	return fmt.Sprint(v)
}

// TypedOrNil is Typed, with nil for an unset value (absent knowledge in JSON is null).
func (f Field) TypedOrNil(v string) any {
	if v == "" {
		return nil
	}
	return f.Typed(v)
}
