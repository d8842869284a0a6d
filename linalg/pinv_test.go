package linalg_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// TestPinv checks the four Penrose conditions on full-rank, rank-deficient
// and rectangular matrices, and the inverse of an invertible one.
func TestPinv(t *testing.T) {
	cases := map[string]*mat.Dense{
		"invertible": mat.NewDense(3, 3, []float64{4, 1, 0, 1, 3, 1, 0, 1, 2}),
		// rank 1: the second row is twice the first.
		"singular":    mat.NewDense(2, 2, []float64{1, 2, 2, 4}),
		"wide":        mat.NewDense(2, 3, []float64{1, 0, 2, -1, 3, 1}),
		"tall rank 2": mat.NewDense(4, 3, []float64{1, 2, 3, 2, 4, 6, 0, 1, 1, 1, 3, 4}),
		"zero":        mat.NewDense(2, 2, nil),
	}
	for name, a := range cases {
		p, err := linalg.Pinv(a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, c := a.Dims()
		if pr, pc := p.Dims(); pr != c || pc != r {
			t.Fatalf("%s: pinv is %dx%d, want %dx%d", name, pr, pc, c, r)
		}
		var apa, pap, ap, pa mat.Dense
		ap.Mul(a, p)
		pa.Mul(p, a)
		apa.Mul(&ap, a)
		pap.Mul(&pa, p)
		near := func(cond string, got, want mat.Matrix) {
			if !mat.EqualApprox(got, want, 1e-12) {
				t.Errorf("%s: %s fails:\n%v\nwant\n%v", name, cond, mat.Formatted(got), mat.Formatted(want))
			}
		}
		near("A A⁺ A = A", &apa, a)
		near("A⁺ A A⁺ = A⁺", &pap, p)
		near("(A A⁺)ᵀ = A A⁺", ap.T(), &ap)
		near("(A⁺ A)ᵀ = A⁺ A", pa.T(), &pa)
	}
	var inv mat.Dense
	a := cases["invertible"]
	if err := inv.Inverse(a); err != nil {
		t.Fatal(err)
	}
	p, _ := linalg.Pinv(a)
	if !mat.EqualApprox(p, &inv, 1e-12) {
		t.Errorf("pinv of an invertible matrix is not its inverse")
	}
	if _, err := linalg.Pinv(mat.NewDense(1, 1, []float64{math.NaN()})); err == nil {
		t.Errorf("no error for a NaN entry")
	}
}

// svdPinv is the pseudo-inverse by gonum's mat.SVD, V·Σ⁺·Uᵀ with the
// cutoff of Pinv.
func svdPinv(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		panic("svd failed")
	}
	s := svd.Values(nil)
	tol := float64(max(r, c)) * floats.Max(s) * 2.220446049250313e-16
	inv := make([]float64, len(s))
	for i, v := range s {
		if v > tol {
			inv[i] = 1 / v
		}
	}
	var u, v, vs mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	vs.Mul(&v, mat.NewDiagDense(len(inv), inv))
	out := mat.NewDense(c, r, nil)
	out.Mul(&vs, u.T())
	return out
}

// TestPinvScratch: Pinv, and one PinvScratch over matrices of several
// shapes (a rank-deficient one among them), give the bits of the
// pseudo-inverse by gonum's mat.SVD, and the scratch allocates nothing
// once it has seen a shape.
func TestPinvScratch(t *testing.T) {
	rng := newRNG(19)
	var s linalg.PinvScratch
	deficient := randDense(rng, 5, 2, -1, 1)
	var low mat.Dense
	low.Mul(deficient, deficient.T())
	for _, a := range []*mat.Dense{randDense(rng, 4, 4, -1, 1), randDense(rng, 6, 3, -1, 1), randDense(rng, 3, 6, -1, 1), &low, randDense(rng, 4, 4, -1, 1)} {
		sh := [2]int{}
		sh[0], sh[1] = a.Dims()
		want := svdPinv(a)
		p, err := linalg.Pinv(a)
		if err != nil {
			t.Fatal(err)
		}
		assertIdentical(t, fmt.Sprintf("Pinv %dx%d", sh[0], sh[1]), p, want)
		got := mat.NewDense(sh[1], sh[0], nil)
		if err := s.Pinv(got, a); err != nil {
			t.Fatal(err)
		}
		assertIdentical(t, fmt.Sprintf("%dx%d", sh[0], sh[1]), got, want)
		if n := testing.AllocsPerRun(3, func() { _ = s.Pinv(got, a) }); n != 0 {
			t.Errorf("%dx%d: %v allocations", sh[0], sh[1], n)
		}
	}
}
