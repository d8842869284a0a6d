package linalg_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestScaleRows(t *testing.T) {
	m := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	s := []float64{2, 0, -1}
	var want mat.Dense
	want.Mul(mat.NewDiagDense(3, s), m)
	dst := mat.NewDense(3, 2, nil)
	linalg.ScaleRows(dst, m, s)
	if !mat.Equal(dst, &want) {
		t.Errorf("got %v, want %v", mat.Formatted(dst), mat.Formatted(&want))
	}
	linalg.ScaleRows(m, m, s) // in place
	if !mat.Equal(m, &want) {
		t.Errorf("in place: got %v", mat.Formatted(m))
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on a length mismatch")
		}
	}()
	linalg.ScaleRows(dst, m, s[:2])
}

func TestColumnHelpers(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{3, 0, 1, 4, 0, -1})
	norms := linalg.ColNorms(m)
	if norms[0] != 5 || norms[1] != 0 || math.Abs(norms[2]-math.Sqrt2) > 1e-15 {
		t.Errorf("column norms %v", norms)
	}
	if r := linalg.RowNorms(m); math.Abs(r[0]-math.Sqrt(10)) > 1e-15 || math.Abs(r[1]-math.Sqrt(17)) > 1e-15 {
		t.Errorf("row norms %v", r)
	}
	u := mat.DenseCopyOf(m)
	got := linalg.UnitColumns(u)
	if got[0] != 5 || got[1] != 1 || math.Abs(got[2]-math.Sqrt2) > 1e-15 {
		t.Errorf("UnitColumns returned %v (a zero column counts 1)", got)
	}
	back := mat.DenseCopyOf(u)
	linalg.ScaleCols(back, got)
	if !mat.EqualApprox(back, m, 1e-15) {
		t.Errorf("u·diag(norms) = %v, want %v", mat.Formatted(back), mat.Formatted(m))
	}
	if g := linalg.Gram(m); !mat.Equal(g, linalg.Product(m.T(), m)) {
		t.Errorf("Gram %v", mat.Formatted(g))
	}
}

func TestOptimalScale(t *testing.T) {
	a := mat.NewDense(3, 2, []float64{1, 0, 0, 1, 1, 1})
	b := mat.NewDense(2, 2, []float64{1, 2, 0, 1})
	x := linalg.Product(a, b)
	x.Scale(2.5, x)
	if s := linalg.OptimalScale(linalg.NewDense(x), a, b, nil); math.Abs(s-2.5) > 1e-12 {
		t.Errorf("scale %g, want 2.5", s)
	}
	if s := linalg.OptimalScale(linalg.NewDense(x), mat.NewDense(3, 2, nil), b, nil); s != 1 {
		t.Errorf("scale of a zero product %g, want 1", s)
	}
}

// TestGramTo checks the rank-k update against the general product, for
// an empty and a sized destination.
func TestGramTo(t *testing.T) {
	a := mat.NewDense(7, 4, nil)
	for i := range 7 {
		for j := range 4 {
			a.Set(i, j, float64((i*5+j*3)%11)-4)
		}
	}
	var want mat.Dense
	want.Mul(a.T(), a)
	var got mat.Dense
	linalg.GramTo(&got, a)
	if !mat.EqualApprox(&got, &want, 1e-12) {
		t.Errorf("GramTo into an empty matrix:\n%v\nwant\n%v", mat.Formatted(&got), mat.Formatted(&want))
	}
	sized := mat.NewDense(4, 4, nil)
	sized.Apply(func(int, int, float64) float64 { return 99 }, sized)
	linalg.GramTo(sized, a)
	if !mat.EqualApprox(sized, &want, 1e-12) {
		t.Errorf("GramTo into a sized matrix keeps old entries:\n%v", mat.Formatted(sized))
	}
	if g := linalg.Gram(a); !mat.EqualApprox(g, &want, 1e-12) {
		t.Errorf("Gram differs from aᵀa")
	}
}
