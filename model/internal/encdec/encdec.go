// Package encdec holds the machinery of the models written in the
// encoder-decoder orientation: the input X is n x d (one sample per row),
// V (n x k) is the embedding and W (d x k) the basis, so that the decoder
// is X ≈ V·Wᵀ and the encoder V ≈ X·W (the papers write the transpose,
// X d x n ≈ W·H with H = Vᵀ). It has the residuals of both, the starting
// factors, and the shallow autoencoder-like NMF (AE) that nsed fits and
// that pre-trains the layers of DANMF and DANMF-CRFR.
package encdec

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// DecoderResidual returns ‖X − V·Wᵀ‖²_F from Gram matrices, given
// xw = X·W: ‖X‖² − 2⟨XW, V⟩ + ⟨VᵀV, WᵀW⟩. It never forms V·Wᵀ.
func DecoderResidual(x linalg.Matrix, xw, v, w *mat.Dense) float64 {
	return max(x.Stats().SquaredNorm-2*linalg.Dot(xw, v)+linalg.Dot(linalg.Gram(v), linalg.Gram(w)), 0)
}

// EncoderResidual returns ‖V − X·W‖²_F given xw = X·W.
func EncoderResidual(xw, v *mat.Dense) float64 {
	var r mat.Dense
	r.Sub(v, xw)
	return linalg.Dot(&r, &r)
}

// Start returns starting factors V (n x k) and W (d x k) for a decoder
// X ≈ V·Wᵀ from the NMF initialization method: V is NMF's W and W is
// NMF's Hᵀ.
func Start(x linalg.Matrix, k int, method initialize.Method, rng *rand.Rand) (v, w *mat.Dense, err error) {
	wn, hn, err := initialize.Factors(x, k, method, rng)
	if err != nil {
		return nil, nil, err
	}
	return wn, linalg.Transpose(hn), nil
}

// Balance rescales V ← t·V, W ← W/t with the t > 0 minimizing the encoder
// residual ‖tV − XW/t‖², which leaves V·Wᵀ unchanged: t² = ‖XW‖/‖V‖. It
// returns without change when either norm is zero.
func Balance(x linalg.Matrix, v, w *mat.Dense) {
	n, _ := x.Dims()
	_, k := w.Dims()
	xw := mat.NewDense(n, k, nil)
	x.Mul(xw, w)
	a, b := mat.Norm(xw, 2), mat.Norm(v, 2)
	if a == 0 || b == 0 {
		return
	}
	t := math.Sqrt(a / b)
	linalg.Scale(v, t)
	linalg.Scale(w, 1/t)
}

// AE is the shallow autoencoder-like NMF
//
//	min ‖X − V·Wᵀ‖²_F + ‖V − X·W‖²_F,  V, W ≥ 0,
//
// the non-negative symmetric encoder-decoder of Sun et al. (CIKM 2017) and
// the layer of DANMF (Ye et al., CIKM 2018, ShallowNMF.m), updated by the
// multiplicative rules (each a majorization-minimization step, so the
// objective does not increase)
//
//	W ← W ⊙ 2XᵀV / max(W·VᵀV + XᵀX·W, ε),   V ← V ⊙ 2X·W / max(V·WᵀW + V, ε),
//
// W first, then V with the new W. It implements solve.Model.
type AE struct {
	X    linalg.Matrix
	W, V *mat.Dense // d x k, n x k
	Eps  float64    // the floor of the denominators

	gram     *linalg.GramOperator
	sq       float64    // ‖X‖²
	xw, xtv  *mat.Dense // X·W (n x k) and Xᵀ·V (d x k), current
	wtw, vtv *mat.Dense // WᵀW, VᵀV
	den      *mat.Dense // d x k scratch of W's update
	vden     *mat.Dense // n x k scratch of V's update, on den's storage
	dec, enc float64    // the two residuals, valid when fresh
	fresh    bool
}

