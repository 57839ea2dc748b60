package bulk

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a run's advance on stderr: a bar on a terminal, a plain line every few
// seconds elsewhere (CI logs). The planner and executor report steps through their Read and
// Done callbacks; drawing them is the command's business.
type progress struct {
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

// newProgress starts showing the advance of total steps.
func newProgress(w io.Writer, tty bool, label string, total int) *progress {
	p := &progress{w: w, label: label, total: total, every: 5 * time.Second, last: time.Now()}
	if tty && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
	}
	return p
}

// step counts one finished step.
func (p *progress) step(failed bool) {
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

// finish clears the bar.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
