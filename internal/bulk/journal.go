package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Unknown is the result, in a journal, of a target whose write had started when the run was
// killed: the server may or may not have received it.
const Unknown = "unknown"

// JournalDoc is a run as saved in $XDG_STATE_HOME/integrations/runs/<run_id>.json: what was
// asked, and for each target its previous non-secret state and what happened to it.
//
// While a run goes on the file is a log, one JSON line per event: the run's header first, then
// a "start" line (with the previous state) before each write and a "done" line after it, each
// appended with one write so that a killed run leaves everything but the writes in flight.
// At the end the log is compacted into this document, the format earlier versions wrote
// throughout; LoadJournal reads both.
type JournalDoc struct {
	RunID       string          `json:"run_id"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	Server      string          `json:"server"`
	Integration string          `json:"integration"`
	Op          Op              `json:"op"`
	Groups      []string        `json:"groups"`
	Targets     []journalTarget `json:"targets"`
}

type journalTarget struct {
	*Target
	Previous *Previous `json:"previous"`
}

// journalEvent is one line of a running journal after the header.
type journalEvent struct {
	// Event is "start" (a write begins), "done" (it ended) or "carry" (a record kept from the
	// part of the run that came before a --resume).
	Event      string    `json:"event"`
	Target     string    `json:"target"`
	Kind       string    `json:"kind,omitempty"`
	Action     Action    `json:"action,omitempty"`
	Result     string    `json:"result,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Error      *string   `json:"error,omitempty"`
	Attempts   int       `json:"attempts,omitempty"`
	DurationMS int64     `json:"duration_ms,omitempty"`
	Previous   *Previous `json:"previous,omitempty"`
}

// Journal keeps a run's record on disk while it runs.
type Journal struct {
	path string
	mu   sync.Mutex
	f    *os.File
	err  error
	doc  JournalDoc
	rep  *Report
	// earlier holds, by target and in order, the records of the run being resumed.
	earlier      map[string]journalTarget
	earlierOrder []journalTarget
}

// NewJournal starts the journal of a run in dir. doc.Targets, when given, are the records of
// the run being resumed: they are kept, each target keeps the previous state recorded first
// (what it was before the run ever touched it), and revert restores them all.
func NewJournal(dir string, doc JournalDoc, rep *Report) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the runs directory: %w", err)
	}
	j := &Journal{path: filepath.Join(dir, doc.RunID+".json"), rep: rep, earlier: map[string]journalTarget{}}
	earlier := doc.Targets
	doc.Targets = nil
	j.doc, j.earlierOrder = doc, earlier
	for _, jt := range earlier {
		j.earlier[jt.Name] = jt
	}
	for _, t := range rep.Targets {
		if old, ok := j.earlier[t.Name]; ok && old.Previous != nil && t.Action != ActSkip {
			t.Previous = old.Previous
		}
	}
	// The header and the carried records replace any earlier file at once.
	tmp, err := os.CreateTemp(dir, ".run-*.json")
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(tmp, 64<<10)
	j.doc.UpdatedAt = time.Now().UTC()
	err = writeLine(w, j.doc.header())
	for _, jt := range earlier {
		if err == nil {
			err = writeLine(w, carryEvent(jt))
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), j.path)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("writing the run's journal: %w", err)
	}
	j.f = tmp
	return j, nil
}

// header is the first line of a running journal: the document without its targets.
func (d JournalDoc) header() any {
	type head JournalDoc
	h := head(d)
	h.Targets = nil
	return struct {
		head
		Targets []journalTarget `json:"targets,omitempty"`
	}{head: h}
}

func carryEvent(jt journalTarget) journalEvent {
	t := jt.Target
	return journalEvent{
		Event: "carry", Target: t.Name, Kind: t.Kind, Action: t.Action, Result: t.Result, Reason: t.Reason,
		Error: t.Error, Attempts: t.Attempts, DurationMS: t.DurationMS, Previous: jt.Previous,
	}
}

func writeLine(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}

// append writes one event line with a single write, so that a kill leaves whole lines.
func (j *Journal) append(ev journalEvent) {
	raw, err := json.Marshal(ev)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil && j.err == nil {
		_, err = j.f.Write(append(raw, '\n'))
	}
	if err != nil && j.err == nil {
		j.err = err
	}
}

// Started records, before its write, that a target's write begins and what it was before.
func (j *Journal) Started(t *Target) {
	j.append(journalEvent{Event: "start", Target: t.Name, Kind: t.Kind, Action: t.Action, Reason: t.Reason, Previous: t.Previous})
}

// Finished records how a target's write ended.
func (j *Journal) Finished(t *Target) {
	j.append(journalEvent{
		Event: "done", Target: t.Name, Result: t.Result, Reason: t.Reason, Error: t.Error,
		Attempts: t.Attempts, DurationMS: t.DurationMS,
	})
}

// Close compacts the log into the journal's document, through a rename so that a crash leaves
// either the log or the document whole. The caller holds the targets still.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return j.err
	}
	f := j.f
	j.f = nil
	if err := f.Close(); err != nil && j.err == nil {
		j.err = err
	}
	if j.err != nil {
		return j.err
	}
	j.doc.UpdatedAt = time.Now().UTC()
	tmp, err := os.CreateTemp(filepath.Dir(j.path), ".run-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := j.encode(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), j.path)
}

