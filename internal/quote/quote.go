// Package quote shows user-given values in messages: quoted, and cut to a readable length, so
// that a 10 MB value never becomes a 10 MB error line.
package quote

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Max is how many characters of a value a message shows.
const Max = 80

// Value quotes v as Go's %q does, showing at most Max characters of it and saying how long the
// whole value is when it was cut.
func Value(v string) string {
	if utf8.RuneCountInString(v) <= Max {
		return strconv.Quote(v)
	}
	cut, n := 0, 0
	for i := range v {
		if n == Max {
			cut = i
			break
		}
		n++
	}
	return fmt.Sprintf("%s… (%d bytes in all)", strconv.Quote(v[:cut]), len(v))
}
