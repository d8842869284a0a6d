package model

import (
	"context"
	"math"
	"testing"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestLPADNMFLearnerMonotone checks that between two moves of the
// adversary the learner's deep multiplicative updates never increase the
// objective, for both prices, and that the factors stay nonnegative.
func TestLPADNMFLearnerMonotone(t *testing.T) {
	a := deepTwoBlocks(60, 0.3, 0.05, 1)
	for _, price := range []Price{PriceL21, PriceFro} {
		res := fitDeep(t, &LPADNMF{Layers: []int{12, 4}, Price: price, Seed: 1, AdversaryEvery: 10, Lambda: new(0.5)}, a,
			solve.Settings{MaxIter: 60, CheckEvery: 1})
		h := res.History
		for i := 1; i < len(h); i++ {
			moved := h[i].Iter > 1 && (h[i].Iter-1)%10 == 0
			if !moved && h[i].Objective > h[i-1].Objective*(1+1e-12) {
				t.Errorf("%s: iteration %d: objective rose from %g to %g without a move of the adversary", price, h[i].Iter, h[i-1].Objective, h[i].Objective)
			}
		}
		checkNonnegative(t, "lpadnmf", res)
	}
}

// TestLPADNMFFactorsAS checks that without adversary moves (every one
// beyond the run) the model is deep NMF of A_S = A + ηS with the ridge: its
// reconstruction fits A_S, not A, and its objective is the documented one.
func TestLPADNMFFactorsAS(t *testing.T) {
	a := deepTwoBlocks(40, 0.4, 0.05, 2)
	as, err := graph.SecondOrder(a, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	res := fitDeep(t, &LPADNMF{Layers: []int{8, 3}, Seed: 2, AdversaryEvery: 1000, Beta: new(0.0), Snap: new(0.0)}, a, solve.Settings{MaxIter: 50})
	x := linalg.DenseOf(as)
	var fit float64
	for i := range 40 {
		for j := range 40 {
			d := x.At(i, j) - res.Approx.At(i, j)
			fit += d * d
		}
	}
	if math.Abs(fit-res.Objective) > 1e-9*fit {
		t.Errorf("objective %g, ‖A_S − X̂‖² = %g", res.Objective, fit)
	}
}

func TestLPADNMFInvalid(t *testing.T) {
	a := deepTwoBlocks(30, 0.3, 0.05, 3)
	for _, m := range []*LPADNMF{{Layers: []int{4, 8}}, {Layers: []int{4, 2}, Lambda: new(0.0)}, {Layers: []int{40}}} {
		if _, err := m.Fit(context.Background(), a, solve.Settings{MaxIter: 5}); err == nil {
			t.Errorf("%+v: no error", m)
		}
	}
}
