package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// row is one scope's own settings for one integration.
type row struct {
	scope   namespace
	name    string
	active  bool
	props   map[string]string
	sealed  string
	events  map[string]bool
	updated time.Time
}

// loadRows reads the own settings of the given scopes, for one integration or (name "") all.
func loadRows(ctx context.Context, q querier, scopes []namespace, name string) ([]row, error) {
	byID := make(map[int64]namespace, len(scopes))
	args := make([]any, 0, len(scopes)+1)
	marks := make([]string, 0, len(scopes))
	for _, ns := range scopes {
		byID[ns.id] = ns
		args = append(args, ns.id)
		marks = append(marks, "?")
	}
	query := "SELECT scope_id, integration, active, properties, secrets, events, updated_at FROM settings WHERE scope_id IN (" + strings.Join(marks, ",") + ")"
	if name != "" {
		query += " AND integration = ?"
		args = append(args, name)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		var id int64
		var props, events, updated string
		if err := rows.Scan(&id, &r.name, &r.active, &props, &r.sealed, &events, &updated); err != nil {
			return nil, err
		}
		r.scope = byID[id]
		if err := json.Unmarshal([]byte(props), &r.props); err != nil {
			return nil, fmt.Errorf("stored settings of %s at %s are damaged: %w", r.name, r.scope.scope().Describe(), err)
		}
		if err := json.Unmarshal([]byte(events), &r.events); err != nil {
			return nil, fmt.Errorf("stored events of %s at %s are damaged: %w", r.name, r.scope.scope().Describe(), err)
		}
		r.updated, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// effective picks, for the scope at chain[0], the nearest settings up its chain: its own, or
// else inherited from the closest ancestor that has settings of its own, as GitLab does.
func effective(chain []namespace, rows []row, name string) (row, bool) {
	for _, ns := range chain {
		for _, r := range rows {
			if r.scope.id == ns.id && r.name == name {
				return r, true
			}
		}
	}
	return row{}, false
}

func stateOf(self namespace, name string, r row, found bool) client.State {
	st := client.State{Name: name, Scope: self.scope(), Values: map[string]string{}, Events: map[string]bool{}}
	if !found {
		return st
	}
	st.Configured, st.Active, st.Updated = true, r.active, r.updated
	maps.Copy(st.Values, r.props)
	maps.Copy(st.Events, r.events)
	if r.scope.id != self.id {
		from := r.scope.scope()
		st.Inherited, st.InheritedFrom = true, &from
	}
	return st
}

// chainOf is the scope followed by its ancestors, nearest first.
func chainOf(ctx context.Context, q querier, ns namespace) ([]namespace, error) {
	up, err := lineage(ctx, q, ns)
	if err != nil {
		return nil, err
	}
	return append([]namespace{ns}, up...), nil
}

// List returns every integration configured at the scope, own or inherited. Secret values are
// left out: listing never needs them, so it works without the key.
func (s *Store) List(ctx context.Context, sc client.Scope) ([]client.State, error) {
	var out []client.State
	err := s.read(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		chain, err := chainOf(ctx, tx, ns)
		if err != nil {
			return err
		}
		rows, err := loadRows(ctx, tx, chain, "")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.name] {
				continue
			}
			seen[r.name] = true
			best, _ := effective(chain, rows, r.name)
			out = append(out, stateOf(ns, r.name, best, true))
		}
		return nil
	})
	return out, err
}

// Get returns the integration's state at the scope, secrets decrypted.
func (s *Store) Get(ctx context.Context, sc client.Scope, def integrations.Definition) (client.State, error) {
	return s.state(ctx, def, func(tx *sql.Tx) (namespace, error) { return resolve(ctx, tx, sc) })
}

// StartingState is Get, except that a scope given by path the store does not have yet reads as
// what it will inherit once a write creates it. A project above it is refused: a write could
// not create it there.
func (s *Store) StartingState(ctx context.Context, sc client.Scope, def integrations.Definition) (client.State, error) {
	return s.state(ctx, def, func(tx *sql.Tx) (namespace, error) {
		ns, err := resolve(ctx, tx, sc)
		if client.IsNotFound(err) && sc.Path != "" {
			return unborn(ctx, tx, sc)
		}
		return ns, err
	})
}

