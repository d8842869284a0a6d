package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
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
	var out mat.Dense
	if err := new(PinvScratch).Pinv(&out, a); err != nil {
		return nil, err
	}
	return &out, nil
}

// PinvScratch holds the workspace of a pseudo-inverse (the copy of the
// matrix, the SVD's factors and LAPACK's work array), kept over calls so
// that the pseudo-inverses an iteration takes allocate nothing after the
// first of each shape. The zero value is ready to use; a PinvScratch is
// not safe for concurrent use.
type PinvScratch struct {
	m            Scratch
	s, inv, work []float64
	query        [1]float64
}

// Pinv sets dst (c x r; an empty dst is sized) to the pseudo-inverse of a
// (r x c), computed as the function Pinv computes it, with the same
// errors.
func (p *PinvScratch) Pinv(dst *mat.Dense, a mat.Matrix) error {
	r, c := a.Dims()
	if r == 0 || c == 0 {
		return fmt.Errorf("pinv: empty %dx%d matrix", r, c)
	}
	// The SVD destroys its input: it works on a copy.
	ac := p.m.Get(0, r, c)
	ac.Copy(a)
	raw := ac.RawMatrix()
	for _, v := range raw.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("pinv: matrix has NaN or infinite entries")
		}
	}
	// mat.SVD's thin factorization, on this scratch: the same LAPACK calls.
	mn := min(r, c)
	u, vt := p.m.Get(1, r, mn), p.m.Get(2, mn, c)
	s := resize(&p.s, mn)
	lapack64.Gesvd(lapack.SVDStore, lapack.SVDStore, raw, u.RawMatrix(), vt.RawMatrix(), s, p.query[:], -1)
	work := resize(&p.work, int(p.query[0]))
	if !lapack64.Gesvd(lapack.SVDStore, lapack.SVDStore, raw, u.RawMatrix(), vt.RawMatrix(), s, work, len(work)) {
		return fmt.Errorf("pinv: SVD did not converge")
	}
	tol := float64(max(r, c)) * floats.Max(s) * 2.220446049250313e-16
	inv := resize(&p.inv, mn)
	for i, v := range s {
		inv[i] = 0
		if v > tol {
			inv[i] = 1 / v
		}
	}
	// V·Σ⁺, then (V·Σ⁺)·Uᵀ. Each entry of V·Σ⁺ is the one product of its
	// sum, with a zero product as +0, as gonum's product with a diagonal
	// matrix leaves it.
	vs := p.m.Get(3, c, mn)
	TransposeTo(vs, vt)
	vr := vs.RawMatrix()
	for i := 0; i < vr.Rows; i++ {
		row := vr.Data[i*vr.Stride : i*vr.Stride+vr.Cols]
		for j, v := range row {
			if row[j] = v * inv[j]; row[j] == 0 {
				row[j] = 0
			}
		}
	}
	MulABt(dst, vs, u)
	return nil
}

// resize returns *s with length n, made again when its capacity is less.
func resize(s *[]float64, n int) []float64 {
	if cap(*s) < n {
		*s = make([]float64, n)
	}
	*s = (*s)[:n]
	return *s
}
