package delivery

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/forgekit/integrations/internal/integrations"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name (JSON is compared after indenting, so key order
// from the encoder and whitespace do not matter). -update rewrites the file.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if json.Valid(got) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err == nil {
			got = append(buf.Bytes(), '\n')
		}
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/delivery -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// received is one request a receiver got.
type received struct {
	Method string
	Path   string // with the query
	Header http.Header
	Body   []byte
}

// receiver is a loopback HTTP server that records what it receives and answers status with
// body.
func receiver(t *testing.T, status int, body string) (*httptest.Server, func() []received) {
	t.Helper()
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: b})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func targetFor(t *testing.T, name, event string, values map[string]string) Target {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return Target{Def: d, Values: values, Event: event, Sample: NewSample(event, "acme/web", "https://gitlab.example.com")}
}
