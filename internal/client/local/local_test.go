package local

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/gofrs/flock"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "store.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func def(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func scope(t *testing.T, level integrations.Level, path string) client.Scope {
	t.Helper()
	sc, err := client.ParseScope(level, path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func on() *bool { b := true; return &b }

func TestOpenCreatesPrivateFilesAndReopens(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "")
	s, path := openTemp(t)
	ctx := context.Background()
	if _, err := s.Save(ctx, scope(t, integrations.Project, "acme/web"), def(t, "slack"), client.Update{
		Values: map[string]string{"webhook": "https://hooks.example/T/SECRET-CANARY"}, Active: on(),
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".key", path + "-wal"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %o, want no group or other access", filepath.Base(p), mode)
		}
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Errorf("store directory has mode %o, want 700", dir.Mode().Perm())
	}
	s.Close()

	// The secret must be encrypted at rest: not in the database, its WAL, or anywhere on disk.
	for _, p := range []string{path, path + "-wal"} {
		raw, _ := os.ReadFile(p)
		if bytes.Contains(raw, []byte("SECRET-CANARY")) {
			t.Errorf("secret found in clear in %s", filepath.Base(p))
		}
	}

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	st, err := s2.Get(ctx, scope(t, integrations.Project, "acme/web"), def(t, "slack"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Values["webhook"] != "https://hooks.example/T/SECRET-CANARY" || !st.Active {
		t.Errorf("after reopen got %+v", st)
	}
	var version int
	if err := s2.conn().QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != SchemaVersion {
		t.Errorf("schema version %d, want %d (%v)", version, SchemaVersion, err)
	}
}

func TestSecretsNeedTheRightKey(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "first key")
	s, path := openTemp(t)
	ctx := context.Background()
	sc := scope(t, integrations.Project, "acme/web")
	if _, err := s.Save(ctx, sc, def(t, "slack"), client.Update{Values: map[string]string{"webhook": "https://h.example/x"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	t.Setenv("INTEGRATIONS_SECRET_KEY", "another key")
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Get(ctx, sc, def(t, "slack")); err == nil {
		t.Fatal("reading secrets with the wrong key succeeded")
	}
	// Listing needs no secrets, so it still works.
	if _, err := s2.List(ctx, sc); err != nil {
		t.Fatalf("list with the wrong key: %v", err)
	}
}

func TestOpenRefusesForeignFilesUntouched(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	notSQLite := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notSQLite, []byte("just some text, not a database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE things (x); INSERT INTO things VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer := filepath.Join(dir, "newer.db")
	s, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.conn().Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	for _, path := range []string{notSQLite, foreign, newer} {
		before, _ := os.ReadFile(path)
		_, err := Open(ctx, path)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a FileError", filepath.Base(path), err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s was modified", filepath.Base(path))
		}
		if _, err := os.Stat(path + "-wal"); err == nil && path != newer {
			t.Errorf("%s got a WAL file", filepath.Base(path))
		}
	}
}

func TestInheritanceFollowsTheNearestCustomSettings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	slack := def(t, "slack")
	save := func(sc client.Scope, channel string) {
		t.Helper()
		if _, err := s.Save(ctx, sc, slack, client.Update{Values: map[string]string{
			"webhook": "https://hooks.example/" + channel, "channel": channel,
		}, Active: on()}); err != nil {
			t.Fatal(err)
		}
	}
	inst := client.InstanceScope
	acme := scope(t, integrations.Group, "acme")
	platform := scope(t, integrations.Group, "acme/platform")
	api := scope(t, integrations.Project, "acme/platform/api")
	web := scope(t, integrations.Project, "acme/web")

	save(inst, "#instance")
	save(api, "#api") // creates acme, acme/platform and the project
	save(platform, "#platform")
	if _, err := s.Save(ctx, web, slack, client.Update{UseInherited: true}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		sc        client.Scope
		channel   string
		inherited bool
		from      string
	}{
		{inst, "#instance", false, ""},
		{acme, "#instance", true, "instance"},
		{platform, "#platform", false, ""},
		{api, "#api", false, ""},
		{web, "#instance", true, "instance"},
	}
	for _, c := range cases {
		st, err := s.Get(ctx, c.sc, slack)
		if err != nil {
			t.Fatal(err)
		}
		from := ""
		if st.InheritedFrom != nil {
			from = st.InheritedFrom.String()
		}
		if st.Values["channel"] != c.channel || st.Inherited != c.inherited || from != c.from || !st.Configured {
			t.Errorf("%s: channel %q inherited %v from %q; want %q %v %q", c.sc, st.Values["channel"], st.Inherited, from, c.channel, c.inherited, c.from)
		}
		if st.Values["webhook"] != "https://hooks.example/"+c.channel {
			t.Errorf("%s: secret not inherited: %q", c.sc, st.Values["webhook"])
		}
	}

	// The project under the overriding subgroup follows the subgroup once it drops its own settings.
	if _, err := s.Save(ctx, api, slack, client.Update{UseInherited: true}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Get(ctx, api, slack)
	if st.Values["channel"] != "#platform" || st.InheritedFrom.String() != "group:acme/platform" {
		t.Errorf("after use-inherited: %+v", st)
	}

	// Disabling an inheriting scope makes it opt out with its own, inactive copy.
	st, err := s.Disable(ctx, web, slack)
	if err != nil || st.Active || st.Inherited {
		t.Fatalf("disable: %+v %v", st, err)
	}
	st, _ = s.Get(ctx, web, slack)
	if st.Active || st.Inherited || st.Values["channel"] != "#instance" {
		t.Errorf("after disable: %+v", st)
	}
	if st, _ := s.Get(ctx, acme, slack); !st.Active {
		t.Error("disabling a project changed its group")
	}
}

func TestScopesAreCreatedInOrderAndCheckedForKind(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	res, err := s.Save(ctx, scope(t, integrations.Project, "a/b/c"), def(t, "jira"), client.Update{
		Values: map[string]string{"url": "https://jira.example", "password": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Created {
		got = append(got, c.String()+"#"+strconv.FormatInt(c.ID, 10))
	}
	if want := "[group:a#1 group:a/b#2 project:a/b/c#3]"; fmt.Sprint(got) != want {
		t.Errorf("created %v, want %s", got, want)
	}
	if sc, err := s.Resolve(ctx, client.Scope{Level: integrations.Project, ID: 3}); err != nil || sc.Path != "a/b/c" {
		t.Errorf("resolve by ID: %v %v", sc, err)
	}
	bad := []client.Scope{
		scope(t, integrations.Group, "a/b/c"),    // a project
		scope(t, integrations.Project, "a/b"),    // a group
		scope(t, integrations.Project, "nope/x"), // unknown
		{Level: integrations.Group, ID: 3},
	}
	for _, sc := range bad {
		var ie *client.InputError
		if _, err := s.Resolve(ctx, sc); !errors.As(err, &ie) {
			t.Errorf("resolve %s: got %v, want an input error", sc, err)
		}
	}
	var ie *client.InputError
	if _, err := s.Save(ctx, scope(t, integrations.Project, "a/b/c/d"), def(t, "jira"), client.Update{}); !errors.As(err, &ie) {
		t.Errorf("a project inside a project: got %v", err)
	}
	if _, err := s.Save(ctx, scope(t, integrations.Group, "z"), def(t, "jenkins"), client.Update{}); !errors.As(err, &ie) {
		t.Errorf("project-only integration at a group: got %v", err)
	}
	if _, err := s.Resolve(ctx, scope(t, integrations.Group, "z")); err == nil {
		t.Error("a refused save left its new group behind")
	}
}

// Writers in several goroutines and several processes must all succeed and lose nothing.
func TestConcurrentWriters(t *testing.T) {
	if path := os.Getenv("INTEGRATIONS_TEST_WRITER_STORE"); path != "" {
		t.Skip("helper mode runs only TestHelperWriter")
	}
	path := filepath.Join(t.TempDir(), "store.db")
	t.Setenv("INTEGRATIONS_SECRET_KEY", "shared test key")

	const perWriter = 25
	var procs []*exec.Cmd
	for p := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), "INTEGRATIONS_TEST_WRITER_STORE="+path, "INTEGRATIONS_TEST_WRITER_ID=proc"+strconv.Itoa(p))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("writer process output:\n%s", out.String())
			}
		})
		procs = append(procs, cmd)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*perWriter)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- writeMany(path, "goroutine"+strconv.Itoa(g), perWriter)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.conn().QueryRow("SELECT count(*) FROM settings").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := 10 * perWriter; n != want {
		t.Errorf("%d settings rows, want %d", n, want)
	}
	for _, w := range []string{"goroutine0", "goroutine7", "proc0", "proc1"} {
		st, err := s.Get(context.Background(), scope(t, integrations.Project, "load/"+w+"/p"+strconv.Itoa(perWriter-1)), def(t, "slack"))
		if err != nil || st.Values["webhook"] != "https://hooks.example/"+w {
			t.Errorf("%s: last write lost: %+v %v", w, st.Values, err)
		}
	}
}

// TestHelperWriter is the body of the writer processes TestConcurrentWriters starts.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv("INTEGRATIONS_TEST_WRITER_STORE")
	if path == "" {
		t.Skip("run by TestConcurrentWriters")
	}
	if err := writeMany(path, os.Getenv("INTEGRATIONS_TEST_WRITER_ID"), 25); err != nil {
		t.Fatal(err)
	}
}

// writeMany opens its own store handle, as a separate CLI process would.
func writeMany(path, writer string, n int) error {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		return fmt.Errorf("%s: open: %w", writer, err)
	}
	defer s.Close()
	slack, _ := integrations.Lookup("slack")
	for i := range n {
		sc := client.Scope{Level: integrations.Project, Path: fmt.Sprintf("load/%s/p%d", writer, i)}
		if _, err := s.Save(ctx, sc, slack, client.Update{
			Values: map[string]string{"webhook": "https://hooks.example/" + writer}, Active: on(),
		}); err != nil {
			return fmt.Errorf("%s: write %d: %w", writer, i, err)
		}
	}
	return nil
}

func TestLogsArePrunedPerTargetAndNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var batch []client.LogEntry
	for i := range KeepLogs + 20 {
		batch = append(batch, client.LogEntry{
			Time: time.Unix(int64(i), 0), Scope: "project:acme/web", Integration: "slack",
			Event: "push", Method: "POST", URL: fmt.Sprintf("https://hooks.example/%d", i), Status: 200 + i%2*300, OK: i%2 == 0,
		})
	}
	batch = append(batch, client.LogEntry{Time: time.Unix(1, 0), Scope: "project:acme/api", Integration: "slack", OK: true})
	if err := s.AddLogs(ctx, batch); err != nil {
		t.Fatal(err)
	}
	all, err := s.Logs(ctx, "", "project:acme/web", "slack", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != KeepLogs || all[0].URL != fmt.Sprintf("https://hooks.example/%d", KeepLogs+19) {
		t.Errorf("kept %d, newest %q", len(all), all[0].URL)
	}
	failed, _ := s.Logs(ctx, "", "project:acme/web", "slack", 5, true)
	if len(failed) != 5 || failed[0].OK || failed[0].Status != 500 {
		t.Errorf("failed only: %+v", failed)
	}
	other, _ := s.Logs(ctx, "", "project:acme/api", "slack", 0, false)
	if len(other) != 1 {
		t.Errorf("another target's log was pruned: %d", len(other))
	}
}

