// Package solve runs the iterations of every model: one loop owns the
// iteration limit, the stopping rule, the time limit, cancellation, the
// objective history and progress reporting, so that a model only knows how
// to take a step and how to evaluate its objective.
//
// The loop mirrors gonum's optimize.Minimize: Fit(ctx, model, settings)
// returns a Result whose Reason says why it stopped. A fit made of several
// phases (the layer-wise pre-training of a deep model, then its
// fine-tuning) runs them through one Session, so that the time limit,
// cancellation and progress reporting cover all of them.
//
// # Settings and defaults
//
// As in gonum, the zero value of a Settings field means its default. A
// model fills the defaults from its own (the registry lists them: DANMF
// runs up to 1000 iterations, most models 200); Fit alone uses
// DefaultMaxIter, DefaultTol and DefaultCheckEvery. Tol is a pointer
// because its zero is meaningful: Tol nil is the default, new(0.0) runs
// MaxIter iterations with no stopping test.
//
// # Stopping
//
// Every CheckEvery iterations the loop evaluates the watched value v: the
// model's objective, or what the model's Monitor method returns. With the
// default rule RelativeDecrease it stops when (v_prev − v)/v_0 < Tol,
// where v_0 is the value before the first iteration: scikit-learn's test
// for its multiplicative-update solver. AbsoluteChange stops when
// |v_prev − v| ≤ Tol (the DANMF reference code); RelativeToFirst stops
// when v/v_1 ≤ Tol, v_1 being the value after the first iteration
// (scikit-learn's coordinate-descent test on the projected gradient
// violation).
package solve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Model is a factorization being solved.
type Model interface {
	// Step performs one iteration: one update of every factor.
	Step() error
	// Objective returns the value of the objective at the current factors.
	Objective() float64
}

// Monitor is implemented by models whose stopping test watches a value
// other than the objective, or applies another rule to it.
type Monitor interface {
	// Monitor returns the watched value at the current factors and the rule.
	Monitor() (v float64, rule Rule)
}

// Finisher is implemented by models that follow a schedule of their own
// (an outer loop of a fixed length): the run stops, with Reason Finished,
// after a step that ends it.
type Finisher interface {
	Finished() bool
}

// Rule is a stopping test; see the package documentation.
type Rule int

// The stopping rules.
const (
	RelativeDecrease Rule = iota
	AbsoluteChange
	RelativeToFirst
)

// The defaults of Fit for zero Settings fields.
const (
	DefaultMaxIter    = 200
	DefaultTol        = 1e-4 // scikit-learn's
	DefaultCheckEvery = 10   // scikit-learn's
)

// Settings control the loop. A zero field means its default (see the
// package documentation).
type Settings struct {
	// MaxIter is the iteration limit; 0 means the default. It must not be
	// negative.
	MaxIter int
	// Tol is the tolerance of the stopping rule: nil means the default, 0
	// disables the test. It must be finite and not negative.
	Tol *float64
	// CheckEvery is the number of iterations between tests; 0 means the
	// default.
	CheckEvery int
	// TimeLimit stops the run after this duration, all phases of a Session
	// together; 0 means none.
	TimeLimit time.Duration
	// Progress, if not nil, is called after every test, in every phase.
	Progress func(Point)
}

// WithDefaults returns s with its zero MaxIter, Tol and CheckEvery taken
// from d.
func (s Settings) WithDefaults(d Settings) Settings {
	if s.MaxIter == 0 {
		s.MaxIter = d.MaxIter
	}
	if s.Tol == nil {
		s.Tol = d.Tol
	}
	if s.CheckEvery == 0 {
		s.CheckEvery = d.CheckEvery
	}
	return s
}

// Validate reports an error for a negative MaxIter, CheckEvery or
// TimeLimit, or a Tol that is negative or not finite.
func (s Settings) Validate() error {
	switch {
	case s.MaxIter < 0:
		return fmt.Errorf("solve: max-iter %d is negative", s.MaxIter)
	case s.CheckEvery < 0:
		return fmt.Errorf("solve: check-every %d is negative", s.CheckEvery)
	case s.TimeLimit < 0:
		return fmt.Errorf("solve: time limit %v is negative", s.TimeLimit)
	case s.Tol != nil && !(*s.Tol >= 0 && !math.IsInf(*s.Tol, 1)):
		return fmt.Errorf("solve: tolerance %g must be finite and ≥ 0", *s.Tol)
	}
	return nil
}

// complete returns s with every zero field set to the package default.
func (s Settings) complete() Settings {
	tol := DefaultTol
	return s.WithDefaults(Settings{MaxIter: DefaultMaxIter, Tol: &tol, CheckEvery: DefaultCheckEvery})
}

// Point is one entry of an objective history.
type Point struct {
	// Phase names the phase of a Session ("" for the final one, "layer 2"
	// for a pre-training layer, ...).
	Phase     string  `json:"phase,omitempty"`
	Iter      int     `json:"iter"`
	Objective float64 `json:"objective"`
	// Seconds is the time since the Session began.
	Seconds float64 `json:"seconds"`
	// MaxIter is the phase's iteration limit, for progress reports.
	MaxIter int `json:"-"`
}

// Reason says why a run stopped.
type Reason string

