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
func ReadBelow[T any](ctx context.Context, w client.Walker, groups []client.Scope, o client.WalkOptions, workers int,
	want func(client.Namespace) bool, read func(context.Context, client.Namespace) (T, error),
) ([]T, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	found := make(chan client.Namespace, 256)
	var walkErr error
	go func() {
		defer close(found)
		walkErr = walkOnce(gctx, w, groups, o, want, func(ns client.Namespace) error {
			select {
			case found <- ns:
				return nil
			case <-gctx.Done():
				return gctx.Err() // a read failed (or the run was interrupted): go no further
			}
		})
	}()
	var (
		mu  sync.Mutex
		got = map[int]T{}
		n   int
	)
	for ns := range found {
		if gctx.Err() != nil {
			continue // let the walk see it and stop
		}
		seq := n
		n++
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil // waited for a reader while another read failed
			}
			v, err := read(gctx, ns)
			if err != nil {
				return err
			}
			mu.Lock()
			got[seq] = v
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
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
