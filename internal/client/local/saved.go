package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// KeepSettings stores st's non-secret values and events under the server's host and scope.
// Secrets never go in: GitLab does not return them, and a copy would outlive their rotation.
func (s *Store) KeepSettings(ctx context.Context, host string, def integrations.Definition, st client.State) error {
	props := map[string]string{}
	for k, v := range st.Values {
		if f, ok := def.Field(k); ok && !f.Masked() {
			props[k] = v
		}
	}
	p, err := json.Marshal(props)
	if err != nil {
		return err
	}
	e, err := json.Marshal(st.Events)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO saved_settings (host, scope, integration, properties, events, inherited, saved_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (host, scope, integration) DO UPDATE SET properties = excluded.properties,
				events = excluded.events, inherited = excluded.inherited, saved_at = excluded.saved_at`,
			host, st.Scope.String(), def.Name, string(p), string(e), st.Inherited, s.now().UTC().Format(time.RFC3339Nano))
		return err
	})
}

// KeptSettings returns the copy KeepSettings stored, if any.
func (s *Store) KeptSettings(ctx context.Context, host string, scope client.Scope, name string) (client.Kept, bool, error) {
	var saved client.Kept
	var props, events, at string
	err := s.conn().QueryRowContext(ctx, `SELECT properties, events, inherited, saved_at FROM saved_settings
		WHERE host = ? AND scope = ? AND integration = ?`, host, scope.String(), name).Scan(&props, &events, &saved.Inherited, &at)
	if isNoRows(err) {
		return saved, false, nil
	}
	if err != nil {
		return saved, false, err
	}
	if err := json.Unmarshal([]byte(props), &saved.Values); err != nil {
		return saved, false, err
	}
	if err := json.Unmarshal([]byte(events), &saved.Events); err != nil {
		return saved, false, err
	}
	saved.At, _ = time.Parse(time.RFC3339Nano, at)
	return saved, true, nil
}

// ForgetSettings drops the kept copy once enable has restored it, so that a much later enable
// cannot bring back stale values.
func (s *Store) ForgetSettings(ctx context.Context, host string, scope client.Scope, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM saved_settings WHERE host = ? AND scope = ? AND integration = ?", host, scope.String(), name)
		return err
	})
}
