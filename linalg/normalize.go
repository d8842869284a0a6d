package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// NormalizeRows returns x with every row scaled to unit Euclidean norm
// (zero rows stay zero), as a new matrix of the same kind: a *CSR keeps
// its pattern, anything else becomes a *Dense. Deep semi-NMF's reference
// code normalizes its samples this way.
func NormalizeRows(x Matrix) Matrix {
	r, c := x.Dims()
	norms := make([]float64, r)
	x.Each(func(i, _ int, v float64) { norms[i] += v * v })
	for i, s := range norms {
		if s > 0 {
			norms[i] = 1 / math.Sqrt(s)
		}
	}
	if a, ok := x.(*CSR); ok {
		data := make([]float64, len(a.data))
		for i := 0; i < a.r; i++ {
			for p := a.indptr[i]; p < a.indptr[i+1]; p++ {
				data[p] = a.data[p] * norms[i]
			}
		}
		return a.sharing(data)
	}
	out := mat.NewDense(r, c, nil)
	x.Each(func(i, j int, v float64) { out.Set(i, j, v*norms[i]) })
	return NewDense(out)
}

// MinMaxCols returns x with every column mapped onto [0, 1] by
// (x − min)/(max − min), the per-feature scaling of DANMF-CRFR's data sets
// (a constant column becomes zero), as a new matrix of the same kind. The
// minimum and maximum of a sparse column count its implicit zeros; a CSR
// keeps its pattern, so a sparse column whose minimum is not zero (which
// would fill its zeros) is an error.
func MinMaxCols(x Matrix) (Matrix, error) {
	r, c := x.Dims()
	lo, hi := make([]float64, c), make([]float64, c)
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	count := make([]int, c)
	x.Each(func(_, j int, v float64) {
		lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		count[j]++
	})
	for j := range lo {
		if count[j] < r { // implicit zeros
			lo[j], hi[j] = min(lo[j], 0), max(hi[j], 0)
		}
	}
	scale := make([]float64, c)
	for j := range scale {
		if hi[j] > lo[j] {
			scale[j] = 1 / (hi[j] - lo[j])
		}
	}
	if a, ok := x.(*CSR); ok {
		for j := range lo {
			if lo[j] != 0 && scale[j] != 0 {
				return nil, fmt.Errorf("minmax: column %d of a sparse matrix has minimum %g, so scaling would fill its zeros", j, lo[j])
			}
		}
		data := make([]float64, len(a.data))
		for p, j := range a.indices {
			data[p] = a.data[p] * scale[j]
		}
		return a.sharing(data), nil
	}
	out := mat.NewDense(r, c, nil)
	x.Each(func(i, j int, v float64) { out.Set(i, j, (v-lo[j])*scale[j]) })
	return NewDense(out), nil
}

// StandardCols returns x with every column centred and scaled to unit
// standard deviation (the population one, as scikit-learn's
// StandardScaler; a constant column becomes zero), as a *Dense. The result
// has negative entries, for the models that accept mixed signs. Centring
// fills a sparse matrix's zeros, so a *CSR is an error.
func StandardCols(x Matrix) (Matrix, error) {
	if _, ok := x.(*CSR); ok {
		return nil, fmt.Errorf("standard: centring a sparse matrix would fill its zeros")
	}
	r, c := x.Dims()
	mean, sq := make([]float64, c), make([]float64, c)
	x.Each(func(_, j int, v float64) { mean[j] += v })
	for j := range mean {
		mean[j] /= float64(r)
	}
	x.Each(func(_, j int, v float64) { sq[j] += (v - mean[j]) * (v - mean[j]) })
	scale := make([]float64, c)
	for j, s := range sq {
		if sd := math.Sqrt(s / float64(r)); sd > 0 {
			scale[j] = 1 / sd
		}
	}
	out := mat.NewDense(r, c, nil)
	x.Each(func(i, j int, v float64) { out.Set(i, j, (v-mean[j])*scale[j]) })
	return NewDense(out), nil
}
