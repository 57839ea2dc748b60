package delivery

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// chatSettings are the settings of each chat integration, pointed at base (a loopback server).
func chatSettings(name, base string) map[string]string {
	switch name {
	case "slack":
		return map[string]string{"webhook": base + "/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX", "username": "gitlab-bot", "channel": "#general"}
	case "mattermost":
		return map[string]string{"webhook": base + "/hooks/xxxgenerated", "username": "gitlab-bot", "channel": "town-square"}
	case "microsoft_teams":
		return map[string]string{"webhook": base + "/webhookb2/1111@2222/IncomingWebhook/3333/4444"}
	case "discord":
		return map[string]string{"webhook": base + "/api/webhooks/1234567890/WEBHOOK-TOKEN"}
	case "hangouts_chat":
		return map[string]string{"webhook": base + "/v1/spaces/AAAA/messages?key=KEY-1234567890&token=TOKEN-1234567890"}
	case "webex_teams":
		return map[string]string{"webhook": base + "/v1/webhooks/incoming/WEBEX-TOKEN"}
	case "pumble":
		return map[string]string{"webhook": base + "/workspaces/w1/incomingWebhooks/postMessage/PUMBLE-TOKEN"}
	case "unify_circuit":
		return map[string]string{"webhook": base + "/rest/v2/webhooks/incoming/CIRCUIT-TOKEN"}
	case "telegram":
		return map[string]string{"hostname": base, "token": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", "room": "@gitlab_updates", "thread": "12"}
	case "matrix":
		return map[string]string{"hostname": base + "/", "token": "syt-zyx57W2v1u123ew11", "room": "!aBcDeFgHiJkLmNoP:matrix.org"}
	case "campfire":
		return map[string]string{"token": "campfire-token-123", "subdomain": "example", "room": "123456"}
	}
	panic("no chat settings for " + name)
}

var chatNames = []string{
	"slack", "mattermost", "microsoft_teams", "discord", "hangouts_chat", "webex_teams", "pumble",
	"unify_circuit", "telegram", "matrix", "campfire",
}

// chatServer is a loopback server that records requests and answers as answer says. It also
// serves Campfire: chatSend points Campfire's address at it.
func chatServer(t *testing.T, answer func(r *http.Request, body []byte) (int, string)) (*httptest.Server, func() []received) {
	t.Helper()
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: b})
		mu.Unlock()
		status, body := answer(r, b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

// chatCampfireAnswer answers like Campfire: the rooms, then 201 for a message.
func chatCampfireAnswer(r *http.Request, _ []byte) (int, string) {
	if r.Method == http.MethodPost {
		return http.StatusCreated, `{"message":{"id":1}}`
	}
	return http.StatusOK, `{"rooms":[{"id":123456,"name":"123456"}]}`
}

func chatSend(t *testing.T, srv *httptest.Server, name, event string, values map[string]string) []Result {
	t.Helper()
	tg := targetFor(t, name, event, values)
	tg.CampfireURL = srv.URL
	plan, err := Build(tg)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Send(ctx, srv.Client(), plan)
}

// chatRecord is what golden files hold: each request's method, path with query, content type,
// authorization and body.
func chatRecord(t *testing.T, reqs []received) []byte {
	t.Helper()
	type rec struct {
		Method        string          `json:"method"`
		Path          string          `json:"path"`
		ContentType   string          `json:"content_type,omitempty"`
		Authorization string          `json:"authorization,omitempty"`
		Body          json.RawMessage `json:"body,omitempty"`
	}
	out := make([]rec, len(reqs))
	for i, r := range reqs {
		out[i] = rec{Method: r.Method, Path: r.Path, ContentType: r.Header.Get("Content-Type"), Authorization: r.Header.Get("Authorization")}
		if len(r.Body) > 0 {
			if !json.Valid(r.Body) {
				t.Fatalf("request %d body is not JSON: %s", i, r.Body)
			}
			out[i].Body = r.Body
		}
	}
	var v any = out
	if len(out) == 1 {
		v = out[0]
	}
	b, err := chatEncode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestChatGolden(t *testing.T) {
	cases := map[string][]string{
		"slack":           {"push", "pipeline", "merge_request", "tag_push", "issue", "note", "wiki_page", "deployment", "alert"},
		"microsoft_teams": {"push", "pipeline", "merge_request"},
		"mattermost":      {"push"},
		"discord":         {"push", "pipeline"},
		"hangouts_chat":   {"push", "issue"},
		"webex_teams":     {"push"},
		"pumble":          {"push"},
		"unify_circuit":   {"push"},
		"telegram":        {"push"},
		"matrix":          {"push", "merge_request"},
		"campfire":        {"push"},
	}
	for _, name := range chatNames {
		for _, event := range cases[name] {
			t.Run(name+"_"+event, func(t *testing.T) {
				answer := func(*http.Request, []byte) (int, string) { return http.StatusOK, `{"ok":true}` }
				if name == "campfire" {
					answer = chatCampfireAnswer
				}
				srv, got := chatServer(t, answer)
				results := chatSend(t, srv, name, event, chatSettings(name, srv.URL))
				wantSteps := 1
				if name == "campfire" {
					wantSteps = 2
				}
				if len(results) != wantSteps {
					t.Fatalf("%d results, want %d: %+v", len(results), wantSteps, results)
				}
				for _, r := range results {
					if !r.OK || r.Error != "" {
						t.Errorf("result not OK: %+v", r)
					}
				}
				reqs := got()
				if len(reqs) != wantSteps {
					t.Fatalf("the receiver got %d requests, want %d", len(reqs), wantSteps)
				}
				golden(t, name+"_"+event+".json", chatRecord(t, reqs))
			})
		}
	}
}

// TestChatWithReceiver runs a Pumble test against the package's shared loopback receiver.
func TestChatWithReceiver(t *testing.T) {
	srv, got := receiver(t, http.StatusOK, "ok")
	results := chatSend(t, srv, "pumble", "push", chatSettings("pumble", srv.URL))
	if len(results) != 1 || !results[0].OK || results[0].Status != http.StatusOK {
		t.Fatalf("results = %+v", results)
	}
	reqs := got()
	if len(reqs) != 1 || reqs[0].Header.Get("Content-Type") != "application/json" {
		t.Fatalf("requests = %+v", reqs)
	}
	// What the channel shows: GitLab's push summary, linking the branch, project and compare.
	var msg struct{ Text string }
	if err := json.Unmarshal(reqs[0].Body, &msg); err != nil {
		t.Fatalf("body %q: %v", reqs[0].Body, err)
	}
	for _, want := range []string{"Test User (test-user) pushed to branch ", "/-/commits/main|main>", "|acme / web>", "/-/compare/", "|Compare changes>"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("message %q lacks %q", msg.Text, want)
		}
	}
	if results[0].ResponseBody != "ok" {
		t.Errorf("response body %q, want the service's answer, ok", results[0].ResponseBody)
	}
}

// chatEcho answers with everything it received, in plain text and JSON-encoded, the way a
// misbehaving service or a debugging proxy might.
func chatEcho(status func(r *http.Request) int) func(r *http.Request, body []byte) (int, string) {
	return func(r *http.Request, body []byte) (int, string) {
		var b strings.Builder
		b.WriteString(r.Method + " http://" + r.Host + r.URL.RequestURI() + "\n")
		b.WriteString("path " + r.URL.Path + "\n")
		b.WriteString("query " + r.URL.RawQuery + "\n")
		for k, vs := range r.URL.Query() {
			b.WriteString(k + "=" + strings.Join(vs, ",") + "\n")
		}
		for k, vs := range r.Header {
			b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		b.Write(body)
		j, _ := json.Marshal(map[string]any{"url": "http://" + r.Host + r.URL.RequestURI(), "path": r.URL.Path, "headers": r.Header})
		b.WriteString("\n")
		b.Write(j)
		return status(r), b.String()
	}
}

func chatCanarySettings(name, base string) map[string]string {
	const c = "CANARY-SECRET"
	switch name {
	case "slack", "mattermost", "microsoft_teams", "webex_teams", "pumble", "unify_circuit":
		return map[string]string{"webhook": " " + base + "/hooks/T0000/B0000/" + c + "\n", "channel": "#general"}
	case "discord":
		return map[string]string{"webhook": base + "/api/webhooks/1/" + c, "push_channel": base + "/api/webhooks/2/" + c + "-PUSH"}
	case "hangouts_chat":
		return map[string]string{"webhook": base + "/v1/spaces/AAAA/messages?key=" + c + "-KEY&token=" + c + "-TOKEN"}
	case "telegram":
		return map[string]string{"hostname": base, "token": " 123456:" + c + " ", "room": "@chan"}
	case "matrix":
		return map[string]string{"hostname": base, "token": c + "-TOKEN", "room": "!room:matrix.org"}
	case "campfire":
		return map[string]string{"token": c, "subdomain": "example", "room": "1"}
	}
	panic("no canary settings for " + name)
}

func TestChatSecretsNeverLeak(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("CANARY-SECRET:X"))
	for _, name := range chatNames {
		for _, mode := range []string{"ok", "error"} {
			t.Run(name+"_"+mode, func(t *testing.T) {
				srv, got := chatServer(t, chatEcho(func(r *http.Request) int {
					switch {
					case mode == "error":
						return http.StatusInternalServerError
					case name == "campfire" && r.Method == http.MethodPost:
						return http.StatusCreated
					}
					return http.StatusOK
				}))
				results := chatSend(t, srv, name, "push", chatCanarySettings(name, srv.URL))
				if len(got()) == 0 {
					t.Fatal("nothing was sent")
				}
				for _, r := range results {
					if mode == "ok" && !r.OK {
						t.Errorf("result not OK: %+v", r)
					}
					if !strings.Contains(r.ResponseBody, "REDACTED") {
						t.Errorf("the echoed answer shows no redaction: %s", r.ResponseBody)
					}
					for field, v := range map[string]string{"URL": r.URL, "RequestBody": r.RequestBody, "ResponseBody": r.ResponseBody, "Error": r.Error} {
						for _, secret := range []string{"CANARY", basic} {
							if strings.Contains(v, secret) {
								t.Errorf("%s shows %q: %s", field, secret, v)
							}
						}
					}
				}
			})
		}
	}
}

// TestChatSecretsOnTransportError checks the error of a request that never got an answer.
func TestChatSecretsOnTransportError(t *testing.T) {
	srv, _ := chatServer(t, chatEcho(func(*http.Request) int { return http.StatusOK }))
	base := srv.URL
	srv.Close()
	for _, name := range chatNames {
		results := chatSend(t, srv, name, "push", chatCanarySettings(name, base))
		if len(results) != 1 || results[0].OK || results[0].Error == "" {
			t.Errorf("%s: results = %+v", name, results)
			continue
		}
		if r := results[0]; strings.Contains(r.URL+r.Error, "CANARY") {
			t.Errorf("%s: a secret shows in %q / %q", name, r.URL, r.Error)
		}
	}
}

func chatBodies(t *testing.T, reqs []received) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(reqs))
	for i, r := range reqs {
		if err := json.Unmarshal(r.Body, &out[i]); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
	}
	return out
}

