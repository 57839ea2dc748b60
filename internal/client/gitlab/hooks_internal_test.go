package gitlab

import "testing"

func TestPlainURLCarriesNoSecretAndAResolvableHost(t *testing.T) {
	for tmpl, want := range map[string]string{
		"https://ci.example.com/{path}?t={token}": "https://ci.example.com/path?t=token",
		"https://{host}/hook":                     "https://gitlab.example.com/",
		"https://user:{pass}@ci.example.com/x":    "https://gitlab.example.com/",
	} {
		if got := plainURL(tmpl, "https://gitlab.example.com"); got != want {
			t.Errorf("plainURL(%q) = %q, want %q", tmpl, got, want)
		}
	}
}
