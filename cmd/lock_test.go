package cmd

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite"
)

// Another process holding the store's lock (it is switching the file to WAL or migrating its
// schema) makes a command that must do the same wait a bounded time, then fail with exit 1
// naming the lock file and the holder's pid. A store that needs neither is read without the
// lock.
func TestStoreLockWaitIsBounded(t *testing.T) {
	dir := t.TempDir()
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/x", "--set", "webhook=https://hooks.slack.com/services/T/B/x"); code != 0 {
		t.Fatalf("configure: exit %d: %s", code, out)
	}
	lockPath := filepath.Join(dir, "data", "integrations", "store.db.lock")
	lock := flock.New(lockPath)
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Unlock() }()
	if err := os.WriteFile(lockPath, []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, dir, "show", "slack", "-p", "acme/x", "--lock-timeout", "1ms"); code != 0 {
		t.Errorf("show of a ready store while the lock is held: exit %d: %s", code, out)
	}

	// A store that is not yet in WAL mode needs the lock to switch.
	db, err := sql.Open("sqlite", filepath.Join(dir, "data", "integrations", "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("PRAGMA journal_mode = DELETE")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []struct {
		env  string
		args []string
	}{
		{"INTEGRATIONS_LOCK_TIMEOUT=300ms", nil},
		{"", []string{"--lock-timeout", "300ms"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, program, append([]string{"show", "slack", "-p", "acme/x"}, how.args...)...)
		cmd.Env = append(programEnv(t, dir), how.env)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("%v%v: still waiting for the lock after 60s", how.env, how.args)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%v%v: %v, want exit 1; stderr: %s", how.env, how.args, err, errOut.String())
		}
		want := fmt.Sprintf("process 4242 holds %s; gave up after 300ms", lockPath)
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("%v%v: stderr %q does not contain %q", how.env, how.args, errOut.String(), want)
		}
	}
	if out, code := run(t, dir, "show", "slack", "-p", "acme/x", "--lock-timeout", "soon"); code != 2 || !strings.Contains(out, "want a duration") {
		t.Errorf("a bad --lock-timeout: exit %d, %s; want exit 2", code, out)
	}
}
