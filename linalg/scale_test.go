package linalg_test

import (
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
