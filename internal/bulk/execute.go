package bulk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"golang.org/x/sync/errgroup"
)

// inFlightGrace is how long writes in flight may take to finish after Ctrl-C.
const inFlightGrace = 15 * time.Second

// Keeper keeps a copy of the non-secret settings a write is about to erase, for enable to
// restore.
type Keeper interface {
	KeepSettings(ctx context.Context, host string, def integrations.Definition, st client.State) error
}

// Executor runs a plan's writes.
type Executor struct {
	// mu guards the targets' results: workers set them while the journal reads them.
	mu sync.Mutex
	// Created lists the groups and projects the writes created (local store).
	Created []client.Scope
	Backend client.Backend
	// Fingerprints record the secrets written, for the next plan to compare; nil records none.
	Fingerprints Fingerprints
	// Keeper keeps a copy of the settings a disable erases (GitLab's DELETE); nil keeps none.
	Keeper      Keeper
	Concurrency int
	Journal     *Journal
	// Done is called after each target finishes.
	Done func(t *Target)
}

// Run performs every planned write, Concurrency at a time. Permanent failures are recorded and
// the run goes on; transient ones were already retried by the backend. When ctx is cancelled
// (Ctrl-C) no new write starts, the ones in flight finish, and Run returns ctx's error after
// the journal is saved.
func (e *Executor) Run(ctx context.Context, spec Spec, rep *Report) error {
	ctx = client.LimitRequests(ctx, e.Concurrency)
	flight, release := inFlight(ctx)
	defer release()
	prints := e.fingerprints(context.WithoutCancel(ctx))
	// Group writes go first and finish before any project or subgroup is reset to inherit
	// from them.
	e.writeAll(ctx, flight, spec, rep.Targets, prints, func(t *Target) bool { return t.pending() && t.groupFirst() })
	e.writeAll(ctx, flight, spec, rep.Targets, prints, func(t *Target) bool { return t.pending() && !t.groupFirst() })
	prints.close()
	return e.finish(ctx, rep)
}

// inFlight is the context writes run in. Writes in flight finish after Ctrl-C so that no
// target is left half-done, but not forever: one stuck behind a long rate-limit pause is
// abandoned after a grace period. release ends it once the run is over.
func inFlight(ctx context.Context) (flight context.Context, release func()) {
	flight, stop := context.WithCancel(context.WithoutCancel(ctx))
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-time.After(inFlightGrace):
				stop()
			case <-finished:
			}
		case <-finished:
		}
	}()
	return flight, func() {
		close(finished)
		stop()
	}
}

// writeAll writes the targets which picks, Concurrency at a time, until ctx is cancelled.
func (e *Executor) writeAll(ctx, flight context.Context, spec Spec, targets []*Target, prints *fingerprintWriter, which func(*Target) bool) {
	var g errgroup.Group
	g.SetLimit(max(e.Concurrency, 1))
	for _, t := range targets {
		if !which(t) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() == nil { // not interrupted while it waited for a worker
				e.writeOne(flight, spec, t, prints.add)
			}
			return nil
		})
	}
	_ = g.Wait() // writeOne records failures in the target; it returns none
}

// writeOne writes one target between its two journal lines.
func (e *Executor) writeOne(ctx context.Context, spec Spec, t *Target, remember func(client.SecretRecord)) {
	if e.Journal != nil {
		e.Journal.Started(t)
	}
	e.apply(ctx, spec, t, remember)
	if e.Journal != nil {
		e.Journal.Finished(t)
	}
	if e.Done != nil {
		e.Done(t)
	}
}

// finish marks the writes an interruption left unstarted, counts the results and saves the
// journal.
func (e *Executor) finish(ctx context.Context, rep *Report) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range rep.Targets {
		if t.Action != ActSkip && t.Action != ActUnchanged && t.Result == Planned {
			t.Result, t.Reason = Pending, "not started: the run was interrupted (--resume continues it)"
		}
	}
	rep.Count()
	if e.Journal != nil {
		if err := e.Journal.Close(); err != nil {
			return fmt.Errorf("saving the run's journal: %w", err)
		}
	}
	return ctx.Err()
}

// pending is a target with a write still to do.
func (t *Target) pending() bool {
	return t.Action != ActSkip && t.Action != ActUnchanged && t.Result != Succeeded
}

// groupFirst is a group write others may inherit from, made before them.
func (t *Target) groupFirst() bool {
	inherits := t.Action == ActInherit || (t.update != nil && t.update.UseInherited)
	return t.Kind == "group" && !inherits
}

