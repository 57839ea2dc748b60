package iostreams

import "testing"

// The values the README documents for turning prompts off.
func TestNoPromptEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"INTEGRATIONS_NO_PROMPT": "1"}, true},
		{map[string]string{"INTEGRATIONS_NO_PROMPT": "0"}, true},
		{map[string]string{"NO_PROMPT": "true"}, true},
		{map[string]string{"CI": "true"}, true},
		{map[string]string{"CI": "1"}, true},
		{map[string]string{"CI": "false"}, false},
		{map[string]string{"CI": "FALSE"}, false},
		{map[string]string{"CI": ""}, false},
	}
	for _, c := range cases {
		if got := NoPromptEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}
