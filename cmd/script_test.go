package cmd

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/rogpeppe/go-internal/testscript"
)

// program is the integrations binary that the scripts, terminal, signal and locking tests run
// as a separate process; TestMain builds it.
var program string

// TestMain builds the program once (main.go, then cmd.Main: the real command line) and puts it
// first in PATH, where the scripts' `exec integrations` finds it.
//
// It is built without -race, whatever this test binary was built with: those tests check what
// users see of the program as they get it (exit codes, output, files, the terminal), and the
// ~750 processes they start cost three times the CPU under the race detector (shadow memory,
// a slower start) for little gain: the race detector still covers every in-process test, which
// drive the same commands through the same Main.
//
// Most tests here wait on those processes (a terminal's next screen, a signal's effect), so more
// of them run at once than there are CPUs, unless -test.parallel says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
	os.Exit(runWithProgram(m))
}

func runWithProgram(m *testing.M) int {
	dir, err := os.MkdirTemp("", "integrations-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	program = filepath.Join(dir, "integrations")
	if err := buildProgram(program); err != nil {
		fmt.Fprintf(os.Stderr, "cannot build the program the tests run: %v\n", err)
		return 1
	}
	os.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
	return m.Run()
}

// buildProgram builds the module's main package with the go command running the tests (go test
// puts its GOROOT in the environment), so GOTOOLCHAIN and GOFLAGS apply to it as to the tests.
// It is built without cgo: a static binary starts without the dynamic linker and libc, ~2.5 ms
// less CPU for each of the ~750 processes (6 % of this package's CPU), and cgo only changes how
// host names and users are looked up, which the tests, on loopback addresses, never do.
func buildProgram(out string) error {
	goCmd := "go"
	if root := os.Getenv("GOROOT"); root != "" {
		goCmd = filepath.Join(root, "bin", "go")
	}
	build := exec.Command(goCmd, "build", "-o", out, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	msg, err := build.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %w\n%s", err, msg)
	}
	return nil
}

// fakeVersions are the GitLab versions the scripts' fake server runs as: one per OpenAPI file it
// serves. Scripts check version-specific behaviour with [gitlab19] / [!gitlab19].
var fakeVersions = []string{"18.6.0-ee", "19.5.0-ee"}

// TestScripts runs the end-to-end scripts in testdata/script: exit codes, stdout, stderr and the
// store's files, through the whole command line, against a fake GitLab of each version.
// A script that never talks to that fake (the local store, the webhook fakes) behaves the same
// whatever version it runs as, so it runs once, against the first.
func TestScripts(t *testing.T) {
	all, err := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range fakeVersions {
		files := all
		if i > 0 {
			files = gitlabScripts(t, all)
		}
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			runScripts(t, v, files)
		})
	}
}

// talksToGitLab finds a script's use of the fake whose version varies: $GITLAB_URL, the servers
// that stand in front of it, the gitlab command, or a version condition. The webhook fakes
// ($HOOKS_URL, $DELIVERING_URL) and the receiver are GitLab 19.5 in every run.
var talksToGitLab = regexp.MustCompile(`\$\{?(GITLAB|REDIRECT|TRICKLE|HTML)_URL\b|(?m)^\s*(!\s*)?gitlab\s|\[!?gitlab19\]`)

// gitlabScripts are the scripts whose outcome may depend on the fake's version.
func gitlabScripts(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if talksToGitLab.Match(raw) {
			out = append(out, f)
		}
	}
	return out
}

