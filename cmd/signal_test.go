package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// A bulk run stopped by Ctrl-C, by CI's SIGTERM or by kill -9 loses no write: the journal
// holds every target the server received (a kill leaves at most the writes in flight unknown),
// --resume finishes the run, and revert then restores every target, also those written before
// the stop.
//
// Each run waits mostly on the fake's latency (which keeps writes in flight when the signal
// comes), not on the CPU, so the three run side by side, each with its own server and state.
func TestBulkRunStoppedBySignalResumesAndReverts(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			stopResumeRevert(t, sig)
		})
	}
}

const signalProjects = 60

func stopResumeRevert(t *testing.T, sig syscall.Signal) {
	t.Helper()
	fake := gitlabfake.New(gitlabfake.WithLatency(25 * time.Millisecond))
	t.Cleanup(fake.Close)
	fake.AddToken("maintainer-token", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	for i := range signalProjects {
		fake.AddProject(fmt.Sprintf("acme/team%d/p%02d", i%3, i), false)
	}
	dir := t.TempDir()
	env := append(programEnv(t, dir), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"GITLAB_HOST="+fake.URL, "GITLAB_TOKEN=maintainer-token", "CI=true")
	configure := []string{
		"bulk", "configure", "jenkins", "-g", "acme", "--strategy", "project", "--concurrency", "2", "--yes",
		"--set", "jenkins_url=https://ci.example", "--set", "project_name=build", "-o", "json",
	}

	cmd := exec.Command(program, configure...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for puts(fake) < 6 {
		if time.Now().After(deadline) {
			t.Fatalf("no writes after 30s; stderr: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	runs := filepath.Join(dir, "state", "integrations", "runs")
	files, _ := filepath.Glob(filepath.Join(runs, "*.json"))
	if len(files) != 1 {
		t.Fatalf("journals %v; stderr: %s", files, stderr.String())
	}
	id := strings.TrimSuffix(filepath.Base(files[0]), ".json")
	if sig != syscall.SIGKILL {
		if code != 130 || !strings.Contains(stderr.String(), "--resume "+id) {
			t.Fatalf("after %v: exit %d, want 130 with a resume hint; stderr: %s", sig, code, stderr.String())
		}
	}

	// Every write the server received is in the journal with the target's previous state.
	doc, err := bulk.LoadJournal(runs, id)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for i := range signalProjects {
		p := fmt.Sprintf("acme/team%d/p%02d", i%3, i)
		id, _ := fake.ProjectID(p)
		byID[fmt.Sprint(id)], byID[p] = p, p
	}
	written := map[string]bool{}
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && r.Status == 200 {
			written["project:"+byID[strings.TrimSuffix(strings.TrimPrefix(r.Path, "/projects/"), "/integrations/jenkins")]] = true
		}
	}
	unknown := 0
	for _, tg := range doc.Targets {
		if tg.Result == bulk.Unknown {
			unknown++
		}
		if written[tg.Name] && tg.Previous != nil && (tg.Result == bulk.Succeeded || tg.Result == bulk.Unknown) {
			delete(written, tg.Name)
		}
	}
	if len(written) > 0 {
		t.Errorf("after %v the journal misses writes the server received: %v", sig, written)
	}
	if unknown > 2 || (sig != syscall.SIGKILL && unknown > 0) {
		t.Errorf("after %v: %d targets unknown (concurrency 2)", sig, unknown)
	}

	runProgram(t, env, 0, append(configure, "--resume", id)...)
	for i := range signalProjects {
		if rec, _ := fake.Integration("project", fmt.Sprintf("acme/team%d/p%02d", i%3, i), "jenkins"); !rec.Active {
			t.Fatalf("p%02d not configured after --resume", i)
		}
	}
	runProgram(t, env, 0, "bulk", "revert", id, "--yes")
	var left []string
	for i := range signalProjects {
		rec, _ := fake.Integration("project", fmt.Sprintf("acme/team%d/p%02d", i%3, i), "jenkins")
		if rec.Active || rec.Properties["jenkins_url"] != nil {
			left = append(left, fmt.Sprintf("p%02d", i))
		}
	}
	if len(left) > 0 {
		t.Errorf("after %v, --resume and revert, still configured: %v", sig, left)
	}
}

func puts(fake *gitlabfake.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == "PUT" {
			n++
		}
	}
	return n
}

func runProgram(t *testing.T, env []string, want int, args ...string) {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("%v: exit %d, want %d\n%s", args, code, want, out)
	}
}
