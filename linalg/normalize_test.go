package linalg_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestNormalizeRows(t *testing.T) {
	rng := newRNG(1)
	xd := randSparseDense(rng, 30, 12, 0.3)
	for j := 0; j < 12; j++ {
		xd.Set(4, j, 0) // a zero row stays zero
	}
	orig := mat.DenseCopyOf(xd)
	want := mat.DenseCopyOf(xd)
	for i := 0; i < 30; i++ {
		row := want.RawRowView(i)
		var s float64
		for _, v := range row {
			s += v * v
		}
		for j := range row {
			if s > 0 {
				row[j] /= math.Sqrt(s)
			}
		}
	}
	for _, in := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		got := linalg.NormalizeRows(in)
		if _, isCSR := in.(*linalg.CSR); isCSR {
			c, ok := got.(*linalg.CSR)
			if !ok || c.NNZ() != in.NNZ() {
				t.Fatalf("a CSR input gave %T with the pattern changed", got)
			}
		}
		assertClose(t, "NormalizeRows", entriesOf(got), want, 1e-15)
	}
	assertIdentical(t, "input after NormalizeRows", xd, orig)
}

func TestMinMaxCols(t *testing.T) {
	xd := mat.NewDense(4, 3, []float64{
		1, -2, 5,
		3, 0, 5,
		2, 2, 5,
		5, 6, 5,
	})
	want := mat.NewDense(4, 3, []float64{
		0, 0, 0,
		0.5, 0.25, 0,
		0.25, 0.5, 0,
		1, 1, 0,
	})
	got, err := linalg.MinMaxCols(linalg.NewDense(xd))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "MinMaxCols dense", entriesOf(got), want, 1e-15)

	// A nonnegative sparse matrix: the implicit zeros are the minima.
	sd := mat.NewDense(3, 2, []float64{0, 4, 2, 0, 1, 8})
	gs, err := linalg.MinMaxCols(linalg.CSRFromDense(sd))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := gs.(*linalg.CSR); !ok || c.NNZ() != 4 {
		t.Fatalf("sparse input gave %T", gs)
	}
	assertClose(t, "MinMaxCols sparse", entriesOf(gs), mat.NewDense(3, 2, []float64{0, 0.5, 1, 0, 0.5, 1}), 1e-15)

	// A sparse column with a negative entry would need its zeros filled.
	neg := mat.NewDense(2, 2, []float64{-1, 1, 0, 2})
	if _, err := linalg.MinMaxCols(linalg.CSRFromDense(neg)); err == nil || !strings.Contains(err.Error(), "column 0") {
		t.Errorf("negative sparse column: err = %v", err)
	}
}

// TestStandardCols checks the z-scores of a dense matrix (population
// standard deviation, a constant column zero) and the error on a sparse one.
func TestStandardCols(t *testing.T) {
	xd := mat.NewDense(4, 2, []float64{
		1, 5,
		3, 5,
		5, 5,
		7, 5,
	})
	// Column 0: mean 4, population std sqrt(5).
	s := math.Sqrt(5)
	want := mat.NewDense(4, 2, []float64{-3 / s, 0, -1 / s, 0, 1 / s, 0, 3 / s, 0})
	got, err := linalg.StandardCols(linalg.NewDense(xd))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "StandardCols", entriesOf(got), want, 1e-15)
	if _, err := linalg.StandardCols(linalg.CSRFromDense(xd)); err == nil {
		t.Error("a sparse matrix was centred")
	}
}

// entriesOf returns the entries of a Matrix as a dense matrix.
func entriesOf(x linalg.Matrix) *mat.Dense {
	r, c := x.Dims()
	m := mat.NewDense(r, c, nil)
	x.Each(func(i, j int, v float64) { m.Set(i, j, v) })
	return m
}
