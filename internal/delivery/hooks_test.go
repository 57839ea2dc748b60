package delivery

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// hooksCase is one builder's test: its settings (given the receiver's URL), what the receiver
// must get, and the golden file of the body.
type hooksCase struct {
	name, event string
	values      func(srv string) map[string]string
	// base is the package variable holding the service's fixed host, pointed at the receiver.
	base      *string
	method    string
	path      string // path and query the receiver gets
	hookEvent string // X-Gitlab-Event; "" means the header must be absent
	golden    string // golden file of the body; "" means the body must be empty
	header    map[string]string
	// canaries are the secrets of values; none may reach a Result.
	canaries []string
}

func hooksCases() []hooksCase {
	return []hooksCase{
		{
			name: "jenkins", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"jenkins_url": srv + "/ci", "project_name": "web-build", "username": "ci-bot", "password": "canary-jenkins-p@ss:w/rd"}
			},
			method: "POST", path: "/ci/project/web-build", hookEvent: "Push Hook", golden: "jenkins_push.json",
			header:   map[string]string{"Content-Type": "application/json", "X-Gitlab-Instance": "https://gitlab.example.com", "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("ci-bot:canary-jenkins-p@ss:w/rd"))},
			canaries: []string{"canary-jenkins-p@ss:w/rd"},
		},
		{
			name: "jenkins", event: "merge_request",
			values: func(srv string) map[string]string {
				return map[string]string{"jenkins_url": srv, "project_name": "web-build"}
			},
			method: "POST", path: "/project/web-build", hookEvent: "Merge Request Hook", golden: "jenkins_merge_request.json",
		},
		{
			name: "jenkins", event: "tag_push",
			values: func(srv string) map[string]string {
				return map[string]string{"jenkins_url": srv + "/", "project_name": "web-build"}
			},
			method: "POST", path: "/project/web-build", hookEvent: "Tag Push Hook", golden: "jenkins_tag_push.json",
		},
		{
			name: "datadog", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{
					"api_url": srv + "/api/v2/webhook", "api_key": "canaryDatadogKey0123",
					"datadog_service": "gitlab-ci", "datadog_env": "ci", "datadog_tags": "team:platform\n\n  region:eu \nlist:a,b\n",
				}
			},
			method: "POST", hookEvent: "Push Hook", golden: "datadog_push.json",
			path:     "/api/v2/webhook?dd-api-key=canaryDatadogKey0123&env=ci&service=gitlab-ci&tags=team%3Aplatform%2Cregion%3Aeu%2C%22list%3Aa%2Cb%22",
			canaries: []string{"canaryDatadogKey0123"},
		},
		{
			name: "datadog", event: "pipeline",
			values: func(srv string) map[string]string {
				return map[string]string{"api_url": srv + "/api/v2/webhook", "api_key": "canaryDatadogKey0123"}
			},
			method: "POST", path: "/api/v2/webhook?dd-api-key=canaryDatadogKey0123", hookEvent: "Pipeline Hook", golden: "datadog_pipeline.json",
			canaries: []string{"canaryDatadogKey0123"},
		},
		{
			name: "datadog", event: "build",
			values: func(srv string) map[string]string {
				return map[string]string{"api_url": srv + "/api/v2/webhook", "api_key": "canaryDatadogKey0123"}
			},
			method: "POST", path: "/api/v2/webhook?dd-api-key=canaryDatadogKey0123", hookEvent: "Job Hook", golden: "datadog_build.json",
		},
		{
			name: "packagist", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"username": "acme-bot", "token": "canary-packagist-token", "server": srv}
			},
			method: "POST", path: "/api/update-package?username=acme-bot&apiToken=canary-packagist-token", hookEvent: "Service Hook", golden: "packagist_push.json",
			canaries: []string{"canary-packagist-token"},
		},
		{
			name: "buildkite", event: "push", base: &hooksBuildkiteBase,
			values: func(string) map[string]string {
				return map[string]string{"project_url": "https://buildkite.com/acme/web", "token": "canarywebhooktoken:canarystatustoken"}
			},
			method: "POST", path: "/deliver/canarywebhooktoken", hookEvent: "Service Hook", golden: "buildkite_push.json",
			canaries: []string{"canarywebhooktoken", "canarystatustoken"},
		},
		{
			name: "drone_ci", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"drone_url": srv, "token": "canary-drone-token"}
			},
			method: "POST", path: "/hook?owner=acme&name=web&access_token=canary-drone-token", hookEvent: "Service Hook", golden: "drone_ci_push.json",
			canaries: []string{"canary-drone-token"},
		},
		{
			name: "squash_tm", event: "issue",
			values: func(srv string) map[string]string {
				return map[string]string{"url": srv + "/squash/plugin/xsquash4gitlab/webhook/issue", "token": "canary squash&token"}
			},
			method: "POST", path: "/squash/plugin/xsquash4gitlab/webhook/issue?token=canary+squash%26token", hookEvent: "Test Configuration Hook", golden: "squash_tm_issue.json",
			canaries: []string{"canary squash&token"},
		},
		{
			name: "squash_tm", event: "",
			values: func(srv string) map[string]string {
				return map[string]string{"url": srv + "/webhook/issue"}
			},
			method: "POST", path: "/webhook/issue", hookEvent: "Test Configuration Hook", golden: "squash_tm_issue.json",
		},
		{
			name: "teamcity", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"teamcity_url": srv + "/", "build_type": "Acme_Web_Build", "username": "tc-bot", "password": "canary-teamcity-pass"}
			},
			method: "POST", path: "/httpAuth/app/rest/buildQueue", golden: "teamcity_push.xml",
			header:   map[string]string{"Content-Type": "application/xml", "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("tc-bot:canary-teamcity-pass"))},
			canaries: []string{"canary-teamcity-pass"},
		},
		{
			name: "teamcity", event: "merge_request",
			values: func(srv string) map[string]string {
				return map[string]string{"teamcity_url": srv, "build_type": `Acme "Web" & <Build>`, "username": "tc-bot", "password": "canary-teamcity-pass"}
			},
			method: "POST", path: "/httpAuth/app/rest/buildQueue", golden: "teamcity_merge_request.xml",
		},
		{
			name: "bamboo", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"bamboo_url": srv, "build_key": "CANARY-PLAN", "username": "bamboo-bot", "password": "canary-bamboo-pass"}
			},
			method: "GET", path: "/updateAndBuild.action?buildKey=CANARY-PLAN&os_authType=basic",
			header:   map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("bamboo-bot:canary-bamboo-pass"))},
			canaries: []string{"CANARY-PLAN", "canary-bamboo-pass"},
		},
		{
			name: "bamboo", event: "push",
			values: func(srv string) map[string]string {
				return map[string]string{"bamboo_url": srv + "/bamboo/", "build_key": "PROJ-PLAN"}
			},
			method: "GET", path: "/bamboo/updateAndBuild.action?buildKey=PROJ-PLAN",
			header: map[string]string{"Authorization": ""},
		},
		{
			name: "assembla", event: "push", base: &hooksAssemblaBase,
			values: func(string) map[string]string {
				return map[string]string{"token": "canary-assembla-token", "subdomain": "acme space"}
			},
			method: "POST", path: "/spaces/acme+space/github_tool?secret_key=canary-assembla-token", golden: "assembla_push.json",
			header:   map[string]string{"Content-Type": "application/json"},
			canaries: []string{"canary-assembla-token"},
		},
		{
			name: "pivotaltracker", event: "push", base: &hooksPivotalBase,
			values: func(string) map[string]string {
				return map[string]string{"token": "canary-pivotal-token", "restrict_to_branch": "release"}
			},
			method: "POST", path: "/services/v5/source_commits", golden: "pivotaltracker_push.json",
			header:   map[string]string{"Content-Type": "application/json", "X-Trackertoken": "canary-pivotal-token"},
			canaries: []string{"canary-pivotal-token"},
		},
		{
			name: "asana", event: "push", base: &hooksAsanaBase,
			values: func(string) map[string]string {
				return map[string]string{"api_key": "canary-asana-key"}
			},
			method: "GET", path: "/api/1.0/users/me",
			header:   map[string]string{"Authorization": "Bearer canary-asana-key"},
			canaries: []string{"canary-asana-key"},
		},
		{
			name: "pushover", event: "push", base: &hooksPushoverBase,
			values: func(string) map[string]string {
				return map[string]string{"api_key": "canary-pushover-api", "user_key": "canary-pushover-user", "device": "phone,laptop", "priority": "1", "sound": "bike"}
			},
			method: "POST", path: "/1/messages.json", golden: "pushover_push.txt",
			header:   map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			canaries: []string{"canary-pushover-api", "canary-pushover-user"},
		},
	}
}

