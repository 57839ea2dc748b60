package gitlabfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestAuthentication(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	s.AddToken("glpat-old", Token{Username: "old", Scopes: []string{"api"}, AccessLevel: 50, ExpiresAt: "2020-01-01"})

	tests := []struct {
		name   string
		rq     request
		status int
		body   string
	}{
		{"no token", request{method: "GET", path: "/user"}, 401, `{"message":"401 Unauthorized"}`},
		{"unknown token", request{method: "GET", path: "/user", token: "nope"}, 401, `{"message":"401 Unauthorized"}`},
		{
			"expired token",
			request{method: "GET", path: "/user", token: "glpat-old"},
			401,
			`{"error":"invalid_token","error_description":"Token has expired."}`,
		},
		{
			"bearer token",
			request{method: "GET", path: "/version", header: map[string]string{"Authorization": "Bearer " + ownerToken}},
			200,
			`{"enterprise":true,"revision":"fake","version":"18.5.0"}`,
		},
		{"read_api may read", request{method: "GET", path: "/projects/acme%2Fweb/integrations", token: readToken}, 200, `[]`},
		{
			"read_api may not write",
			request{method: "PUT", path: "/projects/acme%2Fweb/integrations/asana", token: readToken, body: map[string]any{"api_key": "k"}},
			403,
			`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`,
		},
		{"developer may see the project", request{method: "GET", path: "/projects/acme%2Fweb", token: devToken}, 200, ""},
		{
			"developer may not list integrations",
			request{method: "GET", path: "/projects/acme%2Fweb/integrations", token: devToken},
			403,
			`{"message":"403 Forbidden"}`,
		},
		{
			"developer may not write",
			request{method: "PUT", path: "/projects/acme%2Fweb/integrations/asana", token: devToken, body: map[string]any{"api_key": "k"}},
			403,
			`{"message":"403 Forbidden"}`,
		},
		{
			"not found comes before forbidden",
			request{method: "GET", path: "/projects/acme%2Fnope/integrations", token: devToken},
			404,
			`{"message":"404 Project Not Found"}`,
		},
		{"unknown routes need no token", request{method: "GET", path: "/nothing/here"}, 404, `{"error":"404 Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, do(t, s, tt.rq), tt.status, tt.body)
		})
	}
}

func TestUserTokenAndVersion(t *testing.T) {
	s := newServer(t, WithVersion("17.10.2-ee"))
	s.AddToken("glpat-named", Token{Username: "nina", Scopes: []string{"api", "read_api"}, AccessLevel: 40, ExpiresAt: "2999-12-31", Name: "ci"})

	u := do(t, s, request{method: "GET", path: "/user", token: "glpat-named"}).obj(t)
	if u["username"] != "nina" || u["name"] != "nina" || u["id"] == nil {
		t.Errorf("/user = %v", u)
	}
	tok := do(t, s, request{method: "GET", path: "/personal_access_tokens/self", token: "glpat-named"}).obj(t)
	if tok["name"] != "ci" || tok["expires_at"] != "2999-12-31" || tok["active"] != true || tok["id"] == nil {
		t.Errorf("/personal_access_tokens/self = %v", tok)
	}
	if sc, _ := tok["scopes"].([]any); len(sc) != 2 || sc[0] != "api" || sc[1] != "read_api" {
		t.Errorf("scopes = %v", tok["scopes"])
	}
	expect(t, get(t, s, "/version"), 200, `{"version":"17.10.2-ee","revision":"fake","enterprise":true}`)
}

func TestProjectsAndGroups(t *testing.T) {
	s := newServer(t)
	gid := s.AddGroup("acme/platform")
	pid := s.AddProject("acme/platform/web", true)
	acme, _ := s.GroupID("acme")
	if id, _ := s.ProjectID("acme/platform/web"); id != pid {
		t.Fatalf("ProjectID = %d, want %d", id, pid)
	}
	if again := s.AddGroup("acme/platform"); again != gid {
		t.Fatalf("AddGroup twice gave %d and %d", gid, again)
	}

	for _, path := range []string{"/projects/" + strconv.FormatInt(pid, 10), "/projects/acme%2Fplatform%2Fweb", "/projects/ACME%2Fplatform%2Fweb"} {
		p := get(t, s, path).obj(t)
		if p["id"] != float64(pid) || p["path"] != "web" || p["path_with_namespace"] != "acme/platform/web" || p["archived"] != true {
			t.Errorf("GET %s = %v", path, p)
		}
		ns, _ := p["namespace"].(map[string]any)
		if ns["id"] != float64(gid) || ns["full_path"] != "acme/platform" || ns["kind"] != "group" {
			t.Errorf("GET %s namespace = %v", path, ns)
		}
	}
	for _, path := range []string{"/groups/" + strconv.FormatInt(gid, 10), "/groups/acme%2Fplatform"} {
		g := get(t, s, path).obj(t)
		if g["id"] != float64(gid) || g["path"] != "platform" || g["full_path"] != "acme/platform" || g["parent_id"] != float64(acme) {
			t.Errorf("GET %s = %v", path, g)
		}
	}
	if g := get(t, s, "/groups/acme").obj(t); g["parent_id"] != nil {
		t.Errorf("top-level group parent_id = %v", g["parent_id"])
	}

	expect(t, get(t, s, "/projects/acme%2Fnope"), 404, `{"message":"404 Project Not Found"}`)
	expect(t, get(t, s, "/projects/99999"), 404, `{"message":"404 Project Not Found"}`)
	expect(t, get(t, s, "/groups/acme%2Fplatform%2Fweb"), 404, `{"message":"404 Group Not Found"}`)
	expect(t, get(t, s, "/projects/acme%2Fplatform"), 404, `{"message":"404 Project Not Found"}`)
	// An unencoded path is more segments: no route.
	expect(t, get(t, s, "/projects/acme/platform/web"), 404, `{"error":"404 Not Found"}`)
}

func TestPagination(t *testing.T) {
	s := newServer(t, WithPerPageMax(4))
	s.AddGroup("acme")
	for i := 1; i <= 5; i++ {
		s.AddGroup("acme/g" + strconv.Itoa(i))
	}
	s.AddGroup("acme/g1/deep")

	r := get(t, s, "/groups/acme%2Fg1/subgroups")
	if r.header.Get("X-Total") != "1" || r.header.Get("X-Total-Pages") != "1" || r.header.Get("X-Next-Page") != "" {
		t.Errorf("headers = %v", r.header)
	}

	// descendant_groups: g1..g5 and g1/deep, 6 in all, ordered by id.
	r = get(t, s, "/groups/acme/descendant_groups?per_page=2&page=2")
	items := r.list(t)
	if len(items) != 2 || items[0]["full_path"] != "acme/g3" || items[1]["full_path"] != "acme/g4" {
		t.Errorf("page 2 = %v", items)
	}
	want := map[string]string{"X-Page": "2", "X-Per-Page": "2", "X-Next-Page": "3", "X-Prev-Page": "1", "X-Total": "6", "X-Total-Pages": "3"}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	link := r.header.Get("Link")
	next := s.URL + "/api/v4/groups/acme/descendant_groups?page=3&per_page=2"
	for _, part := range []string{`<` + next + `>; rel="next"`, `rel="prev"`, `rel="first"`, `rel="last"`} {
		if !strings.Contains(link, part) {
			t.Errorf("Link %q lacks %q", link, part)
		}
	}

	// The last page has no next page; per_page is capped at the maximum; the Link keeps %2F.
	r = get(t, s, "/groups/acme/descendant_groups?per_page=50&page=2")
	if got := len(r.list(t)); got != 2 {
		t.Errorf("last page has %d items, want 2", got)
	}
	if r.header.Get("X-Per-Page") != "4" || r.header.Get("X-Next-Page") != "" || strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Errorf("last page headers = %v", r.header)
	}
	r = get(t, s, "/groups/acme%2Fg1/subgroups?per_page=1")
	if !strings.Contains(r.header.Get("Link"), "/api/v4/groups/acme%2Fg1/subgroups?page=1&per_page=1") {
		t.Errorf("Link = %q", r.header.Get("Link"))
	}

	// Beyond the last page: an empty list.
	if got := get(t, s, "/groups/acme/subgroups?page=9").list(t); len(got) != 0 {
		t.Errorf("page 9 = %v", got)
	}
	expect(t, get(t, s, "/groups/acme/subgroups?page=x"), 400, `{"error":"page is invalid"}`)
	expect(t, get(t, s, "/groups/nope/subgroups"), 404, `{"message":"404 Group Not Found"}`)

	// An empty listing still has one page.
	r = get(t, s, "/groups/acme%2Fg5/subgroups")
	if r.header.Get("X-Total") != "0" || r.header.Get("X-Total-Pages") != "1" || string(r.body) != "[]\n" {
		t.Errorf("empty listing: %v %q", r.header, r.body)
	}
}

func TestGroupProjects(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	s.AddProject("acme/old", true)
	s.AddProject("acme/team/api", false)
	s.AddProject("other/x", false)

	paths := func(r response) string {
		var out []string
		for _, it := range r.list(t) {
			out = append(out, it["path_with_namespace"].(string))
		}
		return strings.Join(out, " ")
	}
	tests := map[string]string{
		"/groups/acme/projects":                                              "acme/web acme/old",
		"/groups/acme/projects?include_subgroups=true":                       "acme/web acme/old acme/team/api",
		"/groups/acme/projects?include_subgroups=true&archived=false":        "acme/web acme/team/api",
		"/groups/acme/projects?archived=true":                                "acme/old",
		"/groups/acme/projects?include_subgroups=true&order_by=id&sort=desc": "acme/team/api acme/old acme/web",
		"/groups/acme/projects?include_subgroups=true&order_by=path":         "acme/team/api acme/old acme/web",
	}
	for path, want := range tests {
		if got := paths(get(t, s, path)); got != want {
			t.Errorf("GET %s = %q, want %q", path, got, want)
		}
	}
}

// Listings are kept between pages; a project added or archived since must still show.
func TestListingFollowsChanges(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	const unarchived = "/groups/acme/projects?include_subgroups=true&archived=false"
	count := func() string { return get(t, s, unarchived).header.Get("X-Total") }
	if got := count(); got != "1" {
		t.Fatalf("X-Total = %s, want 1", got)
	}
	s.AddProject("acme/team/api", false)
	if got := count(); got != "2" {
		t.Errorf("after adding a project: X-Total = %s, want 2", got)
	}
	s.AddProject("acme/web", true)
	if got := count(); got != "1" {
		t.Errorf("after archiving a project: X-Total = %s, want 1", got)
	}
	s.AddGroup("acme/new")
	if got := get(t, s, "/groups/acme/descendant_groups").header.Get("X-Total"); got != "2" {
		t.Errorf("descendant groups: X-Total = %s, want 2", got)
	}
}

func TestRequestLog(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	get(t, s, "/projects/acme%2Fweb?statistics=true")
	put(t, s, "/projects/acme%2Fweb/integrations/asana", map[string]any{"api_key": "k"})
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("Requests() = %v", reqs)
	}
	if r := reqs[0]; r.Method != "GET" || r.Path != "/projects/acme/web" || r.Query.Get("statistics") != "true" || r.Status != 200 {
		t.Errorf("first request = %+v", r)
	}
	if r := reqs[1]; r.Method != "PUT" || r.Path != "/projects/acme/web/integrations/asana" || r.Body != `{"api_key":"k"}` || r.Status != 200 {
		t.Errorf("second request = %+v", r)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

func TestRateLimitHeaders(t *testing.T) {
	s := newServer(t)
	s.RateLimitNext(1, 1500*time.Millisecond)
	before := time.Now()
	r := get(t, s, "/version")
	if r.status != 429 || r.header.Get("Content-Type") != "text/plain" || strings.TrimSpace(string(r.body)) != "Retry later" {
		t.Fatalf("got %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", r.header.Get("Retry-After"))
	}
	reset, err := strconv.ParseInt(r.header.Get("RateLimit-Reset"), 10, 64)
	if err != nil || reset < before.Unix()+1 || reset > time.Now().Unix()+2 {
		t.Errorf("RateLimit-Reset = %q", r.header.Get("RateLimit-Reset"))
	}
	if rt, err := http.ParseTime(r.header.Get("RateLimit-ResetTime")); err != nil || rt.Unix() != reset {
		t.Errorf("RateLimit-ResetTime = %q", r.header.Get("RateLimit-ResetTime"))
	}
	for _, h := range []string{"RateLimit-Name", "RateLimit-Limit", "RateLimit-Observed"} {
		if r.header.Get(h) == "" {
			t.Errorf("%s missing", h)
		}
	}
	if r.header.Get("RateLimit-Remaining") != "0" {
		t.Errorf("RateLimit-Remaining = %q", r.header.Get("RateLimit-Remaining"))
	}
	expect(t, get(t, s, "/version"), 200, "")

	at := time.Now().Add(30 * time.Second).Truncate(time.Second)
	s.RateLimitResetOnly(2, at)
	for range 2 {
		r = get(t, s, "/version")
		if r.status != 429 || r.header.Get("Retry-After") != "" || r.header.Get("RateLimit-Reset") != strconv.FormatInt(at.Unix(), 10) {
			t.Errorf("reset-only: %d %v", r.status, r.header)
		}
	}
	expect(t, get(t, s, "/version"), 200, "")
}

func TestFailNext(t *testing.T) {
	s := newServer(t)
	s.FailNext(2, 503)
	s.FailNext(1, 500)
	expect(t, get(t, s, "/version"), 503, `{"message":"503 Service Unavailable"}`)
	expect(t, get(t, s, "/version"), 503, `{"message":"503 Service Unavailable"}`)
	expect(t, get(t, s, "/version"), 500, `{"message":"500 Internal Server Error"}`)
	expect(t, get(t, s, "/version"), 200, "")
	var statuses []int
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{503, 503, 500, 200}) {
		t.Errorf("logged statuses = %v", statuses)
	}
}

func TestDropNext(t *testing.T) {
	s := newServer(t)
	s.DropNext(1)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v4/version", nil)
	req.Header.Set("PRIVATE-TOKEN", ownerToken)
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("dropped request got a response: %d", res.StatusCode)
	}
	expect(t, get(t, s, "/version"), 200, "")
	if reqs := s.Requests(); len(reqs) != 2 || reqs[0].Status != 0 || reqs[1].Status != 200 {
		t.Errorf("Requests() = %+v", reqs)
	}
}

func TestFaultRateIsDeterministic(t *testing.T) {
	run := func(seed int64) []int {
		s := newServer(t)
		s.SetFaultRate(0.3, seed)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		var out []int
		for range 60 {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v4/version", nil)
			req.Header.Set("PRIVATE-TOKEN", ownerToken)
			res, err := client.Do(req)
			if err != nil {
				out = append(out, 0)
				continue
			}
			res.Body.Close()
			if res.StatusCode == 429 && res.Header.Get("Retry-After") != "1" {
				t.Errorf("429 with Retry-After %q", res.Header.Get("Retry-After"))
			}
			out = append(out, res.StatusCode)
		}
		return out
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	kinds := map[int]bool{}
	for _, st := range a {
		kinds[st] = true
	}
	if !kinds[200] || len(kinds) < 3 {
		t.Errorf("fault mix = %v", a)
	}
}

func TestVersionGating(t *testing.T) {
	s := newServer(t, WithVersion("17.8.1"))
	s.AddProject("acme/web", false)
	expect(t, get(t, s, "/groups/acme/integrations"), 404, `{"error":"404 Not Found"}`)
	expect(t, get(t, s, "/groups/acme/integrations/slack"), 404, `{"error":"404 Not Found"}`)
	expect(t, put(t, s, "/groups/acme/integrations/slack", map[string]any{"webhook": "https://h"}), 404, `{"error":"404 Not Found"}`)
	expect(t, del(t, s, "/groups/acme/integrations/slack"), 404, `{"error":"404 Not Found"}`)
	// Project routes and group lookups are there.
	expect(t, get(t, s, "/groups/acme"), 200, "")
	expect(t, put(t, s, "/projects/acme%2Fweb/integrations/slack", map[string]any{"webhook": "https://h"}), 200, "")
	if m := get(t, s, "/projects/acme%2Fweb/integrations/slack").obj(t); m["inherited"] != false {
		t.Errorf("17.8 response inherited = %v", m["inherited"])
	}

	s2 := newServer(t, WithVersion("17.9.0"))
	s2.AddGroup("acme")
	expect(t, get(t, s2, "/groups/acme/integrations"), 200, `[]`)

	// Before 17.3 there is no `inherited`.
	s3 := newServer(t, WithVersion("17.2.0"))
	s3.AddProject("acme/web", false)
	m := put(t, s3, "/projects/acme%2Fweb/integrations/asana", map[string]any{"api_key": "k"}).obj(t)
	if _, ok := m["inherited"]; ok {
		t.Errorf("17.2 response has inherited: %v", m)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t)
	s.AddGroup("acme")
	const workers = 16
	for i := range workers {
		s.AddProject("acme/p"+strconv.Itoa(i), false)
	}
	errs := make(chan error, workers)
	for i := range workers {
		go func() {
			// Group saves propagate to the projects; each project keeps custom settings by
			// saying use_inherited_settings=false.
			path := "/projects/acme%2Fp" + strconv.Itoa(i) + "/integrations/slack"
			for j := range 20 {
				if err := send(s, http.MethodPut, path, `{"use_inherited_settings":false,"webhook":"https://h/`+strconv.Itoa(j)+`"}`); err != nil {
					errs <- err
					return
				}
				if err := send(s, http.MethodGet, path, ""); err != nil {
					errs <- err
					return
				}
				if j%5 == 0 {
					if err := send(s, http.MethodPut, "/groups/acme/integrations/slack", `{"webhook":"https://group"}`); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range workers {
		r := mustRecord(t, s, "project", "acme/p"+strconv.Itoa(i), "slack")
		if r.Inherited || r.Properties["webhook"] != "https://h/19" {
			t.Errorf("p%d = %+v", i, r)
		}
	}
}

// send makes a request from any goroutine and fails unless the answer is 200.
func send(s *Server, method, path, body string) error {
	req, err := http.NewRequest(method, s.URL+"/api/v4"+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("PRIVATE-TOKEN", ownerToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.Client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	return nil
}

// BenchmarkPutGet measures the fake itself: a PUT and a GET per iteration, from parallel clients.
func BenchmarkPutGet(b *testing.B) {
	s := New()
	defer s.Close()
	s.AddToken(ownerToken, Token{Username: "olive", Scopes: []string{"api"}, AccessLevel: 50})
	for i := range 64 {
		s.AddProject("acme/p"+strconv.Itoa(i), false)
	}
	s.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		path := "/projects/acme%2Fp" + strconv.FormatInt(n.Add(1)%64, 10) + "/integrations/slack"
		for pb.Next() {
			if err := send(s, http.MethodPut, path, `{"webhook":"https://h","channel":"#x"}`); err != nil {
				b.Fatal(err)
			}
			if err := send(s, http.MethodGet, path, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