func TestChatChannels(t *testing.T) {
	for _, tc := range []struct {
		name, event string
		values      map[string]string
		want        []string
	}{
		{"slack", "push", map[string]string{"channel": "#general", "push_channel": "#pushes, #ci-bot,#pushes"}, []string{"#pushes", "#ci-bot"}},
		{"slack", "merge_request", map[string]string{"channel": "#general", "push_channel": "#pushes"}, []string{"#general"}},
		{"slack", "confidential_issue", map[string]string{"channel": "#general", "issue_channel": "#issues"}, []string{"#issues"}},
		{"slack", "work_item", map[string]string{"channel": "#general", "issue_channel": "#issues"}, []string{"#issues"}},
		{"slack", "push", map[string]string{}, []string{""}},
		{"mattermost", "push", map[string]string{"channel": "town-square", "push_channel": "ci"}, []string{"ci"}},
		{"mattermost", "confidential_note", map[string]string{"note_channel": "notes"}, []string{"notes"}},
	} {
		t.Run(tc.name+"_"+tc.event, func(t *testing.T) {
			srv, got := chatServer(t, func(*http.Request, []byte) (int, string) { return http.StatusOK, "ok" })
			tc.values["webhook"] = srv.URL + "/hooks/abc"
			results := chatSend(t, srv, tc.name, tc.event, tc.values)
			if len(results) != len(tc.want) {
				t.Fatalf("%d results, want %d", len(results), len(tc.want))
			}
			var channels []string
			for _, b := range chatBodies(t, got()) {
				c, _ := b["channel"].(string)
				channels = append(channels, c)
			}
			if strings.Join(channels, "|") != strings.Join(tc.want, "|") {
				t.Errorf("channels = %q, want %q", channels, tc.want)
			}
		})
	}
}

