package model

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// allocModels are the models whose iterations allocate nothing: every
// temporary of an iteration lives in the run's scratch. The others still
// allocate in their steps (the β ≠ 2 losses form a ratio matrix, ANLS its
// pivoting scratch, the adversarial and elastic models their perturbed
// inputs).
var allocModels = []struct {
	name string
	c    Config
}{
	{"nmf", Config{Rank: 2}},
	{"nmf", Config{Rank: 2, Params: []string{"solver=mu"}}},
	{"nmf", Config{Rank: 2, Float32: true}},
	{"nmf", Config{Rank: 2, Params: []string{"solver=mu"}, Float32: true}},
	{"symnmf", Config{Rank: 2, Params: []string{"solver=mu"}}},
	{"symnmf", Config{Rank: 2, Params: []string{"solver=anls"}}},
	{"asymnmf", Config{Rank: 2}},
	{"gnmf", Config{Rank: 2}},
	{"nsed", Config{Rank: 2}},
	{"dnmf", Config{Layers: []int{8, 2}}},
	{"danmf", Config{Layers: []int{8, 2}}},
	{"danmf-crfr", Config{Layers: []int{8, 2}}},
	{"dsymnmf", Config{Layers: []int{8, 2}}},
	{"masnmf", Config{Layers: []int{8, 2}}},
	{"dasnmf", Config{Layers: []int{8, 2}}},
	{"s4nmf", Config{Rank: 2}},
}

// iterationCost returns the allocations and bytes allocated per iteration
// of a phase of a fit to x: the difference between fits with n and 2n
// iterations of the phase (fit(iters) makes one, the same otherwise, with
// no convergence test in between), divided by n.
func iterationCost(t *testing.T, x linalg.Matrix, n int, fit func(iters int) (Estimator, solve.Settings)) (allocs, bytes float64) {
	t.Helper()
	measure := func(iters int) (uint64, uint64) {
		e, s := fit(iters)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := e.Fit(context.Background(), x, s); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
	}
	m1, b1 := measure(n)
	m2, b2 := measure(2 * n)
	return (float64(m2) - float64(m1)) / float64(n), (float64(b2) - float64(b1)) / float64(n)
}

// phases returns, for the configuration c of model name, a fit function
// for iterationCost per phase: the final iterations, and the
// pre-training's for a deep model (its pre_iter).
func phases(t *testing.T, name string, c Config) map[string]func(int) (Estimator, solve.Settings) {
	t.Helper()
	mk := func(c Config) Estimator {
		e, err := New(name, c)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	final := c
	pre := len(c.Layers) > 0 && name != "masnmf" // masnmf's pre-training is AsNMF's
	if pre {
		final.Params = append(final.Params[:len(final.Params):len(final.Params)], "pre_iter=5")
	}
	e := mk(final)
	out := map[string]func(int) (Estimator, solve.Settings){
		"final": func(n int) (Estimator, solve.Settings) {
			return e, solve.Settings{MaxIter: n, Tol: new(0.0), CheckEvery: 1 << 20}
		},
	}
	if pre {
		out["pre-training"] = func(n int) (Estimator, solve.Settings) {
			pc := c
			pc.Params = append(pc.Params[:len(pc.Params):len(pc.Params)], fmt.Sprintf("pre_iter=%d", n))
			return mk(pc), solve.Settings{MaxIter: 1, CheckEvery: 1 << 20}
		}
	}
	return out
}

// TestIterationsAllocateNothing checks, on a 24-node graph under
// GOMAXPROCS = 1 (so that every kernel runs inline, as
// testing.AllocsPerRun runs them, and every product stays in gonum, below
// the size the OpenBLAS backend takes), that an iteration of each model of
// allocModels allocates nothing, in the final phase and in the
// pre-training of the deep ones.
func TestIterationsAllocateNothing(t *testing.T) {
	a := deepTwoBlocks(24, 0.5, 0.1, 3)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, m := range allocModels {
		c := m.c
		c.Seed = 1
		for phase, fit := range phases(t, m.name, c) {
			// Fewer than one allocation per iteration on average can only
			// be something that does not repeat each iteration (a map
			// growing, the runtime's own): the threshold tolerates it, no
			// more.
			if allocs, _ := iterationCost(t, a, 20, fit); allocs >= 0.5 {
				t.Errorf("%s %v, %s: %.1f allocations per iteration, want 0", m.name, m.c.Params, phase, allocs)
			}
		}
	}
}
