// Package solve runs the iterations of every model: one loop owns the
// iteration limit, the stopping rule, the time limit, cancellation, the
// objective history and progress reporting, so that a model only knows how
// to take a step and how to evaluate its objective.
//
// The loop mirrors gonum's optimize.Minimize: Fit(ctx, model, settings)
// returns a Result whose Reason says why it stopped.
//
// # Stopping
//
// Every CheckEvery iterations (10 by default, as scikit-learn) the loop
// evaluates the watched value v: the model's objective, or what the model's
// Monitor method returns. With the default rule RelativeDecrease it stops
// when (v_prev − v)/v_0 < Tol, where v_0 is the value before the first
// iteration: scikit-learn's test for its multiplicative-update solver.
// AbsoluteChange stops when |v_prev − v| ≤ Tol (the DANMF reference code);
// RelativeToFirst stops when v/v_1 ≤ Tol, v_1 being the value after the
// first iteration (scikit-learn's coordinate-descent test on the projected
// gradient violation). Tol = 0 disables the test.
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

// Rule is a stopping test; see the package documentation.
type Rule int

// The stopping rules.
const (
	RelativeDecrease Rule = iota
	AbsoluteChange
	RelativeToFirst
)

// Settings control the loop. The zero value runs exactly 200 iterations:
// Tol 0 disables the stopping test. Set Tol to DefaultTol for
// scikit-learn's 1e-4, checked every 10 iterations as scikit-learn does.
type Settings struct {
	// MaxIter is the iteration limit; 0 means 200.
	MaxIter int
	// Tol is the tolerance of the stopping rule; 0 disables it (negative
	// values are errors). Use DefaultTol for scikit-learn's 1e-4.
	Tol float64
	// CheckEvery is the number of iterations between tests; 0 means 10.
	CheckEvery int
	// TimeLimit stops the loop after this duration; 0 means none.
	TimeLimit time.Duration
	// Progress, if not nil, is called after every test.
	Progress func(Point)
}

// DefaultTol is scikit-learn's default tolerance.
const DefaultTol = 1e-4

// Point is one entry of an objective history.
type Point struct {
	Iter      int     `json:"iter"`
	Objective float64 `json:"objective"`
	Seconds   float64 `json:"seconds"`
}

// Reason says why a run stopped.
type Reason string

// The reasons a run stops.
const (
	Tolerance   Reason = "tolerance"
	MaxIter     Reason = "max-iter"
	TimeLimit   Reason = "time-limit"
	Interrupted Reason = "interrupted"
)

// Result reports a run.
type Result struct {
	Iterations int     `json:"iterations"`
	Converged  bool    `json:"converged"`
	Reason     Reason  `json:"reason"`
	Objective  float64 `json:"objective"`
	History    []Point `json:"history"`
	Seconds    float64 `json:"seconds"`
}

// ErrNotFinite is returned when the objective becomes NaN or infinite.
var ErrNotFinite = errors.New("objective is not finite")

// Fit iterates m until a stopping rule fires. When ctx is cancelled it
// returns the result so far with Reason Interrupted and a nil error: the
// model holds the factors of the last completed iteration.
func Fit(ctx context.Context, m Model, s Settings) (*Result, error) {
	if s.MaxIter == 0 {
		s.MaxIter = 200
	}
	if s.CheckEvery == 0 {
		s.CheckEvery = 10
	}
	if s.MaxIter < 0 || s.Tol < 0 || s.CheckEvery < 0 || s.TimeLimit < 0 {
		return nil, fmt.Errorf("solve: invalid settings: max-iter %d, tol %g, check-every %d, time limit %v",
			s.MaxIter, s.Tol, s.CheckEvery, s.TimeLimit)
	}
	start := time.Now()
	res := &Result{Reason: MaxIter}
	record := func(it int) (float64, error) {
		obj := m.Objective()
		if math.IsNaN(obj) || math.IsInf(obj, 0) {
			return 0, fmt.Errorf("solve: iteration %d: %w", it, ErrNotFinite)
		}
		p := Point{Iter: it, Objective: obj, Seconds: time.Since(start).Seconds()}
		res.History = append(res.History, p)
		res.Objective = obj
		if s.Progress != nil {
			s.Progress(p)
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
		if ctx.Err() != nil {
			res.Reason = Interrupted
			break
		}
		if err := m.Step(); err != nil {
			return nil, fmt.Errorf("solve: iteration %d: %w", it, err)
		}
		res.Iterations = it
		timeUp := s.TimeLimit > 0 && time.Since(start) >= s.TimeLimit
		check := it%s.CheckEvery == 0 || it == s.MaxIter || timeUp
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
		if s.Tol > 0 && converged(rule, first, prev, v, s.Tol) {
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
