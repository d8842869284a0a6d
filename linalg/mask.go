package linalg

import (
	"fmt"
	"math"
)

// The masked inputs of matrix completion are CSR matrices whose stored
// entries are exactly the observed cells, explicit zeros included: the
// cells a CSR does not store are unknown. A model that takes masked input
// (NMF.Masked, EADNMF) sums its loss over the stored entries only and forms
// its reconstruction there through Apply, so a mask never densifies a
// sparse input.

// ObservedNaN returns the cells of x that are not NaN as a masked input:
// every entry of a dense x, the stored entries of a CSR, with the NaN ones
// unknown.
func ObservedNaN(x Matrix) *CSR {
	return observed(x, func(v float64) bool { return !math.IsNaN(v) })
}

// ObservedStored returns the stored entries of x as a masked input: for a
// CSR its pattern as it is (the cells it does not store unknown), for a
// dense x every entry.
func ObservedStored(x Matrix) *CSR {
	if c, ok := x.(*CSR); ok {
		return c
	}
	return observed(x, func(float64) bool { return true })
}

// ObservedMask returns the cells of x where mask is nonzero as a masked
// input, with x's value there (zero where a sparse x stores nothing). It
// fails if the shapes differ, mask has an entry other than 0 and 1, or an
// observed value of x is not finite.
func ObservedMask(x, mask Matrix) (*CSR, error) {
	r, c := x.Dims()
	if mr, mc := mask.Dims(); mr != r || mc != c {
		return nil, fmt.Errorf("linalg: mask is %dx%d, the data %dx%d", mr, mc, r, c)
	}
	var rows, cols []int
	var vals []float64
	var err error
	mask.Each(func(i, j int, m float64) {
		switch {
		case err != nil || m == 0:
		case m != 1:
			err = fmt.Errorf("linalg: mask entry (%d, %d) is %g, want 0 or 1", i, j, m)
		default:
			v := x.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = fmt.Errorf("linalg: observed entry (%d, %d) is %g", i, j, v)
			}
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, v)
		}
	})
	if err != nil {
		return nil, err
	}
	return NewCSRFromTriplets(r, c, rows, cols, vals, true)
}

// observed returns the entries x offers to Each (every entry of a dense x,
// the stored ones of a CSR) whose value keep accepts, as a CSR storing
// exactly them.
func observed(x Matrix, keep func(v float64) bool) *CSR {
	r, c := x.Dims()
	var rows, cols []int
	var vals []float64
	x.Each(func(i, j int, v float64) {
		if keep(v) {
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, v)
		}
	})
	m, err := NewCSRFromTriplets(r, c, rows, cols, vals, true)
	if err != nil {
		panic(err) // the entries come from a matrix of that shape
	}
	return m
}
