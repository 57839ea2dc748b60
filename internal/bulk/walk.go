package bulk

import (
	"context"
	"sync"

	"github.com/forgekit/integrations/internal/client"
	"golang.org/x/sync/errgroup"
)

// ReadBelow walks groups (a namespace met twice is visited once) and reads each namespace that
// want accepts with read, workers at a time, returning what was read in the walk's order. The
// walk runs ahead of the reads, so that they go on while it fetches its next page. The first
// error, of the walk or of a read, stops the walk, and no read starts after it.
//
// The readers are as many goroutines as workers, living as long as the walk: one per read
// would grow a fresh stack to the depth of an HTTP request for each of tens of thousands.
func ReadBelow[T any](ctx context.Context, w client.Walker, groups []client.Scope, o client.WalkOptions, workers int,
	want func(client.Namespace) bool, read func(context.Context, client.Namespace) (T, error),
) ([]T, error) {
	g, gctx := errgroup.WithContext(ctx)
	type job struct {
		seq int
		ns  client.Namespace
	}
	found := make(chan job, 256)
	var (
		walkErr error
		n       int // namespaces found; read once the walk is over
	)
	walked := make(chan struct{})
	go func() {
		defer close(walked)
		defer close(found)
		walkErr = walkOnce(gctx, w, groups, o, want, func(ns client.Namespace) error {
			select {
			case found <- job{n, ns}:
				n++
				return nil
			case <-gctx.Done():
				return gctx.Err() // a read failed (or the run was interrupted): go no further
			}
		})
	}()
	var (
		mu  sync.Mutex
		got = map[int]T{}
	)
	for range max(workers, 1) {
		g.Go(func() error {
			for j := range found {
				if gctx.Err() != nil {
					continue // another read failed: let the walk see it and stop
				}
				v, err := read(gctx, j.ns)
				if err != nil {
					return err
				}
				mu.Lock()
				got[j.seq] = v
				mu.Unlock()
			}
			return nil
		})
	}
	err := g.Wait()
	<-walked // a failed read stopped it (or it is over): no request of it outlives the call
	if err != nil {
		return nil, err
	}
	if walkErr != nil {
		return nil, walkErr
	}
	out := make([]T, n)
	for i := range out {
		out[i] = got[i]
	}
	return out, nil
}

// walkOnce calls fn once for each namespace below groups that want accepts, however often the
// walks meet it.
func walkOnce(ctx context.Context, w client.Walker, groups []client.Scope, o client.WalkOptions,
	want func(client.Namespace) bool, fn func(client.Namespace) error,
) error {
	seen := map[string]bool{}
	for _, root := range groups {
		err := w.Walk(ctx, root, o, func(ns client.Namespace) error {
			key := ns.Scope.String()
			if seen[key] {
				return nil
			}
			seen[key] = true
			if !want(ns) {
				return nil
			}
			return fn(ns)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
