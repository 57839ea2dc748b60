package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

var _ client.StateWalker = (*Store)(nil)

// WalkStates walks the group as Walk does and hands each scope's state of def to fn, read in
// one snapshot with one query for the settings, instead of a read per scope. Secret values
// are not read: it serves inventories.
func (s *Store) WalkStates(ctx context.Context, group client.Scope, o client.WalkOptions, def integrations.Definition,
	fn func(client.Namespace, client.State) error,
) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		root, err := resolve(ctx, tx, group)
		if err != nil {
			return err
		}
		rows, err := settingsOf(ctx, tx, def.Name)
		if err != nil {
			return err
		}
		known := map[string]namespace{}
		up, err := lineage(ctx, tx, root)
		if err != nil {
			return err
		}
		for _, ns := range up {
			known[strings.ToLower(ns.path)] = ns
		}
		// parent finds a scope's parent group: met earlier in the walk (path order puts a
		// group before what it holds), else read.
		parent := func(ns namespace) (namespace, error) {
			p := client.ParentPath(ns.path)
			if p == "" {
				return namespace{id: instanceID, level: integrations.Instance}, nil
			}
			if g, ok := known[strings.ToLower(p)]; ok {
				return g, nil
			}
			g, found, err := find(ctx, tx, client.Scope{Level: integrations.Group, Path: p})
			if err != nil || !found {
				return namespace{id: instanceID, level: integrations.Instance}, err
			}
			known[strings.ToLower(p)] = g
			return g, nil
		}
		return walkBelow(ctx, tx, root.scope(), o, func(ns namespace) error {
			if ns.level == integrations.Group {
				known[strings.ToLower(ns.path)] = ns
			}
			r, found := rows[ns.id]
			for at := ns; !found && at.id != instanceID; {
				if at, err = parent(at); err != nil {
					return err
				}
				r, found = rows[at.id]
				r.scope = at
			}
			if found && r.scope.id == ns.id {
				r.scope = ns
			}
			return fn(client.Namespace{Scope: ns.scope(), Archived: ns.archived}, stateOf(ns, def.Name, r, found))
		})
	})
}

// settingsOf reads every scope's own settings of one integration, by scope ID, secrets left
// sealed.
func settingsOf(ctx context.Context, q querier, name string) (map[int64]row, error) {
	rs, err := q.QueryContext(ctx, "SELECT scope_id, active, properties, events, updated_at FROM settings WHERE integration = ?", name)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[int64]row{}
	for rs.Next() {
		r := row{name: name}
		var id int64
		var props, events, updated string
		if err := rs.Scan(&id, &r.active, &props, &events, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(props), &r.props); err != nil {
			return nil, fmt.Errorf("stored settings of %s are damaged: %w", name, err)
		}
		if err := json.Unmarshal([]byte(events), &r.events); err != nil {
			return nil, fmt.Errorf("stored events of %s are damaged: %w", name, err)
		}
		r.updated, _ = time.Parse(time.RFC3339Nano, updated)
		r.scope.id = id
		out[id] = r
	}
	return out, rs.Err()
}
