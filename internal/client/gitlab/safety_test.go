package gitlab_test

import (
	"context"
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

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/safehttp"
)

// seen records what reached a server.
type seen struct {
	mu       sync.Mutex
	requests []string
}

func (s *seen) add(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, fmt.Sprintf("%s %s token=%q body=%q", r.Method, r.URL, r.Header.Get("Private-Token"), body))
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// elsewhere is another origin (another port), which records every request it gets.
func elsewhere(t *testing.T) (*httptest.Server, *seen) {
	t.Helper()
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.add(r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1,"username":"attacker","active":true,"properties":{}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func redirectingTo(t *testing.T, target string, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirectsToAnotherOriginCarryNeitherTokenNorBody(t *testing.T) {
	ctx := context.Background()
	other, got := elsewhere(t)
	jenkins := def(t, "jenkins")
	upd := client.Update{
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "web", "password": "PUT-SECRET"},
		Active: on(), Current: &client.State{Configured: true, Values: map[string]string{}},
	}
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := redirectingTo(t, other.URL, status)
		c, err := gitlab.New(srv.URL, "TOKEN-SECRET", gitlab.WithClock(&recordingClock{}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CurrentUser(ctx)
		assertRedirectRefused(t, err, srv.URL, other.URL)
		_, err = c.Save(ctx, client.Scope{Level: web.Level, ID: 7, Path: "acme/web"}, jenkins, upd)
		assertRedirectRefused(t, err, srv.URL, other.URL)
		if len(got.all()) > 0 {
			t.Fatalf("after a %d, the other origin got: %v", status, got.all())
		}
	}
}

func assertRedirectRefused(t *testing.T, err error, from, to string) {
	t.Helper()
	var re *safehttp.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), from) || !strings.Contains(err.Error(), to) {
		t.Errorf("got %v, want a refused redirect naming %s and %s", err, from, to)
	}
	if err != nil && errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("a refused redirect is not an authentication failure: %v", err)
	}
}