// records merges this run's targets with those of the run it resumes, which come after in
// their own order when this run did not meet them again.
func (j *Journal) records(yield func(journalTarget) error) error {
	seen := make(map[string]bool, len(j.earlier))
	for _, t := range j.rep.Targets {
		jt := journalTarget{Target: t, Previous: t.Previous}
		if old, ok := j.earlier[t.Name]; ok {
			seen[t.Name] = true
			if t.Action == ActSkip {
				jt = carried(old, jt)
			}
		}
		if err := yield(jt); err != nil {
			return err
		}
	}
	for _, old := range j.earlierOrder {
		if !seen[old.Name] {
			if err := yield(old); err != nil {
				return err
			}
		}
	}
	return nil
}

// carried is the record of a target this run skipped: the earlier one when the target was
// written (or found as wanted) then; when it was being written as the run was killed and is now as wanted, written
// then; else this run's.
func carried(old, now journalTarget) journalTarget {
	switch old.Result {
	case Succeeded, Partial, Skipped:
		return old
	case Unknown:
		t := *old.Target
		t.Result, t.Reason, t.Error = Succeeded, "written when the run stopped; found as wanted on resume", nil
		return journalTarget{Target: &t, Previous: old.Previous}
	}
	return now
}

// encode writes the document: its header fields, then the targets one per line, never
// holding the whole document in memory.
func (j *Journal) encode(f *os.File) error {
	w := bufio.NewWriterSize(f, 64<<10)
	head := j.doc
	head.Targets = nil
	raw, err := json.Marshal(head)
	if err != nil {
		return err
	}
	// The header without its empty "targets" and closing brace, then the list streamed in.
	raw = bytes.TrimSuffix(raw, []byte(`,"targets":null}`))
	// A bufio.Writer keeps its first error and returns it from Flush, so the writes below are
	// checked once, there.
	_, _ = w.Write(raw)
	_, _ = w.WriteString(`,"targets":[`)
	enc := json.NewEncoder(w)
	first := true
	err = j.records(func(jt journalTarget) error {
		if !first {
			_, _ = w.WriteString(",")
		}
		first = false
		_, _ = w.WriteString("\n")
		return enc.Encode(jt)
	})
	if err != nil {
		return err
	}
	_, _ = w.WriteString("]}\n")
	return w.Flush()
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// LoadJournal reads the journal of run id from dir: a finished run's document, or the log of
// a run that was killed, replayed.
func LoadJournal(dir, id string) (*JournalDoc, error) {
	if id == "" || filepath.Base(id) != id {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	raw, err := os.ReadFile(filepath.Join(dir, id+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no run %s in %s", id, dir)
	}
	if err != nil {
		return nil, err
	}
	var doc JournalDoc
	if err := json.Unmarshal(raw, &doc); err == nil {
		return &doc, nil
	}
	d, err := replay(raw)
	if err != nil {
		return nil, fmt.Errorf("the journal of run %s is damaged: %w", id, err)
	}
	return d, nil
}

// replay folds a running journal's lines into the document: per target the first previous
// state recorded and the last result. A write that started and never ended is Unknown. A
// last line cut short by the kill is ignored.
func replay(raw []byte) (*JournalDoc, error) {
	lines := bytes.Split(bytes.TrimRight(raw, "\n"), []byte("\n"))
	var doc JournalDoc
	if err := json.Unmarshal(lines[0], &doc); err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, line := range lines[1:] {
		var ev journalEvent
		if err := json.Unmarshal(line, &ev); err != nil || ev.Target == "" {
			if i == len(lines)-2 && !bytes.HasSuffix(raw, []byte("\n")) {
				break
			}
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		n, ok := index[ev.Target]
		if !ok {
			n = len(doc.Targets)
			index[ev.Target] = n
			doc.Targets = append(doc.Targets, journalTarget{Target: &Target{Name: ev.Target}})
		}
		jt := &doc.Targets[n]
		t := jt.Target
		if jt.Previous == nil {
			jt.Previous = ev.Previous
		}
		switch ev.Event {
		case "start":
			t.Kind, t.Action, t.Result, t.Error = ev.Kind, ev.Action, Unknown, nil
			t.Reason = "the run stopped while writing it: the server may or may not have it"
		case "carry":
			t.Kind, t.Action, t.Result, t.Reason, t.Error = ev.Kind, ev.Action, ev.Result, ev.Reason, ev.Error
			t.Attempts, t.DurationMS = ev.Attempts, ev.DurationMS
		case "done":
			t.Result, t.Reason, t.Error, t.Attempts, t.DurationMS = ev.Result, ev.Reason, ev.Error, ev.Attempts, ev.DurationMS
		}
	}
	return &doc, nil
}

// Finished returns the targets a run finished (succeeded or skipped), for --resume.
func (d *JournalDoc) Finished() map[string]bool {
	done := map[string]bool{}
	for _, t := range d.Targets {
		if t.Result == Succeeded || (t.Result == Skipped && t.Action == ActSkip) {
			done[t.Name] = true
		}
	}
	return done
}