func runScripts(t *testing.T, version string, files []string) {
	t.Helper()
	testscript.Run(t, testscript.Params{
		Files: files,
		Condition: func(cond string) (bool, error) {
			if cond == "gitlab19" {
				return strings.HasPrefix(version, "19."), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			work := env.Getenv("WORK")
			env.Setenv("HOME", work)
			env.Setenv("XDG_DATA_HOME", filepath.Join(work, ".data"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, ".config"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(work, ".state"))
			env.Setenv("CI", "")
			env.Setenv("GITLAB_HOST", "")
			env.Setenv("GITLAB_TOKEN", "")
			env.Setenv("INTEGRATIONS_SECRET_KEY", "script key")
			// No keyring service: tokens go to the config file, and a developer's real keyring
			// is never touched.
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(work, "no-bus"))
			fake := gitlabfake.New(gitlabfake.WithVersion(version))
			env.Defer(fake.Close)
			fake.AddToken("maintainer-token", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40, ExpiresAt: "2027-01-31"})
			fake.AddToken("reader-token", gitlabfake.Token{Username: "bot", Scopes: []string{"read_api"}, AccessLevel: 40})
			env.Setenv("GITLAB_URL", fake.URL)
			env.Values[fakeKey{}] = fake
			// A GitLab 19.5 with an administrator, for webhooks (token_present, system hooks).
			hooks := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
			env.Defer(hooks.Close)
			hooks.AddToken("admin-token", gitlabfake.Token{Username: "root", Scopes: []string{"api"}, Admin: true})
			hooks.AddToken("maintainer-token", gitlabfake.Token{Username: "maint", Scopes: []string{"api"}, AccessLevel: 40})
			hooks.AddToken("owner-token", gitlabfake.Token{Username: "owner", Scopes: []string{"api"}, AccessLevel: 50})
			env.Setenv("HOOKS_URL", hooks.URL)
			env.Values[hooksKey{}] = hooks
			// One that delivers: local hook URLs allowed (its receivers are loopback) and
			// auto-disabling on, as on GitLab.com.
			delivering := gitlabfake.New(gitlabfake.WithVersion("19.5.0"), gitlabfake.WithLocalHookURLs(), gitlabfake.WithHookAutoDisabling())
			env.Defer(delivering.Close)
			delivering.AddToken("maintainer-token", gitlabfake.Token{Username: "maint", Scopes: []string{"api"}, AccessLevel: 40})
			delivering.AddToken("owner-token", gitlabfake.Token{Username: "owner", Scopes: []string{"api"}, AccessLevel: 50})
			env.Setenv("DELIVERING_URL", delivering.URL)
			env.Values[deliveringKey{}] = delivering
			rc := newReceiver()
			env.Defer(rc.Close)
			env.Setenv("RECEIVER_URL", rc.URL)
			env.Values[receiverKey{}] = rc
			for name, srv := range misbehaving(fake.URL) {
				env.Defer(srv.Close)
				env.Setenv(name, srv.URL)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    exits,
			"gitlab":   gitlabCmd,
			"hookfake": hookfakeCmd,
			"receiver": receiverCmd,
			"mode":     modeCmd,
			"lastrun":  lastRunCmd,
		},
	})
}

type (
	fakeKey       struct{}
	hooksKey      struct{}
	deliveringKey struct{}
	receiverKey   struct{}
)

// misbehaving are servers that are not what they should be, named by the variable a script
// finds them in: one redirecting everything to the fake GitLab (another origin), one trickling
// its answer a byte at a time, one answering a web page.
func misbehaving(gitlabURL string) map[string]*httptest.Server {
	return map[string]*httptest.Server{
		"REDIRECT_URL": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, gitlabURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		})),
		"TRICKLE_URL": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for _, b := range []byte(`{"id":1,"path_with_namespace":"acme/web"` + strings.Repeat(" ", 200) + "}") {
				_, _ = w.Write([]byte{b})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(100 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		})),
		"HTML_URL": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!DOCTYPE html><html><title>Sign in</title><body>" + strings.Repeat("<p>more</p>", 1000) + "</body></html>"))
		})),
	}
}

// gitlab drives the fake GitLab server a script talks to:
//
//	gitlab project PATH | gitlab group PATH     create them (and parent groups)
//	gitlab state KIND PATH SLUG                 print the server's record as JSON (secrets included)
//	gitlab requests                             print how many requests the server has served
//	gitlab puts                                 print the body of each PUT since the last reset, one a line
//	gitlab reset                                forget the requests served so far
//	gitlab drop SLUG PARAM                      make the server's API ignore a parameter (a version without it)
//	gitlab hide-version                         make /version answer 403
func gitlabCmd(ts *testscript.TestScript, neg bool, args []string) {
	fake := ts.Value(fakeKey{}).(*gitlabfake.Server)
	if neg || len(args) == 0 {
		ts.Fatalf("usage: gitlab project|group|state|requests ...")
	}
	switch args[0] {
	case "project":
		fake.AddProject(args[1], false)
	case "group":
		fake.AddGroup(args[1])
	case "state":
		rec, ok := fake.Integration(args[1], args[2], args[3])
		if !ok {
			ts.Fatalf("no %s %s", args[1], args[2])
		}
		raw, err := json.MarshalIndent(map[string]any{
			"persisted": rec.Persisted, "active": rec.Active, "inherited": rec.Inherited,
			"inherit_from": rec.InheritFrom, "properties": rec.Properties, "events": rec.Events,
		}, "", "  ")
		ts.Check(err)
		_, _ = ts.Stdout().Write(append(raw, '\n'))
	case "requests":
		fmt.Fprintln(ts.Stdout(), len(fake.Requests()))
	case "puts":
		for _, r := range fake.Requests() {
			if r.Method == "PUT" {
				fmt.Fprintln(ts.Stdout(), r.Body)
			}
		}
	case "reset":
		fake.ResetRequests()
	case "drop":
		fake.DropParams(args[1], args[2:]...)
	case "hide-version":
		fake.HideVersion()
	default:
		ts.Fatalf("unknown gitlab command %q", args[0])
	}
}

