package gitlabfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	ownerToken = "glpat-owner"
	devToken   = "glpat-developer"
	readToken  = "glpat-read"
)

func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	s.AddToken(ownerToken, Token{Username: "olive", Scopes: []string{"api"}, AccessLevel: 50})
	s.AddToken(devToken, Token{Username: "dev", Scopes: []string{"api"}, AccessLevel: 30})
	s.AddToken(readToken, Token{Username: "reader", Scopes: []string{"read_api"}, AccessLevel: 50})
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// list decodes the body as a JSON array of objects.
func (r response) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatalf("body %q is not a JSON array: %v", r.body, err)
	}
	return l
}

// request is one call to the fake: path is escaped and relative to /api/v4; body is a map (sent
// as JSON), url.Values (sent as a form), a string (sent as it is) or nil.
type request struct {
	method, path, token string
	body                any
	header              map[string]string
}

func do(t *testing.T, s *Server, rq request) response {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := rq.body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(rq.method, s.URL+"/api/v4"+rq.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if rq.token != "" {
		req.Header.Set("PRIVATE-TOKEN", rq.token)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func get(t *testing.T, s *Server, path string) response {
	t.Helper()
	return do(t, s, request{method: http.MethodGet, path: path, token: ownerToken})
}

func put(t *testing.T, s *Server, path string, body any) response {
	t.Helper()
	return do(t, s, request{method: http.MethodPut, path: path, token: ownerToken, body: body})
}

func del(t *testing.T, s *Server, path string) response {
	t.Helper()
	return do(t, s, request{method: http.MethodDelete, path: path, token: ownerToken})
}

// expect checks a response's status and exact JSON body.
func expect(t *testing.T, r response, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if body == "" {
		return
	}
	var got, want any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatalf("want %q: %v", body, err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("body = %s, want %s", g, w)
	}
}

func mustRecord(t *testing.T, s *Server, kind, path, slug string) Record {
	t.Helper()
	r, ok := s.Integration(kind, path, slug)
	if !ok {
		t.Fatalf("no %s record at %s %s", slug, kind, path)
	}
	return r
}
