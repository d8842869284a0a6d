package cluster

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestArgmax(t *testing.T) {
	nan := math.NaN()
	m := mat.NewDense(6, 3, []float64{
		0.1, 0.7, 0.2,
		0, 0, 0, // all zero: 0
		3, 1, 3, // tie: lowest column
		-2, -1, -5, // negative entries
		nan, 1, 2, // NaN never wins
		nan, nan, nan,
	})
	want := []int{1, 0, 0, 1, 2, 0}
	if got := Argmax(m); !slices.Equal(got, want) {
		t.Errorf("Argmax = %v, want %v", got, want)
	}
	// Any mat.Matrix: columns of the transpose.
	if got, want := Argmax(mat.NewDense(2, 3, []float64{1, 5, 0, 2, 4, 0}).T()), []int{1, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("Argmax of a transpose = %v, want %v", got, want)
	}
}