func TestChatDiscordEventWebhook(t *testing.T) {
	srv, got := chatServer(t, func(*http.Request, []byte) (int, string) { return http.StatusNoContent, "" })
	values := map[string]string{"webhook": srv.URL + "/api/webhooks/1/main", "push_channel": srv.URL + "/api/webhooks/2/push"}
	for event, want := range map[string]string{"push": "/api/webhooks/2/push", "issue": "/api/webhooks/1/main"} {
		before := len(got())
		results := chatSend(t, srv, "discord", event, values)
		if len(results) != 1 || !results[0].OK {
			t.Fatalf("%s: results = %+v", event, results)
		}
		if p := got()[before].Path; p != want {
			t.Errorf("%s went to %s, want %s", event, p, want)
		}
	}
}

func TestChatMissingSettings(t *testing.T) {
	want := map[string]string{
		"slack": "webhook", "mattermost": "webhook", "microsoft_teams": "webhook", "discord": "webhook",
		"hangouts_chat": "webhook", "webex_teams": "webhook", "pumble": "webhook", "unify_circuit": "webhook",
		"telegram": "token and room", "matrix": "token and room", "campfire": "token and subdomain and room",
	}
	for _, name := range chatNames {
		_, err := Build(targetFor(t, name, "push", map[string]string{"webhook": "  "}))
		if !IsConfigError(err) || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: err = %v, want a config error naming %s", name, err, want[name])
		}
	}
	_, err := Build(targetFor(t, "telegram", "push", map[string]string{"token": "1:a", "room": "@c", "thread": "abc"}))
	if !IsConfigError(err) {
		t.Errorf("telegram with a non-numeric topic: err = %v", err)
	}
}

