package local

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Hook secrets are sealed with the store's key: with another key, listing still works, while
// reading or changing a hook's secrets is refused and writes nothing.
func TestHookSecretsNeedTheRightKey(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "first key")
	s, path := openTemp(t)
	ctx := context.Background()
	sc := scope(t, integrations.Project, "acme/web")
	res, err := s.AddHook(ctx, sc, client.HookChange{
		Values:        map[string]string{"url": "https://{host}/x", "token": "HOOK-TOKEN"},
		URLVariables:  map[string]string{"host": "HOST-SECRET"},
		CustomHeaders: map[string]string{"X-Key": "HEADER-SECRET"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw := dump(t, path)
	for _, secret := range []string{"HOOK-TOKEN", "HOST-SECRET", "HEADER-SECRET"} {
		if strings.Contains(raw, secret) {
			t.Errorf("%s is stored in clear", secret)
		}
	}
	t.Setenv("INTEGRATIONS_SECRET_KEY", "another key")
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	list, err := s2.ListHooks(ctx, sc)
	if err != nil || len(list) != 1 || !list[0].SecretSet["token"] {
		t.Fatalf("list with the wrong key: %v %v", list, err)
	}
	if _, err := s2.GetHook(ctx, sc, res.Hook.ID); err == nil {
		t.Fatal("reading hook secrets with the wrong key succeeded")
	}
	_, err = s2.EditHook(ctx, sc, res.Hook.ID, client.HookChange{Values: map[string]string{"name": "x"}})
	var ke *KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("edit with the wrong key: %v, want a KeyError", err)
	}
	if after := dump(t, path); after != raw {
		t.Error("a refused edit changed the store")
	}
}

// dump is every hooks row as text, sealed values included.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id, scope_id, properties, events, variable_names, header_names, secrets_set, secrets FROM hooks ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, scope int64
		var cols [6]string
		if err := rows.Scan(&id, &scope, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(cols[:], "|") + "\n")
	}
	return b.String()
}

func TestAddingTheSameHookTwiceIsRefusedInsideTheWrite(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sc := scope(t, integrations.Project, "acme/web")
	add := func(vals map[string]string) error {
		_, err := s.AddHook(ctx, sc, client.HookChange{Values: vals})
		return err
	}
	if err := add(map[string]string{"url": "https://a.example.com", "name": "ci"}); err != nil {
		t.Fatal(err)
	}
	if err := add(map[string]string{"url": "https://b.example.com", "name": "ci"}); !errors.As(err, new(*client.InputError)) {
		t.Fatalf("same name: %v", err)
	}
	if err := add(map[string]string{"url": "https://c.example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := add(map[string]string{"url": "https://c.example.com"}); !errors.As(err, new(*client.InputError)) {
		t.Fatalf("same URL without a name: %v", err)
	}
	if list, _ := s.ListHooks(ctx, sc); len(list) != 2 {
		t.Fatalf("%d hooks, want 2", len(list))
	}
}
