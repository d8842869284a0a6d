package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/deepnmf/deepnmf/solve"
)

// progress draws a one-line progress bar on a terminal, starting only once
// a run has lasted about a second: the phase (a pre-training layer, or the
// final iterations), the iteration against the phase's limit, the
// objective and the time since the fit began.
type progress struct {
	w       io.Writer
	on      bool
	start   time.Time
	drawn   bool
	lastOut time.Time
}

func newProgress(w io.Writer, quiet bool) *progress {
	on := !quiet
	if f, ok := w.(*os.File); !ok {
		on = false
	} else if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		on = false
	}
	return &progress{w: w, on: on, start: time.Now()}
}

func (p *progress) update(pt solve.Point) {
	if !p.on || time.Since(p.start) < time.Second || time.Since(p.lastOut) < 100*time.Millisecond {
		return
	}
	p.lastOut = time.Now()
	const width = 30
	done := min(width*pt.Iter/max(pt.MaxIter, 1), width)
	phase := pt.Phase
	if phase == "" {
		phase = "fit"
	}
	fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %d/%d  objective %.6g  %.1fs ", phase, strings.Repeat("=", done), strings.Repeat(" ", width-done),
		pt.Iter, pt.MaxIter, pt.Objective, pt.Seconds)
	p.drawn = true
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
