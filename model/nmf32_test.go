package model

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// TestFloat32Agrees fits NMF (Frobenius, random start, 200 iterations) in
// float64 and in float32 from the same seed, with each solver, and
// compares the final objectives and the argmax clustering's NMI, on digits
// (dense 1797x64, k = 10) and football (sparse 115x115, k = 12). Measured
// over seeds 0-9, with OpenBLAS and with the pure-Go backend alike: on
// digits the objectives differ by at most 6.9e-7 relative (mu) and 3.3e-7
// (cd), on football by 8.3e-8 (cd) and 1.4e-3 (mu, seed 0, whose float32
// path drifts to a nearby point; the other seeds 1e-4 or less); the NMI
// is the same but for football mu seed 0 (0.0087). The tolerances below
// leave a margin of about 15x and 7x on the objective, 0.01 and 0.05 on
// the NMI; the test runs seeds 0-4.
func TestFloat32Agrees(t *testing.T) {
	digits, digitsTruth := deepTable(t, "digits")
	football, footballTruth := deepGraph(t, "football")
	for _, c := range []struct {
		name     string
		x        linalg.Matrix
		truth    []int
		k        int
		obj, nmi float64 // tolerances: relative on the objective, absolute on the NMI
	}{
		{"digits", digits, digitsTruth, 10, 1e-5, 0.01},
		{"football", football, footballTruth, 12, 1e-2, 0.05},
	} {
		for seed := range uint64(5) {
			for _, solver := range []Solver{SolverMU, SolverCD} {
				fit := func(f32 bool) (*Result, metric.Scores) {
					res, err := (&NMF{Rank: c.k, Solver: solver, Init: "random", Seed: seed, Float32: f32}).Fit(context.Background(), c.x, solve.Settings{MaxIter: 200, Tol: new(0.0)})
					if err != nil {
						t.Fatalf("%s %s seed %d float32 %v: %v", c.name, solver, seed, f32, err)
					}
					return res, metric.Cluster(c.truth, cluster.Argmax(res.Embedding))
				}
				r64, s64 := fit(false)
				r32, s32 := fit(true)
				if rel := math.Abs(r32.Objective-r64.Objective) / r64.Objective; !(rel <= c.obj) {
					t.Errorf("%s %s seed %d: objective %g in float32, %g in float64: relative difference %.2g > %g", c.name, solver, seed, r32.Objective, r64.Objective, rel, c.obj)
				}
				if d := math.Abs(s32.NMI - s64.NMI); !(d <= c.nmi) {
					t.Errorf("%s %s seed %d: NMI %.4f in float32, %.4f in float64", c.name, solver, seed, s32.NMI, s64.NMI)
				}
				if len(r32.History) != len(r64.History) {
					t.Errorf("%s %s seed %d: %d history points in float32, %d in float64", c.name, solver, seed, len(r32.History), len(r64.History))
				}
			}
		}
	}
}

// TestFloat32Invalid checks that the configurations float32 does not run
// are refused as invalid, not run in float64, and that nmf's default
// configuration (cd) takes it.
func TestFloat32Invalid(t *testing.T) {
	x := linalg.NewDense(randomData(30, 20, 3, 0, 1))
	for name, m := range map[string]*NMF{
		"kl":     {Rank: 3, Loss: KL, Solver: SolverMU, Float32: true},
		"masked": {Rank: 3, Solver: SolverMU, Masked: true, Float32: true},
	} {
		if _, err := m.Fit(context.Background(), x, solve.Settings{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want an invalid-input error", name, err)
		}
	}
	if _, err := New("nmf", Config{Rank: 3, Float32: true}); err != nil {
		t.Errorf("nmf float32: %v", err)
	}
	if _, err := New("gnmf", Config{Rank: 3, Float32: true}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "float32") {
		t.Errorf("gnmf float32: got %v, want an invalid-input error naming float32", err)
	}
}
