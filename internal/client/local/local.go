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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
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
	opts          []Option
	lockTimeout   time.Duration
	// readOnly is set when the store's directory cannot be written: reads work, writes fail.
	readOnly bool

	sealerOnce sync.Once
	sealer     *sealer
	sealerErr  error
}

var _ client.Backend = (*Store)(nil)

// DefaultLockTimeout is how long opening the store waits for another process holding its lock.
const DefaultLockTimeout = 10 * time.Second

// Option changes how a store is opened.
type Option func(*options)

type options struct{ lockTimeout time.Duration }

// WithLockTimeout bounds the wait for another process holding the store's lock (the lock file
// while the schema is brought up to date, SQLite's write lock while writing).
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

func optionsOf(opts []Option) options {
	o := options{lockTimeout: DefaultLockTimeout}
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Open opens the store at path, creating it (mode 0600, directory 0700) and bringing its schema
// up to date. A file that is not a store, or that a newer version wrote, is refused untouched.
// A store whose directory cannot be written is opened for reading only.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := optionsOf(opts)
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
	lockFile, err := os.OpenFile(abs+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && !fresh && isReadOnly(err) {
		return openReadOnly(ctx, abs, o)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the store's lock file: %w", err)
	}
	lockFile.Close()
	db, err := sql.Open("sqlite", dsn(abs, o.lockTimeout))
	if err != nil {
		return nil, err
	}
	st, err := checkSchema(ctx, db, abs)
	if err == nil && !st.ready() {
		err = prepareLocked(ctx, db, abs, o.lockTimeout)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{path: abs, now: time.Now, lockTimeout: o.lockTimeout}
	s.db.Store(db)
	return s, nil
}

func isReadOnly(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission)
}

// openReadOnly opens a store in a directory this process cannot write (a read-only mount, a
// shared copy): reads work, writes are refused naming the reason.
func openReadOnly(ctx context.Context, path string, o options) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path, o.lockTimeout)+"&mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	st, err := checkSchema(ctx, db, path)
	if err != nil {
		db.Close()
		return nil, err
	}
	if st.version < SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("store %s needs its schema brought up to date, but its directory cannot be written", path)
	}
	s := &Store{path: path, now: time.Now, lockTimeout: o.lockTimeout, readOnly: true}
	s.db.Store(db)
	return s, nil
}

// OpenLazy opens the store at path if it exists. Otherwise reads see an empty store and the
// first write creates the file: commands that only read leave a fresh machine as it was.
func OpenLazy(ctx context.Context, path string, opts ...Option) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err == nil || !errors.Is(err, os.ErrNotExist) {
		return Open(ctx, abs, opts...)
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
	s := &Store{path: abs, now: time.Now, memory: mem, opts: opts, lockTimeout: optionsOf(opts).lockTimeout}
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
	file, err := Open(ctx, s.path, s.opts...)
	if err != nil {
		return err
	}
	s.db.Store(file.conn())
	return nil
}

// prepareLocked runs prepare under an exclusive lock on a file beside the store: switching to
// WAL and migrating the schema must not race with another process doing the same, which SQLite
// reports as I/O errors rather than waiting. The holder writes its pid into the lock file, so
// that a process that waits too long can say who holds it.
func prepareLocked(ctx context.Context, db *sql.DB, path string, timeout time.Duration) error {
	lockPath := path + ".lock"
	lock := flock.New(lockPath)
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	locked, err := lock.TryLockContext(wait, 5*time.Millisecond)
	if !locked {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return lockError(lockPath, timeout, err)
	}
	defer func() {
		_ = os.Truncate(lockPath, 0)
		_ = lock.Unlock()
	}()
	_ = os.WriteFile(lockPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return prepare(ctx, db, path)
}

// LockError is a store another process kept locked for longer than the wait allowed.
type LockError struct {
	Lock    string
	Waited  time.Duration
	Holder  int // 0 when unknown
	Problem error
}

func (e *LockError) Error() string {
	holder := "another process"
	if e.Holder > 0 {
		holder = fmt.Sprintf("process %d", e.Holder)
	}
	msg := fmt.Sprintf("the store is locked: %s holds %s; gave up after %s (set --lock-timeout or INTEGRATIONS_LOCK_TIMEOUT to wait longer)", holder, e.Lock, e.Waited)
	if e.Problem != nil && !errors.Is(e.Problem, context.DeadlineExceeded) {
		msg += ": " + e.Problem.Error()
	}
	return msg
}

func lockError(lockPath string, waited time.Duration, err error) error {
	e := &LockError{Lock: lockPath, Waited: waited, Problem: err}
	if raw, rerr := os.ReadFile(lockPath); rerr == nil && len(raw) < 32 {
		e.Holder, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
	}
	return e
}

func prepare(ctx context.Context, db *sql.DB, path string) error {
	// Again under the lock: another process may have migrated the file since.
	if _, err := checkSchema(ctx, db, path); err != nil {
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
func dsn(path string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
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

// APIServer is nil: no server's API drops what the store is given.
func (s *Store) APIServer(context.Context) *integrations.Server { return nil }

// Path is the store's file.
func (s *Store) Path() string { return s.path }

func (s *Store) Close() error {
	if s.memory != nil && s.conn() != s.memory {
		s.memory.Close()
	}
	return s.conn().Close()
}

// write runs fn in one immediate transaction.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("cannot write to the local store %s: its directory is read-only", s.path)
	}
	if err := s.materialize(ctx); err != nil {
		return err
	}
	tx, err := s.conn().BeginTx(ctx, nil)
	if err != nil {
		return s.busy(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.busy(err)
	}
	return s.busy(tx.Commit())
}

// busy names the store when SQLite gave up waiting for another process's write lock.
func (s *Store) busy(err error) error {
	if err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")) {
		return &LockError{Lock: s.path, Waited: s.lockTimeout}
	}
	return err
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
