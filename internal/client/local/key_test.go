package local

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// snapshot is every settings row, sealed secrets included, to check that nothing was written.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.conn().Query("SELECT scope_id, integration, active, properties, secrets, events, updated_at FROM settings ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a, c, d, e, f, g, h string
		if err := rows.Scan(&a, &c, &d, &e, &f, &g, &h); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join([]string{a, c, d, e, f, g, h}, "|") + "\n")
	}
	return b.String()
}

func saveSecret(s *Store, sc client.Scope, d integrations.Definition, webhook string) error {
	_, err := s.Save(context.Background(), sc, d, client.Update{Values: map[string]string{"webhook": webhook}, Active: on()})
	return err
}

func wantKeyError(t *testing.T, what string, err error, contains ...string) {
	t.Helper()
	var ke *KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("%s: %v, want a KeyError", what, err)
	}
	for _, c := range contains {
		if !strings.Contains(err.Error(), c) {
			t.Errorf("%s: %q does not say %q", what, err, c)
		}
	}
}

// With the key file gone, a store holding sealed secrets never gets a new key: reads say
// which key is missing and how to restore it, writes are refused, and restoring the old key
// file brings everything back.
func TestMissingKeyIsNeverReplaced(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "")
	s, path := openTemp(t)
	ctx := context.Background()
	web, api := scope(t, integrations.Project, "acme/web"), scope(t, integrations.Project, "acme/api")
	slack := def(t, "slack")
	if err := saveSecret(s, web, slack, "https://hooks.example/T/one"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	keyFile := path + ".key"
	saved, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, path)

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s2.Get(ctx, web, slack)
	wantKeyError(t, "read without the key", err, keyFile, "does not exist", "restore the key file")
	wantKeyError(t, "write without the key", saveSecret(s2, api, slack, "https://hooks.example/T/two"), keyFile)
	wantKeyError(t, "update without the key", saveSecret(s2, web, slack, "https://hooks.example/T/three"), keyFile)
	s2.Close()
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new key file was made: %v", err)
	}
	if after := snapshot(t, path); after != before {
		t.Errorf("refused writes changed the store:\nbefore %s\nafter  %s", before, after)
	}

	if err := os.WriteFile(keyFile, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	st, err := s3.Get(ctx, web, slack)
	if err != nil || st.Values["webhook"] != "https://hooks.example/T/one" {
		t.Fatalf("after restoring the key: %v, %v", st.Values, err)
	}
	if err := saveSecret(s3, api, slack, "https://hooks.example/T/two"); err != nil {
		t.Fatalf("write after restoring the key: %v", err)
	}
}

// A wrong INTEGRATIONS_SECRET_KEY is caught before it seals anything, also on a store written
// before the key check existed.
func TestWrongKeyIsRefusedForWrites(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "key check", true: "no key check"}[legacy], func(t *testing.T) {
			t.Setenv("INTEGRATIONS_SECRET_KEY", "first key")
			s, path := openTemp(t)
			ctx := context.Background()
			web, api := scope(t, integrations.Project, "acme/web"), scope(t, integrations.Project, "acme/api")
			slack := def(t, "slack")
			if err := saveSecret(s, web, slack, "https://hooks.example/T/one"); err != nil {
				t.Fatal(err)
			}
			if legacy {
				if _, err := s.conn().Exec("DELETE FROM meta WHERE key = 'key_check'"); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			before := snapshot(t, path)

			t.Setenv("INTEGRATIONS_SECRET_KEY", "another key")
			s2, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			wantKeyError(t, "a new row with the wrong key", saveSecret(s2, api, slack, "https://hooks.example/T/two"),
				"INTEGRATIONS_SECRET_KEY is not the key this store's secrets were sealed with")
			_, err = s2.Get(ctx, web, slack)
			wantKeyError(t, "a read with the wrong key", err, "INTEGRATIONS_SECRET_KEY")
			if after := snapshot(t, path); after != before {
				t.Errorf("the wrong key wrote:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// An empty or truncated key file (a crash while it was written) is reported as such.
func TestDamagedKeyFileIsReported(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "")
	for name, content := range map[string]string{"empty": "", "truncated": "0123456789abcdef0123\n"} {
		t.Run(name, func(t *testing.T) {
			s, path := openTemp(t)
			if err := saveSecret(s, scope(t, integrations.Project, "acme/web"), def(t, "slack"), "https://hooks.example/T/one"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if err := os.WriteFile(path+".key", []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			_, err = s2.Get(context.Background(), scope(t, integrations.Project, "acme/web"), def(t, "slack"))
			want := map[string]string{"empty": "is empty", "truncated": "is truncated (20 of 64 hex digits)"}[name]
			wantKeyError(t, name+" key file", err, path+".key", want, "restore it from a backup")
		})
	}
}

// A store whose secrets were sealed with INTEGRATIONS_SECRET_KEY says, when it is unset, to
// set it again rather than to look for a key file that never existed.
func TestMissingKeyNamesWhereItCameFrom(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "env key")
	s, path := openTemp(t)
	if err := saveSecret(s, scope(t, integrations.Project, "acme/web"), def(t, "slack"), "https://hooks.example/T/one"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	t.Setenv("INTEGRATIONS_SECRET_KEY", "")
	s2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, err = s2.Get(context.Background(), scope(t, integrations.Project, "acme/web"), def(t, "slack"))
	wantKeyError(t, "read without the variable", err, "its secrets were sealed with a key given in INTEGRATIONS_SECRET_KEY, which is not set; set it again")
	if _, err := os.Stat(path + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was made: %v", err)
	}
}
