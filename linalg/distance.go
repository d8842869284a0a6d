package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Distances returns the dense n x n matrix of Euclidean distances
// ‖x_i − x_j‖ between the rows of x, with a zero diagonal: the repulsive
// weights of DANMF-CRFR (scikit-learn's pairwise_distances). It computes
// ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j from the product X·Xᵀ (clamped at zero
// before the square root) and symmetrizes the result exactly. A sparse x
// is multiplied by a dense copy of Xᵀ (d x n), no larger than the result
// when d ≤ n.
func Distances(x Matrix) *mat.Dense {
	n, d := x.Dims()
	g := mat.NewDense(n, n, nil)
	switch x := x.(type) {
	case *Dense:
		g.Mul(x.m, x.m.T())
	default:
		xt := mat.NewDense(d, n, nil)
		x.Each(func(i, j int, v float64) { xt.Set(j, i, v) })
		x.Mul(g, xt)
	}
	sq := make([]float64, n)
	for i := range sq {
		sq[i] = g.At(i, i)
	}
	raw := g.RawMatrix()
	parallelRows(n, float64(n*n)*4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+n]
			for j, v := range row {
				row[j] = math.Sqrt(max(sq[i]+sq[j]-2*v, 0))
			}
			row[i] = 0
		}
	})
	// The product may differ in its last bits between (i, j) and (j, i).
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := raw.Data[i*raw.Stride+j]
			raw.Data[j*raw.Stride+i] = v
		}
	}
	return g
}