func TestRedirectsWithinTheOriginAreFollowed(t *testing.T) {
	var got seen
	mux := http.NewServeMux()
	mux.HandleFunc("/old/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimPrefix(r.URL.RequestURI(), "/old"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/api/v4/user", func(w http.ResponseWriter, r *http.Request) {
		got.add(r)
		if r.Header.Get("Referer") != "" {
			t.Errorf("a Referer was sent: %s", r.Header.Get("Referer"))
		}
		_, _ = w.Write([]byte(`{"id":1,"username":"admin"}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := gitlab.New(srv.URL+"/old", "TOKEN-SECRET")
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.CurrentUser(context.Background())
	if err != nil || u.Username != "admin" {
		t.Fatalf("got %+v, %v", u, err)
	}
	if r := got.all(); len(r) != 1 || !strings.Contains(r[0], `token="TOKEN-SECRET"`) {
		t.Errorf("the same origin should get the request with its token: %v", r)
	}
}

// echoing answers 400 with the token and the request body reflected in every encoding a
// server might use, in the body and in headers.
func echoing(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		token := r.Header.Get("Private-Token")
		var sent map[string]any
		_ = json.Unmarshal(body, &sent)
		pass, _ := sent["password"].(string)
		forms := []string{token, pass, url.QueryEscape(pass), base64.StdEncoding.EncodeToString([]byte(token))}
		quoted, _ := json.Marshal(pass) // & < > become \u0026 \u003c \u003e
		w.Header().Set("X-Echo", token+" "+pass)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		msg, _ := json.Marshal(map[string]any{"message": "invalid " + strings.Join(forms, " ") + " " + string(quoted)})
		_, _ = w.Write(msg)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSecretsAServerEchoesAreRedacted(t *testing.T) {
	ctx := context.Background()
	srv := echoing(t)
	token, pass := "glpat-TOKEN-SECRET", "pa&ss<wo>rd/SECRET"
	c, err := gitlab.New(srv.URL, token, gitlab.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	upd := client.Update{
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "web", "username": "ci", "password": pass},
		Active: on(), Current: &client.State{Configured: true, Values: map[string]string{}},
	}
	_, err = c.Save(ctx, client.Scope{Level: web.Level, ID: 7, Path: "acme/web"}, def(t, "jenkins"), upd)
	if err == nil {
		t.Fatal("the 400 was not reported")
	}
	_, userErr := c.CurrentUser(ctx)
	for _, msg := range []string{err.Error(), fmt.Sprint(userErr)} {
		if !strings.Contains(msg, "invalid") {
			t.Errorf("the server's message is gone: %s", msg)
		}
		for _, leak := range []string{
			token, pass, url.QueryEscape(pass), `pa\u0026ss\u003cwo\u003erd`, "SECRET",
			base64.StdEncoding.EncodeToString([]byte(token)),
		} {
			if strings.Contains(msg, leak) {
				t.Errorf("%q leaked into: %s", leak, msg)
			}
		}
	}
}

func TestHugeAnswersAreCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("["))
		item := []byte(`{"slug":"slack","active":true,"properties":{}},`)
		for range (8 << 20) / len(item) {
			if _, err := w.Write(item); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`{"slug":"jira","active":true}]`))
	}))
	t.Cleanup(srv.Close)
	limits := safehttp.Defaults
	limits.Body = 1 << 20
	c, err := gitlab.New(srv.URL, "tok", gitlab.WithLimits(limits))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), client.Scope{Level: web.Level, ID: 7, Path: "acme/web"})
	var tl *safehttp.TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("got %v, want the answer cut at 1 MiB", err)
	}
}

// trickling sends a valid answer one byte at a time, slowly: a request must end at its own
// timeout rather than wait for it.
func trickling(t *testing.T, answer string, every time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for i := range len(answer) {
			if _, err := w.Write([]byte{answer[i]}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(every):
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestATricklingServerDoesNotHangARequest(t *testing.T) {
	srv := trickling(t, `[                                                  ]`, 50*time.Millisecond)
	limits := safehttp.Defaults
	limits.Request = 300 * time.Millisecond
	c, err := gitlab.New(srv.URL, "tok", gitlab.WithLimits(limits))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), client.Scope{Level: web.Level, ID: 7, Path: "acme/web"})
	var te *safehttp.TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "did not finish answering within 300ms") {
		t.Errorf("got %v, want the request's timeout", err)
	}
}

func TestASilentBodyTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[" + strings.Repeat(" ", 300)))
		w.(http.Flusher).Flush()
		select {
		case <-time.After(5 * time.Second):
			_, _ = w.Write([]byte("]"))
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	limits := safehttp.Defaults
	limits.Idle = 200 * time.Millisecond
	c, err := gitlab.New(srv.URL, "tok", gitlab.WithLimits(limits))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), client.Scope{Level: web.Level, ID: 7, Path: "acme/web"})
	if !strings.Contains(fmt.Sprint(err), "stopped sending for 200ms") {
		t.Errorf("got %v, want the silence timeout", err)
	}
}

func TestAnAnswerThatIsNotGitLabsSaysSo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><title>Sign in · Example SSO</title>" + strings.Repeat("<p>padding</p>", 500)))
	}))
	t.Cleanup(srv.Close)
	c, err := gitlab.New(srv.URL, "tok")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CurrentUser(context.Background())
	msg := fmt.Sprint(err)
	if !strings.Contains(msg, "does not look like a GitLab API at "+srv.URL+"/api/v4") || !strings.Contains(msg, "Sign in · Example SSO") {
		t.Errorf("got %s", msg)
	}
	if strings.Contains(msg, "answered 200: OK") || len(msg) > 500 {
		t.Errorf("want a short excerpt, not the whole page: %d bytes: %s", len(msg), msg)
	}
}

func TestPaginationThatGoesBackwardsEnds(t *testing.T) {
	var listings int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v4/groups/acme" {
			_, _ = w.Write([]byte(`{"id":5,"full_path":"acme"}`))
			return
		}
		listings++
		if listings > 20 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Next-Page", "1") // always the first page again
		_, _ = fmt.Fprintf(w, `[{"id":%d,"path_with_namespace":"acme/p%d"}]`, listings, listings)
	}))
	t.Cleanup(srv.Close)
	c, err := gitlab.New(srv.URL, "tok", gitlab.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	err = c.Walk(context.Background(), client.Scope{Level: integrations.Group, Path: "acme"}, client.WalkOptions{}, func(n client.Namespace) error {
		seen = append(seen, n.Scope.Path)
		return nil
	})
	if err != nil || listings != 1 || strings.Join(seen, ",") != "acme,acme/p1" {
		t.Errorf("got %v after %d listings: %v", seen, listings, err)
	}
}

func TestARedirectToHTTPSSaysWhichHostToUse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Scheme, u.Host = "https", "localhost"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	}))
	t.Cleanup(srv.Close)
	c, err := gitlab.New(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), "TOKEN-SECRET")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CurrentUser(context.Background())
	if !strings.Contains(fmt.Sprint(err), "redirected to https://localhost; ") || !strings.Contains(fmt.Sprint(err), "use --host https://localhost") {
		t.Errorf("got %v", err)
	}
}
