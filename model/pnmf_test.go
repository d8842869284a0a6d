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

// TestPNMFMonotone checks that the rule with exponent 1/3 (Yang and Oja
// 2010) never raises the objective, dense or sparse, from either start,
// and keeps W nonnegative.
func TestPNMFMonotone(t *testing.T) {
	xd := randomData(60, 40, 4, 0.3, 1)
	for _, sparse := range []bool{false, true} {
		var x linalg.Matrix = linalg.NewDense(xd)
		if sparse {
			x = linalg.CSRFromDense(xd)
		}
		for _, init := range []string{"nndsvda", "random"} {
			what := init
			if sparse {
				what += "/sparse"
			}
			res, err := (&PNMF{Rank: 4, Init: initialize.Method(init), Seed: 2}).Fit(context.Background(), x, solve.Settings{MaxIter: 300, CheckEvery: 1, Tol: new(0.0)})
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			checkNonIncreasing(t, what, res, 1e-12)
			checkNonnegative(t, what, res)
			h := res.History
			if first, last := h[0].Objective, h[len(h)-1].Objective; last > 0.8*first {
				t.Errorf("%s: objective barely moved: %g -> %g", what, first, last)
			}
		}
	}
}

// TestPNMFOja checks the documented behaviour of rule=oja, which has no
// monotonicity guarantee: on this data it decreases, and faster than the
// monotone rule.
func TestPNMFOja(t *testing.T) {
	x := linalg.NewDense(randomData(60, 40, 4, 0.3, 1))
	s := solve.Settings{MaxIter: 200, Tol: new(0.0)}
	mono, err := (&PNMF{Rank: 4, Seed: 2}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	oja, err := (&PNMF{Rank: 4, Rule: "oja", Seed: 2}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	checkNonnegative(t, "oja", oja)
	h := oja.History
	if first, last := h[0].Objective, h[len(h)-1].Objective; last > 0.8*first {
		t.Errorf("oja: objective barely moved: %g -> %g", first, last)
	}
	if oja.Objective > mono.Objective {
		t.Errorf("after 200 iterations oja's objective %g is above the monotone rule's %g", oja.Objective, mono.Objective)
	}
}

// TestPNMFObjectiveAndEmbedding checks the Gram-matrix form of the
// objective against ½‖X − XWWᵀ‖²_F formed densely, and that the embedding
// is X·W.
func TestPNMFObjectiveAndEmbedding(t *testing.T) {
	xd := randomData(30, 20, 3, 0.2, 5)
	res, err := (&PNMF{Rank: 3, Seed: 1}).Fit(context.Background(), linalg.NewDense(xd), solve.Settings{MaxIter: 25, Tol: new(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	w := res.Factor("W")
	xw := linalg.Product(xd, w)
	if d := relDiff(res.Embedding, xw); d > 1e-12 {
		t.Errorf("embedding differs from X·W by %g", d)
	}
	r := linalg.Product(xw, w.T())
	r.Sub(xd, r)
	want := 0.5 * mat.Norm(r, 2) * mat.Norm(r, 2)
	if math.Abs(res.Objective-want) > 1e-9*want {
		t.Errorf("objective %.15g, ½‖X − XWWᵀ‖² = %.15g", res.Objective, want)
	}
}

// TestPNMFSparseMatchesDense checks that a CSR input gives the iterates of
// the same matrix stored densely.
func TestPNMFSparseMatchesDense(t *testing.T) {
	xd := randomData(50, 35, 4, 0.5, 2)
	for _, rule := range []string{"monotone", "oja"} {
		m := &PNMF{Rank: 4, Rule: Rule(rule), Init: "nndsvda"}
		s := solve.Settings{MaxIter: 30, Tol: new(0.0)}
		a, err := m.Fit(context.Background(), linalg.NewDense(xd), s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Fit(context.Background(), linalg.CSRFromDense(xd), s)
		if err != nil {
			t.Fatal(err)
		}
		if d := relDiff(a.Factor("W"), b.Factor("W")); d > 1e-9 {
			t.Errorf("%s: W differs between dense and sparse by %g", rule, d)
		}
	}
}

// TestPNMFReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestPNMFReproducible(t *testing.T) {
	x := linalg.NewDense(randomData(300, 200, 6, 0.4, 4))
	for _, rule := range []string{"monotone", "oja"} {
		for _, init := range []string{"random", "nndsvdar"} {
			fit := func(procs int) *Result {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				r, err := (&PNMF{Rank: 6, Rule: Rule(rule), Init: initialize.Method(init), Seed: 11}).Fit(context.Background(), x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			a, b := fit(1), fit(4)
			checkSameFactors(t, rule+"/"+init, a, b)
			if !mat.Equal(a.Embedding, b.Embedding) {
				t.Errorf("%s/%s: embedding differs between GOMAXPROCS 1 and 4", rule, init)
			}
		}
	}
}

func TestPNMFInvalid(t *testing.T) {
	ok := randomData(10, 8, 2, 0.2, 1)
	neg := mat.DenseCopyOf(ok)
	neg.Set(0, 0, -1)
	nan := mat.DenseCopyOf(ok)
	nan.Set(1, 1, math.Inf(1))
	cases := []struct {
		name string
		m    PNMF
		x    *mat.Dense
	}{
		{"negative", PNMF{Rank: 2}, neg},
		{"inf", PNMF{Rank: 2}, nan},
		{"rank zero", PNMF{Rank: 0}, ok},
		{"rank too large", PNMF{Rank: 8}, ok},
		{"unknown rule", PNMF{Rank: 2, Rule: "fast"}, ok},
		{"unknown init", PNMF{Rank: 2, Init: "kmeans"}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, kv := range [][]string{{"rule=fast"}, {"orth=h"}} {
		if _, err := New("pnmf", Config{Rank: 2, Params: kv}); err == nil {
			t.Errorf("params %v accepted", kv)
		}
	}
}

// TestPNMFQuality pins the clustering quality of the k-means read-out
// (mean NMI over seeds 0-4, default settings) a little below the measured
// means given in docs/models/pnmf.md. The argmax read-out is logged only:
// the columns of X·W are feature groups, not cluster indicators.
func TestPNMFQuality(t *testing.T) {
	dmQuality(t, "pnmf", func(k int, seed uint64) Estimator { return &PNMF{Rank: k, Seed: seed} }, []dmQualityCase{
		{name: "iris", data: dmIris, argmaxMin: -1, kmeansMin: 0.86},
		{name: "digits", data: dmDigits, argmaxMin: -1, kmeansMin: 0.61, long: true},
	})
}
