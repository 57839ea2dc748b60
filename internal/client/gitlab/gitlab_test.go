package gitlab_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

type recordingClock struct {
	now   time.Time
	waits []time.Duration
}

func (c *recordingClock) Now() time.Time { return c.now }
func (c *recordingClock) Sleep(_ context.Context, d time.Duration) error {
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func setup(t *testing.T, token string, opts ...gitlabfake.Option) (*gitlabfake.Server, *gitlab.Client, *recordingClock) {
	t.Helper()
	fake := gitlabfake.New(opts...)
	t.Cleanup(fake.Close)
	fake.AddToken("maintainer", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddToken("reader", gitlabfake.Token{Username: "bot", Scopes: []string{"read_api"}, AccessLevel: 40})
	fake.AddToken("developer", gitlabfake.Token{Username: "dev", Scopes: []string{"api"}, AccessLevel: 30})
	fake.AddProject("acme/web", false)
	clock := &recordingClock{now: time.Unix(1_800_000_000, 0)}
	c, err := gitlab.New(fake.URL+"/api/v4", token, gitlab.WithHTTPClient(fake.Client()), gitlab.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, clock
}

func def(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var web = client.Scope{Level: integrations.Project, Path: "acme/web"}

func on() *bool { b := true; return &b }

func TestAuthenticationFailuresSayWhy(t *testing.T) {
	ctx := context.Background()
	jenkins := def(t, "jenkins")
	upd := client.Update{Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "web"}, Active: on()}
	cases := []struct{ token, want string }{
		{"", "no token for"},
		{"wrong", "refused the token (401)"},
		{"reader", "lacks the api scope"},
		{"developer", "needs at least the Maintainer role"},
	}
	for _, c := range cases {
		fake, cl, _ := setup(t, c.token)
		_, err := cl.Save(ctx, web, jenkins, upd)
		if !errors.Is(err, client.ErrUnauthorized) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("token %q: %v, want ErrUnauthorized saying %q", c.token, err, c.want)
		}
		if rec, ok := fake.Integration("project", "acme/web", "jenkins"); ok && rec.Persisted {
			t.Errorf("token %q: something was written", c.token)
		}
	}
}

func TestRetriesThroughRateLimitsAndServerErrors(t *testing.T) {
	fake, cl, clock := setup(t, "maintainer")
	ctx := context.Background()
	fake.RateLimitNext(2, 3*time.Second)
	fake.FailNext(1, 502)
	res, err := cl.Save(ctx, web, def(t, "jenkins"), client.Update{
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "web"}, Active: on(),
	})
	if err != nil || !res.State.Active {
		t.Fatalf("save through faults: %v", err)
	}
	if len(clock.waits) != 3 || clock.waits[0] != 3*time.Second || clock.waits[1] != 3*time.Second {
		t.Errorf("waits %v: want Retry-After twice, then a backoff", clock.waits)
	}
	rec, _ := fake.Integration("project", "acme/web", "jenkins")
	if !rec.Active || rec.Properties["project_name"] != "web" {
		t.Errorf("fake state: %+v", rec)
	}
}

// A scope given by path is read in one request (GitLab takes the URL-encoded path as :id); it
// is resolved only when the answer is a 404, to say what is missing.
func TestListIsOneRequestAndMarksTheUnlisted(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer")
	ctx := context.Background()
	if _, err := cl.Save(ctx, web, def(t, "jenkins"), client.Update{Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "web"}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	_, cl2, _ := setupWith(t, fake)
	fake.ResetRequests()
	states, err := cl2.List(ctx, web)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("list made %d requests, want 1: %+v", n, fake.Requests())
	}
	for _, st := range states {
		if st.Name == "jenkins" && (!st.Active || st.ConfiguredUnknown) {
			t.Errorf("jenkins: %+v", st)
		}
		if st.Name == "slack" && !st.ConfiguredUnknown {
			t.Errorf("an unlisted integration's configuration is unknown on GitLab: %+v", st)
		}
	}
}

func setupWith(t *testing.T, fake *gitlabfake.Server) (*gitlabfake.Server, *gitlab.Client, *recordingClock) {
	t.Helper()
	clock := &recordingClock{now: time.Unix(1_800_000_000, 0)}
	c, err := gitlab.New(fake.URL, "maintainer", gitlab.WithHTTPClient(fake.Client()), gitlab.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, clock
}

func TestTypedParametersAndSecretRules(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer")
	ctx := context.Background()
	jira := def(t, "jira")
	_, err := cl.Save(ctx, web, jira, client.Update{Values: map[string]string{
		"url": "https://jira.example", "password": "tok", "jira_auth_type": "1", "comment_on_event_enabled": "false", "project_keys": "A,B",
	}, Active: on()})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := fake.Integration("project", "acme/web", "jira")
	if rec.Properties["jira_auth_type"] != int64(1) && rec.Properties["jira_auth_type"] != 1 && rec.Properties["jira_auth_type"] != float64(1) {
		t.Errorf("number sent as %T %v", rec.Properties["jira_auth_type"], rec.Properties["jira_auth_type"])
	}
	if rec.Properties["comment_on_event_enabled"] != false {
		t.Errorf("checkbox sent as %#v", rec.Properties["comment_on_event_enabled"])
	}
	if keys, ok := rec.Properties["project_keys"].([]string); ok && len(keys) != 2 {
		t.Errorf("string array sent as %#v", rec.Properties["project_keys"])
	}
	// Changing the address without the password would make GitLab clear it.
	st, _ := cl.Get(ctx, web, jira)
	_, err = cl.Save(ctx, web, jira, client.Update{Values: map[string]string{"url": "https://jira2.example"}, Current: &st})
	var mse *client.MissingSecretsError
	if !errors.As(err, &mse) || !strings.Contains(strings.Join(mse.Fields, ","), "password") {
		t.Errorf("changing url without the password: %v", err)
	}
}

func TestServerLimitsAreExplained(t *testing.T) {
	ctx := context.Background()
	var ie *client.InputError

	fake, old, _ := setup(t, "maintainer", gitlabfake.WithVersion("17.5.0"))
	fake.AddGroup("acme")
	_, err := old.Get(ctx, client.Scope{Level: integrations.Group, Path: "acme"}, def(t, "slack"))
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "GitLab 17.5.0; group-level integrations need GitLab 17.9") {
		t.Errorf("group API on 17.5: %v", err)
	}

	_, cl, _ := setup(t, "maintainer")
	if _, err := cl.Get(ctx, client.InstanceScope, def(t, "slack")); !errors.As(err, &ie) || !strings.Contains(err.Error(), "no API for instance-level") {
		t.Errorf("instance: %v", err)
	}
	_, err = cl.Save(ctx, web, def(t, "gitlab_slack_application"), client.Update{Values: map[string]string{"channel": "#x"}, Active: on()})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "does not let the API create") {
		t.Errorf("GitLab for Slack app: %v", err)
	}
	_, err = cl.Save(ctx, web, def(t, "mock_ci"), client.Update{Values: map[string]string{"mock_service_url": "https://x.example"}, Active: on()})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "does not know the mock_ci integration") {
		t.Errorf("an integration the server lacks: %v", err)
	}
	if _, err := cl.Disable(ctx, web, def(t, "jira_cloud_app")); !errors.As(err, &ie) {
		t.Errorf("jira cloud app disable: %v", err)
	}
	if _, err := cl.Get(ctx, client.Scope{Level: integrations.Group, Path: "acme/web"}, def(t, "slack")); err == nil || !strings.Contains(err.Error(), "acme/web is a project") {
		t.Errorf("-g on a project: %v", err)
	}
}

