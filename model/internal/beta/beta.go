// Package beta holds the β-divergence D_β(X | WH) of the models with a
// β-divergence loss (nmf, ednmf-beta): its value, the exponent that makes
// a multiplicative update a majorization-minimization step, and the two
// parts of its gradient in W, all with the semantics of scikit-learn's
// NMF (the same floors at linalg.Eps, and the same sparse handling: W·H is
// formed only at the stored entries of X, except where a term needs every
// entry, which is then computed one block of rows at a time).
package beta

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Gamma returns the exponent of the multiplicative update that makes it a
// majorization-minimization step for the β-divergence (Févotte and Idier
// 2011, Table 2).
func Gamma(beta float64) float64 {
	switch {
	case beta < 1:
		return 1 / (2 - beta)
	case beta > 2:
		return 1 / (beta - 1)
	}
	return 1
}

// PowFloor is the floor of WH in the β-divergence denominators: ε for
// β < 1, where (WH)^(β−1) would blow up at zero, else 0.
func PowFloor(beta float64) float64 {
	if beta < 1 {
		return linalg.Eps
	}
	return 0
}

// Work is the scratch of the β-divergence computations of one fit on one
// data matrix X, kept from one call to the next so that an iteration
// allocates nothing: the matrices formed on X's entries (Apply's results,
// overwritten by the next call), column sums and blocks of W·H. Its
// methods compute what this package's functions of the same names do, for
// its β. A Work is not safe for concurrent use.
type Work struct {
	beta float64
	// The entrywise functions, made once: a closure that captures β
	// allocates each time it is passed on.
	ratio, terms, masked, maskedTerms func(x, wh float64) float64
	grad, sum                         linalg.Matrix // Apply's results: gradient terms, divergence terms
	ws, hs                            []float64
	hT                                mat.Transpose
	pow                               linalg.PowScratch
	s                                 linalg.Scratch
}

// NewWork returns the scratch of a fit with the divergence D_β.
func NewWork(beta float64) *Work {
	w := &Work{beta: beta}
	switch {
	case beta == 1:
		w.ratio = func(x, wh float64) float64 { return x / max(wh, linalg.Eps) }
	case beta < 2:
		w.ratio = func(x, wh float64) float64 { return x * math.Pow(max(wh, linalg.Eps), beta-2) }
	default:
		w.ratio = func(x, wh float64) float64 { return x * math.Pow(wh, beta-2) }
	}
	switch beta {
	case 1:
		w.terms = func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			return x*math.Log(x/max(wh, linalg.Eps)) - x
		}
	case 0:
		w.terms = func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			q := x / max(wh, linalg.Eps)
			return q - math.Log(q)
		}
	default:
		w.terms = func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			return math.Pow(x, beta) - beta*x*math.Pow(max(wh, linalg.Eps), beta-1)
		}
	}
	switch p, floor := beta-1, PowFloor(beta); p {
	case 0:
		w.masked = func(_, _ float64) float64 { return 1 }
	case 1:
		w.masked = func(_, wh float64) float64 { return wh }
	default:
		w.masked = func(_, wh float64) float64 { return math.Pow(max(wh, floor), p) }
	}
	w.maskedTerms = func(x, wh float64) float64 {
		switch beta {
		case 2:
			return (x - wh) * (x - wh) / 2
		case 1:
			y := max(wh, linalg.Eps)
			if x <= linalg.Eps {
				return y
			}
			return x*math.Log(x/y) - x + y
		case 0:
			y := max(wh, linalg.Eps)
			q := max(x, linalg.Eps) / y
			return q - math.Log(q) - 1
		}
		y := max(wh, linalg.Eps)
		return (math.Pow(max(x, 0), beta) + (beta-1)*math.Pow(y, beta) - beta*max(x, 0)*math.Pow(y, beta-1)) / (beta * (beta - 1))
	}
	return w
}

// sums returns the slice *s, made again when its length is not n.
func sums(s *[]float64, n int) []float64 {
	if len(*s) != n {
		*s = make([]float64, n)
	}
	return *s
}

// Ratio returns the matrix X ⊙ max(WH, ε)^(β−2) on the stored entries of
// X: the data term of the β-divergence gradient (X ⊘ WH for KL). It is
// overwritten by the next Ratio or masked gradient of wk.
func (wk *Work) Ratio(x linalg.Matrix, w, h *mat.Dense) linalg.Matrix {
	wk.grad = x.Apply(wk.grad, w, h, wk.ratio)
	return wk.grad
}

// GradW sets num and den (n x k) to the negative and positive parts of the
// gradient of D_β(X | WH) in W, given ht = Hᵀ (d x k): (X ⊙ (WH)^(β−2))·Hᵀ
// and (WH)^(β−1)·Hᵀ. kk (k x k) is scratch for β = 2.
func (wk *Work) GradW(num, den, kk *mat.Dense, x linalg.Matrix, w, h, ht *mat.Dense) {
	switch wk.beta {
	case 2:
		x.Mul(num, ht)
		linalg.GramTo(kk, ht)
		den.Mul(w, kk)
	case 1:
		wk.Ratio(x, w, h).Mul(num, ht)
		wk.KLDen(den, ht)
	default:
		wk.Ratio(x, w, h).Mul(num, ht)
		linalg.PowMulT(den, w, h, wk.beta-1, PowFloor(wk.beta), &wk.pow)
	}
}

