package bulk

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// listWalker walks a fixed list of namespaces below any group.
type listWalker []client.Namespace

func (w listWalker) Walk(ctx context.Context, _ client.Scope, _ client.WalkOptions, fn func(client.Namespace) error) error {
	for _, ns := range w {
		if err := fn(ns); err != nil {
			return err
		}
	}
	return nil
}

func namespaces(n int) listWalker {
	w := listWalker{{Scope: group("acme")}}
	for i := range n {
		w = append(w, client.Namespace{Scope: project(fmt.Sprintf("acme/p%03d", i))})
	}
	return w
}

func TestReadBelowKeepsTheWalksOrderAndVisitsEachOnce(t *testing.T) {
	w := namespaces(50)
	projectsOnly := func(ns client.Namespace) bool { return ns.Scope.Level == integrations.Project }
	// The same group twice: its namespaces are read once.
	got, err := ReadBelow(context.Background(), w, []client.Scope{group("acme"), group("acme")}, client.WalkOptions{}, 8, projectsOnly,
		func(_ context.Context, ns client.Namespace) (string, error) { return ns.Scope.Path, nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("read %d namespaces, want 50", len(got))
	}
	for i, p := range got {
		if want := fmt.Sprintf("acme/p%03d", i); p != want {
			t.Fatalf("item %d is %s, want %s", i, p, want)
		}
	}
}

func TestReadBelowStopsAtTheFirstReadError(t *testing.T) {
	boom := errors.New("boom")
	reads := 0
	_, err := ReadBelow(context.Background(), namespaces(1000), []client.Scope{group("acme")}, client.WalkOptions{}, 1,
		func(client.Namespace) bool { return true },
		func(_ context.Context, ns client.Namespace) (int, error) {
			reads++
			if ns.Scope.Path == "acme/p002" {
				return 0, boom
			}
			return 0, nil
		})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// One reader: what the walk had already queued may be skipped, but never read on.
	if reads != 4 {
		t.Errorf("%d reads, want the walk to stop after the failing one (4)", reads)
	}
}