// A server with a certificate from a private CA works once ca_file names the CA.
func TestPrivateCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"18.1.0"}`))
	}))
	t.Cleanup(srv.Close)
	if c, err := gitlab.New(srv.URL, "t", gitlab.WithAttempts(1)); err != nil {
		t.Fatal(err)
	} else if v := c.Version(context.Background()); v != "unknown" {
		t.Errorf("without the CA the certificate must be refused, got version %q", v)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := gitlab.New(srv.URL, "t", gitlab.WithCAFile(ca))
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Version(context.Background()); v != "18.1.0" {
		t.Errorf("with ca_file: version %q", v)
	}
	if _, err := gitlab.New(srv.URL, "t", gitlab.WithCAFile(filepath.Join(t.TempDir(), "missing.pem"))); err == nil {
		t.Error("a missing ca_file was accepted")
	}
}

// Changing an address clears the optional secrets not sent with it: the write goes through and
// says so.
func TestOptionalSecretsClearedByAnAddressChangeAreReported(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer")
	ctx := context.Background()
	sq := def(t, "squash_tm")
	if _, err := cl.Save(ctx, web, sq, client.Update{Values: map[string]string{"url": "https://squash.example/hook", "token": "t0ken"}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	st, _ := cl.Get(ctx, web, sq)
	res, err := cl.Save(ctx, web, sq, client.Update{Values: map[string]string{"url": "https://squash2.example/hook"}, Current: &st})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "cleared token") {
		t.Errorf("warnings: %v", res.Warnings)
	}
	if rec, _ := fake.Integration("project", "acme/web", "squash-tm"); rec.Properties["token"] != nil {
		t.Errorf("the fake kept the token: %v", rec.Properties["token"])
	}
}

// Where many projects inherit from is resolved reading each ancestor group once, and a write
// to a group is seen at once.
func TestInheritedFromReadsEachGroupOnce(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer")
	ctx := context.Background()
	for _, p := range []string{"acme/team/a", "acme/team/b", "acme/team/c"} {
		fake.AddProject(p, false)
	}
	slack := def(t, "slack")
	if _, err := cl.Save(ctx, client.Scope{Level: integrations.Group, Path: "acme"}, slack, client.Update{Values: map[string]string{"webhook": "https://h.example/x"}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()
	for _, p := range []string{"acme/team/a", "acme/team/b", "acme/team/c"} {
		st, err := cl.Get(ctx, client.Scope{Level: integrations.Project, Path: p}, slack)
		if err != nil || st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" {
			t.Fatalf("%s: %+v %v", p, st.InheritedFrom, err)
		}
	}
	groupReads := 0
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/groups/") {
			groupReads++
		}
	}
	if groupReads > 4 { // resolving acme/team and acme, and reading each once
		t.Errorf("%d group requests for three projects", groupReads)
	}
	if _, err := cl.Save(ctx, client.Scope{Level: integrations.Group, Path: "acme/team"}, slack, client.Update{Values: map[string]string{"webhook": "https://h.example/y"}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	if st, _ := cl.Get(ctx, client.Scope{Level: integrations.Project, Path: "acme/team/a"}, slack); st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme/team" {
		t.Errorf("after a write to acme/team: %+v", st.InheritedFrom)
	}
}

func TestReadsResolveOnlyOnNotFound(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer")
	ctx := context.Background()
	fake.AddGroup("acme/team")
	fake.SetIntegration("group", "acme", "jira", map[string]any{"url": "https://jira.example", "password": "x"}, nil, true)
	fake.SetIntegration("project", "acme/web", "slack", map[string]any{"webhook": "https://hooks.example/x"}, nil, true)
	count := func(fn func() error) (int, error) {
		t.Helper()
		fake.ResetRequests()
		err := fn()
		return len(fake.Requests()), err
	}
	if n, err := count(func() error { _, err := cl.Get(ctx, web, def(t, "slack")); return err }); err != nil || n != 1 {
		t.Errorf("get of own settings: %d requests (%v), want 1", n, err)
	}
	var st client.State
	n, err := count(func() error { var err error; st, err = cl.Get(ctx, web, def(t, "jira")); return err })
	if err != nil || n != 2 || st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" {
		t.Errorf("get of inherited settings: %d requests, from %v (%v); want 2, group:acme", n, st.InheritedFrom, err)
	}
	_, err = cl.List(ctx, client.Scope{Level: integrations.Project, Path: "acme/nope"})
	if !client.IsNotFound(err) || !strings.Contains(err.Error(), "acme/nope") {
		t.Errorf("list of a missing project: %v", err)
	}
	_, err = cl.Get(ctx, client.Scope{Level: integrations.Project, Path: "acme/team"}, def(t, "slack"))
	if err == nil || !strings.Contains(err.Error(), "is a group") {
		t.Errorf("get of a group as a project: %v", err)
	}
	_, err = cl.List(ctx, client.Scope{Level: integrations.Group, Path: "acme/web"})
	if err == nil || !strings.Contains(err.Error(), "is a project") {
		t.Errorf("list of a project as a group: %v", err)
	}
}

// Concurrent readers resolving where many projects inherit from read each group once, and
// look none up: its path is its :id.
func TestConcurrentReadersShareEachGroupRead(t *testing.T) {
	fake, cl, _ := setup(t, "maintainer", gitlabfake.WithLatency(20*time.Millisecond))
	ctx := context.Background()
	for i := range 16 {
		fake.AddProject(fmt.Sprintf("acme/team/p%02d", i), false)
	}
	fake.SetIntegration("group", "acme", "jira", map[string]any{"url": "https://jira.example", "password": "x"}, nil, true)
	fake.ResetRequests()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := cl.Get(ctx, client.Scope{Level: integrations.Project, Path: fmt.Sprintf("acme/team/p%02d", i)}, def(t, "jira"))
			if err != nil || st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" {
				t.Errorf("p%02d: from %v (%v)", i, st.InheritedFrom, err)
			}
		}()
	}
	wg.Wait()
	reads := map[string]int{}
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/groups/") {
			reads[r.Path]++
		}
	}
	if len(reads) != 2 || reads["/groups/acme/team/integrations/jira"] != 1 || reads["/groups/acme/integrations/jira"] != 1 {
		t.Errorf("group reads: %v; want each of acme/team and acme once", reads)
	}
}