// hookfake drives the GitLab 19.5 fake at $HOOKS_URL, or with "delivering" first the one at
// $DELIVERING_URL, which delivers to loopback receivers and auto-disables failing hooks:
//
//	hookfake project PATH | hookfake group PATH   create them (and parent groups)
//	hookfake hooks project|group|system [PATH]    print the stored hooks as JSON (secrets included)
//	hookfake requests                             print how many requests it has served
//	hookfake clock DURATION                       move its delivery clock forward (rate limits, backoff)
//	hookfake alert project|group PATH ID STATUS [DURATION]
//	                                              set a hook's alert_status as auto-disabling
//	                                              would, disabled_until DURATION from now
func hookfakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	fake := ts.Value(hooksKey{}).(*gitlabfake.Server)
	if len(args) > 0 && args[0] == "delivering" {
		fake, args = ts.Value(deliveringKey{}).(*gitlabfake.Server), args[1:]
	}
	if neg || len(args) == 0 {
		ts.Fatalf("usage: hookfake [delivering] project|group|hooks|requests|clock|alert ...")
	}
	switch args[0] {
	case "clock":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		fake.AdvanceClock(d)
	case "project":
		fake.AddProject(args[1], false)
	case "group":
		fake.AddGroup(args[1])
	case "hooks":
		path := ""
		if len(args) > 2 {
			path = args[2]
		}
		_, _ = ts.Stdout().Write(append(fake.HooksJSON(args[1], path), '\n'))
	case "requests":
		fmt.Fprintln(ts.Stdout(), len(fake.Requests()))
	case "alert":
		hookAlert(ts, fake, args[1:])
	default:
		ts.Fatalf("unknown hookfake command %q", args[0])
	}
}

// receiver is the loopback webhook receiver at $RECEIVER_URL.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []http.Header
}

func newReceiver() *receiver {
	rc := &receiver{status: http.StatusOK}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, r.Header.Clone())
		w.WriteHeader(rc.status)
		fmt.Fprintf(w, "receiver says %d", rc.status)
	}))
	return rc
}

// receiver drives the receiver at $RECEIVER_URL:
//
//	receiver answer STATUS     answer every later request with STATUS
//	receiver count             print how many requests it got
//	receiver header NAME       print that header of the last request
func receiverCmd(ts *testscript.TestScript, neg bool, args []string) {
	rc := ts.Value(receiverKey{}).(*receiver)
	if neg || len(args) == 0 {
		ts.Fatalf("usage: receiver answer|count|header ...")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch args[0] {
	case "answer":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		rc.status = n
	case "count":
		fmt.Fprintln(ts.Stdout(), len(rc.got))
	case "header":
		if len(rc.got) == 0 {
			ts.Fatalf("the receiver got nothing")
		}
		fmt.Fprintln(ts.Stdout(), rc.got[len(rc.got)-1].Get(args[1]))
	default:
		ts.Fatalf("unknown receiver command %q", args[0])
	}
}

func hookAlert(ts *testscript.TestScript, fake *gitlabfake.Server, args []string) {
	if len(args) < 4 {
		ts.Fatalf("usage: hookfake alert project|group PATH ID STATUS [DURATION]")
	}
	id, err := strconv.ParseInt(args[2], 10, 64)
	ts.Check(err)
	var until *time.Time
	if len(args) > 4 {
		d, err := time.ParseDuration(args[4])
		ts.Check(err)
		t := time.Now().Add(d)
		until = &t
	}
	if !fake.SetHookAlert(args[0], args[1], id, args[3], until) {
		ts.Fatalf("no hook %d at %s %s", id, args[0], args[1])
	}
}

// lastrun VAR sets VAR to the ID of the bulk run whose journal was written last, for a script
// to resume or revert it.
func lastRunCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lastrun VAR")
	}
	dir := filepath.Join(ts.Getenv("XDG_STATE_HOME"), "integrations", "runs")
	entries, err := os.ReadDir(dir)
	ts.Check(err)
	var last string
	var at time.Time
	for _, e := range entries {
		info, err := e.Info()
		ts.Check(err)
		if strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") && !info.ModTime().Before(at) {
			last, at = strings.TrimSuffix(e.Name(), ".json"), info.ModTime()
		}
	}
	if last == "" {
		ts.Fatalf("no run journal in %s", dir)
	}
	ts.Setenv(args[0], last)
}

// mode FILE PERM checks a file's permission bits, e.g. mode store.db 0600.
func modeCmd(ts *testscript.TestScript, neg bool, args []string) {
	st, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fmt.Sprintf("%04o", st.Mode().Perm())
	if (got == args[1]) == neg {
		ts.Fatalf("%s has mode %s, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}

// exits N PROGRAM ARGS… runs the program and checks its exit code is exactly N, keeping its
// output for the stdout and stderr checks that follow.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	code := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		code = ee.ExitCode()
	}
	if code != want {
		ts.Fatalf("exit code %d, want %d", code, want)
	}
}
