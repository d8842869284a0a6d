package linalg_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestPosNeg(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1.5, -2, 0, -0.25, 3, -7})
	pos, neg := mat.NewDense(2, 3, nil), mat.NewDense(2, 3, nil)
	pos.Set(0, 2, 9) // stale values must be overwritten
	neg.Set(0, 0, 9)
	linalg.PosNeg(pos, neg, m)
	wantPos := mat.NewDense(2, 3, []float64{1.5, 0, 0, 0, 3, 0})
	wantNeg := mat.NewDense(2, 3, []float64{0, 2, 0, 0.25, 0, 7})
	if !mat.Equal(pos, wantPos) || !mat.Equal(neg, wantNeg) {
		t.Errorf("PosNeg:\npos %v\nneg %v", mat.Formatted(pos), mat.Formatted(neg))
	}
	// A transposed view works too.
	pt, nt := mat.NewDense(3, 2, nil), mat.NewDense(3, 2, nil)
	linalg.PosNeg(pt, nt, m.T())
	if !mat.Equal(pt, wantPos.T()) || !mat.Equal(nt, wantNeg.T()) {
		t.Errorf("PosNeg of a transpose differs")
	}
}
