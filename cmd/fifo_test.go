package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO with no writer, named where a file is meant, is refused at once instead of hanging.
func TestFIFOIsRefusedNotWaitedOn(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "secret.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	for _, args := range [][]string{
		{"configure", "slack", "-p", "acme/x", "--set", "webhook=file:" + fifo},
		{"configure", "slack", "-p", "acme/x", "--from-file", fifo},
		{"plan", "-f", fifo},
		{"list", "-p", "acme/x", "--store", fifo},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, program, args...)
		cmd.Env = programEnv(t, dir)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("%s: still waiting on the FIFO after 20s", strings.Join(args, " "))
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%s: %v, want exit 2; stderr: %s", strings.Join(args, " "), err, errOut.String())
		}
		if !strings.Contains(errOut.String(), "it is a named pipe (FIFO), not a regular file") && !strings.Contains(errOut.String(), "it is not a regular file") {
			t.Errorf("%s: stderr %q does not say the file is a FIFO", strings.Join(args, " "), errOut.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "integrations", "store.db")); err == nil {
		t.Errorf("a refused command created the store")
	}
}
