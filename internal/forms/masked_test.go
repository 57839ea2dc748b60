package forms

import "testing"

// What is typed into a masked entry field shows its names and hides its values, wherever in
// the text it goes.
func TestMaskedShowsNamesOnly(t *testing.T) {
	for _, c := range []struct{ before, after, want string }{
		{"", "h", "h"},
		{"host", "host=", "="},
		{"host=", "host=s", "*"},
		{"host=ab", "host=axb", "*"},   // inside a value
		{"host=ab", "hoost=ab", "o"},   // inside a name
		{"a=1", "a=1\nb=22", "\nb=**"}, // a pasted second line
		{"a=1\nb", "a=1\nbb", "b"},     // a name on a later line
		{"x=aa", "x=aaa", "*"},         // a repeated rune: the place is ambiguous
		{"k=v", "k==v", "*"},           // an = typed into a value is a value
		{"", "A=b c", "A=***"},         // spaces of a value are hidden too
		{"a=1", "Xa=1", "X"},           // before everything
	} {
		if got := masked([]rune(c.before), []rune(c.after)); got != c.want {
			t.Errorf("%q → %q: the face inserts %q, want %q", c.before, c.after, got, c.want)
		}
	}
}
