// Package semi holds semi-nonnegative matrix factorization (Ding, Li and
// Jordan, "Convex and semi-nonnegative matrix factorizations", IEEE TPAMI
// 32(1), 2010): X ≈ W·H with W ≥ 0 and H of any sign, the model seminmf
// fits and deep semi-NMF pre-trains each layer with.
package semi

import (
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/beta"
)

// Update applies the semi-NMF multiplicative update in the row
// orientation, F ≥ 0 (n x r) in x ≈ F·Zᵀ, given a = x·Z (n x r) and
// b = ZᵀZ (r x r):
//
//	F ← F ⊙ sqrt( ([a]⁺ + F[b]⁻) / max([a]⁻ + F[b]⁺, eps) ),
//
// with [M]⁺ = (|M|+M)/2 and [M]⁻ = (|M|−M)/2.
func Update(f, a, b *mat.Dense, eps float64) {
	n, r := f.Dims()
	ap, an := mat.NewDense(n, r, nil), mat.NewDense(n, r, nil)
	bp, bn := mat.NewDense(r, r, nil), mat.NewDense(r, r, nil)
	linalg.PosNeg(ap, an, a)
	linalg.PosNeg(bp, bn, b)
	num, den := mat.NewDense(n, r, nil), mat.NewDense(n, r, nil)
	num.Mul(f, bn)
	num.Add(num, ap)
	den.Mul(f, bp)
	den.Add(den, an)
	linalg.MulUpdate(f, num, den, 0.5, eps)
}

// Run is one semi-NMF fit of x (n x d) ≈ W·H, W ≥ 0 (n x k), H (k x d):
// each step updates W by Update and then sets H to its least-squares
// optimum (WᵀW)⁺WᵀX. Both steps are non-increasing, so the objective
// ½‖X − WH‖²_F is monotone (Ding et al.'s Theorem 1). It implements
// solve.Model.
type Run struct {
	X    linalg.Matrix
	W, H *mat.Dense
}

// New returns the fit of x from w, which it updates in place, with H
// solved for.
func New(x linalg.Matrix, w *mat.Dense) (*Run, error) {
	r := &Run{X: x, W: w}
	return r, r.solveH()
}

// solveH sets H to the least-squares solution (WᵀW)⁺ WᵀX.
func (r *Run) solveH() error {
	p, err := linalg.Pinv(linalg.Gram(r.W))
	if err != nil {
		return err
	}
	_, d := r.X.Dims()
	_, k := r.W.Dims()
	xtw := mat.NewDense(d, k, nil)
	r.X.TMul(xtw, r.W)
	r.H = linalg.Product(p, linalg.Transpose(xtw))
	return nil
}

// Step implements solve.Model: the multiplicative update of W, then the
// least-squares H.
func (r *Run) Step() error {
	n, k := r.W.Dims()
	a := mat.NewDense(n, k, nil)
	r.X.Mul(a, r.H.T()) // X·Hᵀ
	Update(r.W, a, linalg.Product(r.H, r.H.T()), linalg.Eps)
	return r.solveH()
}

// Objective implements solve.Model: ½‖X − WH‖²_F, from Gram matrices.
func (r *Run) Objective() float64 { return beta.Divergence(r.X, r.W, r.H, 2) }