// hooksUseBase points a fixed-host variable at the receiver for the test.
func hooksUseBase(t *testing.T, base *string, to string) {
	t.Helper()
	if base == nil {
		return
	}
	old := *base
	*base = to
	t.Cleanup(func() { *base = old })
}

func hooksCaseName(c hooksCase) string {
	ev := c.event
	if ev == "" {
		ev = "default"
	}
	return c.name + "/" + ev
}

func hooksTarget(t *testing.T, c hooksCase, srv string) Target {
	t.Helper()
	tg := targetFor(t, c.name, c.event, c.values(srv))
	if c.event == "" {
		tg.Sample = Sample{}
	}
	return tg
}

func TestHookDeliveries(t *testing.T) {
	for _, c := range hooksCases() {
		t.Run(hooksCaseName(c), func(t *testing.T) {
			srv, got := receiver(t, http.StatusOK, `{"ok":true}`)
			if c.name == "packagist" {
				srv, got = receiver(t, http.StatusAccepted, `{"status":"success"}`)
			}
			hooksUseBase(t, c.base, srv.URL)
			plan, err := Build(hooksTarget(t, c, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			res := Send(context.Background(), srv.Client(), plan)
			if len(res) != 1 {
				t.Fatalf("got %d results, want 1: %+v", len(res), res)
			}
			if r := res[0]; !r.OK || r.Error != "" || (r.Status != http.StatusOK && r.Status != http.StatusAccepted) {
				t.Fatalf("result %+v, want success", r)
			}
			reqs := got()
			if len(reqs) != 1 {
				t.Fatalf("receiver got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != c.method || r.Path != c.path {
				t.Errorf("got %s %s, want %s %s", r.Method, r.Path, c.method, c.path)
			}
			if ev := r.Header.Get("X-Gitlab-Event"); ev != c.hookEvent {
				t.Errorf("X-Gitlab-Event = %q, want %q", ev, c.hookEvent)
			}
			for k, want := range c.header {
				if v := r.Header.Get(k); v != want {
					t.Errorf("%s = %q, want %q", k, v, want)
				}
			}
			if c.hookEvent != "" && r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", r.Header.Get("Content-Type"))
			}
			if c.golden == "" {
				if len(r.Body) != 0 {
					t.Errorf("body = %q, want none", r.Body)
				}
				return
			}
			golden(t, c.golden, r.Body)
		})
	}
}

// TestHookSuccessRules checks which answers count as success: Jenkins only 200, Packagist only
// 202, Squash TM only 200, the others any 2xx; a 500 fails everywhere with a one-line reason.
func TestHookSuccessRules(t *testing.T) {
	only := map[string]int{"jenkins": http.StatusOK, "packagist": http.StatusAccepted, "squash_tm": http.StatusOK}
	seen := map[string]bool{}
	for _, c := range hooksCases() {
		if seen[c.name] {
			continue
		}
		seen[c.name] = true
		for _, status := range []int{http.StatusOK, http.StatusCreated, http.StatusAccepted, http.StatusNoContent, http.StatusMultipleChoices, http.StatusNotFound, http.StatusInternalServerError} {
			t.Run(fmt.Sprintf("%s/%d", c.name, status), func(t *testing.T) {
				srv, _ := receiver(t, status, `{"error":"something"}`)
				hooksUseBase(t, c.base, srv.URL)
				plan, err := Build(hooksTarget(t, c, srv.URL))
				if err != nil {
					t.Fatal(err)
				}
				res := Send(context.Background(), srv.Client(), plan)
				r := res[len(res)-1]
				want := status >= 200 && status < 300
				if w, ok := only[c.name]; ok {
					want = status == w
				}
				if r.Status != status || r.OK != want {
					t.Fatalf("status %d: result %+v, want OK=%v", status, r, want)
				}
				if want {
					return
				}
				if r.Error == "" || strings.ContainsAny(r.Error, "\r\n") {
					t.Errorf("Error = %q, want a one-line reason", r.Error)
				}
				if !strings.Contains(r.Error, fmt.Sprint(status)) {
					t.Errorf("Error = %q does not name the status %d", r.Error, status)
				}
			})
		}
	}
}

func TestHookSpecificStatuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ok     bool
		reason string
	}{
		{"packagist", http.StatusOK, false, "the service answered 200 OK; GitLab counts only 202 as success"},
		{"packagist", http.StatusAccepted, true, ""},
		{"jenkins", http.StatusCreated, false, "the service answered 201 Created; GitLab counts only 200 as success"},
		{"jenkins", http.StatusOK, true, ""},
		{"squash_tm", http.StatusNoContent, false, "the service answered 204 No Content; GitLab counts only 200 as success"},
		{"datadog", http.StatusAccepted, true, ""},
		{"datadog", http.StatusInternalServerError, false, "the service answered 500 Internal Server Error"},
		{"drone_ci", http.StatusInternalServerError, false, "the service answered 500 Internal Server Error"},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.name, tc.status), func(t *testing.T) {
			var c hooksCase
			for _, cc := range hooksCases() {
				if cc.name == tc.name {
					c = cc
					break
				}
			}
			srv, _ := receiver(t, tc.status, `{}`)
			hooksUseBase(t, c.base, srv.URL)
			plan, err := Build(hooksTarget(t, c, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			r := Send(context.Background(), srv.Client(), plan)[0]
			if r.OK != tc.ok || r.Error != tc.reason {
				t.Errorf("got OK=%v Error=%q, want OK=%v Error=%q", r.OK, r.Error, tc.ok, tc.reason)
			}
		})
	}
}

