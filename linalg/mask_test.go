package linalg_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestObserved(t *testing.T) {
	nan := math.NaN()
	x := mat.NewDense(2, 3, []float64{1, nan, 0, nan, 2, 3})
	o := linalg.ObservedNaN(linalg.NewDense(x))
	if o.NNZ() != 4 || o.At(0, 2) != 0 {
		t.Errorf("ObservedNaN stores %d entries, want 4 with the explicit zero", o.NNZ())
	}
	if _, c := o.Row(0); len(c) != 2 {
		t.Errorf("row 0 stores %d entries, want 2 (1 and the zero)", len(c))
	}
	s := linalg.CSRFromDense(mat.NewDense(2, 2, []float64{0, 4, 5, 0}))
	if linalg.ObservedStored(s) != s || linalg.ObservedStored(linalg.NewDense(x)).NNZ() != 6 {
		t.Error("ObservedStored: a CSR is not its own pattern, or a dense matrix not all of it")
	}
	m, err := linalg.ObservedMask(s, linalg.NewDense(mat.NewDense(2, 2, []float64{1, 1, 0, 0})))
	if err != nil {
		t.Fatal(err)
	}
	if m.NNZ() != 2 || m.At(0, 1) != 4 {
		t.Errorf("ObservedMask stores %d entries, want the 2 of row 0", m.NNZ())
	}
	for _, bad := range []*mat.Dense{mat.NewDense(2, 2, []float64{1, 2, 0, 0}), mat.NewDense(1, 2, nil)} {
		if _, err := linalg.ObservedMask(s, linalg.NewDense(bad)); err == nil {
			t.Errorf("mask %v: no error", mat.Formatted(bad))
		}
	}
}
