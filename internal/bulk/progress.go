package bulk

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress shows a run's advance on stderr: a bar on a terminal, a plain line every few
// seconds elsewhere (CI logs).
type Progress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	w      io.Writer
	label  string
	total  int
	done   int
	failed int
	last   time.Time
	every  time.Duration
}

// NewProgress starts showing the advance of total steps.
func NewProgress(w io.Writer, tty bool, label string, total int) *Progress {
	p := &Progress{w: w, label: label, total: total, every: 5 * time.Second, last: time.Now()}
	if tty && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
	}
	return p
}

// Step counts one finished step.
func (p *Progress) Step(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if time.Since(p.last) >= p.every {
		p.last = time.Now()
		fmt.Fprintf(p.w, "%s: %d/%d done, %d failed\n", p.label, p.done, p.total, p.failed)
	}
}

// Finish clears the bar.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
