package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// deepMixedData returns an n x d matrix of any sign with a planted rank-k
// semi-nonnegative structure (X = F·Zᵀ, F ≥ 0) plus noise.
func deepMixedData(n, d, k int, seed uint64) *mat.Dense {
	rng := initialize.NewRand(seed)
	f := initialize.RandomDense(n, k, 1, rng)
	z := mat.NewDense(d, k, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < k; j++ {
			z.Set(i, j, rng.NormFloat64())
		}
	}
	x := mat.NewDense(n, d, nil)
	x.Mul(f, z.T())
	x.Apply(func(_, _ int, v float64) float64 { return v + 0.05*rng.NormFloat64() }, x)
	return x
}

// TestDeepSemiNMFProperties checks, on mixed-sign data, that every H_i
// stays nonnegative, that the fine-tuning objective does not increase (each
// Z_i is a least-squares optimum, each H update a majorization-
// minimization step), the sweep's least-squares property and the shapes.
func TestDeepSemiNMFProperties(t *testing.T) {
	xd := deepMixedData(80, 30, 4, 1)
	for _, x := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		m := &DeepSemiNMF{Layers: []int{12, 6, 4}, Normalize: new(true), PreIter: new(100), PreTol: new(1e-5), Seed: 2}
		res := fitDeep(t, m, x, solve.Settings{MaxIter: 60, Tol: new(0.0), CheckEvery: 1})
		deepCheckNonneg(t, res, "H1", "H2", "H3")
		if mat.Min(res.Factor("Z1")) >= 0 {
			t.Error("Z1 has no negative entry on mixed-sign data")
		}
		h := res.History
		for i := 1; i < len(h); i++ {
			if h[i].Objective > h[i-1].Objective*(1+1e-8) {
				t.Errorf("%T: objective rose at iteration %d: %.12g -> %.12g", x, h[i].Iter, h[i-1].Objective, h[i].Objective)
				break
			}
		}
		for name, want := range map[string][2]int{"Z1": {30, 12}, "Z2": {12, 6}, "Z3": {6, 4}, "H1": {80, 12}, "H3": {80, 4}, "Psi3": {30, 4}} {
			if r, c := res.Factor(Name(name)).Dims(); r != want[0] || c != want[1] {
				t.Errorf("%s is %dx%d, want %v", name, r, c, want)
			}
		}
		if len(res.Pretrain) != 3 {
			t.Errorf("%d pre-training reports", len(res.Pretrain))
		}
		for _, p := range res.Pretrain {
			if len(p.History) < 2 || p.History[len(p.History)-1].Objective > p.History[0].Objective {
				t.Errorf("pre-training did not decrease: %v", p.History)
			}
		}
	}
}

// TestDeepSemiNMFLeastSquares checks that after a sweep Ψ = Z1⋯Zm is the
// least-squares optimum for the H it used: the residual X − ΨHᵀ is
// orthogonal to H's columns, Ψ = X H (HᵀH)⁻¹ (in the row orientation).
func TestDeepSemiNMFLeastSquares(t *testing.T) {
	x := linalg.NewDense(deepMixedData(60, 20, 3, 4))
	r := testRun(t, 1)
	ls, err := r.pretrainLayers(x, []int{8, 3}, func(_ int, in linalg.Matrix, size int) (layerFit, error) {
		return semiLayer(in, size, initialize.NNDSVD, r, solve.Settings{MaxIter: 30, Tol: new(0.0)})
	})
	if err != nil {
		t.Fatal(err)
	}
	run := newDSNRun(x, ls)
	h := mat.DenseCopyOf(run.Top())
	// Replay the Z part of the sweep: the top H changes only afterwards.
	if err := run.Step(); err != nil {
		t.Fatal(err)
	}
	var hth, inv, xth, want mat.Dense
	hth.Mul(h.T(), h)
	if err := inv.Inverse(&hth); err != nil {
		t.Fatal(err)
	}
	xth.Mul(x.Raw().T(), h)
	want.Mul(&xth, &inv)
	if d := deepRelDiff(&want, run.Product()); d > 1e-8 {
		t.Errorf("Ψ after a sweep differs from the least-squares X·pinv(H) by %g", d)
	}
}

