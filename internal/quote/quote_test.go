package quote

import (
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	if got := Value("a\"b"); got != `"a\"b"` {
		t.Errorf("short value: %s", got)
	}
	long := strings.Repeat("é", 10<<20)
	got := Value(long)
	if len(got) > 300 || !strings.Contains(got, "bytes in all") {
		t.Errorf("long value quoted as %d bytes: %.200s", len(got), got)
	}
	if !strings.HasPrefix(got, `"`+strings.Repeat("é", Max)+`"…`) {
		t.Errorf("long value does not start with its first %d characters: %.200s", Max, got)
	}
}
