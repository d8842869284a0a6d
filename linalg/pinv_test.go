package linalg_test

import (
	"math"
	"testing"

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
