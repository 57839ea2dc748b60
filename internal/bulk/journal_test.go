package bulk

import (
	"os"
	"path/filepath"
	"testing"
)

func journalTargets(names ...string) *Report {
	rep := &Report{RunID: "r1"}
	for _, n := range names {
		rep.Targets = append(rep.Targets, &Target{
			Name: n, Kind: "project", Action: ActConfigure, Result: Planned,
			Previous: &Previous{Values: map[string]string{"url": "before-" + n}}, scope: parseTarget(n),
		})
	}
	return rep
}

// A run killed mid-way leaves a log that replays: finished targets with their result, the
// one being written as unknown, each with its previous state; a line cut short is ignored.
func TestJournalOfAKilledRunReplays(t *testing.T) {
	dir := t.TempDir()
	rep := journalTargets("project:a/1", "project:a/2", "project:a/3")
	j, err := NewJournal(dir, JournalDoc{RunID: "r1", Integration: "jenkins", Op: OpConfigure}, rep)
	if err != nil {
		t.Fatal(err)
	}
	one, two := rep.Targets[0], rep.Targets[1]
	j.Started(one)
	one.Result = Succeeded
	j.Finished(one)
	j.Started(two)
	// The kill: no Close, and half a line.
	f, err := os.OpenFile(filepath.Join(dir, "r1.json"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"event":"done","target":"project:a/2","res`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	doc, err := LoadJournal(dir, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Integration != "jenkins" || len(doc.Targets) != 2 {
		t.Fatalf("replayed %+v", doc)
	}
	got := map[string]journalTarget{}
	for _, jt := range doc.Targets {
		got[jt.Name] = jt
	}
	if r := got["project:a/1"]; r.Result != Succeeded || r.Previous == nil || r.Previous.Values["url"] != "before-project:a/1" {
		t.Errorf("finished target: %+v %+v", r.Target, r.Previous)
	}
	if r := got["project:a/2"]; r.Result != Unknown || r.Previous == nil {
		t.Errorf("target in flight: %+v %+v", r.Target, r.Previous)
	}
	if fin := doc.Finished(); !fin["project:a/1"] || fin["project:a/2"] {
		t.Errorf("finished: %v", fin)
	}
	// Revert restores both: the one written and the one that may have been.
	rev := RevertPlan(doc, def(t, "jenkins"))
	if rev.Writes() != 2 {
		t.Errorf("revert plans %d writes, want 2: %+v", rev.Writes(), rev.Targets)
	}
}

// A journal the previous version wrote (one document, rewritten whole) still resumes and
// reverts.
func TestJournalOfThePreviousFormatLoads(t *testing.T) {
	dir := t.TempDir()
	old := `{"run_id":"old1","created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T10:00:05Z","server":"","integration":"jenkins","op":"configure","groups":["group:a"],"targets":[
{"target":"project:a/1","kind":"project","action":"configure","result":"succeeded","reason":"not configured","error":null,"attempts":1,"duration_ms":3,"previous":{"configured":false,"active":false,"inherited":false,"inherited_from":null,"values":{},"events":{}}}
,
{"target":"project:a/2","kind":"project","action":"configure","result":"pending","reason":"not started: the run was interrupted (--resume continues it)","error":null,"attempts":0,"duration_ms":0,"previous":{"configured":false,"active":false,"inherited":false,"inherited_from":null,"values":{},"events":{}}}
]}
`
	if err := os.WriteFile(filepath.Join(dir, "old1.json"), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := LoadJournal(dir, "old1")
	if err != nil {
		t.Fatal(err)
	}
	if fin := doc.Finished(); len(fin) != 1 || !fin["project:a/1"] {
		t.Errorf("finished: %v", fin)
	}
	if rev := RevertPlan(doc, def(t, "jenkins")); rev.Writes() != 1 {
		t.Errorf("revert plans %d writes, want 1", rev.Writes())
	}
}

// A resumed run's journal keeps the records of the part before the interruption: what was
// done then, with the previous state recorded then, and what was being written then and is now
// found as wanted.
func TestResumedJournalKeepsEveryPreviousState(t *testing.T) {
	dir := t.TempDir()
	earlier := []journalTarget{
		{Target: &Target{Name: "project:a/1", Kind: "project", Action: ActConfigure, Result: Succeeded}, Previous: &Previous{Values: map[string]string{"url": "first"}}},
		{Target: &Target{Name: "project:a/2", Kind: "project", Action: ActConfigure, Result: Unknown}, Previous: &Previous{Values: map[string]string{"url": "second"}}},
		{Target: &Target{Name: "project:a/3", Kind: "project", Action: ActConfigure, Result: Failed}, Previous: &Previous{Values: map[string]string{"url": "third"}}},
	}
	rep := journalTargets("project:a/1", "project:a/2", "project:a/3")
	a1, a2, a3 := rep.Targets[0], rep.Targets[1], rep.Targets[2]
	a1.Action, a1.Result, a1.Reason, a1.Previous = ActSkip, Skipped, "done in the run being resumed", nil
	a2.Action, a2.Result, a2.Reason = ActSkip, Skipped, "already as wanted"
	// a3 is written again: the state read now is not what it was before the run.
	j, err := NewJournal(dir, JournalDoc{RunID: "r1", Integration: "jenkins", Op: OpConfigure, Targets: earlier}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if a3.Previous.Values["url"] != "third" {
		t.Errorf("a rewritten target's previous state is the one first recorded, got %v", a3.Previous.Values)
	}
	j.Started(a3)
	a3.Result = Succeeded
	j.Finished(a3)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	doc, err := LoadJournal(dir, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"project:a/1": "first", "project:a/2": "second", "project:a/3": "third"}
	for _, jt := range doc.Targets {
		if jt.Result != Succeeded || jt.Previous == nil || jt.Previous.Values["url"] != want[jt.Name] {
			t.Errorf("%s: %s, previous %+v", jt.Name, jt.Result, jt.Previous)
		}
		delete(want, jt.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing from the journal: %v", want)
	}
	if rev := RevertPlan(doc, def(t, "jenkins")); rev.Writes() != 3 {
		t.Errorf("revert plans %d writes, want 3", rev.Writes())
	}
}
