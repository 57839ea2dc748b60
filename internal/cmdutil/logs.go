package cmdutil

import (
	"fmt"
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
	rows := make([][]string, len(lines))
	for i, l := range lines {
		v := logView{
			ID: l.ID, Time: l.Time.UTC().Format(time.RFC3339), Scope: l.Scope, Name: l.Name, Event: l.Event,
			Method: l.Method, URL: l.URL, OK: l.OK, LatencyMS: l.Latency.Milliseconds(),
		}
		status := "-"
		if l.Status != 0 {
			v.Status = &lines[i].Status
			status = fmt.Sprint(l.Status)
		}
		if l.Error != "" {
			v.Error = &lines[i].Error
		}
		views[i] = v
		rows[i] = []string{fmt.Sprint(l.ID), v.Time, v.Event, v.Method, status, fmt.Sprintf("%dms", v.LatencyMS), v.URL, l.Error}
	}
	return output.Write(ios, o, views, func(p *output.Printer) {
		p.Table([]string{"id", "time", "event", "method", "status", "latency", "url", "error"}, rows)
	})
}
