package local

import (
	"context"
	"database/sql"
)

// SecretsUnchanged reports whether every secret in secrets has the fingerprint recorded for
// it the last time it was written to the target. Secrets cannot be read back from GitLab, so
// this is how a bulk run knows it can skip a target.
func (s *Store) SecretsUnchanged(ctx context.Context, server, scope, integration string, secrets map[string]string) (bool, error) {
	if len(secrets) == 0 {
		return true, nil
	}
	sl, err := s.secrets()
	if err != nil {
		return false, err
	}
	for field, v := range secrets {
		var stored string
		err := s.conn().QueryRowContext(ctx, `SELECT fingerprint FROM secret_fingerprints
			WHERE server = ? AND scope = ? AND integration = ? AND field = ?`, server, scope, integration, field).Scan(&stored)
		if isNoRows(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if stored != sl.fingerprint(server+"\x00"+scope+"\x00"+integration+"\x00"+field, v) {
			return false, nil
		}
	}
	return true, nil
}

// RecordSecrets keeps the fingerprints of the secrets just written to a target.
func (s *Store) RecordSecrets(ctx context.Context, server, scope, integration string, secrets map[string]string) error {
	if len(secrets) == 0 {
		return nil
	}
	sl, err := s.secrets()
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for field, v := range secrets {
			fp := sl.fingerprint(server+"\x00"+scope+"\x00"+integration+"\x00"+field, v)
			if _, err := tx.ExecContext(ctx, `INSERT INTO secret_fingerprints (server, scope, integration, field, fingerprint)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (server, scope, integration, field) DO UPDATE SET fingerprint = excluded.fingerprint`,
				server, scope, integration, field, fp); err != nil {
				return err
			}
		}
		return nil
	})
}
