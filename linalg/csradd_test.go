package linalg_test

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestAddCSR(t *testing.T) {
	a, err := linalg.NewCSRFromTriplets(3, 4, []int{0, 0, 1, 2}, []int{1, 3, 0, 2}, []float64{1, 2, 3, 4}, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := linalg.NewCSRFromTriplets(3, 4, []int{0, 1, 1, 2}, []int{1, 0, 2, 2}, []float64{10, 20, 30, 40}, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := linalg.AddCSR(a, b, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	var want mat.Dense
	want.Scale(0.5, b.ToDense())
	want.Add(&want, a.ToDense())
	if !mat.Equal(got.ToDense(), &want) {
		t.Errorf("a + 0.5b =\n%v\nwant\n%v", mat.Formatted(got.ToDense()), mat.Formatted(&want))
	}
	// The union of the patterns: (0,1), (0,3), (1,0), (1,2), (2,2).
	if got.NNZ() != 5 {
		t.Errorf("%d stored entries, want 5", got.NNZ())
	}
	// A cancelling entry stays stored; rows stay sorted (At searches them).
	z, err := linalg.AddCSR(a, a, -1)
	if err != nil {
		t.Fatal(err)
	}
	if z.NNZ() != a.NNZ() || z.Stats().SquaredNorm != 0 || z.At(0, 3) != 0 {
		t.Errorf("a − a: nnz %d, norm %g", z.NNZ(), z.Stats().SquaredNorm)
	}
	if got.At(1, 2) != 15 || got.At(0, 1) != 6 {
		t.Errorf("At: %g, %g", got.At(1, 2), got.At(0, 1))
	}
	c, _ := linalg.NewCSRFromTriplets(3, 3, nil, nil, nil, false)
	if _, err := linalg.AddCSR(a, c, 1); err == nil || !strings.Contains(err.Error(), "cannot add") {
		t.Errorf("shape mismatch: %v", err)
	}
}
