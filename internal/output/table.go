package output

import (
	"bytes"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// gap is the space between columns.
const gap = 2

// renderTable is the only use of tablewriter: a borderless table with an upper-case header,
// fitted to the terminal's width when known.
func renderTable(w io.Writer, width int, header []string, rows [][]string) error {
	clean := make([][]string, len(rows))
	for i, r := range rows {
		clean[i] = sanitize(r)
	}
	upper := make([]string, len(header))
	for i, h := range header {
		upper[i] = strings.ToUpper(h)
	}
	header, clean = fit(width, upper, clean)
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		// fit has made every cell as narrow as it must be: tablewriter only aligns.
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(header)
	for _, r := range clean {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	// The last column's padding would only push a full line over the edge.
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \n")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	_, err := io.WriteString(w, strings.Join(lines, ""))
	return err
}

// fit makes the table's rows fit width columns, as gh's table printer does: the widest columns
// give up room first and their cells end in "…". The first column (the name a user types next)
// keeps its width unless it alone would take more than half the line. Nothing wraps.
func fit(width int, header []string, rows [][]string) ([]string, [][]string) {
	n := len(header)
	if width <= 0 || n == 0 {
		return header, rows
	}
	widths := make([]int, n)
	for i, h := range header {
		widths[i] = twwidth.Width(h)
	}
	for _, r := range rows {
		for i := 0; i < n && i < len(r); i++ {
			widths[i] = max(widths[i], twwidth.Width(r[i]))
		}
	}
	budget := width - gap*(n-1)
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= budget {
		return header, rows
	}
	if n > 1 {
		widths[0] = min(widths[0], max(width/2, 8))
	}
	// Columns give up room widest first, down to a floor that keeps short values (a type, yes
	// or no) and the header whole; only then do they shrink further, to a few characters.
	const narrowest = 5
	floors := make([]int, n)
	for i := range widths {
		floors[i] = min(widths[i], max(twwidth.Width(header[i]), 8))
	}
	shrink := func(floor func(i int) int) {
		for total = sum(widths); total > budget; total-- {
			widest := -1
			for i := 1; i < n; i++ {
				if widths[i] > floor(i) && (widest < 0 || widths[i]-floor(i) > widths[widest]-floor(widest)) {
					widest = i
				}
			}
			if widest < 0 {
				return
			}
			widths[widest]--
		}
	}
	shrink(func(i int) int { return floors[i] })
	shrink(func(int) int { return narrowest })
	// Too narrow for every column otherwise: the first gives way too, then the terminal wraps
	// rather than columns disappear.
	for total = sum(widths); total > budget && widths[0] > narrowest; total-- {
		widths[0]--
	}
	cut := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = c
			if i < n && twwidth.Width(c) > widths[i] {
				out[i] = twwidth.Truncate(c, widths[i], "…")
			}
		}
		return out
	}
	fitted := make([][]string, len(rows))
	for i, r := range rows {
		fitted[i] = cut(r)
	}
	return cut(header), fitted
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// wrapWords breaks prose into lines of at most width columns, between words; a word longer
// than a line (a URL) is broken where the line ends, as the terminal would, but counted.
func wrapWords(s string, width int) []string {
	if width <= 0 || twwidth.Width(s) <= width {
		return []string{s}
	}
	lines, _ := twwarp.WrapString(s, width)
	var out []string
	for _, l := range lines {
		for twwidth.Width(l) > width {
			cut := breakAt(l, width)
			out = append(out, l[:cut])
			l = l[cut:]
		}
		out = append(out, l)
	}
	return out
}

// breakAt is where a word too long for a line of width columns is broken: after the last / or
// & that leaves the line at least half full, else where the line is full; at least one rune.
func breakAt(s string, width int) int {
	w, soft := 0, 0
	for i, r := range s {
		w += twwidth.Width(string(r))
		if w > width && i > 0 {
			if soft > 0 {
				return soft
			}
			return i
		}
		if (r == '/' || r == '&') && w >= width/2 {
			soft = i + 1
		}
	}
	return len(s)
}
