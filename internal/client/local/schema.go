package local

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/forgekit/integrations/internal/client"
)

// applicationID marks a SQLite file as ours ("INTG"), so another program's database is refused
// instead of being altered.
const applicationID = 0x494e5447

// migrations are applied in order; PRAGMA user_version counts how many ran. Never edit a
// released entry: append a new one.
var migrations = []string{
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE namespaces (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		kind TEXT NOT NULL CHECK (kind IN ('group', 'project')),
		path TEXT NOT NULL UNIQUE COLLATE NOCASE,
		parent_id INTEGER REFERENCES namespaces(id),
		archived INTEGER NOT NULL DEFAULT 0,
		created_at TEXT NOT NULL
	);
	CREATE INDEX namespaces_by_parent ON namespaces(parent_id);
	CREATE TABLE settings (
		scope_id INTEGER NOT NULL,
		integration TEXT NOT NULL,
		active INTEGER NOT NULL,
		properties TEXT NOT NULL DEFAULT '{}',
		secrets TEXT NOT NULL DEFAULT '',
		events TEXT NOT NULL DEFAULT '{}',
		updated_at TEXT NOT NULL,
		PRIMARY KEY (scope_id, integration)
	);
	CREATE TABLE request_logs (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		time TEXT NOT NULL,
		scope TEXT NOT NULL,
		integration TEXT NOT NULL,
		event TEXT NOT NULL DEFAULT '',
		method TEXT NOT NULL DEFAULT '',
		url TEXT NOT NULL DEFAULT '',
		status INTEGER NOT NULL DEFAULT 0,
		ok INTEGER NOT NULL DEFAULT 0,
		latency_ms INTEGER NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		request_body TEXT NOT NULL DEFAULT '',
		response_body TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX request_logs_by_target ON request_logs(scope, integration, id);`,
	// Non-secret settings kept before GitLab's DELETE resets them, so enable can restore them.
	`CREATE TABLE saved_settings (
		host TEXT NOT NULL,
		scope TEXT NOT NULL,
		integration TEXT NOT NULL,
		properties TEXT NOT NULL,
		events TEXT NOT NULL,
		saved_at TEXT NOT NULL,
		PRIMARY KEY (host, scope, integration)
	);`,
	// Deliveries to a GitLab server's integrations are logged under the server's name.
	`ALTER TABLE request_logs ADD COLUMN server TEXT NOT NULL DEFAULT '';
	DROP INDEX request_logs_by_target;
	CREATE INDEX request_logs_by_target ON request_logs(server, scope, integration, id);`,
	// Keyed fingerprints of the secrets bulk runs last wrote, to skip rewriting equal ones.
	`CREATE TABLE secret_fingerprints (
		server TEXT NOT NULL,
		scope TEXT NOT NULL,
		integration TEXT NOT NULL,
		field TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		PRIMARY KEY (server, scope, integration, field)
	);`,
	// Whether the kept settings were inherited, so that enable links them back to the parent.
	`ALTER TABLE saved_settings ADD COLUMN inherited INTEGER NOT NULL DEFAULT 0;`,
	// Webhooks of projects, groups and the instance (scope 0). Names of URL variables and
	// headers, and which secrets are set, are kept in clear so listing needs no key; their
	// values and the tokens are sealed together.
	`CREATE TABLE hooks (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		scope_id INTEGER NOT NULL,
		properties TEXT NOT NULL DEFAULT '{}',
		events TEXT NOT NULL DEFAULT '{}',
		variable_names TEXT NOT NULL DEFAULT '[]',
		header_names TEXT NOT NULL DEFAULT '[]',
		secrets_set TEXT NOT NULL DEFAULT '[]',
		secrets TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE INDEX hooks_by_scope ON hooks(scope_id, id);`,
	// The names of the secret fields that are set (a JSON list), so that export writes their
	// references without decrypting anything. Rows written before hold '' and are decrypted.
	`ALTER TABLE settings ADD COLUMN secret_keys TEXT NOT NULL DEFAULT '';`,
	// The Idempotency-Key of a webhook delivery: a resend keeps it, so the entries of one
	// request can be told apart from another's with the same body.
	`ALTER TABLE request_logs ADD COLUMN request_key TEXT NOT NULL DEFAULT '';`,
}

// SchemaVersion is the schema this build writes.
var SchemaVersion = len(migrations)

// checkFile refuses, before anything touches it, a file that is not a store of ours or that a
// newer version wrote. It returns whether the file is new (absent or empty).
func checkFile(path string) (fresh bool, err error) {
	// Stat before opening: opening a FIFO would wait for a writer.
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if st.IsDir() {
		return false, &FileError{Path: path, Reason: "it is a directory; --store names the store's file"}
	}
	if !st.Mode().IsRegular() {
		return false, &FileError{Path: path, Reason: "it is not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if st.Size() == 0 {
		return true, nil
	}
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil || !bytes.Equal(header, []byte("SQLite format 3\x00")) {
		return false, &FileError{Path: path, Reason: "it is not a SQLite database"}
	}
	return false, nil
}

// schemaState is what checkSchema read of a store file.
type schemaState struct {
	version int
	wal     bool
}

// ready is a store that opening has nothing to do to: the schema is current and the file in
// WAL mode. Most opens find it so, and then take no lock and start no write transaction.
func (st schemaState) ready() bool { return st.version == SchemaVersion && st.wal }

// checkSchema reads the identity of the database in one read transaction, before anything
// (even the switch to WAL) writes to it.
func checkSchema(ctx context.Context, db *sql.DB, path string) (schemaState, error) {
	var st schemaState
	var appID, tables int
	var mode string
	// One statement, not four: each is parsed and run on its own, and most commands open the
	// store for a single query of their own.
	err := db.QueryRowContext(ctx, `SELECT application_id, user_version, journal_mode,
		(SELECT count(*) FROM sqlite_schema) FROM pragma_application_id, pragma_user_version, pragma_journal_mode`).
		Scan(&appID, &st.version, &mode, &tables)
	if err != nil {
		return st, &FileError{Path: path, Reason: "it cannot be read as a SQLite database: " + err.Error()}
	}
	st.wal = strings.EqualFold(mode, "wal")
	switch {
	case appID != applicationID && tables > 0:
		return st, &FileError{Path: path, Reason: "it is another program's SQLite database"}
	case st.version > SchemaVersion:
		return st, &FileError{Path: path, Reason: fmt.Sprintf(
			"a newer version of integrations wrote it (schema %d; this build knows up to %d); upgrade integrations", st.version, SchemaVersion)}
	}
	return st, nil
}

// migrate brings the schema up to date. Each step runs in an immediate transaction that first
// re-reads the version, so concurrent first opens from several processes apply it once.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			_ = tx.Rollback()
			return err
		}
		if version >= SchemaVersion {
			return tx.Rollback()
		}
		if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrating the store to schema %d: %w", version+1, err)
		}
		// PRAGMA takes no bound parameters; the values are our own integers.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", version+1, applicationID)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}

// FileError is a store file that cannot be used; the file was left as it was.
type FileError struct {
	Path   string
	Reason string
}

// Unwrap marks the error as the user's: the wrong file was named.
func (e *FileError) Unwrap() error { return client.ErrUnusableStore }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *FileError) UsageError() bool { return true }

func (e *FileError) Error() string {
	return fmt.Sprintf("%s is not a usable integrations store: %s (the file was left untouched)", e.Path, e.Reason)
}
