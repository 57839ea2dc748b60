package iostreams

import "testing"

func TestNoPromptEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"NO_PROMPT": "0"}, false},
		{map[string]string{"NO_PROMPT": "false"}, false},
		{map[string]string{"NO_PROMPT": "1"}, true},
		{map[string]string{"INTEGRATIONS_NO_PROMPT": "yes"}, true},
		{map[string]string{"INTEGRATIONS_NO_PROMPT": "off"}, false},
		// A value that cannot be read never lets a prompt block (and config.Load refuses it).
		{map[string]string{"NO_PROMPT": "maybe"}, true},
		{map[string]string{"CI": "false"}, false},
		{map[string]string{"CI": "0"}, true},
		{map[string]string{"CI": "woodpecker"}, true},
	}
	for _, c := range cases {
		if got := NoPromptEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: NoPromptEnv = %v, want %v", c.env, got, c.want)
		}
	}
}
