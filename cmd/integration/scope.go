package integration

import (
	"context"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// readKeyed reads an integration's state for a command that keeps something under its scope
// (the copy disable keeps for enable, a test's payload and report): on a server the scope is
// resolved to its full path as the server spells it, whatever case it was typed in, because a
// read by path does not say. The command's write resolves the scope anyway, so this costs no
// request more.
func readKeyed(ctx context.Context, b client.Backend, scope client.Scope, def integrations.Definition) (client.State, error) {
	cur, err := b.Get(ctx, scope, def)
	if err != nil || b.Capabilities().Server == "" {
		return cur, err
	}
	resolved, err := b.Resolve(ctx, cur.Scope)
	if err != nil {
		return cur, err
	}
	cur.Scope = resolved
	return cur, nil
}

// withServer runs read while the server's version is read beside it (GitLab's is read once per
// run), so that a command needing both waits one round trip, not two.
func withServer(ctx context.Context, b client.Backend, read func() error) (*integrations.Server, error) {
	srv := make(chan *integrations.Server, 1)
	go func() { srv <- b.APIServer(ctx) }()
	err := read()
	return <-srv, err
}
