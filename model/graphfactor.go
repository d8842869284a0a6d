package model

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

// Helpers shared by the symmetric and asymmetric graph models (symnmf,
// asymnmf, rasnmf, ifairnmtf).

// uniformDense returns an r x c matrix of scale·U(0,1) entries, drawn in
// row order: MATLAB's scale*rand(r, c) and torch's scale*torch.rand, the
// random starts of the SymNMF and iFairNMTF reference codes.
func uniformDense(r, c int, scale float64, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix().Data
	for i := range raw {
		raw[i] = scale * rng.Float64()
	}
	return m
}

// inputCSR returns x as a sparse matrix, sharing a *linalg.CSR.
func inputCSR(x linalg.Matrix) *linalg.CSR {
	if c, ok := x.(*linalg.CSR); ok {
		return c
	}
	return linalg.CSRFromDense(linalg.DenseOf(x))
}

// isSymmetric reports whether the square matrix a equals its transpose, to
// a relative 1e-12 of its largest entry. A sparse matrix must also store
// the same pattern as its transpose.
func isSymmetric(a linalg.Matrix) bool {
	st := a.Stats()
	tol := 1e-12 * max(math.Abs(st.Max), math.Abs(st.Min))
	if c, ok := a.(*linalg.CSR); ok {
		ip, ix, d := c.Raw()
		tp, tx, td := c.T().Raw()
		return slices.Equal(ip, tp) && slices.Equal(ix, tx) && floats.EqualApprox(d, td, tol)
	}
	d := linalg.DenseOf(a)
	return mat.EqualApprox(d, d.T(), tol)
}

// svdStart returns the SVD-based start of the asymmetric NMF reference
// code (initializeNMFwithSVD in rabdollahi/RAsNMF): column j of H is the
// larger (by the product of the norms with its partner in v_j) of the
// positive and negative parts of the j-th left singular vector u_j of A,
// scaled to unit norm, with every entry below mean(A) raised to mean(A).
// These columns are NNDSVD's (Boutsidis & Gallopoulos 2008) up to their
// scale, so they come from initialize's nndsvd. The k x k W is HᵀAH,
// floored at mean(A) in the same way: the reference takes the
// corresponding block of its own SVD-based product, and HᵀAH is the
// least-squares W for orthonormal H.
func svdStart(a linalg.Matrix, k int, rng *rand.Rand) (h, w *mat.Dense, err error) {
	h, _, err = initialize.Factors(a, k, initialize.NNDSVD, rng)
	if err != nil {
		return nil, nil, err
	}
	n, _ := a.Dims()
	unitColumns(h)
	mean := linalg.Mean(a)
	floor := func(m *mat.Dense) { m.Apply(func(_, _ int, v float64) float64 { return max(v, mean) }, m) }
	floor(h)
	ah := mat.NewDense(n, k, nil)
	a.Mul(ah, h)
	w = mat.NewDense(k, k, nil)
	w.Mul(h.T(), ah)
	floor(w)
	return h, w, nil
}

// unitColumns scales the columns of h to unit Euclidean norm in place
// and returns their norms before (1 for a zero column, left as it is).
func unitColumns(h *mat.Dense) []float64 {
	_, k := h.Dims()
	norms, inv := make([]float64, k), make([]float64, k)
	for j := range norms {
		norms[j], inv[j] = 1, 1
		if v := mat.Norm(h.ColView(j), 2); v > 0 {
			norms[j], inv[j] = v, 1/v
		}
	}
	h.Mul(h, mat.NewDiagDense(k, inv))
	return norms
}

// columnSumNormalized returns h with each column divided by its sum (a
// zero column is left as it is): the embedding the RAsNMF reference code
// reads its labels from.
func columnSumNormalized(h *mat.Dense) *mat.Dense {
	_, k := h.Dims()
	s := linalg.ColSums(h)
	for j, v := range s {
		if v > 0 {
			s[j] = 1 / v
		} else {
			s[j] = 1
		}
	}
	var out mat.Dense
	out.Mul(h, mat.NewDiagDense(k, s))
	return &out
}