// TestDeepSemiNMFReproducible checks that a seed fixes the result bit for
// bit, whatever GOMAXPROCS is, and that seeds differ with random starts.
func TestDeepSemiNMFReproducible(t *testing.T) {
	x := linalg.NewDense(deepMixedData(300, 60, 5, 2))
	fit := func(procs int, seed uint64) (res *Result) {
		deepWithProcs(procs, func() {
			res = fitDeep(t, &DeepSemiNMF{Layers: []int{20, 5}, Init: "random", PreIter: new(20), Seed: seed, Normalize: new(false), PreTol: new(0.0)}, x, solve.Settings{MaxIter: 15, Tol: new(0.0)})
		})
		return res
	}
	r := fit(1, 5)
	checkSameFactors(t, "GOMAXPROCS 1 vs 4", r, fit(4, 5))
	if mat.Equal(r.Factor("Z1"), fit(2, 6).Factor("Z1")) {
		t.Error("seeds 5 and 6 gave the same Z1")
	}
}

// TestDeepSemiNMFInvalid checks the errors of bad configurations and
// inputs.
func TestDeepSemiNMFInvalid(t *testing.T) {
	ok := deepMixedData(20, 10, 2, 1)
	nan := mat.DenseCopyOf(ok)
	nan.Set(0, 0, math.NaN())
	cases := []struct {
		name string
		m    DeepSemiNMF
		x    *mat.Dense
	}{
		{"nan", DeepSemiNMF{Layers: []int{4, 2}, PreIter: new(10), Normalize: new(false), PreTol: new(0.0)}, nan},
		{"increasing layers", DeepSemiNMF{Layers: []int{4, 6}, PreIter: new(10), Normalize: new(false), PreTol: new(0.0)}, ok},
		{"layer too wide", DeepSemiNMF{Layers: []int{10}, PreIter: new(10), Normalize: new(false), PreTol: new(0.0)}, ok},
		{"negative pre_iter", DeepSemiNMF{Layers: []int{4, 2}, Normalize: new(false), PreIter: new(-1), PreTol: new(0.0)}, ok},
		{"unknown init", DeepSemiNMF{Layers: []int{4, 2}, PreIter: new(10), Init: "kmeans", Normalize: new(false), PreTol: new(0.0)}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{MaxIter: 5, Tol: new(0.0)}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
}

// TestDeepSemiNMFQuality pins floors a little below the mean NMI of
// k-means (normalized rows) on the top representation, measured over 5
// seeds (the NNDSVD start is deterministic, so the seeds only move
// k-means): iris 0.880 (layers 3-2), digits 0.618 ± 0.001 (20-10, 200
// fine-tuning iterations). The digits check fits 2 seeds.
func TestDeepSemiNMFQuality(t *testing.T) {
	cases := []struct {
		name   string
		layers []int
		k      int
		seeds  int
		floor  float64
	}{
		{"iris", []int{3, 2}, 3, 5, 0.85},
		{"digits", []int{20, 10}, 10, 2, 0.60},
	}
	for _, tc := range cases {
		if testing.Short() && tc.name == "digits" {
			continue
		}
		x, truth := deepTable(t, tc.name)
		nmi := deepMeanNMI(t, "deepseminmf "+tc.name, func(seed uint64) Estimator {
			return &DeepSemiNMF{Layers: tc.layers, Normalize: new(true), PreIter: new(500), PreTol: new(1e-5), Seed: seed}
		}, x, truth, tc.k, tc.seeds, true, solve.Settings{MaxIter: 200, Tol: new(1e-5)})
		if nmi < tc.floor {
			t.Errorf("%s: mean NMI %.4f below the floor %.2f", tc.name, nmi, tc.floor)
		}
	}
}
