package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// Another process holding the store's lock (it is creating the file, switching it to WAL or
// migrating its schema) makes a command that must do the same wait a bounded time, then fail
// with exit 1 naming the lock file and the holder's pid. A store that needs none of that is read
// without the lock.
func TestStoreLockWaitIsBounded(t *testing.T) {
	dir := t.TempDir()
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/x", "--set", "webhook=https://hooks.slack.com/services/T/B/x"); code != 0 {
		t.Fatalf("configure: exit %d: %s", code, out)
	}
	holdLock(t, filepath.Join(dir, "data", "integrations", "store.db.lock"))
	if out, code := run(t, dir, "show", "slack", "-p", "acme/x", "--lock-timeout", "1ms"); code != 0 {
		t.Errorf("show of a ready store while the lock is held: exit %d: %s", code, out)
	}

	// The first write to a new store needs the lock to set the file up.
	fresh := t.TempDir()
	lockPath := filepath.Join(fresh, "data", "integrations", "store.db.lock")
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		t.Fatal(err)
	}
	holdLock(t, lockPath)
	for _, how := range []struct {
		env  string
		args []string
	}{
		{"INTEGRATIONS_LOCK_TIMEOUT=300ms", nil},
		{"", []string{"--lock-timeout", "300ms"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, program, append([]string{"configure", "slack", "-p", "acme/x", "--set", "webhook=https://hooks.slack.com/services/T/B/y"}, how.args...)...)
		cmd.Env = append(programEnv(t, fresh), how.env)
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

// holdLock takes lockPath as another process holding it would, with its pid (4242) inside.
func holdLock(t *testing.T, lockPath string) {
	t.Helper()
	lock := flock.New(lockPath)
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lock.Unlock() })
	if err := os.WriteFile(lockPath, []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