// state reads def's state, secrets decrypted, at the namespace at finds.
func (s *Store) state(ctx context.Context, def integrations.Definition, at func(*sql.Tx) (namespace, error)) (client.State, error) {
	var st client.State
	err := s.read(ctx, func(tx *sql.Tx) error {
		ns, err := at(tx)
		if err != nil {
			return err
		}
		r, found, err := s.nearest(ctx, tx, ns, def.Name)
		if err != nil {
			return err
		}
		st = stateOf(ns, def.Name, r, found)
		return s.unseal(ctx, tx, r, st.Values)
	})
	return st, err
}

func (s *Store) nearest(ctx context.Context, q querier, ns namespace, name string) (row, bool, error) {
	chain, err := chainOf(ctx, q, ns)
	if err != nil {
		return row{}, false, err
	}
	rows, err := loadRows(ctx, q, chain, name)
	if err != nil {
		return row{}, false, err
	}
	r, found := effective(chain, rows, name)
	return r, found, nil
}

func sealContext(scopeID int64, name string) string { return fmt.Sprintf("%d/%s", scopeID, name) }

func (s *Store) unseal(ctx context.Context, q querier, r row, into map[string]string) error {
	if r.sealed == "" {
		return nil
	}
	sl, err := s.readKey(ctx, q)
	if err != nil {
		return err
	}
	plain, err := sl.open(r.sealed, sealContext(r.scope.id, r.name))
	if err != nil {
		return err
	}
	var secrets map[string]string
	if err := json.Unmarshal(plain, &secrets); err != nil {
		return fmt.Errorf("stored secrets are damaged: %w", err)
	}
	maps.Copy(into, secrets)
	return nil
}

// Save applies u at the scope, creating the scope and its parent groups when they are new.
// Settings inherited until now become the scope's own, starting from the inherited values.
func (s *Store) Save(ctx context.Context, sc client.Scope, def integrations.Definition, u client.Update) (client.SaveResult, error) {
	var res client.SaveResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		ns, created, err := s.ensure(ctx, tx, sc)
		if err != nil {
			return err
		}
		res.Created = created
		if !def.SupportsLevel(ns.level) {
			return client.Invalidf("%s cannot be set at %s level; it supports: %s", def.Name, ns.level, strings.Join(def.LevelNames(), ", "))
		}
		if u.UseInherited {
			return s.inherit(ctx, tx, ns, def, &res)
		}
		cur, found, err := s.nearest(ctx, tx, ns, def.Name)
		if err != nil {
			return err
		}
		next := stateOf(ns, def.Name, cur, found)
		if err := s.unseal(ctx, tx, cur, next.Values); err != nil {
			return err
		}
		if !found {
			next.Events = def.DefaultEventStates()
		}
		// The caller's changes go onto the row as stored now. A caller that saw no settings at
		// all where the store has inherited ones asked for exactly what it sent.
		if u.Current != nil && (u.Current.Configured || !found || cur.scope.id == ns.id) {
			u = changesOnly(def, u)
		}
		apply(&next, u)
		if err := s.put(ctx, tx, ns, def, next); err != nil {
			return err
		}
		next.Configured, next.Inherited, next.InheritedFrom = true, false, nil
		next.Updated = s.now().UTC()
		res.State = next
		return nil
	})
	return res, err
}

// changesOnly keeps of u what differs from the state its caller read (u.Current): callers send
// whole event maps, and writing back the events they did not change would undo what another
// process changed since that read. The rest is applied to the row as stored at write time.
func changesOnly(def integrations.Definition, u client.Update) client.Update {
	if u.Current == nil {
		return u
	}
	read := def.EventStates(u.Current.Scope.Level, u.Current.Events)
	events := map[string]bool{}
	for e, on := range u.Events {
		if was, ok := read[e]; !ok || was != on {
			events[e] = on
		}
	}
	values := map[string]string{}
	for k, v := range u.Values {
		if was, ok := u.Current.Values[k]; !ok || was != v {
			values[k] = v
		}
	}
	u.Events, u.Values = events, values
	return u
}

