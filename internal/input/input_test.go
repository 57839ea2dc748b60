package input

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if raw, err := ReadFile(small, 3); err != nil || string(raw) != "abc" {
		t.Errorf("a file at the limit: %q, %v", raw, err)
	}
	if _, err := ReadFile(small, 2); err == nil || !strings.Contains(err.Error(), "it is 3 bytes; the limit is 2 bytes") {
		t.Errorf("a file over the limit: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		if _, err := ReadFile(fifo, 10); err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("a FIFO: %v", err)
		}
	}
	for path, want := range map[string]string{dir: "is a directory", "/dev/zero": "is a device", filepath.Join(dir, "none"): "no such file"} {
		if _, err := ReadFile(path, 10); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if _, err := ReadAll(strings.NewReader("abcd"), 3); err == nil || !strings.Contains(err.Error(), "longer than the limit of 3 bytes") {
		t.Errorf("a stream over the limit: %v", err)
	}
}
