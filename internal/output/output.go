// Package output renders command results: JSON for scripts (optionally filtered by a jq
// expression), an aligned table on a terminal, and tab-separated lines otherwise.
package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/itchyny/gojq"
)

// Format is the value of -o/--output.
type Format string

const (
	Table Format = "table"
	JSON  Format = "json"
)

// Formats lists the accepted -o values, for flag completion and validation.
var Formats = []string{string(Table), string(JSON)}

// Options are the output flags every listing or showing command takes.
type Options struct {
	Format Format
	JQ     string
}

// Validate checks the options before any work is done, so a bad --jq fails as bad usage.
func (o Options) Validate() error {
	if o.Format != "" && o.Format != Table && o.Format != JSON {
		return fmt.Errorf("invalid output format %s: use table or json", quote.Value(string(o.Format)))
	}
	if o.JQ != "" {
		if _, err := compileJQ(o.JQ); err != nil {
			return err
		}
	}
	return nil
}

// IsJSON reports whether data goes out as JSON (--jq implies it).
func (o Options) IsJSON() bool { return o.Format == JSON || o.JQ != "" }

// Write renders data: as JSON when asked, else through text, which draws tables and lines on p.
func Write(ios *iostreams.IOStreams, o Options, data any, text func(p *Printer)) error {
	if o.IsJSON() {
		return writeJSON(ios.Out, data, o.JQ)
	}
	p := &Printer{w: ios.Out, tty: ios.IsStdoutTTY(), width: ios.TerminalWidth()}
	text(p)
	return p.err
}

// Status draws on stderr, for lines a person reads beside the data: wrapped to the width when
// stderr is a terminal.
func Status(ios *iostreams.IOStreams) *Printer {
	return &Printer{w: ios.ErrOut, tty: ios.IsStderrTTY(), width: ios.TerminalWidth()}
}

func writeJSON(w io.Writer, data any, expr string) error {
	if expr == "" {
		return streamJSON(w, data)
	}
	raw, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	code, err := compileJQ(expr)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	// The results are gathered first, so that a filter failing half-way prints nothing.
	var buf bytes.Buffer
	iter := code.Run(v)
	for {
		res, ok := iter.Next()
		if !ok {
			_, err := w.Write(buf.Bytes())
			return err
		}
		if err, isErr := res.(error); isErr {
			return &JQRunError{err}
		}
		// Strings print raw, as gh and jq -r do, so scripts can use them directly.
		if s, isStr := res.(string); isStr {
			buf.WriteString(s + "\n")
			continue
		}
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
}

// JQRunError is a --jq expression that failed on the data (exit 2: nothing was written).
type JQRunError struct{ Err error }

func (e *JQRunError) Error() string { return "--jq: " + e.Err.Error() }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *JQRunError) UsageError() bool { return true }

// WriteAfterWrite is Write for the result of a write that was made. A --jq filter failing on
// that result must not turn the write into a failure: the result is printed unfiltered, the
// filter's failure is said on stderr, and the command goes on to exit as the write did.
func WriteAfterWrite(ios *iostreams.IOStreams, o Options, data any, text func(p *Printer)) error {
	err := Write(ios, o, data, text)
	var re *JQRunError
	if !errors.As(err, &re) {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "warning: the change was written, but --jq failed on the result (%v); printing it unfiltered\n", re.Err)
	return writeJSON(ios.Out, data, "")
}

// JQError is a --jq expression that does not parse; commands report it as bad usage.
type JQError struct{ Err error }

func (e *JQError) Error() string { return "invalid --jq expression: " + e.Err.Error() }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *JQError) UsageError() bool { return true }

func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, &JQError{err}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, &JQError{err}
	}
	return code, nil
}

// Printer draws text output. On a terminal tables are aligned with a header; elsewhere each row
// is one tab-separated line without a header, for cut and awk.
type Printer struct {
	w     io.Writer
	tty   bool
	width int
	err   error
}

// IsTTY lets a command choose wording that only makes sense to a person.
func (p *Printer) IsTTY() bool { return p.tty }

// Linef writes one line.
func (p *Printer) Linef(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// Paragraph writes prose, wrapped between words to the terminal's width on a terminal and as
// one line elsewhere.
func (p *Printer) Paragraph(text string) { p.Indented("", text) }

// Indented is a Paragraph whose every line starts with indent, wrapped within the width left.
func (p *Printer) Indented(indent, text string) {
	if !p.tty || p.width <= 0 { // width unknown: the terminal wraps
		p.Linef("%s%s", indent, text)
		return
	}
	for _, l := range wrapWords(text, max(p.width-len(indent), 20)) {
		p.Linef("%s%s", indent, l)
	}
}

// Fields writes one "key: value" line for each pair. On a terminal the values start in one
// column and wrap within the width, continuing in that column, so that a long URL or list is
// neither cut nor broken back to the left edge.
func (p *Printer) Fields(pairs [][2]string) {
	if !p.tty || p.width <= 0 {
		for _, kv := range pairs {
			p.Linef("%s: %s", kv[0], kv[1])
		}
		return
	}
	keys := 0
	for _, kv := range pairs {
		keys = max(keys, len(kv[0])+2)
	}
	// Narrow terminals keep room for the values at the cost of alignment.
	keys = min(keys, p.width/2)
	for _, kv := range pairs {
		key := kv[0] + ":"
		lines := wrapWords(kv[1], p.width-max(keys, len(key)+1))
		p.Linef("%-*s%s", max(keys, len(key)+1), key, lines[0])
		for _, l := range lines[1:] {
			p.Linef("%*s%s", max(keys, len(key)+1), "", l)
		}
	}
}

// Table writes rows under header (the header only on a terminal).
func (p *Printer) Table(header []string, rows [][]string) {
	if p.err != nil {
		return
	}
	if !p.tty {
		for _, r := range rows {
			if _, p.err = fmt.Fprintln(p.w, strings.Join(sanitize(r), "\t")); p.err != nil {
				return
			}
		}
		return
	}
	p.err = renderTable(p.w, p.width, header, rows)
}

// oneLine keeps a cell on one line with no stray tabs; a Replacer is safe for concurrent use,
// so one serves every table.
var oneLine = strings.NewReplacer("\t", " ", "\n", " ", "\r", "")

// sanitize keeps each row on one line with no stray tabs, so scripts can split it safely.
func sanitize(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = oneLine.Replace(c)
	}
	return out
}
