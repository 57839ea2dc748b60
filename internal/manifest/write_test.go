package manifest

import (
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"go.yaml.in/yaml/v3"
)

// awkward are strings the library quotes, or writes plain against a first guess.
var awkward = []string{
	"prod", "env:INTEGRATIONS_PROJECT_ACME_WEB_DATADOG_API_KEY", "https://hooks.example/0?a=b&c=[d]",
	"#ops", "a #b", "a#b", "a: b", "a:b", "a:", ":a", "- a", "-a", "-", "--- a", "...", "? a", "a ", " a",
	"a  b", "a\tb", "a\nb", "a\n", "\na", "a\r\nb", "it's", "'a'", `"a"`, `a"b`, "a\\b", "@a", "`a`", "%a",
	"!a", "&a", "*a", "|a", ">a", "{a}", "[a]", "a,b", "a{b}", "ünï", "aé", "日本", "a\u2028b", "a\u0085b",
	"\ufeffa", "a\x00b", "a\x7fb", "\xff", "yes", "Yes", "YES", "no", "No", "on", "Off", "y", "n", "Y", "N",
	"true", "False", "null", "NULL", "Null", "~", "", " ", "<<", "=", "0", "1e3", "0x1F", "0o17", "0b101",
	"-1", "+1", ".5", "1.", ".inf", "-.Inf", ".nan", "1_000", "12:30", "1:20:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"nullx", "yesno", "truex", "a-b_c.d/e", "x" + strings.Repeat("y", 127), "x" + strings.Repeat("y", 128),
	strings.Repeat("long ", 40) + "end",
}

// libraryValue is how the library writes s as a mapping's value.
func libraryValue(t *testing.T, s string) string {
	t.Helper()
	raw, err := yaml.Marshal(map[string]string{"k": s})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(string(raw), "k: "), "\n")
}

// Every string plain calls plain the library writes plain; every string without a line break
// comes out as the library writes it: all strings of up to three characters from an alphabet of
// indicators, blanks, breaks and the letters of YAML's words, the awkward ones, and the words
// in every case.
func TestScalarsAreTheLibrarys(t *testing.T) {
	alphabet := []string{"a", "y", "N", "o", "1", " ", ":", "#", "-", ".", "'", `"`, "?", ",", "[", "\n", "\t", "é", "~", "!", "@"}
	all := []string{}
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		all = append(all, prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 3)
	for _, w := range append(readsAsOther, "~", "yes", "no", "on", "off", "true", "false", "null") {
		all = append(all, w, strings.ToUpper(w), strings.ToUpper(w[:1])+w[1:], w+"x")
	}
	all = append(all, awkward...)
	fast := 0
	for _, s := range all {
		want := libraryValue(t, s)
		if plain(s) {
			fast++
			if want != s {
				t.Errorf("plain(%q), but the library writes %s", s, want)
			}
		}
		got, ok := appendScalar(nil, s)
		if ok && string(got) != want || !ok && !strings.ContainsAny(s, yamlBreaks) {
			t.Errorf("appendScalar(%q) = %q, %v; the library writes %q", s, got, ok, want)
		}
	}
	if fast < 1000 {
		t.Errorf("only %d of %d strings written without the library", fast, len(all))
	}
}

// A scope written by hand is the scope the library writes, byte for byte, whatever the strings
// in its key, settings, lists and events; what the hand cannot write is left to the library.
func TestWrittenScopeIsTheLibrarys(t *testing.T) {
	on, off := true, false
	events := func(e ...string) *[]string { return &e }
	handWritten := 0
	for _, s := range awkward {
		for _, key := range []string{"project:acme/web", "group:" + s} {
			scope := &ScopeSettings{Integrations: map[string]*Settings{
				"slack": {Active: &on, Settings: map[string]any{
					"channel": s, "webhook": "env:X", "notify_only_broken_pipelines": true, "port": int64(-12),
					"list": []string{s, "b"}, "none": []string{}, "a10": "x", "a9": s,
				}, Events: events("push", s)},
				"jira":      {Inherit: true},
				"datadog":   {Active: &off, Events: events()},
				"jenkins2":  {Active: &on},
				"jenkins10": {Active: &on, Settings: map[string]any{"k": s}},
			}}
			want, err := encodeScope(nil, key, scope)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendScope([]byte("kept"), key, scope)
			if !ok {
				if string(got) != "kept" {
					t.Errorf("%q left to the library, but appended %q", s, got)
				}
				continue
			}
			handWritten++
			if string(got) != "kept"+string(want) {
				t.Errorf("scope %q with %q:\n%s\nthe library writes:\n%s", key, s, got[4:], want)
			}
		}
	}
	if handWritten < len(awkward) {
		t.Errorf("only %d scopes of %d written by hand", handWritten, 2*len(awkward))
	}
	// Shapes export does not make go to the library.
	for _, s := range []*ScopeSettings{
		{Integrations: map[string]*Settings{"slack": {}}},
		{Integrations: map[string]*Settings{"slack": {Active: &on, Settings: map[string]any{"x": 1.5}}}},
		{Hooks: []*HookSettings{{}}, Integrations: map[string]*Settings{"slack": {Inherit: true}}},
	} {
		if _, ok := appendScope(nil, "project:a/b", s); ok {
			t.Errorf("%+v written by hand", s)
		}
	}
}

// Fuzzing finds strings the hand writes otherwise than the library (go test -fuzz
// FuzzScalarIsTheLibrarys ./internal/manifest); the awkward strings are its seeds.
func FuzzScalarIsTheLibrarys(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := libraryValue(t, s)
		if plain(s) && want != s {
			t.Errorf("plain(%q), but the library writes %s", s, want)
		}
		if got, ok := appendScalar(nil, s); ok && string(got) != want {
			t.Errorf("appendScalar(%q) = %q; the library writes %q", s, got, want)
		}
	})
}

// SecretEnv names a variable as upper-casing the whole name, then replacing what is not a
// letter or digit, did: letters that upper-case to ASCII (ı, ſ) among them, and one _ per
// invalid byte.
func TestSecretEnvIsUpperCasedThenReplaced(t *testing.T) {
	for _, path := range append(awkward, "acme/wéb", "ıſ/kK", "a\xffb\xc3", "日本/x") {
		for _, scope := range []client.Scope{{Level: integrations.Project, Path: path}, {Level: integrations.Group, ID: 12}, client.InstanceScope} {
			want := strings.Map(func(r rune) rune {
				if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
					return r
				}
				return '_'
			}, strings.ToUpper("INTEGRATIONS_"+scope.String()+"_"+path+"_api_key"))
			if got := SecretEnv(scope, path, "api_key"); got != want {
				t.Errorf("SecretEnv(%v, %q) = %s, want %s", scope, path, got, want)
			}
		}
	}
}
