package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JournalDoc is a run as saved in $XDG_STATE_HOME/integrations/runs/<run_id>.json: what was
// asked, and for each target its previous non-secret state and what happened to it.
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

// Journal keeps a run's record on disk while it runs: rewritten at most every half second and
// at the end, each time whole through a rename, so a crash leaves the last complete record.
type Journal struct {
	path string
	mu   sync.Mutex
	doc  JournalDoc
	rep  *Report
	last time.Time
	took time.Duration
}

// NewJournal starts the journal of a new run in dir.
func NewJournal(dir string, doc JournalDoc, rep *Report) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the runs directory: %w", err)
	}
	j := &Journal{path: filepath.Join(dir, doc.RunID+".json"), doc: doc, rep: rep}
	return j, j.Flush()
}

// LoadJournal reads the journal of run id from dir.
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
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("the journal of run %s is damaged: %w", id, err)
	}
	return &doc, nil
}

// Changed notes that a target finished; the file is rewritten if the last write is old enough.
func (j *Journal) Changed() {
	j.mu.Lock()
	// Large runs take longer to write: at least ten times the last write's time between two.
	due := time.Since(j.last) > max(500*time.Millisecond, 10*j.took)
	j.mu.Unlock()
	if due {
		_ = j.Flush()
	}
}

// Flush writes the journal now. Targets are encoded one at a time into a buffered file, so a
// run over tens of thousands of projects never holds the whole document in memory.
func (j *Journal) Flush() error {
	j.mu.Lock()
	defer j.mu.Unlock()
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
	if err := os.Rename(tmp.Name(), j.path); err != nil {
		return err
	}
	j.took = time.Since(j.doc.UpdatedAt)
	j.last = time.Now()
	return nil
}

// encode writes the document: its header fields, then the targets one per line.
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
	for i, t := range j.rep.Targets {
		if i > 0 {
			_, _ = w.WriteString(",")
		}
		_, _ = w.WriteString("\n")
		if err := enc.Encode(journalTarget{Target: t, Previous: t.Previous}); err != nil {
			return err
		}
	}
	_, _ = w.WriteString("]}\n")
	return w.Flush()
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Finished returns the targets a run finished (succeeded or skipped), for --resume.
func (d *JournalDoc) Finished() map[string]bool {
	done := map[string]bool{}
	for _, t := range d.Targets {
		if t.Result == Succeeded || (t.Result == Skipped && t.Action == ActSkip) {
			done[t.Target.Target] = true
		}
	}
	return done
}
