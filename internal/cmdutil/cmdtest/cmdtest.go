// Package cmdtest runs commands in tests against real parts: a SQLite store in a temporary
// directory, in-memory streams with a chosen TTY state, and a chosen prompter.
package cmdtest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// Env is one test's command environment.
type Env struct {
	T        *testing.T
	Factory  *cmdutil.Factory
	Store    *local.Store
	Backend  client.Backend
	In       *bytes.Buffer
	Out      *bytes.Buffer
	ErrOut   *bytes.Buffer
	Prompter forms.Prompter
}

// Option adjusts an Env.
type Option func(*Env)

// TTY makes every stream a terminal (or not).
func TTY(tty bool) Option { return func(e *Env) { e.Factory.IOStreams.SetTTY(tty) } }

// WithPrompter installs a prompter (a scripted fake, usually).
func WithPrompter(p forms.Prompter) Option { return func(e *Env) { e.Prompter = p } }

// WithConfig sets configuration values (host, hosts::<host>::token, …); the config file lives
// in the test's temporary directory.
func WithConfig(values map[string]any) Option {
	return func(e *Env) {
		cfg := config.FromMap(filepath.Join(e.T.TempDir(), "config.yaml"), values)
		e.Factory.Config = func() (*config.Config, error) { return cfg, nil }
	}
}

// WithBackend replaces the local store with another backend.
func WithBackend(b client.Backend) Option { return func(e *Env) { e.Backend = b } }

// New builds an Env with a fresh store in t.TempDir(), streams that are not terminals, and a
// prompter that refuses.
func New(t *testing.T, opts ...Option) *Env {
	t.Helper()
	t.Setenv("INTEGRATIONS_SECRET_KEY", "test key")
	ios, in, out, errOut := iostreams.Test()
	empty, err := emptyStore()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "store.db")
	if err := os.WriteFile(path, empty, 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := local.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &Env{T: t, Store: store, Backend: store, In: in, Out: out, ErrOut: errOut, Prompter: forms.NoPrompt{}}
	e.Factory = &cmdutil.Factory{
		IOStreams:  ios,
		AppVersion: "test",
		Output:     &output.Options{Format: output.Table},
		Backend:    func() (client.Backend, error) { return e.Backend, nil },
		Store:      func() (cmdutil.Store, error) { return store, nil },
	}
	e.Factory.Prompter = func() forms.Prompter { return e.Prompter }
	for _, o := range opts {
		o(e)
	}
	return e
}

// emptyStore is the file of a new, empty store. Creating the schema costs each test about a
// tenth of a second of CPU under the race detector; opening a copy costs a few milliseconds.
var emptyStore = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "cmdtest-store")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "store.db")
	s, err := local.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	// Closing the last connection checkpoints the write-ahead log into the file.
	if err := s.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// Run executes newCmd with the space-separated args (quote nothing: use RunArgs for values with
// spaces). Global flags -o and --jq are understood here as the root would.
func (e *Env) Run(newCmd func(*cmdutil.Factory) *cobra.Command, args string) error {
	return e.RunArgs(newCmd, strings.Fields(args)...)
}

// RunArgs executes newCmd with args.
func (e *Env) RunArgs(newCmd func(*cmdutil.Factory) *cobra.Command, args ...string) error {
	e.T.Helper()
	e.Out.Reset()
	e.ErrOut.Reset()
	args = e.takeOutputFlags(args)
	cmd := newCmd(e.Factory)
	cmd.SetArgs(args)
	cmd.SetIn(e.In)
	cmd.SetOut(e.Out)
	cmd.SetErr(e.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.FlagErrorWrap(err) })
	_, err := cmd.ExecuteContextC(context.Background())
	return err
}

func (e *Env) takeOutputFlags(args []string) []string {
	*e.Factory.Output = output.Options{Format: output.Table}
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-o" && i+1 < len(args):
			e.Factory.Output.Format = output.Format(args[i+1])
			i++
		case args[i] == "--jq" && i+1 < len(args):
			e.Factory.Output.JQ = args[i+1]
			i++
		default:
			rest = append(rest, args[i])
		}
	}
	return rest
}

// Snapshot dumps every row the store holds (secrets as stored, encrypted), so a test can prove
// that a refused command wrote nothing by comparing snapshots.
func (e *Env) Snapshot() string {
	e.T.Helper()
	db, err := sql.Open("sqlite", "file:"+e.Store.Path()+"?mode=ro")
	if err != nil {
		e.T.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, table := range []string{"namespaces", "settings", "request_logs", "hooks"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			e.T.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.T.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return b.String()
}