// The reasons a run stops.
const (
	Tolerance   Reason = "tolerance"
	MaxIter     Reason = "max-iter"
	TimeLimit   Reason = "time-limit"
	Interrupted Reason = "interrupted"
	Finished    Reason = "finished"
)

// Result reports a run.
type Result struct {
	Iterations int     `json:"iterations"`
	Converged  bool    `json:"converged"`
	Reason     Reason  `json:"reason"`
	Objective  float64 `json:"objective"`
	History    []Point `json:"history"`
	// Seconds is the wall time of this run (one phase).
	Seconds float64 `json:"seconds"`
}

// ErrNotFinite is returned when the objective becomes NaN or infinite.
var ErrNotFinite = errors.New("objective is not finite")

// Fit iterates m until a stopping rule fires: it is one Session of one
// phase. When ctx is cancelled it returns the result so far with Reason
// Interrupted and a nil error: the model holds the factors of the last
// completed iteration.
func Fit(ctx context.Context, m Model, s Settings) (*Result, error) {
	se, err := NewSession(ctx, s)
	if err != nil {
		return nil, err
	}
	return se.Run("", m, s)
}

// Session runs the phases of one fit under one Settings: the time limit
// counts from NewSession over every phase, a cancelled context stops the
// phase running and makes every later one stop before its first step, and
// Progress sees every phase, labelled.
type Session struct {
	ctx   context.Context
	s     Settings
	start time.Time
}

// NewSession starts a session; s must be valid (Settings.Validate). Its
// zero fields take the package defaults.
func NewSession(ctx context.Context, s Settings) (*Session, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Session{ctx: ctx, s: s.complete(), start: time.Now()}, nil
}

// Settings returns the session's settings, defaults filled in.
func (se *Session) Settings() Settings { return se.s }

// Elapsed returns the time since the session began.
func (se *Session) Elapsed() time.Duration { return time.Since(se.start) }

// Stopped reports whether the session's context is cancelled or its time
// limit has passed: every phase run from now on stops before its first
// step.
func (se *Session) Stopped() bool {
	return se.ctx.Err() != nil || se.timeUp()
}

func (se *Session) timeUp() bool {
	return se.s.TimeLimit > 0 && time.Since(se.start) >= se.s.TimeLimit
}

// Run iterates m as the phase named phase, with the iteration limit,
// tolerance and test interval of limits (its zero fields take the
// session's), under the session's time limit, context and progress.
func (se *Session) Run(phase string, m Model, limits Settings) (*Result, error) {
	if err := limits.Validate(); err != nil {
		return nil, err
	}
	s := limits.WithDefaults(se.s)
	tol := *s.Tol
	start := time.Now()
	res := &Result{Reason: MaxIter}
	record := func(it int) (float64, error) {
		obj := m.Objective()
		if math.IsNaN(obj) || math.IsInf(obj, 0) {
			return 0, fmt.Errorf("solve: %siteration %d: %w", phaseLabel(phase), it, ErrNotFinite)
		}
		p := Point{Phase: phase, Iter: it, Objective: obj, Seconds: se.Elapsed().Seconds(), MaxIter: s.MaxIter}
		res.History = append(res.History, p)
		res.Objective = obj
		if se.s.Progress != nil {
			se.s.Progress(p)
		}
		return obj, nil
	}
	watch := func(obj float64) (float64, Rule) {
		if mon, ok := m.(Monitor); ok {
			return mon.Monitor()
		}
		return obj, RelativeDecrease
	}
	obj, err := record(0)
	if err != nil {
		return nil, err
	}
	first, _ := watch(obj)
	prev := first
	for it := 1; it <= s.MaxIter; it++ {
		if se.ctx.Err() != nil {
			res.Reason = Interrupted
			break
		}
		if it == 1 && se.timeUp() {
			res.Reason = TimeLimit
			break
		}
		if err := m.Step(); err != nil {
			return nil, fmt.Errorf("solve: %siteration %d: %w", phaseLabel(phase), it, err)
		}
		res.Iterations = it
		timeUp := se.timeUp()
		done := false
		if f, ok := m.(Finisher); ok {
			done = f.Finished()
		}
		check := it%s.CheckEvery == 0 || it == s.MaxIter || timeUp || done
		if !check && it != 1 {
			continue
		}
		// The first iteration is always recorded: RelativeToFirst needs it.
		obj, err := record(it)
		if err != nil {
			return nil, err
		}
		v, rule := watch(obj)
		if it == 1 && rule == RelativeToFirst {
			first = v
		}
		if !check {
			continue
		}
		if done {
			res.Converged, res.Reason = true, Finished
			break
		}
		if tol > 0 && converged(rule, first, prev, v, tol) {
			res.Converged, res.Reason = true, Tolerance
			break
		}
		prev = v
		if timeUp {
			res.Reason = TimeLimit
			break
		}
	}
	if n := len(res.History); n == 0 || res.History[n-1].Iter != res.Iterations {
		if _, err := record(res.Iterations); err != nil {
			return nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func phaseLabel(phase string) string {
	if phase == "" {
		return ""
	}
	return phase + ", "
}

func converged(rule Rule, first, prev, v, tol float64) bool {
	switch rule {
	case AbsoluteChange:
		return math.Abs(prev-v) <= tol
	case RelativeToFirst:
		return first == 0 || v/first <= tol
	default:
		return first == 0 || (prev-v)/first < tol
	}
}