func TestOpenLazyCreatesTheFileOnlyOnWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "store.db")
	s, err := OpenLazy(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Get(ctx, scope(t, integrations.Project, "acme/web"), def(t, "slack")); !client.IsNotFound(err) {
		t.Errorf("reading an empty store: %v", err)
	}
	if states, err := s.List(ctx, client.InstanceScope); err != nil || len(states) != 0 {
		t.Errorf("listing an empty store: %v %v", states, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read created the store: %v", err)
	}
	if _, err := s.Save(ctx, scope(t, integrations.Project, "acme/web"), def(t, "slack"), client.Update{Values: map[string]string{"webhook": "https://h.example/x"}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the first write should create the store 0600: %v", err)
	}
	if st, err := s.Get(ctx, scope(t, integrations.Project, "acme/web"), def(t, "slack")); err != nil || !st.Configured {
		t.Errorf("after the write: %+v %v", st, err)
	}
}

// Opening takes the store's lock only when it has something to do: a store already current and
// in WAL mode opens while another process holds the lock; a store that is not waits for it, a
// bounded time.
func TestOpenLocksOnlyToPrepare(t *testing.T) {
	s, path := openTemp(t)
	s.Close()
	lock := flock.New(path + ".lock")
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Unlock() }()
	ctx := context.Background()
	// Nor does it wait for a writer: in WAL mode reads go on beside one.
	writer, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("CREATE TABLE held (x)"); err != nil {
		t.Fatal(err)
	}
	ready, err := Open(ctx, path, WithLockTimeout(time.Millisecond))
	if err != nil {
		t.Fatalf("a ready store while the lock and a write are held: %v", err)
	}
	if _, err := ready.Scopes(ctx); err != nil {
		t.Errorf("reading beside a writer: %v", err)
	}
	ready.Close()
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	writer.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("PRAGMA journal_mode = DELETE")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, WithLockTimeout(50*time.Millisecond))
	if le := (*LockError)(nil); !errors.As(err, &le) {
		t.Fatalf("a store to switch to WAL while the lock is held: %v, want a LockError", err)
	}
}