func (e *Executor) apply(ctx context.Context, spec Spec, t *Target, remember func(client.SecretRecord)) {
	ctx, attempts := client.CountAttempts(ctx)
	start := time.Now()
	note, err := e.write(ctx, spec, t)
	e.mu.Lock()
	t.DurationMS = time.Since(start).Milliseconds()
	t.Attempts = max(attempts(), 1)
	t.Reason += note
	t.state = client.State{} // read for the write only; large runs should not keep it
	switch {
	case err != nil:
		msg := err.Error()
		t.Result, t.Error = Failed, &msg
	case len(t.notKept) > 0:
		msg := strings.Join(t.notKept, "; ")
		t.Result, t.Error = Partial, &msg
	default:
		t.Result, t.Error = Succeeded, nil
	}
	e.mu.Unlock()
	if err == nil && len(t.secrets) > 0 {
		owner := t.defOr(spec).Name
		if t.hook != nil {
			owner = t.hook.owner
		}
		remember(client.SecretRecord{Server: e.Backend.Capabilities().Server, Scope: t.scope.String(), Integration: owner, Secrets: t.secrets})
	}
}

// fingerprintWriter keeps the fingerprints of the secrets written, for the store to skip
// equal ones next time: one writer, a transaction per batch rather than per target.
type fingerprintWriter struct {
	recs chan client.SecretRecord
	done chan struct{}
}

func (e *Executor) fingerprints(ctx context.Context) *fingerprintWriter {
	w := &fingerprintWriter{recs: make(chan client.SecretRecord, 256), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		batch := make([]client.SecretRecord, 0, 256)
		for rec := range w.recs {
			batch = append(batch[:0], rec)
		more:
			for len(batch) < cap(batch) {
				select {
				case r, ok := <-w.recs:
					if !ok {
						break more
					}
					batch = append(batch, r)
				default:
					break more
				}
			}
			if e.Fingerprints != nil {
				// Failing to remember a fingerprint only costs a rewrite next time.
				_ = e.Fingerprints.RecordSecretsBatch(ctx, batch)
			}
		}
	}()
	return w
}

func (w *fingerprintWriter) add(rec client.SecretRecord) { w.recs <- rec }

// close waits until every fingerprint handed over is written.
func (w *fingerprintWriter) close() {
	close(w.recs)
	<-w.done
}

// defOr is the target's own integration (apply), else the run's.
func (t *Target) defOr(spec Spec) integrations.Definition {
	if t.def != nil {
		return *t.def
	}
	return spec.Def
}

// write performs the target's action; the note is added to its reason.
func (e *Executor) write(ctx context.Context, spec Spec, t *Target) (string, error) {
	if t.hook != nil {
		return e.writeHook(ctx, t)
	}
	active := true
	if t.def != nil {
		if t.Action == ActDisable {
			return "", e.disable(ctx, t, *t.def)
		}
		res, err := e.save(ctx, t, *t.def, *t.update)
		if len(res.Created) > 0 {
			e.mu.Lock()
			e.Created = append(e.Created, res.Created...)
			e.mu.Unlock()
		}
		return "", err
	}
	switch t.Action {
	case ActDisable:
		return "", e.disable(ctx, t, spec.Def)
	case ActInherit:
		_, err := e.Backend.Save(ctx, t.scope, spec.Def, client.Update{UseInherited: true})
		return "", err
	case ActConfigure, ActEnable:
		upd := client.Update{Values: spec.Values, AskedEvents: spec.AskedEvents, Active: &active, Current: &t.state}
		if spec.Events != nil {
			upd.Events = spec.Events(t.scope.Level, spec.Def.EventStates(t.scope.Level, t.state.Events))
		}
		_, err := e.save(ctx, t, spec.Def, upd)
		var mse *client.MissingSecretsError
		if errors.As(err, &mse) {
			return "", fmt.Errorf("the server needs %v again; give them with --set", mse.Fields)
		}
		return "", err
	case ActRestore:
		return e.restore(ctx, spec, t)
	}
	return "", fmt.Errorf("no write for action %q", t.Action)
}

// save writes and remembers what the server did not keep, which makes the target partial.
func (e *Executor) save(ctx context.Context, t *Target, def integrations.Definition, u client.Update) (client.SaveResult, error) {
	res, err := e.Backend.Save(ctx, t.scope, def, u)
	t.notKept = nil
	for _, k := range res.NotKept {
		t.notKept = append(t.notKept, fmt.Sprintf("%s did not keep %s", res.NotKeptBy, k))
	}
	return res, err
}

// disable deactivates; where that erases the settings (GitLab's DELETE), their non-secret part
// is kept in the local store first, so that enable can restore them.
func (e *Executor) disable(ctx context.Context, t *Target, def integrations.Definition) error {
	if caps := e.Backend.Capabilities(); caps.DisableResets && e.Keeper != nil {
		if err := e.Keeper.KeepSettings(ctx, caps.Server, def, t.state); err != nil {
			return fmt.Errorf("keeping a copy of the settings before disabling: %w", err)
		}
	}
	_, err := e.Backend.Disable(ctx, t.scope, def)
	return err
}
