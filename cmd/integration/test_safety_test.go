package integration

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
)

// recorder is another origin (another port): it records whatever reaches it.
func recorder(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, fmt.Sprintf("%s %s headers=%v body=%q", r.Method, r.URL, r.Header, body))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"name":"attacker"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestTestSendsCredentialsOnlyToTheConfiguredOrigin(t *testing.T) {
	other, got := recorder(t)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), status)
		}))
		t.Cleanup(redirector.Close)
		cases := []struct {
			name   string
			values map[string]string
		}{
			{"zentao", map[string]string{"url": redirector.URL, "api_token": "ZENTAO-CANARY", "zentao_product_xid": "3"}},
			{"jira", map[string]string{"url": redirector.URL, "username": "bot", "password": "JIRA-CANARY"}},
			{"slack", map[string]string{"webhook": redirector.URL + "/services/T0/B0/SLACK-CANARY"}},
		}
		for _, c := range cases {
			e := cmdtest.New(t)
			seed(t, e, integrations.Project, "acme/web", c.name, true, c.values, nil)
			err := e.Run(testCmd, c.name+" -p acme/web -o json")
			if !errors.Is(err, cmdutil.ErrSilent) {
				t.Errorf("%s after a %d: %v, want a failed test", c.name, status, err)
			}
			v := testJSON(t, e)
			if v.OK || v.Error == nil || !strings.Contains(*v.Error, redirector.URL+" redirected to "+other.URL) {
				t.Errorf("%s after a %d: %+v, want an error naming both origins", c.name, status, v)
			}
			noCanary(t, e, c.name)
			if r := got(); len(r) > 0 {
				t.Fatalf("%s after a %d: the other origin got %v", c.name, status, r)
			}
		}
	}
}

func TestTestFollowsRedirectsWithinTheOriginWithoutAReferer(t *testing.T) {
	var referer []string
	mux := http.NewServeMux()
	mux.HandleFunc("/services/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		referer = append(referer, r.Header.Get("Referer"))
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "pushed to branch") {
			t.Errorf("the body did not follow the 308: %q", body)
		}
		_, _ = w.Write([]byte("ok"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := cmdtest.New(t)
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": srv.URL + "/services/T0/B0/CANARY-SECRET"}, nil)
	if err := e.Run(testCmd, "slack -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	if v := testJSON(t, e); !v.OK {
		t.Errorf("%+v", v)
	}
	if len(referer) != 1 || referer[0] != "" {
		t.Errorf("the redirected request came with Referer %q", referer)
	}
}

func TestAnIssueTrackerRedirectingElsewhereIsReachable(t *testing.T) {
	other, got := recorder(t)
	tracker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/login", http.StatusFound)
	}))
	t.Cleanup(tracker.Close)
	e := cmdtest.New(t)
	seed(t, e, integrations.Project, "acme/web", "redmine", true, map[string]string{
		"project_url": tracker.URL + "/projects/web", "issues_url": tracker.URL + "/issues/:id", "new_issue_url": tracker.URL + "/new",
	}, nil)
	if err := e.Run(testCmd, "redmine -p acme/web -o json"); err != nil {
		t.Fatalf("%v: %s", err, e.Out.String())
	}
	if v := testJSON(t, e); !v.OK || v.Status == nil || *v.Status != http.StatusFound {
		t.Errorf("a redirect proves the address answers, as in GitLab: %+v", v)
	}
	if len(got()) > 0 {
		t.Errorf("the redirect was followed: %v", got())
	}
}

