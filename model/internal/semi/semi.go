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

// Updater applies the semi-NMF multiplicative update, keeping its
// temporaries (the positive and negative parts, the numerator and the
// denominator) over calls so that an iteration allocates nothing after
// the first of each shape. The zero value is ready to use; an Updater is
// not safe for concurrent use.
type Updater struct {
	s linalg.Scratch
}

// Update applies the semi-NMF multiplicative update in the row
// orientation, F ≥ 0 (n x r) in x ≈ F·Zᵀ, given a = x·Z (n x r) and
// b = ZᵀZ (r x r):
//
//	F ← F ⊙ sqrt( ([a]⁺ + F[b]⁻) / max([a]⁻ + F[b]⁺, eps) ),
//
// with [M]⁺ = (|M|+M)/2 and [M]⁻ = (|M|−M)/2.
func (u *Updater) Update(f, a, b *mat.Dense, eps float64) {
	n, r := f.Dims()
	ap, an := u.s.Get(0, n, r), u.s.Get(1, n, r)
	bp, bn := u.s.Get(2, r, r), u.s.Get(3, r, r)
	linalg.PosNeg(ap, an, a)
	linalg.PosNeg(bp, bn, b)
	num, den := u.s.Get(4, n, r), u.s.Get(5, n, r)
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

	// The steps' scratch: X·Hᵀ (n x k), Hᵀ and XᵀW (d x k), WᵀX (k x d),
	// WᵀW, its pseudo-inverse and HHᵀ (k x k).
	xht, ht, xtw, wtx, g, gi, hht *mat.Dense
	pinv                          linalg.PinvScratch
	upd                           Updater
	bw                            *beta.Work
}

// New returns the fit of x from w, which it updates in place, with H
// solved for.
func New(x linalg.Matrix, w *mat.Dense) (*Run, error) {
	n, d := x.Dims()
	_, k := w.Dims()
	r := &Run{
		X: x, W: w, H: mat.NewDense(k, d, nil),
		xht: mat.NewDense(n, k, nil), ht: mat.NewDense(d, k, nil), xtw: mat.NewDense(d, k, nil), wtx: mat.NewDense(k, d, nil),
		g: mat.NewDense(k, k, nil), gi: mat.NewDense(k, k, nil), hht: mat.NewDense(k, k, nil),
		bw: beta.NewWork(2),
	}
	return r, r.solveH()
}

// solveH sets H to the least-squares solution (WᵀW)⁺ WᵀX.
func (r *Run) solveH() error {
	linalg.GramTo(r.g, r.W)
	if err := r.pinv.Pinv(r.gi, r.g); err != nil {
		return err
	}
	r.X.TMul(r.xtw, r.W)
	linalg.TransposeTo(r.wtx, r.xtw)
	r.H.Mul(r.gi, r.wtx)
	return nil
}

// Step implements solve.Model: the multiplicative update of W, then the
// least-squares H.
func (r *Run) Step() error {
	linalg.MulBt(r.X, r.xht, r.H, r.ht) // X·Hᵀ
	linalg.MulABt(r.hht, r.H, r.H)
	r.upd.Update(r.W, r.xht, r.hht, linalg.Eps)
	return r.solveH()
}

// Objective implements solve.Model: ½‖X − WH‖²_F, from Gram matrices.
func (r *Run) Objective() float64 { return r.bw.Divergence(r.X, r.W, r.H) }
