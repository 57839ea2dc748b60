package integrations

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		name, key, raw, want, wantErr string
	}{
		{"slack", "notify_only_broken_pipelines", "yes", "true", ""},
		{"slack", "notify_only_broken_pipelines", "Off", "false", ""},
		{"slack", "notify_only_broken_pipelines", "maybe", "", "not a boolean"},
		{"slack", "branches_to_be_notified", "protected", "protected", ""},
		{"slack", "branches_to_be_notified", "Default branch", "default", ""},
		{"slack", "branches_to_be_notified", "feature", "", "not one of: all, default, protected, default_and_protected"},
		{"slack", "webhook", "ftp://x", "", "not an http(s) URL"},
		{"slack", "channel", "  #dev  ", "#dev", ""},
		{"slack", "push_channel", "a,b,c,d,e,f,g,h,i,j,k", "", "at most 10"},
		{"slack", "nope", "x", "", `slack has no field "nope"`},
		{"irker", "server_port", "6659", "6659", ""},
		{"irker", "server_port", "66.5", "", "not a whole number"},
		{"jira", "jira_auth_type", "1", "1", ""},
		{"jira", "jira_auth_type", "2", "2", ""},
		{"jira", "jira_auth_type", "3", "", "not one of: 0, 1, 2"},
		{"jira", "project_keys", "A, B,A,,C", "A,B,C", ""},
		{"jira", "url", "", "", ""},
		{"pushover", "sound", "", "", ""},
		{"pushover", "priority", "-2", "-2", ""},
		{"discord", "webhook", "https://example.com/x", "", "discord.com"},
		{"slack", "channel", "a\x00b", "", "holds a NUL byte"},
		{"slack", "channel", strings.Repeat("c", MaxValueBytes+1), "", "the value is 1048577 bytes; the limit is 1048576"},
		{"slack", "channel", strings.Repeat("c", MaxValueBytes), strings.Repeat("c", MaxValueBytes), ""},
	}
	for _, c := range cases {
		d, err := Lookup(c.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Normalize(c.key, c.raw)
		if c.wantErr != "" {
			var ce *Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s %s=%q: error %v, want one containing %q", c.name, c.key, c.raw, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %s=%q: got %q, %v; want %q", c.name, c.key, c.raw, got, err, c.want)
		}
	}
}

func TestSecretValuesStayOutOfErrors(t *testing.T) {
	const canary = "https://example.com/CANARY-SECRET"
	for _, name := range []string{"discord", "slack"} {
		d, _ := Lookup(name)
		// The long one is quoted in part in the message; no part of it may show.
		for _, raw := range []string{canary, "CANARY-SECRET not a url", strings.Repeat("CANARY-SECRET ", 20)} {
			_, err := d.Normalize("webhook", raw)
			if err == nil {
				if name == "slack" && raw == canary {
					continue
				}
				t.Fatalf("%s webhook %q: no error", name, raw)
			}
			if strings.Contains(err.Error(), "CANARY") {
				t.Errorf("%s: error shows the secret: %v", name, err)
			}
		}
	}
}

func TestValidateAndMissing(t *testing.T) {
	d, _ := Lookup("jira")
	err := d.Validate(map[string]string{"url": "https://jira.example"})
	if err == nil || !strings.Contains(err.Error(), "missing required password") {
		t.Errorf("got %v", err)
	}
	if err := d.Validate(map[string]string{"url": "https://jira.example", "password": "p"}); err != nil {
		t.Errorf("complete values: %v", err)
	}
	if m := d.Missing(map[string]string{"password": "p"}); len(m) != 1 || m[0].Key != "url" {
		t.Errorf("missing = %v", m)
	}
}

func TestLookupAcceptsAliasesAndSuggests(t *testing.T) {
	for alias, want := range map[string]string{
		"microsoft-teams": "microsoft_teams", "SlackService": "slack", "JIRA": "jira",
		"custom-issue-tracker": "custom_issue_tracker", "DroneCiService": "drone_ci",
	} {
		if d, err := Lookup(alias); err != nil || d.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", alias, d.Name, err, want)
		}
	}
	for typo, want := range map[string]string{"slak": "slack", "jenkin": "jenkins", "mattermots": "mattermost", "teams": "microsoft_teams"} {
		_, err := Lookup(typo)
		if err == nil || !strings.Contains(err.Error(), `did you mean "`+want+`"`) {
			t.Errorf("Lookup(%q): %v, want a suggestion of %s", typo, err, want)
		}
	}
	if _, err := Lookup("zzzzzzzzzz"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("no suggestion expected for nonsense, got %v", err)
	}
}

func TestEveryFieldIsDescribed(t *testing.T) {
	for _, d := range Catalog() {
		for _, f := range d.Fields {
			if f.Title == "" {
				t.Errorf("%s.%s has no title", d.Name, f.Key)
			}
			if f.Kind == Select && len(f.Choices) == 0 && f.Key != "vulnerabilities_issuetype" {
				t.Errorf("%s.%s is a select without choices", d.Name, f.Key)
			}
			if f.Kind == Checkbox && f.CheckboxLabel == "" {
				t.Errorf("%s.%s has no checkbox label", d.Name, f.Key)
			}
		}
	}
}
