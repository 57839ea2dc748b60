package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

var _ client.Hooks = (*Store)(nil)

// hookRow is one stored hook. secrets holds the tokens and the values of URL variables and
// headers once unsealed.
type hookRow struct {
	id         int64
	scope      namespace
	props      map[string]string
	events     map[string]bool
	varNames   []string
	headNames  []string
	secretsSet []string
	sealed     string
	created    time.Time
}

// hookSecrets is what a hook row seals.
type hookSecrets struct {
	Values        map[string]string `json:"values,omitempty"`
	URLVariables  map[string]string `json:"url_variables,omitempty"`
	CustomHeaders map[string]string `json:"custom_headers,omitempty"`
}

func hookSealContext(id int64) string { return fmt.Sprintf("hook/%d", id) }

const hookColumns = "id, properties, events, variable_names, header_names, secrets_set, secrets, created_at"

func scanHook(sc interface{ Scan(...any) error }, ns namespace) (hookRow, error) {
	r := hookRow{scope: ns}
	var props, events, vars, heads, set, created string
	if err := sc.Scan(&r.id, &props, &events, &vars, &heads, &set, &r.sealed, &created); err != nil {
		return r, err
	}
	for _, p := range []struct {
		raw string
		dst any
	}{{props, &r.props}, {events, &r.events}, {vars, &r.varNames}, {heads, &r.headNames}, {set, &r.secretsSet}} {
		if err := json.Unmarshal([]byte(p.raw), p.dst); err != nil {
			return r, fmt.Errorf("stored hook %d at %s is damaged: %w", r.id, ns.scope().Describe(), err)
		}
	}
	r.created, _ = time.Parse(time.RFC3339Nano, created)
	return r, nil
}

// view is the hook as the Hooks interface returns it; with secrets, the unsealed values.
func (r hookRow) view(sec *hookSecrets) client.Hook {
	h := client.Hook{
		ID: r.id, Scope: r.scope.scope(), Values: maps.Clone(r.props), Events: maps.Clone(r.events),
		SecretSet: map[string]bool{}, URLVariables: map[string]string{}, CustomHeaders: map[string]string{},
		AlertStatus: "executable", Created: r.created,
	}
	for _, k := range []string{integrations.HookToken, integrations.HookSigningToken} {
		h.SecretSet[k] = slices.Contains(r.secretsSet, k)
	}
	for _, n := range r.varNames {
		h.URLVariables[n] = ""
	}
	for _, n := range r.headNames {
		h.CustomHeaders[n] = ""
	}
	if sec != nil {
		maps.Copy(h.Values, sec.Values)
		maps.Copy(h.URLVariables, sec.URLVariables)
		maps.Copy(h.CustomHeaders, sec.CustomHeaders)
	}
	return h
}

func (s *Store) unsealHook(ctx context.Context, q querier, r hookRow) (*hookSecrets, error) {
	sec := &hookSecrets{}
	if r.sealed == "" {
		return sec, nil
	}
	sl, err := s.readKey(ctx, q)
	if err != nil {
		return nil, err
	}
	plain, err := sl.open(r.sealed, hookSealContext(r.id))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, sec); err != nil {
		return nil, fmt.Errorf("stored secrets of hook %d are damaged: %w", r.id, err)
	}
	return sec, nil
}

// ListHooks returns the scope's hooks in ID order, without their secret values: listing works
// without the key.
func (s *Store) ListHooks(ctx context.Context, sc client.Scope) ([]client.Hook, error) {
	var out []client.Hook
	err := s.read(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		out, err = scopeHooks(ctx, tx, ns)
		return err
	})
	return out, err
}

func scopeHooks(ctx context.Context, q querier, ns namespace) ([]client.Hook, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+hookColumns+" FROM hooks WHERE scope_id = ? ORDER BY id", ns.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []client.Hook
	for rows.Next() {
		r, err := scanHook(rows, ns)
		if err != nil {
			return nil, err
		}
		out = append(out, r.view(nil))
	}
	return out, rows.Err()
}

func loadHook(ctx context.Context, q querier, ns namespace, id int64) (hookRow, error) {
	row := q.QueryRowContext(ctx, "SELECT "+hookColumns+" FROM hooks WHERE scope_id = ? AND id = ?", ns.id, id)
	r, err := scanHook(row, ns)
	if isNoRows(err) {
		return r, client.NotFoundf("no hook %d at %s in the local store", id, ns.scope().Describe())
	}
	return r, err
}

// GetHook returns one hook with its secrets unsealed.
func (s *Store) GetHook(ctx context.Context, sc client.Scope, id int64) (client.Hook, error) {
	var h client.Hook
	err := s.read(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		r, err := loadHook(ctx, tx, ns, id)
		if err != nil {
			return err
		}
		sec, err := s.unsealHook(ctx, tx, r)
		if err != nil {
			return err
		}
		h = r.view(sec)
		return nil
	})
	return h, err
}

