package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
)

// The reference facts, as GitLab's source states them; shared with the catalog's drift test.
const referencePath = "../../internal/integrations/testdata/gitlab-integrations.json"

type refFile struct {
	Events []struct {
		Name    string `json:"name"`
		APIFlag string `json:"api_flag"`
	} `json:"events"`
	Integrations []struct {
		Name     string   `json:"name"`
		Levels   []string `json:"levels"`
		Category string   `json:"category"`
		Status   string   `json:"status"`
		Fields   []struct {
			Name      string  `json:"name"`
			Type      *string `json:"type"`
			Required  any     `json:"required"`
			Secret    *bool   `json:"secret"`
			Sensitive bool    `json:"sensitive"`
			Choices   []any   `json:"choices"`
			Default   any     `json:"default"`
		} `json:"fields"`
		Events      []string `json:"supported_events"`
		GroupEvents []string `json:"supported_events_group_level_extra"`
		EEEvents    []string `json:"supported_events_ee_extra"`
	} `json:"integrations"`
}

// Every integration's `show -o json` agrees with GitLab's facts, field by field and event by
// event, and `list --all -o json` has every one of them.
func TestShowJSONAgreesWithReferenceForEveryIntegration(t *testing.T) {
	raw, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	var ref refFile
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	for _, ev := range ref.Events {
		flags[ev.Name] = ev.APIFlag
	}
	e := cmdtest.New(t)

	if err := e.Run(listCmd, "--all -o json"); err != nil {
		t.Fatal(err)
	}
	var listed []catalogItem
	if err := json.Unmarshal(e.Out.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(ref.Integrations) {
		t.Errorf("list --all has %d integrations, the reference %d", len(listed), len(ref.Integrations))
	}

	for _, ri := range ref.Integrations {
		if err := e.Run(showCmd, ri.Name+" -o json"); err != nil {
			t.Fatalf("show %s: %v", ri.Name, err)
		}
		var v showView
		if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		d, err := integrations.Lookup(ri.Name)
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != ri.Name || v.Category != ri.Category || !slices.Equal(v.Levels, ri.Levels) {
			t.Errorf("%s: name/category/levels = %s/%s/%v, want %s/%v", ri.Name, v.Name, v.Category, v.Levels, ri.Category, ri.Levels)
		}
		if v.Scope != nil || v.Active != nil || v.Configured != nil || v.Inherited != nil {
			t.Errorf("%s: without a scope, scope and state must be null", ri.Name)
		}
		byName := map[string]fieldView{}
		for _, f := range v.Fields {
			byName[f.Name] = f
		}
		for _, rf := range ri.Fields {
			f, ok := byName[rf.Name]
			where := ri.Name + "." + rf.Name
			if !ok {
				t.Errorf("%s: missing from show", where)
				continue
			}
			if rf.Type != nil && f.Type != *rf.Type {
				t.Errorf("%s: type %s, want %s", where, f.Type, *rf.Type)
			}
			if req, isBool := rf.Required.(bool); (isBool && f.Required != req) || (!isBool && f.Required) {
				t.Errorf("%s: required %v, reference %v", where, f.Required, rf.Required)
			}
			if rf.Secret != nil && f.Secret != (*rf.Secret || rf.Sensitive) {
				t.Errorf("%s: secret %v, reference secret %v sensitive %v", where, f.Secret, *rf.Secret, rf.Sensitive)
			}
			if rf.Choices != nil {
				var got, want []string
				for _, c := range f.Choices {
					got = append(got, fmt.Sprint(c.Value))
				}
				// The choices are the catalog's: where GitLab's OpenAPI corrects the reference
				// (Jira's service accounts), the catalog's drift tests say so.
				cf, _ := d.Field(rf.Name)
				want = cf.ChoiceValues()
				if !slices.Equal(got, want) {
					t.Errorf("%s: choices %v, want %v", where, got, want)
				}
			}
			described := false // GitLab computes some defaults and the reference says so in words
			if d, lit := rf.Default.(string); lit {
				described = strings.Contains(d, " ") || f.Type == "checkbox"
			}
			if rf.Default != nil && !described {
				if fmt.Sprint(f.Default) != fmt.Sprint(rf.Default) {
					t.Errorf("%s: default %v, want %v", where, f.Default, rf.Default)
				}
			}
			if f.Value != nil || f.Set != nil {
				t.Errorf("%s: without a scope, value and set must be null", where)
			}
		}
		want := d.SupportedEvents("") // as corrected by the OpenAPI: see the catalog's drift tests
		var got []string
		for _, ev := range v.Events {
			got = append(got, ev.Name)
			if ev.APIFlag != flags[ev.Name] && flags[ev.Name] != "" {
				t.Errorf("%s: event %s has api flag %s, want %s", ri.Name, ev.Name, ev.APIFlag, flags[ev.Name])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: events %v, want %v", ri.Name, got, want)
		}
	}
}

func TestShowAtScopeMasksSecretsAndSaysWhereSettingsComeFrom(t *testing.T) {
	const canary = "https://hooks.example/CANARY-SECRET"
	e := cmdtest.New(t)
	seed(t, e, integrations.Group, "acme", "slack", true, map[string]string{"webhook": canary, "channel": "#general"}, nil)
	seed(t, e, integrations.Project, "acme/web", "apple_app_store", true, map[string]string{"app_store_private_key": "-----BEGIN PRIVATE KEY----- CANARY-SECRET"}, nil)

	if err := e.Run(showCmd, "slack -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Out.String(), "CANARY") {
		t.Fatal("show printed a secret")
	}
	var v showView
	if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if *v.Scope != "project:acme/web" || !*v.Active || !*v.Configured || !*v.Inherited || *v.InheritedFrom != "group:acme" {
		t.Errorf("state: scope %s active %v configured %v inherited %v from %v", *v.Scope, *v.Active, *v.Configured, *v.Inherited, *v.InheritedFrom)
	}
	fields := map[string]fieldView{}
	for _, f := range v.Fields {
		fields[f.Name] = f
	}
	if w := fields["webhook"]; w.Value != nil || w.Set == nil || !*w.Set || !w.Secret {
		t.Errorf("webhook: %+v", w)
	}
	if c := fields["channel"]; c.Value != "#general" || !*c.Set {
		t.Errorf("channel: %+v", c)
	}
	if u := fields["username"]; u.Value != nil || u.Set == nil || *u.Set {
		t.Errorf("unset username: %+v", u)
	}
	if b := fields["notify_only_broken_pipelines"]; b.Default != true {
		t.Errorf("checkbox default should be typed: %#v", b.Default)
	}

	for _, args := range []string{"slack -p acme/web", "apple_app_store -p acme/web", "apple_app_store -p acme/web -o json"} {
		if err := e.Run(showCmd, args); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(e.Out.String()+e.ErrOut.String(), "CANARY") {
			t.Errorf("show %s printed a secret", args)
		}
	}

	e.Factory.IOStreams.SetTTY(true)
	if err := e.Run(showCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	if !strings.Contains(out, "project:acme/web: active, inherited from group:acme") || !strings.Contains(out, "(set)") {
		t.Errorf("terminal show:\n%s", out)
	}
}
