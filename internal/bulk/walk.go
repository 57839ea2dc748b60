package bulk

import (
	"context"
	"sync"

	"github.com/forgekit/integrations/internal/client"
)

// ReadBelow walks groups (a namespace met twice is visited once) and reads each namespace that
// want accepts with read, workers at a time, returning what was read in the walk's order. The
// first error, of the walk or of a read, stops it and is returned.
func ReadBelow[T any](ctx context.Context, w client.Walker, groups []client.Scope, o client.WalkOptions, workers int,
	want func(client.Namespace) bool, read func(context.Context, client.Namespace) (T, error),
) ([]T, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type item struct {
		seq int
		ns  client.Namespace
	}
	items := make(chan item, 256)
	var (
		mu  sync.Mutex
		got = map[int]T{}
		wg  sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range items {
				if ctx.Err() != nil {
					continue
				}
				v, err := read(ctx, it.ns)
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				got[it.seq] = v
				mu.Unlock()
			}
		}()
	}
	seen := map[string]bool{}
	n := 0
	var walkErr error
	for _, g := range groups {
		walkErr = w.Walk(ctx, g, o, func(ns client.Namespace) error {
			key := ns.Scope.String()
			if seen[key] || !want(ns) {
				seen[key] = true
				return nil
			}
			seen[key] = true
			select {
			case items <- item{n, ns}:
				n++
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
		if walkErr != nil {
			break
		}
	}
	close(items)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if walkErr != nil {
		return nil, walkErr
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, got[i])
	}
	return out, nil
}
