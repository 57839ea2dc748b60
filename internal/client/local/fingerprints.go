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
	return s.RecordSecretsBatch(ctx, []SecretRecord{{Server: server, Scope: scope, Integration: integration, Secrets: secrets}})
}

// SecretRecord is the secrets just written to one target.
type SecretRecord struct {
	Server, Scope, Integration string
	Secrets                    map[string]string
}

// RecordSecretsBatch keeps the fingerprints of many targets' secrets in one transaction.
func (s *Store) RecordSecretsBatch(ctx context.Context, recs []SecretRecord) error {
	n := 0
	for _, r := range recs {
		n += len(r.Secrets)
	}
	if n == 0 {
		return nil
	}
	sl, err := s.secrets()
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO secret_fingerprints (server, scope, integration, field, fingerprint)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (server, scope, integration, field) DO UPDATE SET fingerprint = excluded.fingerprint`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range recs {
			for field, v := range r.Secrets {
				fp := sl.fingerprint(r.Server+"\x00"+r.Scope+"\x00"+r.Integration+"\x00"+field, v)
				if _, err := stmt.ExecContext(ctx, r.Server, r.Scope, r.Integration, field, fp); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
