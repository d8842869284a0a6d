package model

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

// Helpers shared by the shallow data models onmf, seminmf and pnmf.

// dmTMul returns Aᵀ·X (k x d) for x n x d and a n x k, through Xᵀ·A, the
// product every Matrix provides.
func dmTMul(x linalg.Matrix, a *mat.Dense) *mat.Dense {
	_, d := x.Dims()
	_, k := a.Dims()
	xta := mat.NewDense(d, k, nil)
	x.TMul(xta, a)
	return linalg.Transpose(xta)
}

// dmGram returns Aᵀ·A.
func dmGram(a mat.Matrix) *mat.Dense {
	_, k := a.Dims()
	g := mat.NewDense(k, k, nil)
	g.Mul(a.T(), a)
	return g
}

// dmMul returns A·B.
func dmMul(a, b mat.Matrix) *mat.Dense {
	r, _ := a.Dims()
	_, c := b.Dims()
	m := mat.NewDense(r, c, nil)
	m.Mul(a, b)
	return m
}

// dmFrobenius returns ½‖X − A·B‖²_F without forming A·B.
func dmFrobenius(x linalg.Matrix, a, b *mat.Dense) float64 {
	return BetaDivergence(x, a, b, 2)
}

// dmOptimalScale returns the α ≥ 0 that minimizes ‖X − α·A·B‖_F,
// ⟨X, AB⟩/‖AB‖²_F = ⟨XBᵀ, A⟩ / ⟨AᵀA, BBᵀ⟩, or 1 when AB = 0.
func dmOptimalScale(x linalg.Matrix, a, b *mat.Dense) float64 {
	n, k := a.Dims()
	xbt := mat.NewDense(n, k, nil)
	x.Mul(xbt, b.T())
	den := linalg.Dot(dmGram(a), dmMul(b, b.T()))
	if den <= 0 {
		return 1
	}
	return max(linalg.Dot(xbt, a)/den, 0)
}

// dmColNorms returns the Euclidean norms of the columns of m.
func dmColNorms(m mat.Matrix) []float64 {
	_, c := m.Dims()
	norms := make([]float64, c)
	for j := range norms {
		norms[j] = floats.Norm(mat.Col(nil, j, m), 2)
	}
	return norms
}

// dmInv returns 1/v for each v of s, or 1 where v is 0.
func dmInv(s []float64) []float64 {
	inv := make([]float64, len(s))
	for i, v := range s {
		inv[i] = 1
		if v != 0 {
			inv[i] = 1 / v
		}
	}
	return inv
}

// dmScaleCols multiplies column j of m by s[j], in place; m is a *mat.Dense
// or its transpose (to scale rows).
func dmScaleCols(m mat.Matrix, s []float64) {
	d, ok := m.(*mat.Dense)
	if !ok {
		d = m.(mat.Transpose).Matrix.(*mat.Dense)
		d.Mul(mat.NewDiagDense(len(s), s), d)
		return
	}
	d.Mul(d, mat.NewDiagDense(len(s), s))
}

// dmKMeansStart returns the k-means start of Ding, Li and Jordan (2010): the
// cluster indicator of the rows of x (n x k), or of its columns when
// features is set (d x k), plus 0.2 everywhere, from k-means seeded by
// seed. A dense x is clustered as it is; a sparse one through its rank-k
// SVD scores (U·Σ for rows, V·Σ for columns), so that it is never
// densified.
func dmKMeansStart(x linalg.Matrix, k int, seed uint64, features bool) (*mat.Dense, error) {
	var pts mat.Matrix
	if d, ok := x.(*linalg.Dense); ok {
		pts = d.Raw()
		if features {
			pts = d.Raw().T()
		}
	} else {
		u, sv, vt, err := linalg.TruncatedSVD(x, k, initialize.NewRand(seed))
		if err != nil {
			return nil, err
		}
		if features {
			pts = dmMul(vt.T(), mat.NewDiagDense(len(sv), sv))
		} else {
			pts = dmMul(u, mat.NewDiagDense(len(sv), sv))
		}
	}
	labels, _, err := cluster.KMeans{K: k, Seed: seed}.Fit(pts)
	if err != nil {
		return nil, fmt.Errorf("%w: k-means initialization: %v", ErrInvalid, err)
	}
	g := mat.NewDense(len(labels), k, nil)
	linalg.AddScalar(g, 0.2)
	for i, l := range labels {
		g.Set(i, l, 1.2)
	}
	return g, nil
}
