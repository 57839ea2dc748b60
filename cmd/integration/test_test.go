package integration

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/spf13/cobra"
)

func testCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdTest(f, nil) }
func logsCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdLogs(f, nil) }

// echo is a receiver that answers status and echoes what it got, as a badly behaved service
// might: secrets must not come back through the response excerpt either.
func echo(t *testing.T, status int, delay time.Duration) (*httptest.Server, *atomic.Int32, *[]byte) {
	t.Helper()
	var n atomic.Int32
	var last []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		last = body
		// A client that gave up has closed the request: stop waiting with it, so a timeout test
		// costs the client's timeout and not the server's delay.
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(r.URL.String() + " " + string(body)))
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &last
}

func testJSON(t *testing.T, e *cmdtest.Env) testView {
	t.Helper()
	var v testView
	if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, e.Out.String())
	}
	return v
}

func noCanary(t *testing.T, e *cmdtest.Env, where string) {
	t.Helper()
	if strings.Contains(e.Out.String()+e.ErrOut.String()+e.Snapshot(), "CANARY") {
		t.Errorf("%s: the canary secret leaked into output or the store's logs", where)
	}
}

func TestTestDeliversAndLogs(t *testing.T) {
	e := cmdtest.New(t)
	srv, n, body := echo(t, http.StatusOK, 0)
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": srv.URL + "/services/T0/B0/CANARY-SECRET"}, nil)

	if err := e.Run(testCmd, "slack -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	v := testJSON(t, e)
	if !v.OK || v.Status == nil || *v.Status != 200 || v.Event != "push" || v.Scope != "project:acme/web" || v.Error != nil {
		t.Errorf("result: %+v", v)
	}
	if n.Load() != 1 || !strings.Contains(string(*body), "pushed to branch") {
		t.Errorf("the receiver got %d requests: %s", n.Load(), *body)
	}
	noCanary(t, e, "success")

	if err := e.Run(logsCmd, "slack -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	var logs []struct {
		OK     bool   `json:"ok"`
		Method string `json:"method"`
	}
	if err := json.Unmarshal(e.Out.Bytes(), &logs); err != nil || len(logs) != 1 || !logs[0].OK || logs[0].Method != "POST" {
		t.Fatalf("logs: %v %s", err, e.Out.String())
	}
	noCanary(t, e, "logs")
}

func TestTestFailuresExitOneWithAReason(t *testing.T) {
	slow, _, _ := echo(t, http.StatusOK, 2*time.Second)
	broken, _, _ := echo(t, http.StatusInternalServerError, 0)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	closedURL := closed.URL
	closed.Close()

	cases := []struct{ name, url, args, want string }{
		{"500", broken.URL, "", "answered 500"},
		{"timeout", slow.URL, "--timeout 200ms", "timed out"},
		{"refused", closedURL, "", "connection refused"},
		{"bad TLS", tlsSrv.URL, "", "TLS: the certificate is signed by an unknown authority"},
	}
	for _, c := range cases {
		e := cmdtest.New(t)
		seed(t, e, integrations.Project, "acme/web", "webex_teams", true, map[string]string{"webhook": c.url + "/v1/webhooks/incoming/CANARY-SECRET"}, nil)
		err := e.Run(testCmd, "webex_teams -p acme/web -o json "+c.args)
		if !errors.Is(err, cmdutil.ErrSilent) {
			t.Errorf("%s: %v, want a failure exit", c.name, err)
			continue
		}
		v := testJSON(t, e)
		if v.OK || v.Error == nil || !strings.Contains(*v.Error, c.want) {
			t.Errorf("%s: %+v, want an error saying %q", c.name, v, c.want)
		}
		if !strings.Contains(e.ErrOut.String(), "test at project:acme/web failed") || strings.Count(strings.TrimSpace(e.ErrOut.String()), "\n") != 0 {
			t.Errorf("%s: stderr %q", c.name, e.ErrOut.String())
		}
		noCanary(t, e, c.name)
		if err := e.Run(logsCmd, "webex_teams -p acme/web --failed -o json"); err != nil || !strings.Contains(e.Out.String(), `"ok": false`) {
			t.Errorf("%s: failed deliveries are logged: %v %s", c.name, err, e.Out.String())
		}
	}
}

func TestTestDryRunSendsNothing(t *testing.T) {
	e := cmdtest.New(t)
	srv, n, _ := echo(t, http.StatusOK, 0)
	seed(t, e, integrations.Project, "acme/web", "jenkins", true, map[string]string{
		"jenkins_url": srv.URL, "project_name": "web", "username": "ci", "password": "CANARY-SECRET",
	}, nil)
	before := e.Snapshot()
	if err := e.Run(testCmd, "jenkins -p acme/web --event merge_request --dry-run"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 0 || e.Snapshot() != before {
		t.Error("--dry-run sent or logged something")
	}
	if !strings.Contains(e.Out.String(), "X-Gitlab-Event: Merge Request Hook") || !strings.Contains(e.Out.String(), `"object_kind":"merge_request"`) {
		t.Errorf("dry run output:\n%s", e.Out.String())
	}
	noCanary(t, e, "dry run")
}

func TestTestJiraChecksTheCredentials(t *testing.T) {
	var calls []string
	jira := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.URL.Path)
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot@example.com:right-token"))
		switch {
		case r.URL.Path == "/rest/api/2/serverInfo":
			_, _ = w.Write([]byte(`{"version":"9.12.0","deploymentType":"Server"}`))
		case r.Header.Get("Authorization") != want:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			_, _ = w.Write([]byte(`{"name":"bot","displayName":"CI Bot"}`))
		}
	}))
	t.Cleanup(jira.Close)
	for _, c := range []struct {
		password string
		ok       bool
	}{{"right-token", true}, {"wrong-token", false}} {
		e := cmdtest.New(t)
		seed(t, e, integrations.Project, "acme/web", "jira", true, map[string]string{
			"url": jira.URL, "username": "bot@example.com", "password": c.password,
		}, nil)
		calls = nil
		err := e.Run(testCmd, "jira -p acme/web -o json")
		v := testJSON(t, e)
		if v.OK != c.ok || (err == nil) != c.ok {
			t.Errorf("password %s: ok %v err %v", c.password, v.OK, err)
		}
		if strings.Join(calls, ",") != "/rest/api/2/serverInfo,/rest/api/2/myself" {
			t.Errorf("calls %v", calls)
		}
		if !c.ok && (v.Error == nil || !strings.Contains(*v.Error, "Jira refused the credentials (401)")) {
			t.Errorf("wrong password: %+v", v)
		}
		if strings.Contains(e.Out.String(), c.password) {
			t.Error("the Jira password reached the output")
		}
	}
}

