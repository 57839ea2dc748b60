package local

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// namespace is a group or project row; the instance is scope ID 0 and has no row.
type namespace struct {
	id       int64
	level    integrations.Level
	path     string
	archived bool
}

const (
	instanceID = 0
	// unbornID marks a scope a write would create: it has no row, so it owns no settings.
	unbornID = -1
)

func (n namespace) scope() client.Scope {
	switch n.id {
	case instanceID:
		return client.InstanceScope
	case unbornID:
		return client.Scope{Level: n.level, Path: n.path}
	}
	return client.Scope{Level: n.level, Path: n.path, ID: n.id}
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Resolve finds the scope's row. An unknown path or ID, or a scope of the other kind, is an
// InputError naming it.
func (s *Store) Resolve(ctx context.Context, sc client.Scope) (client.Scope, error) {
	var ns namespace
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		ns, err = resolve(ctx, tx, sc)
		return err
	})
	return ns.scope(), err
}

func resolve(ctx context.Context, q querier, sc client.Scope) (namespace, error) {
	if sc.Level == integrations.Instance {
		return namespace{id: instanceID, level: integrations.Instance}, nil
	}
	ns, found, err := find(ctx, q, sc)
	if err != nil {
		return ns, err
	}
	if !found {
		return ns, client.NotFoundf("%s not found in the local store", sc.Describe())
	}
	return ns, checkKind(ns, sc)
}

func find(ctx context.Context, q querier, sc client.Scope) (namespace, bool, error) {
	var row *sql.Row
	if sc.Path == "" {
		row = q.QueryRowContext(ctx, "SELECT id, kind, path, archived FROM namespaces WHERE id = ?", sc.ID)
	} else {
		row = q.QueryRowContext(ctx, "SELECT id, kind, path, archived FROM namespaces WHERE path = ?", sc.Path)
	}
	var ns namespace
	var kind string
	err := row.Scan(&ns.id, &kind, &ns.path, &ns.archived)
	if isNoRows(err) {
		return ns, false, nil
	}
	ns.level = integrations.Level(kind)
	return ns, err == nil, err
}

func checkKind(ns namespace, sc client.Scope) error {
	if ns.level == sc.Level {
		return nil
	}
	flag := "-p"
	if ns.level == integrations.Group {
		flag = "-g"
	}
	return client.WrongKindf(flag, ns.path, "%s is a %s, not a %s", ns.path, ns.level, sc.Level)
}

// unborn is a scope given by path that a write would create, checking that no project lies
// above it.
func unborn(ctx context.Context, q querier, sc client.Scope) (namespace, error) {
	for p := client.ParentPath(sc.Path); p != ""; p = client.ParentPath(p) {
		ns, found, err := find(ctx, q, client.Scope{Level: integrations.Group, Path: p})
		if err != nil {
			return ns, err
		}
		if found && ns.level != integrations.Group {
			return ns, client.Invalidf("%s is a project, so it cannot contain %s", ns.path, sc.Path)
		}
	}
	return namespace{id: unbornID, level: sc.Level, path: sc.Path}, nil
}

// ensure resolves the scope, creating it and its missing parent groups when given by path.
func (s *Store) ensure(ctx context.Context, tx *sql.Tx, sc client.Scope) (namespace, []client.Scope, error) {
	if sc.Level == integrations.Instance || sc.Path == "" {
		ns, err := resolve(ctx, tx, sc)
		return ns, nil, err
	}
	if ns, found, err := find(ctx, tx, sc); err != nil || found {
		if err == nil {
			err = checkKind(ns, sc)
		}
		return ns, nil, err
	}
	var created []client.Scope
	var parent *namespace
	parts := strings.Split(sc.Path, "/")
	for i := range parts {
		path := strings.Join(parts[:i+1], "/")
		level := integrations.Group
		if i == len(parts)-1 {
			level = sc.Level
		}
		ns, found, err := find(ctx, tx, client.Scope{Level: level, Path: path})
		if err != nil {
			return ns, nil, err
		}
		if found {
			if ns.level != integrations.Group {
				if i == len(parts)-1 {
					return ns, nil, checkKind(ns, sc)
				}
				return ns, nil, client.Invalidf("%s is a project, so it cannot contain %s", ns.path, sc.Path)
			}
			parent = &ns
			continue
		}
		var parentID any
		if parent != nil {
			parentID = parent.id
		}
		res, err := tx.ExecContext(ctx,
			"INSERT INTO namespaces (kind, path, parent_id, created_at) VALUES (?, ?, ?, ?)",
			string(level), path, parentID, s.now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return ns, nil, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return ns, nil, err
		}
		ns = namespace{id: id, level: level, path: path}
		created = append(created, ns.scope())
		parent = &ns
	}
	return *parent, created, nil
}

