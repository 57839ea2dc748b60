package local

import (
	"context"
	"database/sql"
	"errors"
	"os"

	"github.com/forgekit/integrations/internal/client"
)

// SecretsUnchanged reports whether every secret in secrets has the fingerprint recorded for
// it the last time it was written to the target. Secrets cannot be read back from GitLab, so
// this is how a bulk run knows it can skip a target.
func (s *Store) SecretsUnchanged(ctx context.Context, server, scope, integration string, secrets map[string]string) (bool, error) {
	if len(secrets) == 0 {
		return true, nil
	}
	sl, err := s.comparingKey(ctx)
	if err != nil || sl == nil {
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
		if stored != sl.secretFingerprint(server, scope, integration, field, v) {
			return false, nil
		}
	}
	return true, nil
}

// comparingKey is the key fingerprints are compared with, nil without an error when there is
// none: without the key nothing can be compared, and every secret is written again.
func (s *Store) comparingKey(ctx context.Context) (*sealer, error) {
	sl, err := s.readKey(ctx, s.conn())
	var ke *KeyError
	if errors.As(err, &ke) || errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return sl, err
}

// SecretsMatcher reads every fingerprint recorded for integration on server in one query and
// returns what SecretsUnchanged says of one secret at a scope, compared in memory: a bulk plan
// over tens of thousands of targets then makes one query, not one per target.
func (s *Store) SecretsMatcher(ctx context.Context, server, integration string) (func(scope, field, value string) bool, error) {
	sl, err := s.comparingKey(ctx)
	if err != nil {
		return nil, err
	}
	if sl == nil {
		return func(string, string, string) bool { return false }, nil
	}
	rows, err := s.conn().QueryContext(ctx, `SELECT scope, field, fingerprint FROM secret_fingerprints
		WHERE server = ? AND integration = ?`, server, integration)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	stored := map[[2]string]string{}
	for rows.Next() {
		var scope, field, fp string
		if err := rows.Scan(&scope, &field, &fp); err != nil {
			return nil, err
		}
		stored[[2]string{scope, field}] = fp
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return func(scope, field, value string) bool {
		fp, ok := stored[[2]string{scope, field}]
		return ok && fp == sl.secretFingerprint(server, scope, integration, field, value)
	}, nil
}

// RecordSecrets keeps the fingerprints of the secrets just written to a target.
func (s *Store) RecordSecrets(ctx context.Context, server, scope, integration string, secrets map[string]string) error {
	return s.RecordSecretsBatch(ctx, []client.SecretRecord{{Server: server, Scope: scope, Integration: integration, Secrets: secrets}})
}

// RecordSecretsBatch keeps the fingerprints of many targets' secrets in one transaction.
func (s *Store) RecordSecretsBatch(ctx context.Context, recs []client.SecretRecord) error {
	n := 0
	for _, r := range recs {
		n += len(r.Secrets)
	}
	if n == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		sl, err := s.fingerprintKey(ctx, tx)
		var ke *KeyError
		if errors.As(err, &ke) {
			return nil // fingerprints only spare writes; without the right key, record none
		}
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO secret_fingerprints (server, scope, integration, field, fingerprint)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (server, scope, integration, field) DO UPDATE SET fingerprint = excluded.fingerprint`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range recs {
			for field, v := range r.Secrets {
				fp := sl.secretFingerprint(r.Server, r.Scope, r.Integration, field, v)
				if _, err := stmt.ExecContext(ctx, r.Server, r.Scope, r.Integration, field, fp); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// fingerprintKey is the key fingerprints are made with: the store's key, made on first use
// only while the store holds no sealed secrets, and refused when it is not the one they use.
func (s *Store) fingerprintKey(ctx context.Context, tx *sql.Tx) (*sealer, error) {
	check, sealed, err := keyState(ctx, tx)
	if err != nil {
		return nil, err
	}
	sl, err := loadKey(s.path, check == "" && !sealed, sealedWith(ctx, tx))
	if err != nil {
		return nil, err
	}
	if check != "" {
		if _, err := sl.open(check, keyCheckContext); err != nil {
			return nil, err
		}
	}
	return sl, nil
}

// secretFingerprint is the fingerprint of a secret written to one field of a target: the one
// place its context is spelt, so what is recorded and what is compared cannot drift apart.
func (s *sealer) secretFingerprint(server, scope, integration, field, secret string) string {
	return s.fingerprint(server+"\x00"+scope+"\x00"+integration+"\x00"+field, secret)
}