// KLDen sets every row of den to the column sums of f: 1·f, the positive
// part of the gradient of the KL divergence (β = 1) in the other factor.
func (wk *Work) KLDen(den, f *mat.Dense) {
	s := sums(&wk.hs, f.RawMatrix().Cols)
	linalg.ColSumsTo(s, f)
	raw := den.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		copy(raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols], s)
	}
}

// TPowMul sets dst (k x d) = Wᵀ·max(WH, floor)^(β−1), the positive part
// of the gradient in H, as linalg.TPowMul does with wk's scratch.
func (wk *Work) TPowMul(dst, w, h *mat.Dense) {
	linalg.TPowMul(dst, w, h, wk.beta-1, PowFloor(wk.beta), &wk.pow)
}

// Frobenius returns ½‖X − WH‖²_F = ½(‖X‖² − 2⟨XHᵀ, W⟩ + ⟨WᵀW, HHᵀ⟩),
// without forming WH, given ht = Hᵀ (d x k) and the scratch matrices xht
// (n x k), kk1 and kk2 (k x k).
func Frobenius(x linalg.Matrix, w, ht, xht, kk1, kk2 *mat.Dense) float64 {
	x.Mul(xht, ht)
	linalg.GramTo(kk1, w)
	linalg.MulAtB(kk2, ht, ht)
	return max(x.Stats().SquaredNorm-2*linalg.Dot(xht, w)+linalg.Dot(kk1, kk2), 0) / 2
}

// Divergence returns D_β(X | WH) as scikit-learn computes it: ½‖X − WH‖²_F
// for β = 2; otherwise summed over the entries of X above linalg.Eps, with
// WH floored at linalg.Eps there, plus the terms of Σ(WH) that do not
// involve X. For a sparse X, W·H is formed only at the stored entries,
// except for β ∉ {0, 1, 2}, where Σ(WH)^β needs every entry and is
// computed one block of rows at a time.
func Divergence(x linalg.Matrix, w, h *mat.Dense, beta float64) float64 {
	return NewWork(beta).Divergence(x, w, h)
}

// Divergence returns D_β(X | WH), as the function Divergence does.
func (wk *Work) Divergence(x linalg.Matrix, w, h *mat.Dense) float64 {
	n, d := x.Dims()
	k := w.RawMatrix().Cols
	beta := wk.beta
	switch beta {
	case 2:
		ht := wk.s.Get(0, d, k)
		linalg.TransposeTo(ht, h)
		return Frobenius(x, w, ht, wk.s.Get(1, n, k), wk.s.Get(2, k, k), wk.s.Get(3, k, k))
	case 1:
		ws, hs := sums(&wk.ws, k), sums(&wk.hs, k)
		linalg.ColSumsTo(ws, w)
		wk.hT.Matrix = h
		linalg.ColSumsTo(hs, &wk.hT)
		sumWH := floats.Dot(ws, hs)
		wk.sum = x.Apply(wk.sum, w, h, wk.terms)
		return wk.sum.Stats().Sum + sumWH
	case 0:
		wk.sum = x.Apply(wk.sum, w, h, wk.terms)
		return wk.sum.Stats().Sum - float64(n*d)
	}
	wk.sum = x.Apply(wk.sum, w, h, wk.terms)
	res := wk.sum.Stats().Sum + (beta-1)*linalg.PowSum(w, h, beta, 0, &wk.pow)
	return res / (beta * (beta - 1))
}

// The masked forms: X is a masked input (linalg.ObservedNaN and its
// kind), whose stored entries are the observed cells; the divergence and
// its gradient run over them only, with J ⊙ (WH) formed there.

// maskedPow returns J ⊙ max(WH, floor)^(β−1) on the observed entries of
// x, with floor PowFloor(β).
func (wk *Work) maskedPow(x linalg.Matrix, w, h *mat.Dense) linalg.Matrix {
	wk.grad = x.Apply(wk.grad, w, h, wk.masked)
	return wk.grad
}

// MaskedGradW sets num and den (n x k) to the negative and positive parts
// of the gradient in W of D_β over the observed entries, given ht = Hᵀ:
// (J ⊙ X ⊙ (WH)^(β−2))·Hᵀ and (J ⊙ (WH)^(β−1))·Hᵀ.
func (wk *Work) MaskedGradW(num, den *mat.Dense, x linalg.Matrix, w, h, ht *mat.Dense) {
	if wk.beta == 2 {
		x.Mul(num, ht)
	} else {
		wk.Ratio(x, w, h).Mul(num, ht)
	}
	wk.maskedPow(x, w, h).Mul(den, ht)
}

// MaskedGradHT sets num and den (d x k) to the transposed negative and
// positive parts of the gradient in H of D_β over the observed entries:
// (J ⊙ X ⊙ (WH)^(β−2))ᵀ·W and (J ⊙ (WH)^(β−1))ᵀ·W.
func (wk *Work) MaskedGradHT(num, den *mat.Dense, x linalg.Matrix, w, h *mat.Dense) {
	if wk.beta == 2 {
		x.TMul(num, w)
	} else {
		wk.Ratio(x, w, h).TMul(num, w)
	}
	wk.maskedPow(x, w, h).TMul(den, w)
}

// MaskedDivergence returns D_β(X | WH) over the observed entries of x (for
// β = 2, ½ Σ (x − wh)²), with the floors of Divergence.
func (wk *Work) MaskedDivergence(x linalg.Matrix, w, h *mat.Dense) float64 {
	wk.sum = x.Apply(wk.sum, w, h, wk.maskedTerms)
	return wk.sum.Stats().Sum
}