// hooksEcho answers every request with the whole request: method, URL, headers and body, the
// worst a service can do with what it was sent.
func hooksEcho(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s %s\n", r.Method, r.URL.RequestURI())
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range r.Header[k] {
				fmt.Fprintf(&sb, "%s: %s\n", k, v)
				if k == "Authorization" {
					// Also the bare credentials, decoded, as a careless service might log them.
					if b64, ok := strings.CutPrefix(v, "Basic "); ok {
						sb.WriteString(b64 + "\n")
						if dec, err := base64.StdEncoding.DecodeString(b64); err == nil {
							sb.Write(append(dec, '\n'))
						}
					}
				}
			}
		}
		sb.WriteString("\n")
		sb.Write(b)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, sb.String())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hooksForms are the ways a canary can be written: as is, escaped for a query or a path.
func hooksForms(canary string) []string {
	return []string{canary, url.QueryEscape(canary), url.PathEscape(canary)}
}

// TestHookSecretsNeverInResults sends every builder's request to a receiver that echoes it back
// and checks that no secret, in any form, reaches a Result, on success or failure.
func TestHookSecretsNeverInResults(t *testing.T) {
	for _, c := range hooksCases() {
		if len(c.canaries) == 0 {
			continue
		}
		for _, status := range []int{http.StatusOK, http.StatusAccepted, http.StatusInternalServerError} {
			t.Run(fmt.Sprintf("%s/%d", hooksCaseName(c), status), func(t *testing.T) {
				srv := hooksEcho(t, status)
				hooksUseBase(t, c.base, srv.URL)
				plan, err := Build(hooksTarget(t, c, srv.URL))
				if err != nil {
					t.Fatal(err)
				}
				res := Send(context.Background(), srv.Client(), plan)
				if len(res) == 0 {
					t.Fatal("no result")
				}
				if res[0].ResponseBody == "" {
					t.Fatal("the echo did not come back")
				}
				for _, r := range res {
					fields := map[string]string{"URL": r.URL, "RequestBody": r.RequestBody, "ResponseBody": r.ResponseBody, "Error": r.Error}
					for _, canary := range c.canaries {
						for _, form := range hooksForms(canary) {
							for name, v := range fields {
								if strings.Contains(v, form) {
									t.Errorf("%s holds the secret %q:\n%s", name, form, v)
								}
							}
						}
					}
					for _, h := range []string{"Authorization"} {
						for _, s := range plan.Steps {
							if a := s.Header.Get(h); a != "" && strings.Contains(r.ResponseBody, strings.TrimPrefix(strings.TrimPrefix(a, "Basic "), "Bearer ")) {
								t.Errorf("ResponseBody holds the %s credentials:\n%s", h, r.ResponseBody)
							}
						}
					}
				}
			})
		}
	}
}