// NewAE returns the AE of x from w (d x k) and v (n x k), which it updates
// in place, with denominators floored at eps.
func NewAE(x linalg.Matrix, w, v *mat.Dense, eps float64) *AE {
	n, d := x.Dims()
	_, k := w.Dims()
	if r, c := v.Dims(); r != n || c != k {
		panic(fmt.Sprintf("encdec: V is %dx%d, want %dx%d", r, c, n, k))
	}
	// W's and V's updates run one after the other, so their denominators
	// share storage (their numerators are 2XᵀV and 2XW, kept anyway).
	denBuf := mat.NewDense(max(n, d), k, nil)
	a := &AE{
		X: x, W: w, V: v, Eps: eps, gram: linalg.NewGramOperator(x), sq: x.Stats().SquaredNorm,
		xw: mat.NewDense(n, k, nil), xtv: mat.NewDense(d, k, nil),
		wtw: mat.NewDense(k, k, nil), vtv: mat.NewDense(k, k, nil),
		den: denBuf.Slice(0, d, 0, k).(*mat.Dense), vden: denBuf.Slice(0, n, 0, k).(*mat.Dense),
	}
	a.refreshW()
	a.refreshV()
	return a
}

func (a *AE) refreshW() {
	a.X.Mul(a.xw, a.W)
	linalg.GramTo(a.wtw, a.W)
}

func (a *AE) refreshV() {
	a.X.TMul(a.xtv, a.V)
	linalg.GramTo(a.vtv, a.V)
}

// Step implements solve.Model: W, then V with the new W.
func (a *AE) Step() error {
	a.fresh = false
	a.gram.Apply(a.den, a.W, a.xw) // XᵀX·W
	linalg.AddMul(a.den, a.W, a.vtv)
	linalg.MulUpdateScaled(a.W, a.xtv, 2, a.den, 1, a.Eps)
	a.refreshW()

	a.vden.Mul(a.V, a.wtw)
	a.vden.Add(a.vden, a.V)
	linalg.MulUpdateScaled(a.V, a.xw, 2, a.vden, 1, a.Eps)
	a.refreshV()
	return nil
}

// Residuals returns ‖X − V·Wᵀ‖²_F and ‖V − X·W‖²_F from the cached
// products, computed once per step.
func (a *AE) Residuals() (dec, enc float64) {
	if !a.fresh {
		dec := a.sq - 2*linalg.Dot(a.xtv, a.W) + linalg.Dot(a.wtw, a.vtv)
		enc := linalg.Dot(a.V, a.V) - 2*linalg.Dot(a.V, a.xw) + linalg.Dot(a.xw, a.xw)
		a.dec, a.enc, a.fresh = max(dec, 0), max(enc, 0), true
	}
	return a.dec, a.enc
}

// Objective implements solve.Model: the sum of the residuals.
func (a *AE) Objective() float64 {
	dec, enc := a.Residuals()
	return dec + enc
}

// Layer is one layer of DANMF's pre-training (ShallowNMF.m): the AE of x
// from uniform random factors (W, m x r, drawn first, then V, n x r:
// MATLAB's rand) whose stopping test watches ‖X − VWᵀ‖_F + ‖V − XW‖_F
// with the absolute-change rule. It implements solve.Model and
// solve.Monitor.
type Layer struct{ *AE }

// NewLayer returns the layer of x (n x m) of size r, with denominators
// floored at eps.
func NewLayer(x linalg.Matrix, r int, rng *rand.Rand, eps float64) Layer {
	n, m := x.Dims()
	w := initialize.Uniform(m, r, 1, rng)
	v := initialize.Uniform(n, r, 1, rng)
	return Layer{NewAE(x, w, v, eps)}
}

// Monitor implements solve.Monitor: ShallowNMF.m stops when
// ‖X − VWᵀ‖_F + ‖V − XW‖_F changes by at most its tolerance.
func (l Layer) Monitor() (float64, solve.Rule) {
	dec, enc := l.Residuals()
	return math.Sqrt(dec) + math.Sqrt(enc), solve.AbsoluteChange
}
