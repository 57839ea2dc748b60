package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"testing"
)

// Sixteen processes change one integration at once: fifteen each switch on a different event,
// one sets a field. Each change is applied to what is stored when it is written, so none is lost.
// Three rounds make a lost update near certain to show without the fix.
func TestConcurrentChangesLoseNothing(t *testing.T) {
	dir := t.TempDir()
	for round := range 3 {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) { concurrentRound(t, dir, fmt.Sprint("bot-", round)) })
	}
}

func concurrentRound(t *testing.T, dir, username string) {
	t.Helper()
	if out, code := run(t, dir, "configure", "slack", "-p", "acme/x", "--set", "webhook=https://hooks.slack.com/services/T/B/x", "--set", "username=", "--events", "none"); code != 0 {
		t.Fatalf("configure: exit %d: %s", code, out)
	}
	events := []string{
		"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note", "tag_push", "pipeline",
		"wiki_page", "deployment", "incident", "work_item", "confidential_work_item", "alert", "vulnerability",
	}
	var wg sync.WaitGroup
	outs := make([]string, len(events)+1)
	codes := make([]int, len(events)+1)
	start := func(i int, args ...string) {
		cmd := exec.Command(program, args...)
		cmd.Env = programEnv(t, dir)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.CombinedOutput()
			outs[i] = string(out)
			if err != nil {
				codes[i] = -1
				if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
					codes[i] = ee.ExitCode()
				}
			}
		}()
	}
	for i, e := range events {
		start(i, "events", "slack", "-p", "acme/x", "--enable", e)
	}
	start(len(events), "configure", "slack", "-p", "acme/x", "--set", "username="+username)
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("process %d: exit %d: %s", i, c, outs[i])
		}
	}
	out, code := run(t, dir, "show", "slack", "-p", "acme/x", "-o", "json")
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, out)
	}
	var got struct {
		Fields []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"fields"`
		Events []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("show: %v: %s", err, out)
	}
	var off []string
	for _, e := range got.Events {
		if !e.Enabled {
			off = append(off, e.Name)
		}
	}
	if len(off) > 0 {
		t.Errorf("events lost by concurrent writes: %v still off", off)
	}
	for _, f := range got.Fields {
		if f.Name == "username" && fmt.Sprint(f.Value) != username {
			t.Errorf("username = %v, want %s (lost by a concurrent write)", f.Value, username)
		}
	}
}
