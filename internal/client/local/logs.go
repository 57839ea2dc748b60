package local

import (
	"context"
	"database/sql"
	"time"

	"github.com/forgekit/integrations/internal/client"
)

// KeepLogs is how many entries are kept per server, scope and integration.
const KeepLogs = 100

// AddLogs records entries and prunes each target's history to the newest KeepLogs.
func (s *Store) AddLogs(ctx context.Context, entries []client.LogEntry) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO request_logs (time, server, scope, integration, event, method, url,
				status, ok, latency_ms, error, request_body, response_body, request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Time.UTC().Format(time.RFC3339Nano), e.Server, e.Scope, e.Integration, e.Event, e.Method, e.URL,
				e.Status, e.OK, e.Latency.Milliseconds(), e.Error, e.RequestBody, e.ResponseBody, e.Key); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM request_logs WHERE server = ? AND scope = ? AND integration = ?
				AND id NOT IN (SELECT id FROM request_logs WHERE server = ? AND scope = ? AND integration = ? ORDER BY id DESC LIMIT ?)`,
				e.Server, e.Scope, e.Integration, e.Server, e.Scope, e.Integration, KeepLogs); err != nil {
				return err
			}
		}
		return nil
	})
}

// Logs returns a target's entries, newest first; limit 0 means all kept.
func (s *Store) Logs(ctx context.Context, server, scope, integration string, limit int, failedOnly bool) ([]client.LogEntry, error) {
	q := `SELECT id, time, server, scope, integration, event, method, url, status, ok, latency_ms, error, request_body, response_body,
		request_key FROM request_logs WHERE server = ? AND scope = ? AND integration = ?`
	if failedOnly {
		q += " AND ok = 0"
	}
	q += " ORDER BY id DESC"
	args := []any{server, scope, integration}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.conn().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []client.LogEntry
	for rows.Next() {
		var e client.LogEntry
		var at string
		var ms int64
		if err := rows.Scan(&e.ID, &at, &e.Server, &e.Scope, &e.Integration, &e.Event, &e.Method, &e.URL, &e.Status, &e.OK, &ms,
			&e.Error, &e.RequestBody, &e.ResponseBody, &e.Key); err != nil {
			return nil, err
		}
		e.Time, _ = time.Parse(time.RFC3339Nano, at)
		e.Latency = time.Duration(ms) * time.Millisecond
		out = append(out, e)
	}
	return out, rows.Err()
}
