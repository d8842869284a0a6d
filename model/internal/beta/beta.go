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

// Ratio returns the matrix X ⊙ max(WH, ε)^(β−2) on the stored entries of
// X: the data term of the β-divergence gradient (X ⊘ WH for KL).
func Ratio(x linalg.Matrix, w, h *mat.Dense, beta float64) linalg.Matrix {
	switch {
	case beta == 1:
		return x.Apply(w, h, func(x, wh float64) float64 { return x / max(wh, linalg.Eps) })
	case beta < 2:
		return x.Apply(w, h, func(x, wh float64) float64 { return x * math.Pow(max(wh, linalg.Eps), beta-2) })
	}
	return x.Apply(w, h, func(x, wh float64) float64 { return x * math.Pow(wh, beta-2) })
}

// PowFloor is the floor of WH in the β-divergence denominators: ε for
// β < 1, where (WH)^(β−1) would blow up at zero, else 0.
func PowFloor(beta float64) float64 {
	if beta < 1 {
		return linalg.Eps
	}
	return 0
}

// GradW sets num and den (n x k) to the negative and positive parts of the
// gradient of D_β(X | WH) in W, given ht = Hᵀ (d x k): (X ⊙ (WH)^(β−2))·Hᵀ
// and (WH)^(β−1)·Hᵀ. kk (k x k) is scratch for β = 2.
func GradW(num, den, kk *mat.Dense, x linalg.Matrix, w, h, ht *mat.Dense, beta float64) {
	switch beta {
	case 2:
		x.Mul(num, ht)
		linalg.GramTo(kk, ht)
		den.Mul(w, kk)
	case 1:
		Ratio(x, w, h, beta).Mul(num, ht)
		hs := linalg.ColSums(ht)
		den.Apply(func(_, j int, _ float64) float64 { return hs[j] }, den)
	default:
		Ratio(x, w, h, beta).Mul(num, ht)
		linalg.PowMulT(den, w, h, beta-1, PowFloor(beta))
	}
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
	n, d := x.Dims()
	k := w.RawMatrix().Cols
	switch beta {
	case 2:
		return Frobenius(x, w, linalg.Transpose(h), mat.NewDense(n, k, nil), mat.NewDense(k, k, nil), mat.NewDense(k, k, nil))
	case 1:
		sumWH := floats.Dot(linalg.ColSums(w), linalg.ColSums(h.T()))
		terms := x.Apply(w, h, func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			return x*math.Log(x/max(wh, linalg.Eps)) - x
		})
		return terms.Stats().Sum + sumWH
	case 0:
		terms := x.Apply(w, h, func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			q := x / max(wh, linalg.Eps)
			return q - math.Log(q)
		})
		return terms.Stats().Sum - float64(n*d)
	}
	terms := x.Apply(w, h, func(x, wh float64) float64 {
		if x <= linalg.Eps {
			return 0
		}
		return math.Pow(x, beta) - beta*x*math.Pow(max(wh, linalg.Eps), beta-1)
	})
	res := terms.Stats().Sum + (beta-1)*linalg.PowSum(w, h, beta, 0)
	return res / (beta * (beta - 1))
}

// The masked forms: X is a masked input (linalg.ObservedNaN and its
// kind), whose stored entries are the observed cells; the divergence and
// its gradient run over them only, with J ⊙ (WH) formed there.

// maskedPow returns J ⊙ max(WH, floor)^p on the observed entries of x.
func maskedPow(x linalg.Matrix, w, h *mat.Dense, p, floor float64) linalg.Matrix {
	switch p {
	case 0:
		return x.Apply(w, h, func(_, _ float64) float64 { return 1 })
	case 1:
		return x.Apply(w, h, func(_, wh float64) float64 { return wh })
	}
	return x.Apply(w, h, func(_, wh float64) float64 { return math.Pow(max(wh, floor), p) })
}

// MaskedGradW sets num and den (n x k) to the negative and positive parts
// of the gradient in W of D_β over the observed entries, given ht = Hᵀ:
// (J ⊙ X ⊙ (WH)^(β−2))·Hᵀ and (J ⊙ (WH)^(β−1))·Hᵀ.
func MaskedGradW(num, den *mat.Dense, x linalg.Matrix, w, h, ht *mat.Dense, beta float64) {
	if beta == 2 {
		x.Mul(num, ht)
	} else {
		Ratio(x, w, h, beta).Mul(num, ht)
	}
	maskedPow(x, w, h, beta-1, PowFloor(beta)).Mul(den, ht)
}

// MaskedGradHT sets num and den (d x k) to the transposed negative and
// positive parts of the gradient in H of D_β over the observed entries:
// (J ⊙ X ⊙ (WH)^(β−2))ᵀ·W and (J ⊙ (WH)^(β−1))ᵀ·W.
func MaskedGradHT(num, den *mat.Dense, x linalg.Matrix, w, h *mat.Dense, beta float64) {
	if beta == 2 {
		x.TMul(num, w)
	} else {
		Ratio(x, w, h, beta).TMul(num, w)
	}
	maskedPow(x, w, h, beta-1, PowFloor(beta)).TMul(den, w)
}

// MaskedDivergence returns D_β(X | WH) over the observed entries of x (for
// β = 2, ½ Σ (x − wh)²), with the floors of Divergence.
func MaskedDivergence(x linalg.Matrix, w, h *mat.Dense, beta float64) float64 {
	terms := x.Apply(w, h, func(x, wh float64) float64 {
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
	})
	return terms.Stats().Sum
}
