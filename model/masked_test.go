package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deepnmf/deepnmf/completion"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// TestMaskedFullyObserved checks that a masked NMF on a fully observed
// input follows the iterates of the plain multiplicative updates.
func TestMaskedFullyObserved(t *testing.T) {
	xd := randomData(30, 20, 3, 0, 8)
	for _, tc := range losses {
		m := tc.nmf
		m.Rank, m.Init, m.Seed = 3, "random", 2
		s := solve.Settings{MaxIter: 40, Tol: new(0.0)}
		plain, err := m.Fit(context.Background(), linalg.NewDense(xd), s)
		if err != nil {
			t.Fatal(err)
		}
		m.Masked = true
		masked, err := m.Fit(context.Background(), linalg.NewDense(xd), s)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i, f := range plain.Factors {
			if d := relDiff(f.M, masked.Factors[i].M); d > 1e-9 {
				t.Errorf("%s: factor %s differs between masked and plain by %g", tc.name, f.Name, d)
			}
		}
	}
}

// TestMaskedMonotone checks the majorization-minimization property of the
// masked updates with 40% of the cells unknown.
func TestMaskedMonotone(t *testing.T) {
	xd := randomData(40, 30, 4, 0, 9)
	train, _, err := completion.Hide(linalg.CSRFromDense(xd), 0.4, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range losses {
		m := tc.nmf
		m.Rank, m.Init, m.Seed, m.Masked = 4, "random", 3, true
		res, err := m.Fit(context.Background(), train, solve.Settings{MaxIter: 200, CheckEvery: 1, Tol: new(0.0)})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		h := res.History
		for i := 1; i < len(h); i++ {
			if h[i].Objective > h[i-1].Objective*(1+1e-12)+1e-12 {
				t.Fatalf("%s: objective rose at iteration %d: %.15g -> %.15g", tc.name, h[i].Iter, h[i-1].Objective, h[i].Objective)
			}
		}
	}
}

// TestMaskedCompletes checks that the masked fit predicts hidden cells of
// a planted low-rank matrix far better than a fit that reads them as
// zeros.
func TestMaskedCompletes(t *testing.T) {
	xd := randomData(60, 40, 3, 0, 10)
	train, hidden, err := completion.Hide(linalg.CSRFromDense(xd), 0.3, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	rmse := func(masked bool) float64 {
		m := NMF{Rank: 3, Solver: SolverMU, Seed: 1, Masked: masked}
		res, err := m.Fit(context.Background(), train, solve.Settings{MaxIter: 1000})
		if err != nil {
			t.Fatal(err)
		}
		truth, pred := completion.Predict(hidden, res.Approx.At)
		return metric.RMSE(truth, pred)
	}
	masked, zeros := rmse(true), rmse(false)
	t.Logf("hidden-cell RMSE: masked %.4f, missing read as zeros %.4f", masked, zeros)
	if !(masked < 0.1 && masked < zeros/5) || math.IsNaN(masked) {
		t.Errorf("masked RMSE %.4f, zeros-as-data %.4f: want below 0.1 and a fifth of it", masked, zeros)
	}
}
