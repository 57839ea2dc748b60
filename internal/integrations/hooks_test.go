package integrations

import (
	"strings"
	"testing"
)

func TestHookFieldRules(t *testing.T) {
	d := HookKind(Project)
	cases := []struct{ key, raw, wantErr string }{
		{"url", "https://{host}/hook?t={token_1}", ""},
		{"url", "https://ci.example.com", ""},
		{"url", "ftp://ci.example.com", "not an http(s) URL"},
		{"url", "https://{bad-name}/x", "not a valid URL variable name"},
		{"signing_token", "whsec_" + strings.Repeat("A", 43) + "=", ""},
		{"signing_token", "whsec_c2hvcnQ=", "want whsec_"},
		{"token", "two\nlines", "must be one line"},
		{"url_variables", "host=a.example.com\npath=p", ""},
		{"url_variables", "1host=x", "not a valid name"},
		{"url_variables", "host=" + strings.Repeat("x", 101), "longer than 100"},
		{"custom_headers", "X-Api-Key=v", ""},
		{"custom_headers", "X Api=v", "not a valid name"},
		{"custom_headers", "novalue", "want NAME=VALUE"},
		{"custom_webhook_template", strings.Repeat("x", 4097), "at most 4096"},
		{"branch_filter_strategy", "glob", "not one of: wildcard, regex, all_branches"},
	}
	for _, c := range cases {
		_, err := d.Normalize(c.key, c.raw)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s=%q: %v", c.key, c.raw, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s=%q: error %v, want %q", c.key, c.raw, err, c.wantErr)
		}
	}
	// A secret value never shows in the message that refuses it.
	if _, err := d.Normalize("token", "SECRET\nCANARY"); err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("token error: %v", err)
	}
}

func TestValidateHook(t *testing.T) {
	d := HookKind(Group)
	if err := ValidateHook(d, map[string]string{"url": "https://{host}/{path}"}, []string{"host"}); err == nil ||
		!strings.Contains(err.Error(), "--set url_variables.path=…") {
		t.Errorf("missing variable: %v", err)
	}
	if err := ValidateHook(d, map[string]string{"url": "https://x", "branch_filter_strategy": "regex", "push_events_branch_filter": "(a"}, nil); err == nil {
		t.Error("a regex that does not compile passed")
	}
	if err := ValidateHook(d, map[string]string{"url": "https://x", "branch_filter_strategy": "wildcard", "push_events_branch_filter": "(a"}, nil); err != nil {
		t.Errorf("a wildcard filter is not a regex: %v", err)
	}
}

func TestHookKindsEvents(t *testing.T) {
	for _, k := range HookKinds() {
		for _, e := range k.Events {
			if _, ok := LookupHookEvent(e); !ok || EventTitle(e) == "" {
				t.Errorf("%s: event %q has no API flag or title", k.Name, e)
			}
		}
	}
	if HookKind(Instance).SupportsEvent("issue") || !HookKind(Group).SupportsEvent("member") || HookKind(Group).SupportsEvent("resource_deploy_token") {
		t.Error("events per kind do not follow GitLab's")
	}
	if ev, _ := LookupHookEvent("job"); ev.APIFlag != "job_events" {
		t.Errorf("job maps to %q", ev.APIFlag)
	}
}
