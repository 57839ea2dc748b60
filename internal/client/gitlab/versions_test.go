package gitlab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// putBodies decodes the bodies of the PUTs the fake received.
func putBodies(t *testing.T, fake *gitlabfake.Server) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range fake.Requests() {
		if r.Method != http.MethodPut {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatalf("PUT body %q: %v", r.Body, err)
		}
		out = append(out, m)
	}
	return out
}

// Every event map a caller passes is full (defaults fill what the server never returned); the
// backend sends back only what the server gave or the user changed.
func TestNeverSendsEventFlagsTheServerDidNotReturn(t *testing.T) {
	for _, v := range []string{"18.6.0-ee", "19.5.0-ee"} {
		fake, c, _ := setup(t, "maintainer", gitlabfake.WithVersion(v))
		fake.AddGroup("acme")
		ctx := context.Background()
		slack := def(t, "slack")
		group := client.Scope{Level: integrations.Group, Path: "acme"}
		hook := map[string]string{"webhook": "https://hooks.slack.com/x"}
		if _, err := c.Save(ctx, group, slack, client.Update{Values: hook, Active: on()}); err != nil {
			t.Fatal(err)
		}
		cur, err := c.Get(ctx, group, slack)
		if err != nil {
			t.Fatal(err)
		}
		if !cur.UnknownEvents["work_item"] || !cur.UnknownEvents["group_mention"] {
			t.Fatalf("%s: work item and group mention states must be unknown: %v", v, cur.UnknownEvents)
		}
		fake.ResetRequests()
		events := slack.EventStates(integrations.Group, cur.Events) // as events --enable builds it
		events["note"] = !events["note"]
		if _, err := c.Save(ctx, group, slack, client.Update{Values: hook, Events: events, Active: on(), Current: &cur}); err != nil {
			t.Fatal(err)
		}
		bodies := putBodies(t, fake)
		if len(bodies) != 1 {
			t.Fatalf("%s: %d PUTs", v, len(bodies))
		}
		for _, flag := range []string{"work_item_events", "confidential_work_item_events", "group_mention_events", "group_confidential_mention_events", "push_events"} {
			if _, sent := bodies[0][flag]; sent {
				t.Errorf("%s: sent %s though the user did not change it: %v", v, flag, bodies[0])
			}
		}
		if bodies[0]["note_events"] != events["note"] {
			t.Errorf("%s: the changed event was not sent: %v", v, bodies[0])
		}
	}
}

func TestDatadogSendsArchiveTraceOnceAndNoBuildEvents(t *testing.T) {
	fake, c, _ := setup(t, "maintainer")
	ctx := context.Background()
	dd := def(t, "datadog")
	events := dd.DefaultEventStates()
	events["push"], events["pipeline"] = true, true
	res, err := c.Save(ctx, web, dd, client.Update{
		Values: map[string]string{"api_key": "abc", "archive_trace_events": "true", "datadog_ci_visibility": "true"},
		Events: events, Active: on(),
	})
	if err != nil {
		t.Fatal(err)
	}
	body := putBodies(t, fake)[0]
	if body["archive_trace_events"] != true {
		t.Errorf("archive_trace_events sent as %v", body["archive_trace_events"])
	}
	if _, sent := body["build_events"]; sent {
		t.Errorf("build_events sent: %v", body)
	}
	if res.State.Values["archive_trace_events"] != "true" || len(res.NotKept) != 0 {
		t.Errorf("after the write: %v, not kept %v", res.State.Values, res.NotKept)
	}
}

// A value the server's version would drop is refused before anything is written.
func TestRefusesWhatTheVersionDrops(t *testing.T) {
	fake, c, _ := setup(t, "maintainer", gitlabfake.WithVersion("18.6.0-ee"))
	ctx := context.Background()
	discord := def(t, "discord")
	_, err := c.Save(ctx, web, discord, client.Update{
		Values: map[string]string{"webhook": "https://discord.com/api/webhooks/1"},
		Events: map[string]bool{"work_item": true}, Active: on(),
	})
	if !isInput(err) || !strings.Contains(err.Error(), "GitLab 18.6 drops it; the first version that has it is GitLab 19.5") {
		t.Errorf("err = %v", err)
	}
	if n := len(putBodies(t, fake)); n != 0 {
		t.Errorf("%d PUTs sent", n)
	}
}

// proxy answers /version itself and passes everything else to the fake.
func proxy(t *testing.T, fake *gitlabfake.Server, version func(w http.ResponseWriter)) string {
	t.Helper()
	u, _ := url.Parse(fake.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v4/version" {
			version(w)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestUnreadableVersionAssumesTheNewestKnownOnce(t *testing.T) {
	fake, _, _ := setup(t, "maintainer", gitlabfake.WithVersion("19.5.0-ee"))
	calls := 0
	base := proxy(t, fake, func(w http.ResponseWriter) { calls++; w.WriteHeader(http.StatusForbidden) })
	var notices bytes.Buffer
	c, err := gitlab.New(base, "maintainer", gitlab.WithNotices(&notices), gitlab.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	discord := def(t, "discord")
	for range 2 {
		if _, err := c.Save(ctx, web, discord, client.Update{
			Values: map[string]string{"webhook": "https://discord.com/api/webhooks/1"},
			Events: map[string]bool{"work_item": true}, Active: on(),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if !c.APIServer(ctx).GroupAPI() {
		t.Error("an unreadable version is the newest known, which has group endpoints")
	}
	if calls != 1 {
		t.Errorf("/version read %d times, want once per run", calls)
	}
	if got := notices.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "assuming GitLab 19.5") {
		t.Errorf("notices = %q", got)
	}
}

func TestCommunityEditionDropsEEEvents(t *testing.T) {
	fake, _, _ := setup(t, "maintainer", gitlabfake.WithVersion("19.5.0"))
	base := proxy(t, fake, func(w http.ResponseWriter) {
		_, _ = w.Write([]byte(`{"version":"19.5.0","revision":"x","enterprise":false}`))
	})
	c, err := gitlab.New(base, "maintainer")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Save(context.Background(), web, def(t, "matrix"), client.Update{
		Values: map[string]string{"token": "t", "room": "!r:m.org"}, Events: map[string]bool{"vulnerability": true}, Active: on(),
	})
	if !isInput(err) || !strings.Contains(err.Error(), "Community Edition drops it; it exists only in GitLab EE") {
		t.Errorf("err = %v", err)
	}
}

// What the server answers without is reported, parameter by parameter.
func TestWriteVerificationReportsWhatWasNotKept(t *testing.T) {
	_, c, _ := setup(t, "maintainer", gitlabfake.WithoutParams("slack", "channel", "push_events"))
	res, err := c.Save(context.Background(), web, def(t, "slack"), client.Update{
		Values: map[string]string{"webhook": "https://hooks.slack.com/x", "channel": "#dev", "username": "bot"},
		Events: map[string]bool{"push": false, "note": true}, Active: on(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.NotKept, ",") != "channel,push_events" || res.NotKeptBy != "GitLab 18.5" {
		t.Errorf("not kept = %v by %q", res.NotKept, res.NotKeptBy)
	}
}

func isInput(err error) bool {
	var ie *client.InputError
	return errors.As(err, &ie)
}
