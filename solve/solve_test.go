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
	res, err := Fit(context.Background(), g, Settings{MaxIter: 25})
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
	res, err := Fit(context.Background(), g, Settings{MaxIter: 1000, Tol: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Reason != Tolerance || res.Iterations != 30 {
		t.Errorf("got %+v, want convergence at iteration 30", res)
	}
	g2 := &geometric{obj: 2, r: 0.5, floor: 1}
	res2, _ := Fit(context.Background(), g2, Settings{MaxIter: 1000})
	if res2.Iterations != 1000 {
		t.Errorf("Tol 0 must disable the test: stopped at %d", res2.Iterations)
	}
}

func TestMonitorRules(t *testing.T) {
	// AbsoluteChange with CheckEvery 1: stop once |Δ| ≤ tol.
	m := &monitored{geometric{obj: 1, r: 0.5}, AbsoluteChange}
	res, err := Fit(context.Background(), m, Settings{MaxIter: 100, Tol: 1e-3, CheckEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	// |Δ| at iteration it is 0.5^it: ≤ 1e-3 first at it = 10.
	if res.Iterations != 10 || !res.Converged {
		t.Errorf("AbsoluteChange stopped at %d (%s)", res.Iterations, res.Reason)
	}
	// RelativeToFirst: v/v1 ≤ tol, v1 = 0.5.
	m = &monitored{geometric{obj: 1, r: 0.5}, RelativeToFirst}
	res, _ = Fit(context.Background(), m, Settings{MaxIter: 100, Tol: 1e-2, CheckEvery: 1})
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
	for _, s := range []Settings{{MaxIter: -1}, {Tol: -1}, {CheckEvery: -2}, {TimeLimit: -time.Second}} {
		if _, err := Fit(context.Background(), &geometric{obj: 1, r: 0.5}, s); err == nil {
			t.Errorf("settings %+v: no error", s)
		}
	}
}

func TestProgress(t *testing.T) {
	var pts []Point
	_, err := Fit(context.Background(), &geometric{obj: 1, r: 0.5}, Settings{MaxIter: 30, Progress: func(p Point) { pts = append(pts, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 5 || pts[len(pts)-1].Iter != 30 {
		t.Errorf("progress points %+v", pts)
	}
}
