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

// Residual returns M = A − L·Rᵀ on A's stored entries (L n x k, R d x k),
// with A's pattern.
func Residual(a linalg.Matrix, l, r *mat.Dense) *linalg.CSR {
	return entries(a, func(i, j int, x float64) float64 {
		return x - floats.Dot(l.RawRowView(i), r.RawRowView(j))
	})
}

// Target returns A + max(c_ij·M, −A) on A's stored entries for the
// residual m (A's pattern) and the scales c, and the column norms and the
// row norms of the perturbation.
func Target(a, m *linalg.CSR, c func(i, j int) float64) (t *linalg.CSR, colNorms, rowNorms []float64) {
	n, d := a.Dims()
	colNorms, rowNorms = make([]float64, d), make([]float64, n)
	t = entries(a, func(i, j int, x float64) float64 {
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
	return t, colNorms, rowNorms
}

// entries returns the matrix with A's stored entries (every entry of a
// dense A) valued f(i, j, a_ij), explicit zeros kept.
func entries(a linalg.Matrix, f func(i, j int, x float64) float64) *linalg.CSR {
	n, d := a.Dims()
	nnz := a.NNZ()
	rows, cols, vals := make([]int, 0, nnz), make([]int, 0, nnz), make([]float64, 0, nnz)
	a.Each(func(i, j int, x float64) {
		rows, cols, vals = append(rows, i), append(cols, j), append(vals, f(i, j, x))
	})
	out, err := linalg.NewCSRFromTriplets(n, d, rows, cols, vals, true)
	if err != nil {
		panic(err) // the entries come from a matrix of that shape
	}
	return out
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
func Norms(m *linalg.CSR) (cols, rows []float64) {
	n, d := m.Dims()
	cols, rows = make([]float64, d), make([]float64, n)
	m.Each(func(i, j int, v float64) {
		cols[j] += v * v
		rows[i] += v * v
	})
	for j, v := range cols {
		cols[j] = math.Sqrt(v)
	}
	for i, v := range rows {
		rows[i] = math.Sqrt(v)
	}
	return cols, rows
}
