package integrations

import (
	"slices"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"18.6.2": {18, 6}, "19.5.0-ee": {19, 5}, "v17.9": {17, 9}} {
		if got, ok := ParseVersion(in); !ok || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "unknown", "18", "x.y"} {
		if _, ok := ParseVersion(in); ok {
			t.Errorf("ParseVersion(%q) accepted", in)
		}
	}
}

// Each difference the OpenAPI files show is refused with the field, the server's version and
// what to do: the first version that has it, or GitLab's web UI.
func TestCheckAgainstServerVersion(t *testing.T) {
	v18, v19 := Server{Version: Version{18, 6}}, Server{Version: Version{19, 5}}
	jira, _ := Lookup("jira")
	slack, _ := Lookup("slack")
	discord, _ := Lookup("discord")
	guardian, _ := Lookup("git_guardian")
	matrix, _ := Lookup("matrix")
	cases := []struct {
		name string
		err  error
		want string // "" = accepted
	}{
		{"transition automatic on 18", jira.CheckValue(v18, "jira_issue_transition_automatic", "true"), "jira: jira_issue_transition_automatic: GitLab 18.6 drops it (no longer in the API since 18.0); set it in GitLab's web UI"},
		{"transition automatic on 17", jira.CheckValue(Server{Version: Version{17, 11}}, "jira_issue_transition_automatic", "true"), ""},
		{"service account on 18", jira.CheckValue(v18, "jira_auth_type", "2"), "jira: jira_auth_type 2: GitLab 18.6 drops it; the first version that has it is GitLab 19.0"},
		{"service account on 19", jira.CheckValue(v19, "jira_auth_type", "2"), ""},
		{"basic auth on 18", jira.CheckValue(v18, "jira_auth_type", "0"), ""},
		{"guardian api_url on 18", guardian.CheckValue(v18, "api_url", "https://g.example.com"), "GitLab 18.6 drops it; the first version that has it is GitLab 19.5"},
		{"discord work items on 18", discord.CheckEventAPI(v18, "work_item"), "discord: event work_item: GitLab 18.6 drops it; the first version that has it is GitLab 19.5"},
		{"discord work items on 19", discord.CheckEventAPI(v19, "work_item"), ""},
		{"group mention", slack.CheckEventAPI(v19, "group_mention"), "slack: event group_mention: GitLab's API cannot set it; set it in GitLab's web UI"},
		{"vulnerability on CE", matrix.CheckEventAPI(Server{Version: Version{19, 5}, CE: true}, "vulnerability"), "exists only in GitLab EE"},
		{"vulnerability channel on CE", slack.CheckValue(Server{Version: Version{19, 5}, CE: true}, "vulnerability_channel", "#sec"), "exists only in GitLab EE"},
		{"vulnerability on EE", matrix.CheckEventAPI(v19, "vulnerability"), ""},
		{"EE-only integration on CE", guardian.CheckValue(Server{Version: Version{19, 5}, CE: true}, "token", "t"), "exists only in GitLab EE"},
		{"unknown version is the newest known", discord.CheckEventAPI(Server{}, "work_item"), ""},
	}
	for _, c := range cases {
		switch {
		case c.want == "" && c.err != nil:
			t.Errorf("%s: refused: %v", c.name, c.err)
		case c.want != "" && (c.err == nil || !strings.Contains(c.err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.name, c.err, c.want)
		}
	}
}

func TestJiraServiceAccountNeedsAPIURL(t *testing.T) {
	jira, _ := Lookup("jira")
	base := map[string]string{"url": "https://example.atlassian.net", "password": "x", "jira_auth_type": "2"}
	if err := jira.Validate(base); err == nil || !strings.Contains(err.Error(), "needs api_url") {
		t.Errorf("service account without api_url: %v", err)
	}
	base["api_url"] = "https://api.atlassian.com/ex/jira/abc"
	if err := jira.Validate(base); err != nil {
		t.Errorf("service account with api_url: %v", err)
	}
}

func TestGroupMentionOnlyAtGroupLevel(t *testing.T) {
	slack, _ := Lookup("slack")
	if err := slack.CheckEventAt(Project, "group_mention"); err == nil || !strings.Contains(err.Error(), "only at group level") {
		t.Errorf("project level: %v", err)
	}
	if err := slack.CheckEventAt(Group, "group_mention"); err != nil {
		t.Errorf("group level: %v", err)
	}
}

// One API parameter has one place in the catalog, the form and the manifest: a field and an
// event sharing a parameter would send it twice, the event's value overwriting the field's.
func TestEveryParameterHasOnePlace(t *testing.T) {
	for _, d := range Catalog() {
		for _, e := range d.SupportedEvents("") {
			ev, _ := LookupEvent(e)
			if _, clash := d.Field(ev.APIFlag); clash {
				t.Errorf("%s: %s is both a field and the %s event", d.Name, ev.APIFlag, e)
			}
		}
	}
}

func TestDefinitionOnAServerOffersOnlyWhatItDeclares(t *testing.T) {
	jira, _ := Lookup("jira")
	on18 := jira.On(Server{Version: Version{18, 6}})
	if _, ok := on18.Field("jira_issue_transition_automatic"); ok {
		t.Error("18.6 offers jira_issue_transition_automatic")
	}
	if f, _ := on18.Field("jira_auth_type"); len(f.Choices) != 2 {
		t.Errorf("18.6 auth types = %v", f.ChoiceValues())
	}
	if f, _ := jira.On(Server{Version: Version{19, 5}}).Field("jira_auth_type"); len(f.Choices) != 3 {
		t.Errorf("19.5 auth types = %v", f.ChoiceValues())
	}
	slack, _ := Lookup("slack")
	if got := slack.On(Server{}).SupportedEvents(Group); slices.Contains(got, "group_mention") {
		t.Errorf("GitLab's API offers group mentions: %v", got)
	}
	if _, ok := jira.Field("jira_issue_transition_automatic"); !ok {
		t.Error("On changed the catalog's definition")
	}
}
