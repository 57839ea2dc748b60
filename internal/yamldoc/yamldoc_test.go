package yamldoc

import (
	"strings"
	"testing"
)

func TestParseRefusesKeysGivenTwice(t *testing.T) {
	cases := map[string]string{
		"a: 1\nb:\n  c: 1\n  c: 2\n": `f.yaml:4: key "c" is given twice (first at line 3)`,
		`{"a": 1, "a": 2}`:           `f.yaml:1: key "a" is given twice (first at line 1)`,
		"- x: 1\n  x: 1\n":           `f.yaml:2: key "x" is given twice`,
	}
	for doc, want := range cases {
		if _, err := Parse("f.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", doc, err, want)
		}
	}
	if n, err := Parse("f.yaml", []byte("a: 1\nb: {a: 2}\n")); err != nil || n == nil {
		t.Errorf("equal keys in different mappings: %v", err)
	}
	if n, err := Parse("f.yaml", []byte("# only a comment\n")); err != nil || n != nil {
		t.Errorf("an empty document: %v, %v", n, err)
	}
}
