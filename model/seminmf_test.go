package model

import (
	"context"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestSemiNMFMonotone checks the paper's Theorem 1: with H at its
// least-squares optimum and W updated by the square-root rule, the
// objective never rises, dense or sparse, from either start. W stays
// nonnegative while H takes both signs.
func TestSemiNMFMonotone(t *testing.T) {
	xd, _ := dmMixedData(80, 20, 4, 0.5, 1)
	for _, sparse := range []bool{false, true} {
		var x linalg.Matrix = linalg.NewDense(xd)
		if sparse {
			x = linalg.CSRFromDense(xd)
		}
		for _, init := range []string{"kmeans", "random"} {
			what := init
			if sparse {
				what += "/sparse"
			}
			res, err := (&SemiNMF{Rank: 4, Init: initialize.Method(init), Seed: 2}).Fit(context.Background(), x, solve.Settings{MaxIter: 300, CheckEvery: 1, Tol: new(0.0)})
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			checkNonIncreasing(t, what, res, 1e-12)
			checkNonnegative(t, what, res, "H")
			if mat.Min(res.Factor("H")) >= 0 {
				t.Errorf("%s: H has no negative entry on mixed-sign data", what)
			}
			h := res.History
			if h[len(h)-1].Objective > 0.9*h[0].Objective && init == "random" {
				t.Errorf("%s: objective barely moved: %g -> %g", what, h[0].Objective, h[len(h)-1].Objective)
			}
		}
	}
}

// TestSemiNMFLeastSquaresH checks that H is the least-squares basis for
// the final W: the gradient Wᵀ(WH − X) vanishes.
func TestSemiNMFLeastSquaresH(t *testing.T) {
	xd, _ := dmMixedData(50, 12, 3, 0.3, 3)
	res, err := (&SemiNMF{Rank: 3, Seed: 1}).Fit(context.Background(), linalg.NewDense(xd), solve.Settings{MaxIter: 50, Tol: new(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	w, h := res.Factor("W"), res.Factor("H")
	r := linalg.Product(w, h)
	r.Sub(r, xd)
	g := linalg.Product(w.T(), r)
	if rel := mat.Norm(g, 2) / (mat.Norm(w, 2) * mat.Norm(xd, 2)); rel > 1e-10 {
		t.Errorf("‖Wᵀ(WH − X)‖ relative to ‖W‖‖X‖ is %g", rel)
	}
}

// TestSemiNMFSparseMatchesDense checks that a CSR input gives the iterates
// of the same matrix stored densely (from the random start: the k-means
// start clusters a sparse input through its SVD scores instead).
func TestSemiNMFSparseMatchesDense(t *testing.T) {
	xd, _ := dmMixedData(60, 25, 3, 0.5, 4)
	xd.Apply(func(i, j int, v float64) float64 {
		if (i+j)%3 == 0 {
			return 0
		}
		return v
	}, xd)
	m := &SemiNMF{Rank: 3, Init: "random", Seed: 5}
	s := solve.Settings{MaxIter: 30, Tol: new(0.0)}
	a, err := m.Fit(context.Background(), linalg.NewDense(xd), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Fit(context.Background(), linalg.CSRFromDense(xd), s)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range a.Factors {
		if d := relDiff(f.M, b.Factors[i].M); d > 1e-9 {
			t.Errorf("factor %s differs between dense and sparse by %g", f.Name, d)
		}
	}
	// The sparse k-means start runs too.
	if _, err := (&SemiNMF{Rank: 3, Seed: 5}).Fit(context.Background(), linalg.CSRFromDense(xd), s); err != nil {
		t.Errorf("sparse k-means start: %v", err)
	}
}

// TestSemiNMFReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestSemiNMFReproducible(t *testing.T) {
	xd, _ := dmMixedData(300, 40, 5, 0.5, 6)
	for _, init := range []string{"kmeans", "random"} {
		fit := func(procs int) *Result {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r, err := (&SemiNMF{Rank: 5, Init: initialize.Method(init), Seed: 7}).Fit(context.Background(), linalg.NewDense(xd), solve.Settings{MaxIter: 20, Tol: new(0.0)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		checkSameFactors(t, init, fit(1), fit(4))
	}
}

func TestSemiNMFInvalid(t *testing.T) {
	ok, _ := dmMixedData(10, 6, 2, 0.1, 1)
	nan := mat.DenseCopyOf(ok)
	nan.Set(2, 3, math.NaN())
	cases := []struct {
		name string
		m    SemiNMF
		x    *mat.Dense
	}{
		{"nan", SemiNMF{Rank: 2}, nan},
		{"rank zero", SemiNMF{Rank: 0}, ok},
		{"rank too large", SemiNMF{Rank: 6}, ok},
		{"unknown init", SemiNMF{Rank: 2, Init: "svd"}, ok},
		{"nndsvd on negative data", SemiNMF{Rank: 2, Init: "nndsvda"}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// Mixed signs are accepted.
	if _, err := (&SemiNMF{Rank: 2}).Fit(context.Background(), linalg.NewDense(ok), solve.Settings{MaxIter: 5, Tol: new(0.0)}); err != nil {
		t.Errorf("mixed-sign input: %v", err)
	}
	if _, err := New("seminmf", Config{Rank: 2, Params: []string{"orth=h"}}); err == nil {
		t.Errorf("unknown parameter accepted")
	}
}

// TestSemiNMFQuality pins the clustering quality (mean NMI over seeds
// 0-4, default settings) a little below the measured means given in
// docs/models/seminmf.md. The standardized tables have mixed signs.
func TestSemiNMFQuality(t *testing.T) {
	dmQuality(t, "seminmf", func(k int, seed uint64) Estimator { return &SemiNMF{Rank: k, Seed: seed} }, []dmQualityCase{
		{name: "iris", data: dmIris, argmaxMin: 0.74, kmeansMin: 0.74},
		{name: "standardized iris", data: dmStdIris, argmaxMin: 0.58, kmeansMin: 0.58},
		{name: "standardized wine", data: dmStdWine, argmaxMin: 0.84, kmeansMin: 0.86},
		{name: "digits", data: dmDigits, argmaxMin: 0.62, kmeansMin: 0.66, long: true},
	})
}