func apply(st *client.State, u client.Update) {
	for k, v := range u.Values {
		if v == "" {
			delete(st.Values, k)
		} else {
			st.Values[k] = v
		}
	}
	maps.Copy(st.Events, u.Events)
	if u.Active != nil {
		st.Active = *u.Active
	}
}

func (s *Store) inherit(ctx context.Context, tx *sql.Tx, ns namespace, def integrations.Definition, res *client.SaveResult) error {
	up, err := lineage(ctx, tx, ns)
	if err != nil {
		return err
	}
	rows, err := loadRows(ctx, tx, up, def.Name)
	if err != nil {
		return err
	}
	parent, found := effective(up, rows, def.Name)
	if !found {
		return client.Invalidf("no parent of %s has %s settings to inherit", ns.scope().Describe(), def.Name)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE scope_id = ? AND integration = ?", ns.id, def.Name); err != nil {
		return err
	}
	res.State = stateOf(ns, def.Name, parent, true)
	return s.unseal(ctx, tx, parent, res.State.Values)
}

// put writes the scope's own row: non-secret values in clear, secrets sealed together.
func (s *Store) put(ctx context.Context, tx *sql.Tx, ns namespace, def integrations.Definition, st client.State) error {
	props, secrets := map[string]string{}, map[string]string{}
	for k, v := range st.Values {
		if f, ok := def.Field(k); ok && f.Masked() {
			secrets[k] = v
		} else {
			props[k] = v
		}
	}
	sealed, keys := "", []string{}
	for k, v := range secrets {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keysJSON, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	if len(secrets) > 0 {
		sl, err := s.checkKey(ctx, tx)
		if err != nil {
			return err
		}
		plain, err := json.Marshal(secrets)
		if err != nil {
			return err
		}
		if sealed, err = sl.seal(plain, sealContext(ns.id, def.Name)); err != nil {
			return err
		}
	}
	propsJSON, err := json.Marshal(props)
	if err != nil {
		return err
	}
	eventsJSON, err := json.Marshal(st.Events)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (scope_id, integration, active, properties, secrets, events, updated_at, secret_keys)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (scope_id, integration) DO UPDATE SET active = excluded.active, properties = excluded.properties,
			secrets = excluded.secrets, events = excluded.events, updated_at = excluded.updated_at, secret_keys = excluded.secret_keys`,
		ns.id, def.Name, st.Active, string(propsJSON), sealed, string(eventsJSON), s.now().UTC().Format(time.RFC3339Nano), string(keysJSON))
	return err
}

// Disable deactivates the integration at the scope and keeps its settings, so a later enable
// restores them. Inherited settings become the scope's own, inactive: the scope opts out.
// Settings that do not exist are left alone: the integration is already inactive.
func (s *Store) Disable(ctx context.Context, sc client.Scope, def integrations.Definition) (client.State, error) {
	var st client.State
	err := s.write(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		cur, found, err := s.nearest(ctx, tx, ns, def.Name)
		if err != nil {
			return err
		}
		st = stateOf(ns, def.Name, cur, found)
		if !found {
			return nil
		}
		if err := s.unseal(ctx, tx, cur, st.Values); err != nil {
			return err
		}
		st.Active, st.Inherited, st.InheritedFrom = false, false, nil
		return s.put(ctx, tx, ns, def, st)
	})
	return st, err
}

// Remove drops the scope's own settings of the integration, as if it had never been
// configured there (bulk revert of a run that created them).
func (s *Store) Remove(ctx context.Context, sc client.Scope, def integrations.Definition) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE scope_id = ? AND integration = ?", ns.id, def.Name)
		return err
	})
}
