package model

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestLPANMFLearnerMonotone checks that between two moves of the adversary
// the learner's multiplicative updates never increase the objective, and
// that the adversary's moves are the only places it may rise.
func TestLPANMFLearnerMonotone(t *testing.T) {
	a := deepTwoBlocks(60, 0.3, 0.05, 1)
	res := fitDeep(t, &LPANMF{Rank: 4, Seed: 1, AdversaryEvery: 10}, a, solve.Settings{MaxIter: 60, CheckEvery: 1})
	h := res.History
	for i := 1; i < len(h); i++ {
		moved := h[i].Iter > 1 && (h[i].Iter-1)%10 == 0 // the adversary moved before this step
		if !moved && h[i].Objective > h[i-1].Objective*(1+1e-12) {
			t.Errorf("iteration %d: objective rose from %g to %g without a move of the adversary", h[i].Iter, h[i-1].Objective, h[i].Objective)
		}
	}
	checkNonnegative(t, "lpanmf", res)
}

// TestLPANMFGradient checks the learner's update parts against central
// finite differences of the objective for a fixed target: 2(den − num) is
// its gradient in W and in Hᵀ.
func TestLPANMFGradient(t *testing.T) {
	a := deepTwoBlocks(20, 0.4, 0.1, 2)
	lap, err := graph.NewLaplacian(a)
	if err != nil {
		t.Fatal(err)
	}
	w := initialize.RandomDense(20, 3, 0.5, initialize.NewRand(1))
	h := initialize.RandomDense(3, 20, 0.5, initialize.NewRand(2))
	r := newLPARun(a, lap, w, h, 2, 0.7, 0.3, 1)
	r.iter = 1
	// One move of the adversary, then freeze the target.
	if err := r.Step(); err != nil {
		t.Fatal(err)
	}
	r.every = 1 << 30
	obj := func() float64 { r.h.Copy(r.ht.T()); return r.Objective() }
	check := func(name string, f *mat.Dense, parts func() (num, den *mat.Dense)) {
		num, den := parts()
		num, den = mat.DenseCopyOf(num), mat.DenseCopyOf(den)
		rows, cols := f.Dims()
		for i := range rows {
			for j := range cols {
				v := f.At(i, j)
				e := 1e-6 * max(1, math.Abs(v))
				f.Set(i, j, v+e)
				up := obj()
				f.Set(i, j, v-e)
				down := obj()
				f.Set(i, j, v)
				fd := (up - down) / (2 * e)
				if got := 2 * (den.At(i, j) - num.At(i, j)); math.Abs(got-fd) > 1e-5*max(1, math.Abs(fd)) {
					t.Fatalf("%s(%d,%d): 2(den − num) = %.10g, finite difference %.10g", name, i, j, got, fd)
				}
			}
		}
	}
	check("W", r.w, r.wParts)
	check("Hᵀ", r.ht, r.hParts)
}

func TestLPANMFReproducibleAndInvalid(t *testing.T) {
	a := deepTwoBlocks(40, 0.3, 0.05, 3)
	s := solve.Settings{MaxIter: 30}
	one := fitDeep(t, &LPANMF{Rank: 3, Seed: 5}, a, s)
	two := fitDeep(t, &LPANMF{Rank: 3, Seed: 5}, linalg.NewDense(a.ToDense()), s)
	if d := deepRelDiff(one.Approx.L, two.Approx.L); d > 1e-10 {
		t.Errorf("sparse and dense input differ by %g", d)
	}
	for _, m := range []*LPANMF{{Rank: 3, Lambda: new(1.0)}, {Rank: 3, Alpha: new(-1.0)}, {Rank: 40}} {
		if _, err := m.Fit(context.Background(), a, s); err == nil {
			t.Errorf("%+v: no error", m)
		}
	}
}

// TestSnapZeros checks that snapZeros zeros exactly the entries below tol
// times the largest, and nothing when tol is 0.
func TestSnapZeros(t *testing.T) {
	f := mat.NewDense(2, 3, []float64{2, 1e-30, 3e-7, 0, 1e-7, 1})
	snapZeros(f, 0)
	if f.At(0, 1) != 1e-30 {
		t.Fatalf("tol 0 changed the factor: %v", mat.Formatted(f))
	}
	snapZeros(f, 1e-7)
	want := []float64{2, 0, 3e-7, 0, 0, 1}
	for i, v := range f.RawMatrix().Data {
		if v != want[i] {
			t.Fatalf("entry %d: %g, want %g", i, v, want[i])
		}
	}
}