func TestChatHangoutsQuery(t *testing.T) {
	for in, want := range map[string]string{
		"https://chat.example/v1/spaces/A/messages?key=k&token=t":                                  "https://chat.example/v1/spaces/A/messages?key=k&token=t&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
		"https://chat.example/v1/spaces/A/messages":                                                "https://chat.example/v1/spaces/A/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
		"https://chat.example/v1/spaces/A/messages?key=k&messageReplyOption=REPLY_MESSAGE_OR_FAIL": "https://chat.example/v1/spaces/A/messages?key=k&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
	} {
		plan, err := Build(targetFor(t, "hangouts_chat", "push", map[string]string{"webhook": in}))
		if err != nil {
			t.Fatal(err)
		}
		if got := plan.Steps[0].URL; got != want {
			t.Errorf("%s: URL = %s, want %s", in, got, want)
		}
	}
}

func TestChatCampfirePlan(t *testing.T) {
	plan, err := Build(targetFor(t, "campfire", "push", map[string]string{"token": "tok-1234", "subdomain": "acme", "room": "42"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 {
		t.Fatalf("%d steps", len(plan.Steps))
	}
	get, post := plan.Steps[0], plan.Steps[1]
	if get.Method != http.MethodGet || get.URL != "https://acme.campfirenow.com/rooms.json" {
		t.Errorf("first step = %s %s", get.Method, get.URL)
	}
	if post.Method != http.MethodPost || post.URL != "https://acme.campfirenow.com/room/42/speak.json" {
		t.Errorf("second step = %s %s", post.Method, post.URL)
	}
	if ok, _ := post.OK(http.StatusOK, nil); ok {
		t.Error("campfire counted 200 as success; GitLab wants 201")
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("tok-1234:X"))
	if get.Header.Get("Authorization") != auth || post.Header.Get("Authorization") != auth {
		t.Error("campfire steps lack basic authentication with the token")
	}
	found := false
	for _, s := range plan.Secrets {
		found = found || s == auth
	}
	if !found {
		t.Error("the Authorization value is not among the plan's secrets")
	}
}

// TestChatSuccessRules follows GitLab's verdicts: its Slack, Mattermost, Teams and Google Chat
// tests pass on any answer, the others need 2xx.
func TestChatSuccessRules(t *testing.T) {
	srv, _ := chatServer(t, func(*http.Request, []byte) (int, string) { return http.StatusNotFound, "no_service" })
	for _, name := range chatNames {
		results := chatSend(t, srv, name, "push", chatSettings(name, srv.URL))
		if len(results) == 0 {
			t.Fatalf("%s: no results", name)
		}
		// GitLab's own test passes on any answer; a 404 from a webhook means it is wrong, so
		// here only 2xx is success.
		r := results[len(results)-1]
		if r.OK || r.Status != http.StatusNotFound {
			t.Errorf("%s: a 404 gave OK=%v (status %d), want a failure", name, r.OK, r.Status)
		}
		// The service's own words are what tells the user why: they reach the report.
		if r.ResponseBody != "no_service" || r.Error == "" {
			t.Errorf("%s: failure reported as error %q, response %q; want a reason and the answer no_service", name, r.Error, r.ResponseBody)
		}
	}
}
