package linalg_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestDistances(t *testing.T) {
	rng := newRNG(2)
	xd := randSparseDense(rng, 25, 7, 0.6)
	want := mat.NewDense(25, 25, nil)
	for i := 0; i < 25; i++ {
		for j := 0; j < 25; j++ {
			var s float64
			for l := 0; l < 7; l++ {
				d := xd.At(i, l) - xd.At(j, l)
				s += d * d
			}
			want.Set(i, j, math.Sqrt(s))
		}
	}
	for _, in := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		got := linalg.Distances(in)
		assertClose(t, "Distances", got, want, 1e-7)
		for i := 0; i < 25; i++ {
			if got.At(i, i) != 0 {
				t.Errorf("diagonal %d = %g", i, got.At(i, i))
			}
			for j := 0; j < i; j++ {
				if got.At(i, j) != got.At(j, i) {
					t.Fatalf("not symmetric at (%d,%d)", i, j)
				}
			}
		}
	}
}
