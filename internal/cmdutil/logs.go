package cmdutil

import (
	"fmt"
	"slices"
	"time"

	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
)

// LogLine is one delivery as `logs` and `hooks events` print it: a test of an integration
// from our request log, or an entry of a hook's event log.
type LogLine struct {
	ID      int64
	Time    time.Time
	Scope   string
	Name    string
	Event   string
	Method  string
	URL     string // redacted or a template: never a secret
	Status  int    // 0 when there was no answer
	OK      bool
	Latency time.Duration
	Error   string
}

// logView is the contract's JSON for a delivery.
type logView struct {
	ID        int64   `json:"id"`
	Time      string  `json:"time"`
	Scope     string  `json:"scope"`
	Name      string  `json:"name"`
	Event     string  `json:"event"`
	Method    string  `json:"method"`
	URL       string  `json:"url"`
	Status    *int    `json:"status"`
	OK        bool    `json:"ok"`
	LatencyMS int64   `json:"latency_ms"`
	Error     *string `json:"error"`
}

// WriteLogs prints deliveries, newest first as given: a table, or the contract's JSON.
func WriteLogs(ios *iostreams.IOStreams, o output.Options, lines []LogLine) error {
	views := make([]logView, len(lines))
	for i, l := range lines {
		v := logView{
			ID: l.ID, Time: l.Time.UTC().Format(time.RFC3339), Scope: l.Scope, Name: l.Name, Event: l.Event,
			Method: l.Method, URL: l.URL, OK: l.OK, LatencyMS: l.Latency.Milliseconds(),
		}
		if l.Status != 0 {
			v.Status = &lines[i].Status
		}
		if l.Error != "" {
			v.Error = &lines[i].Error
		}
		views[i] = v
	}
	return output.Write(ios, o, views, func(p *output.Printer) {
		if p.IsTTY() {
			logTable(p, views)
			return
		}
		rows := make([][]string, len(views))
		for i, v := range views {
			rows[i] = []string{fmt.Sprint(v.ID), v.Time, v.Event, v.Method, status(v), fmt.Sprintf("%dms", v.LatencyMS), v.URL, deref(v.Error)}
		}
		p.Table(nil, rows)
	})
}

// logTable draws deliveries for people: the request they all share is said once above the
// table rather than cut down in every row, and times are short, so that the error, which says
// what went wrong, keeps room on a narrow terminal.
func logTable(p *output.Printer, views []logView) {
	same := func(f func(logView) string) bool {
		for _, v := range views[1:] {
			if f(v) != f(views[0]) {
				return false
			}
		}
		return true
	}
	request := same(func(v logView) string { return v.Method + " " + v.URL })
	header := []string{"id", "time (utc)", "event", "method", "status", "latency", "url", "error"}
	if request {
		p.Paragraph(fmt.Sprintf("%s %s", views[0].Method, views[0].URL))
		header = slices.Delete(header, 6, 7)
		header = slices.Delete(header, 3, 4)
	}
	rows := make([][]string, len(views))
	for i, v := range views {
		t, _ := time.Parse(time.RFC3339, v.Time)
		row := []string{fmt.Sprint(v.ID), t.Format("01-02 15:04:05"), v.Event, v.Method, status(v), fmt.Sprintf("%dms", v.LatencyMS), v.URL, deref(v.Error)}
		if request {
			row = slices.Delete(row, 6, 7)
			row = slices.Delete(row, 3, 4)
		}
		rows[i] = row
	}
	p.Table(header, rows)
}

func status(v logView) string {
	if v.Status == nil {
		return "-"
	}
	return fmt.Sprint(*v.Status)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