func TestHookJenkinsCredentialsInURL(t *testing.T) {
	tg := targetFor(t, "jenkins", "push", map[string]string{
		"jenkins_url": "https://jenkins.example.com/ci/", "project_name": "web build", "username": "ci bot", "password": "p@ss:w/rd",
	})
	plan, err := Build(tg)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(plan.Steps[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	if u.User.Username() != "ci bot" || pass != "p@ss:w/rd" {
		t.Errorf("userinfo = %q/%q, want the credentials back after decoding", u.User.Username(), pass)
	}
	if u.Host != "jenkins.example.com" || u.Path != "/ci/project/web build" {
		t.Errorf("URL = %s, want host jenkins.example.com and path /ci/project/web build", plan.Steps[0].URL)
	}
	// What a Result shows of the URL: neither the password nor the username's userinfo.
	if got := excerpt([]byte(plan.Steps[0].URL), plan.Secrets); strings.Contains(got, "p%40ss") || strings.Contains(got, "p@ss") || strings.Contains(got, "ci%20bot") {
		t.Errorf("redacted URL %q still holds the credentials", got)
	}
}

func TestHookDatadogSiteURL(t *testing.T) {
	for site, want := range map[string]string{
		"":                  "https://webhook-intake.datadoghq.com/api/v2/webhook?dd-api-key=k3y",
		"app.datadoghq.eu":  "https://webhook-intake.datadoghq.eu/api/v2/webhook?dd-api-key=k3y",
		"us3.datadoghq.com": "https://webhook-intake.us3.datadoghq.com/api/v2/webhook?dd-api-key=k3y",
	} {
		plan, err := Build(targetFor(t, "datadog", "push", map[string]string{"datadog_site": site, "api_key": "k3y"}))
		if err != nil {
			t.Fatal(err)
		}
		if got := plan.Steps[0].URL; got != want {
			t.Errorf("site %q: URL = %s, want %s", site, got, want)
		}
	}
	// api_url wins over the site, and its own query is replaced, as GitLab does.
	plan, err := Build(targetFor(t, "datadog", "push", map[string]string{"datadog_site": "datadoghq.eu", "api_url": "https://intake.example.com/hook?x=1", "api_key": "k3y"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.Steps[0].URL, "https://intake.example.com/hook?dd-api-key=k3y"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
}

func TestHookConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]string
	}{
		{"jenkins", map[string]string{"jenkins_url": "https://jenkins.example.com"}},
		{"jenkins", map[string]string{"jenkins_url": "jenkins.example.com", "project_name": "x"}},
		{"datadog", map[string]string{"datadog_site": "datadoghq.com"}},
		{"packagist", map[string]string{"username": "u"}},
		{"buildkite", map[string]string{"token": ":status-only"}},
		{"drone_ci", map[string]string{"drone_url": "https://drone.example.com"}},
		{"squash_tm", map[string]string{"token": "t0ken"}},
		{"teamcity", map[string]string{"teamcity_url": "https://tc.example.com", "build_type": "B", "username": "u"}},
		{"bamboo", map[string]string{"bamboo_url": "https://bamboo.example.com"}},
		{"assembla", map[string]string{"token": "t0ken"}},
		{"pivotaltracker", map[string]string{}},
		{"asana", map[string]string{}},
		{"pushover", map[string]string{"api_key": "a", "user_key": "u"}},
	} {
		_, err := Build(targetFor(t, tc.name, "push", tc.values))
		if !IsConfigError(err) {
			t.Errorf("%s %v: err = %v, want a ConfigError", tc.name, tc.values, err)
		}
	}
}

func TestHookEventName(t *testing.T) {
	for in, want := range map[string]string{
		"push_hook": "Push Hook", "merge_request_hook": "Merge Request Hook", "tag_push_hook": "Tag Push Hook",
		"job hook": "Job Hook", "archive_trace hook": "Archive Trace Hook", "pipeline hook": "Pipeline Hook",
	} {
		if got := hooksEventName(in); got != want {
			t.Errorf("hooksEventName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHookDatadogTags(t *testing.T) {
	if got, want := hooksDatadogTags(" a:1\r\n\n b:x,y \nc:3\n"), `a:1,"b:x,y",c:3`; got != want {
		t.Errorf("tags = %q, want %q", got, want)
	}
}
