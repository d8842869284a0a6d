// Package adversary holds the adversary of the adversarial NMF models
// (lpanmf, lpadnmf, eadnmf): the perturbation R of the learner's target A
// that maximizes the learner's loss at a price, and the perturbed target
// A + R the learner then fits.
//
// For a reconstruction X̂ = L·Rᵀ of A, the residual M = A − X̂, loss
// weights d_j of the groups of entries the perturbation is priced by (the
// columns of a graph, the samples of a data matrix; 1 for the Frobenius
// loss), a price λ and a largest scale c_max, the adversary solves, group
// by group,
//
//	max_{r_j} d_j‖a_j + r_j − x̂_j‖² − price(r_j),  a_j + r_j ≥ 0,  ‖r_j‖ ≤ c_max‖m_j‖,
//
// whose maximizer lies along the residual, r_j = c_j m_j:
//
//   - Frobenius price λ‖r_j‖², concave when λ > d_j: c_j = d_j/(λ − d_j)
//     (EADNMF's R = M·C, C = diag(D1/(λD2 − D1)), from the lab's reference
//     code), at most c_max (c_max where λ ≤ d_j);
//   - ℓ2,1 price λ‖r_j‖, convex along the residual, so the maximum is at an
//     end: c_j = c_max when d_j‖m_j‖(2 + c_max) ≥ λ, else 0 — the groups
//     fitted worst are perturbed, the others left alone.
//
// R is then clipped at −A, so that the target stays nonnegative. It is
// computed on A's stored entries only: elsewhere A is zero and the clip
// would leave R zero (x̂ ≥ 0), so A + R has A's pattern and the target of
// a sparse graph, or of the observed entries of a masked matrix, stays
// sparse.
package adversary

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Work holds the adversary's matrices (the residual and the target, with
// A's pattern) and norms over the moves of one fit on A, rewritten in
// place by each move so that the moves allocate nothing after the first:
// what a method returns holds until the next call of the same method. A
// Work is not safe for concurrent use.
type Work struct {
	m, t         *linalg.CSR
	mCols, mRows []float64 // the residual's norms
	tCols, tRows []float64 // the perturbation's norms
}

// Residual returns M = A − L·Rᵀ on A's stored entries (L n x k, R d x k),
// with A's pattern.
func (w *Work) Residual(a *linalg.CSR, l, r *mat.Dense) *linalg.CSR {
	w.m = a.MapStored(w.m, func(i, j int, x float64) float64 {
		return x - floats.Dot(l.RawRowView(i), r.RawRowView(j))
	})
	return w.m
}

// Target returns A + max(c_ij·M, −A) on A's stored entries for the
// residual m (A's pattern) and the scales c, and the column norms and the
// row norms of the perturbation.
func (w *Work) Target(a, m *linalg.CSR, c func(i, j int) float64) (t *linalg.CSR, colNorms, rowNorms []float64) {
	n, d := a.Dims()
	colNorms, rowNorms = zeros(&w.tCols, d), zeros(&w.tRows, n)
	w.t = a.MapStored(w.t, func(i, j int, x float64) float64 {
		r := max(c(i, j)*m.At(i, j), -x)
		colNorms[j] += r * r
		rowNorms[i] += r * r
		return x + r
	})
	for j, v := range colNorms {
		colNorms[j] = math.Sqrt(v)
	}
	for i, v := range rowNorms {
		rowNorms[i] = math.Sqrt(v)
	}
	return w.t, colNorms, rowNorms
}

// zeros returns *s with length n, all zero, made again when its length
// differs.
func zeros(s *[]float64, n int) []float64 {
	if len(*s) != n {
		*s = make([]float64, n)
	}
	clear(*s)
	return *s
}

// FrobeniusScale returns the scale of a group of loss weight d under the
// price λ‖r‖²: d/(λ − d), at most cmax.
func FrobeniusScale(d, lambda, cmax float64) float64 {
	if den := lambda - d; den > d/cmax {
		return d / den
	}
	return cmax
}

// L21Scale returns the scale of a group of loss weight d and residual norm
// norm under the price λ‖r‖: cmax when d·norm·(2 + cmax) ≥ λ, else 0.
func L21Scale(d, norm, lambda, cmax float64) float64 {
	if d*norm*(2+cmax) >= lambda {
		return cmax
	}
	return 0
}

// Norms returns the column norms and the row norms of m's stored entries.
func (w *Work) Norms(m *linalg.CSR) (cols, rows []float64) {
	n, d := m.Dims()
	cols, rows = zeros(&w.mCols, d), zeros(&w.mRows, n)
	indptr, indices, data := m.Raw()
	for i := range n {
		for p := indptr[i]; p < indptr[i+1]; p++ {
			v := data[p]
			cols[indices[p]] += v * v
			rows[i] += v * v
		}
	}
	for j, v := range cols {
		cols[j] = math.Sqrt(v)
	}
	for i, v := range rows {
		rows[i] = math.Sqrt(v)
	}
	return cols, rows
}
