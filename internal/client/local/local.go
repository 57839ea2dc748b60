// Package local is the embedded store: a SQLite file holding the instance, groups and projects
// with their integration settings, secrets encrypted at rest, and request logs. Several
// processes may use one store at once (WAL, busy timeout, immediate write transactions).
package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is the local backend.
type Store struct {
	// db is the store's connection pool; until the first write on a machine without a store
	// it is an empty in-memory database, so that reading creates no file.
	db            atomic.Pointer[sql.DB]
	memory        *sql.DB
	materializing sync.Mutex
	path          string
	now           func() time.Time

	sealerOnce sync.Once
	sealer     *sealer
	sealerErr  error
}

var _ client.Backend = (*Store)(nil)

// Open opens the store at path, creating it (mode 0600, directory 0700) and bringing its schema
// up to date. A file that is not a store, or that a newer version wrote, is refused untouched.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fresh, err := checkFile(abs)
	if err != nil {
		return nil, err
	}
	if fresh {
		if err := create(abs); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, err
	}
	if err := prepareLocked(ctx, db, abs); err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{path: abs, now: time.Now}
	s.db.Store(db)
	return s, nil
}

// OpenLazy opens the store at path if it exists. Otherwise reads see an empty store and the
// first write creates the file: commands that only read leave a fresh machine as it was.
func OpenLazy(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err == nil || !errors.Is(err, os.ErrNotExist) {
		return Open(ctx, abs)
	}
	mem, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	mem.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	if err := migrate(ctx, mem); err != nil {
		mem.Close()
		return nil, err
	}
	s := &Store{path: abs, now: time.Now, memory: mem}
	s.db.Store(mem)
	return s, nil
}

func (s *Store) conn() *sql.DB { return s.db.Load() }

// materialize swaps the empty in-memory database for the real file before the first write.
func (s *Store) materialize(ctx context.Context) error {
	s.materializing.Lock()
	defer s.materializing.Unlock()
	if s.memory == nil || s.conn() != s.memory {
		return nil
	}
	real, err := Open(ctx, s.path)
	if err != nil {
		return err
	}
	s.db.Store(real.conn())
	return nil
}

// prepareLocked runs prepare under an exclusive lock on a file beside the store: switching to
// WAL and migrating the schema must not race with another process doing the same, which SQLite
// reports as I/O errors rather than waiting.
func prepareLocked(ctx context.Context, db *sql.DB, path string) error {
	lock := flock.New(path + ".lock")
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating the store's lock file: %w", err)
	}
	locked, err := lock.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil || !locked {
		return fmt.Errorf("locking the store %s: %w", path, err)
	}
	defer func() { _ = lock.Unlock() }()
	return prepare(ctx, db, path)
}

func prepare(ctx context.Context, db *sql.DB, path string) error {
	if err := checkSchema(ctx, db, path); err != nil {
		return err
	}
	// WAL lets readers work while one process writes; the mode is kept in the file.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("opening store %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		return fmt.Errorf("opening store %s: %w", path, err)
	}
	return nil
}

func create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the store's directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("creating store %s: %w", path, err)
	}
	return f.Close()
}

// dsn builds the connection string. Pragmas run on every new pooled connection; _txlock makes
// every write transaction BEGIN IMMEDIATE, so writers queue on the busy timeout instead of
// failing with "database is locked" when a read lock would need upgrading.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
}

// Where is the store's path.
func (s *Store) Where() string { return "local store " + s.path }

// Capabilities of the local store: everything the contract allows.
func (s *Store) Capabilities() client.Capabilities {
	return client.Capabilities{SaveInactive: true, Instance: true, CreatesScopes: true}
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

func (s *Store) Close() error {
	if s.memory != nil && s.conn() != s.memory {
		s.memory.Close()
	}
	return s.conn().Close()
}

func (s *Store) secrets() (*sealer, error) {
	s.sealerOnce.Do(func() { s.sealer, s.sealerErr = loadSealer(s.path) })
	return s.sealer, s.sealerErr
}

// write runs fn in one immediate transaction.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.materialize(ctx); err != nil {
		return err
	}
	tx, err := s.conn().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a deferred (read) transaction so that it sees one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.conn().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

func sleepBriefly() { time.Sleep(10 * time.Millisecond) }

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
