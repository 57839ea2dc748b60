package bulk

import (
	"context"
	"sync"

	"github.com/forgekit/integrations/internal/client"
	"golang.org/x/sync/errgroup"
)

// ReadBelow walks groups (a namespace met twice is visited once) and reads each namespace that
// want accepts with read, workers at a time, returning what was read in the walk's order. The
// first error, of the walk or of a read, stops the walk, and no read starts after it.
func ReadBelow[T any](ctx context.Context, w client.Walker, groups []client.Scope, o client.WalkOptions, workers int,
	want func(client.Namespace) bool, read func(context.Context, client.Namespace) (T, error),
) ([]T, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	var (
		mu  sync.Mutex
		got = map[int]T{}
		n   int
	)
	seen := map[string]bool{}
	var walkErr error
	for _, root := range groups {
		walkErr = w.Walk(gctx, root, o, func(ns client.Namespace) error {
			if err := gctx.Err(); err != nil {
				return err // a read failed (or the run was interrupted): go no further
			}
			key := ns.Scope.String()
			if seen[key] {
				return nil
			}
			seen[key] = true
			if !want(ns) {
				return nil
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
			return nil
		})
		if walkErr != nil {
			break
		}
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
