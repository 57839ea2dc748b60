package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readOnlyDir makes dir read-only for the programs the test runs: a read-only bind mount when
// running as root (whom file modes do not stop), the directory's mode otherwise.
func readOnlyDir(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		return dir
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "--bind", dir, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot make a read-only directory here: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", mnt).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot make a read-only directory here: %v: %s", err, out)
	}
	return mnt
}

// A store in a directory that cannot be written (a read-only mount, a shared copy) can still
// be read; a write says why it cannot be made.
func TestReadOnlyStoreAllowsReads(t *testing.T) {
	dir := t.TempDir()
	storeDir := filepath.Join(dir, "data", "integrations")
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/x", "--set", "webhook=https://hooks.slack.com/services/T/B/x", "--set", "channel=#ops"); code != 0 {
		t.Fatalf("configure: exit %d: %s", code, out)
	}
	ro := readOnlyDir(t, storeDir)
	store := "--store=" + filepath.Join(ro, "store.db")
	out, code := run(t, dir, "show", "slack", "-p", "acme/x", "-o", "json", "--jq", ".fields[] | select(.name == \"channel\") | .value", store)
	if code != 0 || strings.TrimSpace(out) != "#ops" {
		t.Errorf("show on a read-only store: exit %d: %s", code, out)
	}
	if out, code := run(t, dir, "list", "-p", "acme/x", store); code != 0 || !strings.Contains(out, "slack") {
		t.Errorf("list on a read-only store: exit %d: %s", code, out)
	}
	out, code = run(t, dir, "configure", "slack", "-p", "acme/x", "--set", "channel=#dev", store)
	if code != 1 || !strings.Contains(out, "its directory is read-only") {
		t.Errorf("configure on a read-only store: exit %d: %s; want exit 1 saying the directory is read-only", code, out)
	}
}
