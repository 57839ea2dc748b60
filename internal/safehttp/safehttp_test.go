package safehttp

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://GitLab.Example.com/api/v4":  "https://gitlab.example.com",
		"https://gitlab.example.com:443/x":   "https://gitlab.example.com",
		"http://gitlab.example.com:80":       "http://gitlab.example.com",
		"http://gitlab.example.com:8080/a?b": "http://gitlab.example.com:8080",
		"https://[::1]:8443/":                "https://[::1]:8443",
	} {
		u, _ := url.Parse(in)
		if got := Origin(u); got != want {
			t.Errorf("Origin(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	req := func(method, raw string, status int) *http.Request {
		r := httptest.NewRequest(method, raw, nil)
		r.Response = &http.Response{StatusCode: status}
		return r
	}
	cases := []struct {
		name     string
		from, to *http.Request
		refused  bool
	}{
		{"same origin GET", req("GET", "https://h.example/a", 0), req("GET", "https://h.example/b", 301), false},
		{"another host", req("GET", "https://h.example/a", 0), req("GET", "https://evil.example/a", 302), true},
		{"another port", req("GET", "https://h.example/a", 0), req("GET", "https://h.example:8443/a", 307), true},
		{"https to http", req("GET", "https://h.example/a", 0), req("GET", "http://h.example/a", 301), true},
		{"http to https", req("PUT", "http://h.example/a", 0), req("PUT", "https://h.example/a", 308), true},
		{"a PUT kept by a 308", req("PUT", "https://h.example/a", 0), req("PUT", "https://h.example/b", 308), false},
		{"a PUT losing its body to a 301", req("PUT", "https://h.example/a", 0), req("PUT", "https://h.example/b", 301), true},
		{"a POST turned into a GET by a 302", req("POST", "https://h.example/a", 0), req("GET", "https://h.example/b", 302), true},
	}
	for _, c := range cases {
		c.to.Header.Set("Referer", c.from.URL.String())
		err := CheckRedirect(c.to, []*http.Request{c.from})
		if _, ok := AsRedirect(err); ok != c.refused {
			t.Errorf("%s: %v, want refused %v", c.name, err, c.refused)
		}
		if c.to.Header.Get("Referer") != "" {
			t.Errorf("%s: the Referer stays", c.name)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	for _, c := range []struct {
		size    int
		tooLong bool
	}{{1023, false}, {1024, false}, {1025, true}, {1 << 20, true}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strings.Repeat("x", c.size)))
		}))
		hc := Client(http.DefaultTransport, Limits{Body: 1024})
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var tl *TooLargeError
		if errors.As(err, &tl) != c.tooLong || len(body) > 1024 {
			t.Errorf("%d bytes: read %d, %v", c.size, len(body), err)
		}
		srv.Close()
	}
}