func TestTestRefusesWhatCannotBeTested(t *testing.T) {
	e := cmdtest.New(t)
	for _, args := range []string{"confluence -p acme/web", "emails_on_push -p acme/web", "slack -p acme/web --event build"} {
		err := e.Run(testCmd, args)
		if !isUsageError(err) {
			t.Errorf("test %s: %v, want a usage error", args, err)
		}
	}
	if err := e.Run(testCmd, "slack -p acme/web"); err == nil || !isUsageError(err) {
		t.Errorf("testing an unconfigured integration: %v", err)
	}
}

func TestTestOnGitLabNeedsTheWebhook(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	srv, n, _ := echo(t, http.StatusOK, 0)
	fake.SetIntegration("project", "acme/web", "slack", map[string]any{"webhook": srv.URL + "/hook/CANARY-SECRET"}, nil, true)
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	e := cmdtest.New(t, cmdtest.WithBackend(c))
	if err := e.Run(testCmd, "slack -p acme/web"); !isUsageError(err) || !strings.Contains(err.Error(), "--set webhook=") {
		t.Errorf("without the webhook: %v", err)
	}
	t.Setenv("HOOK", srv.URL+"/hook/CANARY-SECRET")
	if err := e.Run(testCmd, "slack -p acme/web --set webhook=env:HOOK -o json"); err != nil {
		t.Fatal(err)
	}
	if v := testJSON(t, e); !v.OK || n.Load() != 1 {
		t.Errorf("with the webhook: %+v, %d requests", v, n.Load())
	}
	noCanary(t, e, "gitlab")
}

// A test to this machine or a private network passes here but GitLab would not deliver there:
// stderr says so, naming the host only. A public address gets no warning.
func TestTestWarnsAboutLocalTargets(t *testing.T) {
	e := cmdtest.New(t)
	srv, _, _ := echo(t, http.StatusOK, 0)
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": srv.URL + "/services/T0/B0/CANARY-SECRET"}, nil)
	if err := e.Run(testCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.ErrOut.String(), "warning: 127.0.0.1 is a loopback address") || !strings.Contains(e.ErrOut.String(), "GitLab blocks webhooks to local and private networks") {
		t.Errorf("no warning: %q", e.ErrOut.String())
	}
	noCanary(t, e, "warning")

	for host, want := range map[string]string{
		"10.1.2.3": "a private-network address", "192.168.0.9": "a private-network address", "localhost": "a loopback address",
		"169.254.1.1": "a local address", "::1": "a loopback address", "203.0.113.7": "", "8.8.8.8": "",
	} {
		if got := localKind(t.Context(), host); got != want {
			t.Errorf("%s: %q, want %q", host, got, want)
		}
	}
}
