package linalg

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Pinv returns the Moore-Penrose pseudo-inverse of a (r x c), as c x r,
// from a thin SVD a = U Σ Vᵀ: a⁺ = V Σ⁺ Uᵀ, where singular values at most
// max(r, c)·σ_max·ε (ε the float64 machine epsilon, MATLAB's and NumPy's
// default cutoff) count as zero. It is meant for the small k x k Gram
// matrices of least-squares steps, such as B = (WᵀW)⁺ WᵀX in semi-NMF;
// it returns an error if a is empty, has a NaN or infinite entry, or the
// SVD fails.
func Pinv(a mat.Matrix) (*mat.Dense, error) {
	r, c := a.Dims()
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("pinv: empty %dx%d matrix", r, c)
	}
	if st := NewDense(mat.DenseCopyOf(a)).Stats(); !st.Finite {
		return nil, fmt.Errorf("pinv: matrix has NaN or infinite entries")
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("pinv: SVD did not converge")
	}
	s := svd.Values(nil)
	tol := float64(max(r, c)) * floats.Max(s) * 2.220446049250313e-16
	inv := make([]float64, len(s))
	for i, v := range s {
		if v > tol {
			inv[i] = 1 / v
		}
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	var vs mat.Dense
	vs.Mul(&v, mat.NewDiagDense(len(inv), inv))
	out := mat.NewDense(c, r, nil)
	out.Mul(&vs, u.T())
	return out, nil
}