// lineage returns the scope's ancestors nearest first, ending with the instance.
func lineage(ctx context.Context, q querier, ns namespace) ([]namespace, error) {
	var out []namespace
	if ns.id == instanceID {
		return out, nil
	}
	parts := strings.Split(ns.path, "/")
	for i := len(parts) - 1; i >= 1; i-- {
		p, found, err := find(ctx, q, client.Scope{Level: integrations.Group, Path: strings.Join(parts[:i], "/")})
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, p)
		}
	}
	return append(out, namespace{id: instanceID, level: integrations.Instance}), nil
}

// Ensure creates the scope and its missing parent groups, returning what it created.
func (s *Store) Ensure(ctx context.Context, sc client.Scope) ([]client.Scope, error) {
	var created []client.Scope
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		_, created, err = s.ensure(ctx, tx, sc)
		return err
	})
	return created, err
}

// Walk visits the group, its subgroups and projects in path order, reading rows as it goes.
func (s *Store) Walk(ctx context.Context, group client.Scope, o client.WalkOptions, fn func(client.Namespace) error) error {
	root, err := s.Resolve(ctx, group)
	if err != nil {
		return err
	}
	return walkBelow(ctx, s.conn(), root, o, func(ns namespace) error {
		return fn(client.Namespace{Scope: ns.scope(), Archived: ns.archived})
	})
}

// walkBelow visits root, then what lies below it as Walk does, through q.
func walkBelow(ctx context.Context, q querier, root client.Scope, o client.WalkOptions, fn func(namespace) error) error {
	if err := fn(namespace{id: root.ID, level: root.Level, path: root.Path}); err != nil {
		return err
	}
	query := `SELECT id, kind, path, archived FROM namespaces WHERE path LIKE ? ESCAPE '\' ORDER BY path`
	prefix := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(root.Path) + "/%"
	rows, err := q.QueryContext(ctx, query, prefix)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ns namespace
		var kind string
		if err := rows.Scan(&ns.id, &kind, &ns.path, &ns.archived); err != nil {
			return err
		}
		ns.level = integrations.Level(kind)
		direct := client.ParentPath(ns.path) == root.Path
		visitGroups := o.Subgroups && o.Groups
		if (!o.Subgroups && !direct) || (ns.level == integrations.Group && !visitGroups) || (ns.archived && !o.Archived) {
			continue
		}
		if err := fn(ns); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetArchived marks a project archived (or not), for bulk runs that skip archived projects.
func (s *Store) SetArchived(ctx context.Context, project client.Scope, archived bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, project)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE namespaces SET archived = ? WHERE id = ?", archived, ns.id)
		return err
	})
}

// Scopes lists the instance and every group and project, in path order.
func (s *Store) Scopes(ctx context.Context) ([]client.Scope, error) {
	out := []client.Scope{client.InstanceScope}
	rows, err := s.conn().QueryContext(ctx, "SELECT id, kind, path, archived FROM namespaces ORDER BY path")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ns namespace
		var kind string
		if err := rows.Scan(&ns.id, &kind, &ns.path, &ns.archived); err != nil {
			return nil, err
		}
		ns.level = integrations.Level(kind)
		out = append(out, ns.scope())
	}
	return out, rows.Err()
}

// Paths lists up to limit paths of the given level starting with prefix, for completion.
func (s *Store) Paths(ctx context.Context, level integrations.Level, prefix string, limit int) ([]string, error) {
	like := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(prefix) + "%"
	rows, err := s.conn().QueryContext(ctx, `SELECT path FROM namespaces WHERE kind = ? AND path LIKE ? ESCAPE '\' ORDER BY path LIMIT ?`,
		string(level), like, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
