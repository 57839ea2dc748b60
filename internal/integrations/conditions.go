package integrations

import "slices"

// Condition ties a field to another field's value: the field applies only while Key holds one
// of Values (its default counting when unset). GitLab's settings page hides such fields.
type Condition struct {
	Key    string
	Values []string
}

// Applies reports whether f applies given the other fields' values; fields without a condition
// always apply.
func (d Definition) Applies(f Field, values map[string]string) bool {
	if f.AppliesWhen == nil {
		return true
	}
	on, ok := d.Field(f.AppliesWhen.Key)
	if !ok {
		return true
	}
	v := values[on.Key]
	if v == "" {
		v = on.Default
	}
	if on.Kind == Checkbox {
		b, _ := ParseBool(v)
		v = boolString(b)
	}
	return slices.Contains(f.AppliesWhen.Values, v)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// appliesWhen shows the field only while key holds one of values.
func (f Field) appliesWhen(key string, values ...string) Field {
	f.AppliesWhen = &Condition{Key: key, Values: values}
	return f
}