// AddHook stores a new hook, creating the scope and its parent groups when they are new.
// Fields and events the change does not name start as GitLab's defaults for the kind.
func (s *Store) AddHook(ctx context.Context, sc client.Scope, c client.HookChange) (client.HookResult, error) {
	var res client.HookResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		ns, created, err := s.ensure(ctx, tx, sc)
		if err != nil {
			return err
		}
		res.Created = created
		// Checked again inside the write: two runs adding the same hook at once add it once.
		existing, err := scopeHooks(ctx, tx, ns)
		if err != nil {
			return err
		}
		if same, ok := client.SameHook(existing, c.Values[integrations.HookName], c.Values[integrations.HookURL]); ok {
			return client.Invalidf("%s already has hook %d with the same %s; adding it again updates it", ns.scope().Describe(), same.ID, same.IdentifiedBy())
		}
		kind := integrations.HookKind(ns.level)
		r := hookRow{scope: ns, props: map[string]string{}, events: kind.DefaultEventStates(), created: s.now().UTC()}
		for _, f := range kind.Fields {
			if f.Default != "" {
				r.props[f.Key] = f.Default // as GitLab's column defaults
			}
		}
		sec := &hookSecrets{}
		applyHook(kind, &r, sec, c)
		now := r.created.Format(time.RFC3339Nano)
		out, err := tx.ExecContext(ctx, "INSERT INTO hooks (scope_id, created_at, updated_at) VALUES (?, ?, ?)", ns.id, now, now)
		if err != nil {
			return err
		}
		if r.id, err = out.LastInsertId(); err != nil {
			return err
		}
		if err := s.putHook(ctx, tx, r, sec); err != nil {
			return err
		}
		res.Hook = r.view(sec)
		return nil
	})
	return res, err
}

// EditHook applies c to the hook. The store keeps every secret it holds whatever changes: only
// GitLab clears tokens and headers when the URL changes.
func (s *Store) EditHook(ctx context.Context, sc client.Scope, id int64, c client.HookChange) (client.HookResult, error) {
	var res client.HookResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		r, err := loadHook(ctx, tx, ns, id)
		if err != nil {
			return err
		}
		sec, err := s.unsealHook(ctx, tx, r)
		if err != nil {
			return err
		}
		applyHook(integrations.HookKind(ns.level), &r, sec, c)
		if err := s.putHook(ctx, tx, r, sec); err != nil {
			return err
		}
		res.Hook = r.view(sec)
		return nil
	})
	return res, err
}

// applyHook merges c into the row: secrets into sec, the rest into props and events.
func applyHook(kind integrations.Definition, r *hookRow, sec *hookSecrets, c client.HookChange) {
	if sec.Values == nil {
		sec.Values = map[string]string{}
	}
	for k, v := range c.Values {
		dst := r.props
		if f, ok := kind.Field(k); ok && f.Masked() {
			dst = sec.Values
		}
		if v == "" {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
	if r.props[integrations.HookBranchStrategy] == "all_branches" {
		delete(r.props, integrations.HookBranchFilter) // as GitLab: every branch, no pattern
	}
	maps.Copy(r.events, c.Events)
	sec.URLVariables = mergeEntries(sec.URLVariables, c.URLVariables)
	sec.CustomHeaders = mergeEntries(sec.CustomHeaders, c.CustomHeaders)
	r.varNames = client.SortedKeys(sec.URLVariables)
	r.headNames = client.SortedKeys(sec.CustomHeaders)
	r.secretsSet = client.SortedKeys(sec.Values)
}

func mergeEntries(cur, change map[string]string) map[string]string {
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range change {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func (s *Store) putHook(ctx context.Context, tx *sql.Tx, r hookRow, sec *hookSecrets) error {
	sealed := ""
	if len(sec.Values)+len(sec.URLVariables)+len(sec.CustomHeaders) > 0 {
		sl, err := s.checkKey(ctx, tx) // a wrong key is refused before it seals anything
		if err != nil {
			return err
		}
		plain, err := json.Marshal(sec)
		if err != nil {
			return err
		}
		if sealed, err = sl.seal(plain, hookSealContext(r.id)); err != nil {
			return err
		}
	}
	cols := make([]any, 0, 5)
	for _, v := range []any{r.props, r.events, orEmpty(r.varNames), orEmpty(r.headNames), orEmpty(r.secretsSet)} {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		cols = append(cols, string(raw))
	}
	_, err := tx.ExecContext(ctx, `UPDATE hooks SET properties = ?, events = ?, variable_names = ?, header_names = ?,
		secrets_set = ?, secrets = ?, updated_at = ? WHERE id = ?`,
		cols[0], cols[1], cols[2], cols[3], cols[4], sealed, s.now().UTC().Format(time.RFC3339Nano), r.id)
	return err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// RemoveHook deletes the hook.
func (s *Store) RemoveHook(ctx context.Context, sc client.Scope, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ns, err := resolve(ctx, tx, sc)
		if err != nil {
			return err
		}
		out, err := tx.ExecContext(ctx, "DELETE FROM hooks WHERE scope_id = ? AND id = ?", ns.id, id)
		if err != nil {
			return err
		}
		if n, _ := out.RowsAffected(); n == 0 {
			return client.NotFoundf("no hook %d at %s in the local store", id, ns.scope().Describe())
		}
		return nil
	})
}
