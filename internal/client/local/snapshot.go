package local

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Snapshot is a scope and everything below it, with the integrations configured at each, read
// from the store in one pass for export. Nothing is decrypted: a state's Values hold no
// secrets and Unknown marks the secret fields that are set.
type Snapshot struct {
	scopes []namespace
	byPath map[string]namespace
	rows   map[int64][]snapRow
	hooks  map[int64][]client.Hook
}

// snapRow is one scope's own settings as stored: parsed when asked for, since over tens of
// thousands of scopes the parsed maps would be most of the export's memory.
type snapRow struct {
	name    string
	active  bool
	props   string
	events  string
	secrets []string
}

// Snapshot reads root and what lies below it (the whole store when root is zero: the instance,
// then every group and project in path order).
func (s *Store) Snapshot(ctx context.Context, root client.Scope) (client.Snapshot, error) {
	snap := &Snapshot{byPath: map[string]namespace{}, rows: map[int64][]snapRow{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		all, err := tx.QueryContext(ctx, "SELECT id, kind, path, archived FROM namespaces ORDER BY path")
		if err != nil {
			return err
		}
		defer all.Close()
		var ordered []namespace
		for all.Next() {
			var ns namespace
			var kind string
			if err := all.Scan(&ns.id, &kind, &ns.path, &ns.archived); err != nil {
				return err
			}
			ns.level = integrations.Level(kind)
			ordered = append(ordered, ns)
			if ns.level == integrations.Group {
				snap.byPath[strings.ToLower(ns.path)] = ns
			}
		}
		if err := all.Err(); err != nil {
			return err
		}
		switch {
		case root.IsZero():
			snap.scopes = append([]namespace{{id: instanceID, level: integrations.Instance}}, ordered...)
		default:
			r, err := resolve(ctx, tx, root)
			if err != nil {
				return err
			}
			snap.scopes = []namespace{r}
			below := strings.ToLower(r.path) + "/"
			for _, ns := range ordered {
				if r.level == integrations.Group && strings.HasPrefix(strings.ToLower(ns.path), below) {
					snap.scopes = append(snap.scopes, ns)
				}
			}
		}
		if err := s.snapRows(ctx, tx, snap); err != nil {
			return err
		}
		return snapHooks(ctx, tx, snap)
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

func (s *Store) snapRows(ctx context.Context, tx *sql.Tx, snap *Snapshot) error {
	rs, err := tx.QueryContext(ctx, "SELECT scope_id, integration, active, properties, events, secrets, secret_keys FROM settings")
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var r snapRow
		var id int64
		var sealed, keys string
		if err := rs.Scan(&id, &r.name, &r.active, &r.props, &r.events, &sealed, &keys); err != nil {
			return err
		}
		var names []string
		switch {
		case keys != "":
			if names, err = unmarshalList(keys); err != nil {
				return fmt.Errorf("stored settings of %s are damaged: %w", r.name, err)
			}
		case sealed != "":
			// Written before the names were kept: only decrypting tells which are set.
			values := map[string]string{}
			if err := s.unseal(ctx, tx, row{scope: namespace{id: id}, name: r.name, sealed: sealed}, values); err != nil {
				return err
			}
			for k, v := range values {
				if v != "" {
					names = append(names, k)
				}
			}
		}
		r.secrets = names
		snap.rows[id] = append(snap.rows[id], r)
	}
	return rs.Err()
}

// snapHooks reads the hooks of the snapshot's scopes, in ID order, in one query.
func snapHooks(ctx context.Context, tx *sql.Tx, snap *Snapshot) error {
	byID := make(map[int64]namespace, len(snap.scopes))
	for _, ns := range snap.scopes {
		byID[ns.id] = ns
	}
	rows, err := tx.QueryContext(ctx, "SELECT scope_id, "+hookColumns+" FROM hooks ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	snap.hooks = map[int64][]client.Hook{}
	for rows.Next() {
		var id int64
		r, err := scanHook(scopeFirst{rows, &id}, namespace{})
		if err != nil {
			return err
		}
		if ns, ok := byID[id]; ok {
			r.scope = ns
			snap.hooks[id] = append(snap.hooks[id], r.view(nil))
		}
	}
	return rows.Err()
}

// scopeFirst scans a row whose first column is the scope's ID, then a hook's columns.
type scopeFirst struct {
	rows *sql.Rows
	id   *int64
}

func (s scopeFirst) Scan(dst ...any) error { return s.rows.Scan(append([]any{s.id}, dst...)...) }

// Hooks lists the i-th scope's hooks, without secret values.
func (s *Snapshot) Hooks(i int) []client.Hook { return s.hooks[s.scopes[i].id] }

// Len is the number of scopes.
func (s *Snapshot) Len() int { return len(s.scopes) }

// Scope is the i-th scope.
func (s *Snapshot) Scope(i int) client.Scope { return s.scopes[i].scope() }

// States lists the integrations configured at the i-th scope, own or inherited from the
// nearest ancestor with settings of its own, by name; their events only when asked for.
func (s *Snapshot) States(i int, events bool) ([]client.State, error) {
	self := s.scopes[i]
	// The chain from the scope up to the instance; paths are rarely deeper than the array.
	var up [8]namespace
	chain := append(up[:0], self)
	if self.id != instanceID {
		for p := client.ParentPath(self.path); p != ""; p = client.ParentPath(p) {
			if g, ok := s.byPath[strings.ToLower(p)]; ok {
				chain = append(chain, g)
			}
		}
		chain = append(chain, namespace{id: instanceID, level: integrations.Instance})
	}
	n := 0
	for _, at := range chain {
		n += len(s.rows[at.id])
	}
	out := make([]client.State, 0, n)
	for _, at := range chain {
		for _, r := range s.rows[at.id] {
			// A scope has a few integrations: a scan is cheaper than a set.
			if slices.ContainsFunc(out, func(st client.State) bool { return st.Name == r.name }) {
				continue
			}
			st, err := r.state(self, at, events)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b client.State) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (r snapRow) state(self, at namespace, events bool) (client.State, error) {
	st := client.State{Name: r.name, Scope: self.scope(), Configured: true, Active: r.active}
	if at.id != self.id {
		from := at.scope()
		st.Inherited, st.InheritedFrom = true, &from
		return st, nil
	}
	var err error
	if st.Values, err = unmarshalStrings(r.props); err != nil {
		return st, fmt.Errorf("stored settings of %s at %s are damaged: %w", r.name, self.scope().Describe(), err)
	}
	if !events {
		st.Events = map[string]bool{}
	} else if st.Events, err = unmarshalBools(r.events); err != nil {
		return st, fmt.Errorf("stored events of %s at %s are damaged: %w", r.name, self.scope().Describe(), err)
	}
	st.Unknown = make(map[string]bool, len(r.secrets))
	for _, k := range r.secrets {
		st.Unknown[k] = true
	}
	return st, nil
}
