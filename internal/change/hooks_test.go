package change

import (
	"reflect"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/redact"
)

func TestDiffHook(t *testing.T) {
	kind := integrations.HookKind(integrations.Project)
	// A hook as GitLab returns it: the token set but never returned, a header by name only.
	gitlab := &client.Hook{
		ID: 7, Values: map[string]string{"url": "https://ci.example.com/hook", "name": "ci", "enable_ssl_verification": "true"},
		Events: map[string]bool{"push": true}, SecretSet: map[string]bool{"token": true, "signing_token": false},
		URLVariables: map[string]string{}, CustomHeaders: map[string]string{"X-Key": ""},
	}
	cases := []struct {
		name string
		cur  *client.Hook
		c    client.HookChange
		want []Change
	}{
		{
			name: "a new hook shows its fields, its secrets as set, and the events it starts with",
			c: client.HookChange{
				Values:        map[string]string{"url": "https://ci.example.com/hook", "name": "ci", "token": "TOKEN-CANARY"},
				CustomHeaders: map[string]string{"X-Key": "HEADER-CANARY"},
			},
			want: []Change{
				{Field: "url", Before: nil, After: "https://ci.example.com/hook"},
				{Field: "token", Before: nil, After: SecretSet},
				{Field: "name", Before: nil, After: "ci"},
				{Field: "custom_headers.X-Key", Before: nil, After: SecretSet},
				{Field: "events", Before: []string{}, After: []string{"push"}},
			},
		},
		{
			name: "write-only secrets resent show as changed from write-only; events as two lists",
			cur:  gitlab,
			c: client.HookChange{
				Values:        map[string]string{"token": "TOKEN-CANARY", "description": "builds"},
				CustomHeaders: map[string]string{"X-Key": "HEADER-CANARY"},
				Events:        map[string]bool{"pipeline": true},
			},
			want: []Change{
				{Field: "token", Before: SecretWriteOnly, After: SecretChanged},
				{Field: "description", Before: nil, After: "builds"},
				{Field: "custom_headers.X-Key", Before: SecretWriteOnly, After: SecretChanged},
				{Field: "events", Before: []string{"push"}, After: []string{"push", "pipeline"}},
			},
		},
		{
			name: "removing an entry and clearing a secret",
			cur:  gitlab,
			c:    client.HookChange{Values: map[string]string{"token": ""}, CustomHeaders: map[string]string{"X-Key": ""}},
			want: []Change{
				{Field: "token", Before: SecretWriteOnly, After: SecretCleared},
				{Field: "custom_headers.X-Key", Before: SecretWriteOnly, After: SecretCleared},
			},
		},
		{
			name: "a URL typed with its secrets in clear shows without them; placeholders stay",
			cur:  gitlab,
			c:    client.HookChange{Values: map[string]string{"url": "https://bot:PASS-CANARY@ci.example.com/{path}?token=TOKEN-CANARY&v={v}"}},
			want: []Change{{Field: "url", Before: "https://ci.example.com/hook", After: "https://" + redact.Mask + "@ci.example.com/{path}?token=" + redact.Mask + "&v={v}"}},
		},
		{
			name: "events sent as they are change nothing",
			cur:  gitlab,
			c:    client.HookChange{Events: map[string]bool{"push": true}},
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := DiffHook(kind, tc.cur, tc.c)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
			for _, line := range Lines(got) {
				if strings.Contains(line, "CANARY") {
					t.Errorf("a secret is shown: %s", line)
				}
			}
		})
	}
	if got := Join(RemovedHook(*gitlab)); got != "hook: ci → (none)" {
		t.Errorf("removal reads %q", got)
	}
}
