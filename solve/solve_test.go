package solve

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// geometric is a model whose objective halves (times r) each step, down to
// a floor, optionally with a monitor.
type geometric struct {
	obj, r, floor float64
	steps         int
	sleep         time.Duration
	fail          error
}

func (g *geometric) Step() error {
	g.steps++
	time.Sleep(g.sleep)
	g.obj = g.floor + (g.obj-g.floor)*g.r
	return g.fail
}

func (g *geometric) Objective() float64 { return g.obj }

type monitored struct {
	geometric
	rule Rule
}

func (m *monitored) Monitor() (float64, Rule) { return m.obj, m.rule }

func TestMaxIterAndHistory(t *testing.T) {
	g := &geometric{obj: 1, r: 0.5}
	res, err := Fit(context.Background(), g, Settings{MaxIter: 25, Tol: new(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 25 || g.steps != 25 || res.Reason != MaxIter || res.Converged {
		t.Errorf("got %+v after %d steps", res, g.steps)
	}
	// History: iterations 0, 1, 10, 20 and the last.
	var its []int
	for _, p := range res.History {
		its = append(its, p.Iter)
	}
	want := []int{0, 1, 10, 20, 25}
	if len(its) != len(want) {
		t.Fatalf("history at %v, want %v", its, want)
	}
	for i := range want {
		if its[i] != want[i] {
			t.Fatalf("history at %v, want %v", its, want)
		}
	}
	if res.Objective != g.obj {
		t.Errorf("objective %g, model's %g", res.Objective, g.obj)
	}
}

func TestRelativeDecrease(t *testing.T) {
	// Objective v(it) = 1 + 0.5^it, v0 = 2, checked every 10 iterations:
	// (v(10)−v(20))/v0 ≈ 4.9e-4 is not below 1e-4, (v(20)−v(30))/v0 ≈
	// 4.8e-7 is, so the run stops at 30, as scikit-learn's loop would.
	g := &geometric{obj: 2, r: 0.5, floor: 1}
	res, err := Fit(context.Background(), g, Settings{MaxIter: 1000, Tol: new(1e-4)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Reason != Tolerance || res.Iterations != 30 {
		t.Errorf("got %+v, want convergence at iteration 30", res)
	}
	g2 := &geometric{obj: 2, r: 0.5, floor: 1}
	res2, _ := Fit(context.Background(), g2, Settings{MaxIter: 1000, Tol: new(0.0)})
	if res2.Iterations != 1000 {
		t.Errorf("Tol 0 must disable the test: stopped at %d", res2.Iterations)
	}
	// The zero Settings are the defaults: 200 iterations, tolerance 1e-4.
	g3 := &geometric{obj: 2, r: 0.5, floor: 1}
	res3, _ := Fit(context.Background(), g3, Settings{})
	if res3.Iterations != 30 || res3.Reason != Tolerance {
		t.Errorf("zero Settings: %+v, want the default tolerance to stop at 30", res3)
	}
	g4 := &geometric{obj: 2, r: 0.5, floor: 1}
	res4, _ := Fit(context.Background(), g4, Settings{Tol: new(0.0)})
	if res4.Iterations != DefaultMaxIter {
		t.Errorf("zero MaxIter ran %d iterations, want %d", res4.Iterations, DefaultMaxIter)
	}
}

func TestMonitorRules(t *testing.T) {
	// AbsoluteChange with CheckEvery 1: stop once |Δ| ≤ tol.
	m := &monitored{geometric{obj: 1, r: 0.5}, AbsoluteChange}
	res, err := Fit(context.Background(), m, Settings{MaxIter: 100, Tol: new(1e-3), CheckEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	// |Δ| at iteration it is 0.5^it: ≤ 1e-3 first at it = 10.
	if res.Iterations != 10 || !res.Converged {
		t.Errorf("AbsoluteChange stopped at %d (%s)", res.Iterations, res.Reason)
	}
	// RelativeToFirst: v/v1 ≤ tol, v1 = 0.5.
	m = &monitored{geometric{obj: 1, r: 0.5}, RelativeToFirst}
	res, _ = Fit(context.Background(), m, Settings{MaxIter: 100, Tol: new(1e-2), CheckEvery: 1})
	if res.Iterations != 8 { // 0.5^8/0.5 = 0.0078
		t.Errorf("RelativeToFirst stopped at %d", res.Iterations)
	}
}

func TestInterruptedAndTimeLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Fit(ctx, &geometric{obj: 1, r: 0.5}, Settings{MaxIter: 10})
	if err != nil || res.Reason != Interrupted || res.Iterations != 0 {
		t.Errorf("cancelled: %+v, %v", res, err)
	}
	res, err = Fit(context.Background(), &geometric{obj: 1, r: 0.9, sleep: 2 * time.Millisecond},
		Settings{MaxIter: 100000, TimeLimit: 20 * time.Millisecond})
	if err != nil || res.Reason != TimeLimit || res.Iterations >= 100000 {
		t.Errorf("time limit: %+v, %v", res, err)
	}
}

func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	if _, err := Fit(context.Background(), &geometric{obj: 1, r: 0.5, fail: boom}, Settings{}); !errors.Is(err, boom) {
		t.Errorf("step error: %v", err)
	}
	if _, err := Fit(context.Background(), &geometric{obj: math.NaN(), r: 0.5}, Settings{}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN objective: %v", err)
	}
	for _, s := range []Settings{{MaxIter: -1}, {Tol: new(-1.0)}, {Tol: new(math.NaN())}, {Tol: new(math.Inf(1))}, {CheckEvery: -2}, {TimeLimit: -time.Second}} {
		if _, err := Fit(context.Background(), &geometric{obj: 1, r: 0.5}, s); err == nil {
			t.Errorf("settings %+v: no error", s)
		}
	}
}

func TestProgress(t *testing.T) {
	var pts []Point
	_, err := Fit(context.Background(), &geometric{obj: 1, r: 0.5}, Settings{MaxIter: 30, Tol: new(0.0), Progress: func(p Point) { pts = append(pts, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 5 || pts[len(pts)-1].Iter != 30 {
		t.Errorf("progress points %+v", pts)
	}
}

func TestSessionPhases(t *testing.T) {
	var pts []Point
	se, err := NewSession(context.Background(), Settings{MaxIter: 20, Tol: new(0.0), Progress: func(p Point) { pts = append(pts, p) }})
	if err != nil {
		t.Fatal(err)
	}
	// A phase takes its own limits; zero fields take the session's.
	pre, err := se.Run("layer 1", &geometric{obj: 1, r: 0.5}, Settings{MaxIter: 5})
	if err != nil || pre.Iterations != 5 {
		t.Fatalf("pre-training phase: %+v, %v", pre, err)
	}
	fin, err := se.Run("", &geometric{obj: 1, r: 0.5}, Settings{})
	if err != nil || fin.Iterations != 20 {
		t.Fatalf("final phase: %+v, %v", fin, err)
	}
	if pts[0].Phase != "layer 1" || pts[0].MaxIter != 5 || pts[len(pts)-1].Phase != "" || pts[len(pts)-1].MaxIter != 20 {
		t.Errorf("progress points %+v", pts)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Seconds < pts[i-1].Seconds {
			t.Errorf("seconds go back: %+v", pts)
		}
	}
}

func TestSessionTimeLimitCoversPhases(t *testing.T) {
	se, err := NewSession(context.Background(), Settings{TimeLimit: 20 * time.Millisecond, Tol: new(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	slow := &geometric{obj: 1, r: 0.9, sleep: 2 * time.Millisecond}
	pre, err := se.Run("layer 1", slow, Settings{MaxIter: 100000})
	if err != nil || pre.Reason != TimeLimit {
		t.Fatalf("pre-training: %+v, %v", pre, err)
	}
	if !se.Stopped() {
		t.Error("Stopped is false after the time limit")
	}
	// The time is spent: the next phase stops before its first step.
	g := &geometric{obj: 1, r: 0.5}
	fin, err := se.Run("", g, Settings{})
	if err != nil || fin.Reason != TimeLimit || fin.Iterations != 0 || g.steps != 0 {
		t.Errorf("final phase after the time limit: %+v, %d steps, %v", fin, g.steps, err)
	}
}

func TestSessionCancelledBetweenPhases(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	se, err := NewSession(ctx, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := se.Run("layer 1", &geometric{obj: 1, r: 0.5}, Settings{MaxIter: 3}); err != nil {
		t.Fatal(err)
	}
	cancel()
	g := &geometric{obj: 1, r: 0.5}
	res, err := se.Run("", g, Settings{})
	if err != nil || res.Reason != Interrupted || g.steps != 0 {
		t.Errorf("after cancel: %+v, %d steps, %v", res, g.steps, err)
	}
}

// scheduled finishes after a fixed number of steps.
type scheduled struct {
	geometric
	last int
}

func (s *scheduled) Finished() bool { return s.steps >= s.last }

func TestFinisher(t *testing.T) {
	m := &scheduled{geometric{obj: 1, r: 0.5}, 13}
	res, err := Fit(context.Background(), m, Settings{MaxIter: 100, Tol: new(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 13 || res.Reason != Finished || !res.Converged || res.History[len(res.History)-1].Iter != 13 {
		t.Errorf("%+v, want the run finished by the model at 13", res)
	}
}
