package output

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// A table wider than the terminal is cut to fit: the widest columns end in "…", the first
// column keeps whole names while they take at most half the line, and nothing wraps.
func TestTableFitsWidth(t *testing.T) {
	header := []string{"name", "title", "category", "levels"}
	rows := [][]string{
		{"slack", "Slack notifications", "chat", "project, group, instance"},
		{"google_cloud_platform_artifact_registry", "Google Artifact Registry", "other", "project"},
		{"mattermost_slash_commands", "Mattermost slash commands", "slash_commands", "project, group, instance"},
	}
	for _, width := range []int{60, 80, 120} {
		var b bytes.Buffer
		if err := renderTable(&b, width, header, rows); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != len(rows)+1 {
			t.Errorf("%d columns: %d lines for %d rows (wrapped?):\n%s", width, len(lines), len(rows), b.String())
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("%d columns: line of %d:\n%s", width, n, l)
			}
		}
		if !strings.HasPrefix(lines[3], "mattermost_slash_commands ") {
			t.Errorf("%d columns: a name that fits was cut: %q", width, lines[3])
		}
		if width >= 80 && !strings.HasPrefix(lines[2], "google_cloud_platform_artifact_registry ") {
			t.Errorf("%d columns: a name that fits in half the line was cut: %q", width, lines[2])
		}
	}
}

// Off a terminal rows stay whole, tab-separated lines without a header, whatever the width.
func TestRowsOffATerminalStayWhole(t *testing.T) {
	var b bytes.Buffer
	p := &Printer{w: &b, width: 20}
	p.Table([]string{"name", "title"}, [][]string{{"google_cloud_platform_artifact_registry", "Google\tArtifact\nRegistry"}})
	if got, want := b.String(), "google_cloud_platform_artifact_registry\tGoogle Artifact Registry\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// On a terminal, key: value lines keep their values in one column: a long value wraps within
// the width and continues under itself, a word longer than the room (a URL) breaks after a /.
// Off a terminal each pair stays one line.
func TestFieldsWrapInTheirColumn(t *testing.T) {
	pairs := [][2]string{
		{"url", "https://hooks.example.com/gitlab/webhooks/receiver/with/a/long/path"},
		{"push_events_branch_filter", "-"},
		{"events", "push, tag_push, issue, note, job, pipeline, wiki_page, deployment, release"},
	}
	var b bytes.Buffer
	(&Printer{w: &b, tty: true, width: 60}).Fields(pairs)
	want := "" +
		"url:                       https://hooks.example.com/gitlab/\n" +
		"                           webhooks/receiver/with/a/long/\n" +
		"                           path\n" +
		"push_events_branch_filter: -\n" +
		"events:                    push, tag_push, issue, note, job,\n" +
		"                           pipeline, wiki_page, deployment,\n" +
		"                           release\n"
	if b.String() != want {
		t.Errorf("on a 60-column terminal:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	(&Printer{w: &b, width: 60}).Fields(pairs[:1])
	if got := b.String(); got != "url: "+pairs[0][1]+"\n" {
		t.Errorf("off a terminal: %q", got)
	}
}

// Indented prose stays within the terminal's width, every line indented; off a terminal it is
// one line, for scripts.
func TestIndentedWrapsWithinWidth(t *testing.T) {
	var b strings.Builder
	p := &Printer{w: &b, tty: true, width: 30}
	p.Indented("  ", "fix: set up a webhook from a Teams Workflows flow, then configure it")
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "  ") || len(l) > 30 {
			t.Errorf("line %q: want indented and at most 30 wide", l)
		}
	}
	b.Reset()
	p.tty = false
	p.Indented("  ", "one line for scripts")
	if b.String() != "  one line for scripts\n" {
		t.Errorf("off a terminal: %q", b.String())
	}
}
