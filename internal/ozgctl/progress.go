package ozgctl

import (
	"fmt"
	"io"
	"time"
)

// progress draws "applying 123/984" on one terminal line. It draws nothing
// when the writer is not a terminal, so logs and CI output stay clean.
type progress struct {
	w     io.Writer
	total int
	last  time.Time
}

// newProgress returns a progress line on w, or nil if w is not a terminal.
func newProgress(w io.Writer, total int) *progress {
	if _, ok := terminalWidth(w); !ok {
		return nil
	}
	return &progress{w: w, total: total}
}

// update redraws the line, at most ten times a second and at the end.
func (p *progress) update(done int) {
	if p == nil || (done < p.total && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\rapplying %d/%d", done, p.total)
}

// clear removes the line before the summary is printed.
func (p *progress) clear() {
	if p != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