// TestSecretsEchoedInAnyEncodingAreRedacted has services answer with the credentials they got,
// as they are and encoded the ways a server may write them; none may reach the output or the
// request log.
func TestSecretsEchoedInAnyEncodingAreRedacted(t *testing.T) {
	const user, pass = "bot@example.com", "p&ss<CANARY>/w0rd"
	pair := user + ":" + pass
	basic := base64.StdEncoding.EncodeToString([]byte(pair))
	jsonPass, _ := json.Marshal(pass)
	leaks := []string{
		"CANARY", pass, pair, basic, url.QueryEscape(pass), url.PathEscape(pass), strings.Trim(string(jsonPass), `"`),
		base64.StdEncoding.EncodeToString([]byte(pass)), strings.ToLower(url.QueryEscape(pass)),
	}
	echoAll := func(w http.ResponseWriter, r *http.Request, status int) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		bare := strings.TrimPrefix(auth, "Basic ")
		decoded, _ := base64.StdEncoding.DecodeString(bare)
		w.Header().Set("X-Echo-Auth", auth)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		reflected := []string{r.URL.String(), auth, bare, string(decoded), r.Header.Get("Token"), string(body)}
		for _, s := range reflected {
			q, _ := json.Marshal(s) // JSON-escaped: & < > as \u0026 \u003c \u003e
			_, _ = fmt.Fprintf(w, "%s %s %s\n", q, url.QueryEscape(s), base64.StdEncoding.EncodeToString([]byte(s)))
		}
		_, _ = fmt.Fprintf(w, "%s %s\n", r.URL.Query().Get("sig"), url.QueryEscape(r.URL.Query().Get("sig")))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rest/api/2/serverInfo" {
			_, _ = w.Write([]byte(`{"version":"9.12.0"}`))
			return
		}
		echoAll(w, r, http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)

	cases := []struct {
		name   string
		values map[string]string
	}{
		{"jira", map[string]string{"url": srv.URL, "username": user, "password": pass}},
		{"zentao", map[string]string{"url": srv.URL, "api_token": pass, "zentao_product_xid": "3"}},
		{"slack", map[string]string{"webhook": srv.URL + "/services/T0/B0/XYZ?a=1&sig=" + url.QueryEscape(pass)}},
	}
	for _, c := range cases {
		e := cmdtest.New(t)
		seed(t, e, integrations.Project, "acme/web", c.name, true, c.values, nil)
		for _, args := range []string{"", " -o json"} {
			if err := e.Run(testCmd, c.name+" -p acme/web"+args); !errors.Is(err, cmdutil.ErrSilent) {
				t.Fatalf("%s: %v, want a failed test", c.name, err)
			}
			if !strings.Contains(e.Out.String(), "400") {
				t.Errorf("%s: the answer is missing: %s", c.name, e.Out.String())
			}
			printed := e.Out.String() + e.ErrOut.String()
			if err := e.Run(logsCmd, c.name+" -p acme/web -o json"); err != nil {
				t.Fatal(err)
			}
			stored := e.Out.String() + e.Snapshot()
			for _, leak := range leaks {
				if strings.Contains(printed, leak) {
					t.Errorf("%s%s: %q was printed:\n%s", c.name, args, leak, printed)
				}
				if strings.Contains(stored, leak) {
					t.Errorf("%s%s: %q is in the request log", c.name, args, leak)
				}
			}
		}
	}
}

func TestTestAnswersAreBounded(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 1 << 10 { // 64 MiB, unless the reader stops first
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(huge.Close)
	trickle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 100 {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(trickle.Close)

	e := cmdtest.New(t)
	seed(t, e, integrations.Project, "acme/web", "webex_teams", true, map[string]string{"webhook": huge.URL + "/v1/webhooks/incoming/K"}, nil)
	if err := e.Run(testCmd, "webex_teams -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	if v := testJSON(t, e); !v.OK || len(v.ResponseExcerpt) > 600 {
		t.Errorf("huge answer: ok %v, excerpt of %d bytes", v.OK, len(v.ResponseExcerpt))
	}

	seed(t, e, integrations.Project, "acme/web", "webex_teams", true, map[string]string{"webhook": trickle.URL + "/v1/webhooks/incoming/K"}, nil)
	err := e.Run(testCmd, "webex_teams -p acme/web -o json --timeout 300ms")
	if v := testJSON(t, e); !errors.Is(err, cmdutil.ErrSilent) || v.Error == nil || !strings.Contains(*v.Error, "timed out") {
		t.Errorf("trickling answer: %v %+v", err, v)
	}
}
