package linalg

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Inputs with min(r, c) ≤ exactSVDMax and at most exactSVDEntries entries,
// dense or sparse, get their truncated SVD from an exact thin SVD; larger
// ones use the randomized method.
const (
	exactSVDMax     = 500
	exactSVDEntries = 1 << 22
)

// TruncatedSVD returns the k leading singular triplets of x: U (r x k),
// the singular values in decreasing order, and Vᵀ (k x c). Small inputs
// get an exact thin SVD, so a matrix gives the same result whether it is
// stored dense or sparse; others the randomized range finder of
// Halko, Martinsson and Tropp (SIAM Review 2011) with 10 oversamples and
// power iterations (7 when k < 0.1·min(r, c), else 4, as scikit-learn),
// re-orthonormalized by QR, using only X·B and Xᵀ·B, so a sparse x is
// never densified. rng drives the random test matrix.
func TruncatedSVD(x Matrix, k int, rng *rand.Rand) (u *mat.Dense, s []float64, vt *mat.Dense, err error) {
	r, c := x.Dims()
	if k < 1 || k > min(r, c) {
		return nil, nil, nil, fmt.Errorf("svd: rank %d out of range [1,%d]", k, min(r, c))
	}
	if min(r, c) <= exactSVDMax && r*c <= exactSVDEntries {
		switch x := x.(type) {
		case *Dense:
			return thinSVD(x.m, k)
		case *CSR:
			return thinSVD(x.ToDense(), k)
		}
	}
	l := min(k+10, min(r, c))
	iters := 4
	if float64(k) < 0.1*float64(min(r, c)) {
		iters = 7
	}
	omega := mat.NewDense(c, l, nil)
	raw := omega.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.NormFloat64()
	}
	q := mat.NewDense(r, l, nil)
	x.Mul(q, omega)
	q = orthonormal(q)
	z := mat.NewDense(c, l, nil)
	for it := 0; it < iters; it++ {
		x.TMul(z, q)
		z = orthonormal(z)
		x.Mul(q, z)
		q = orthonormal(q)
	}
	// B = Qᵀ X (l x c), computed as (Xᵀ Q)ᵀ.
	x.TMul(z, q)
	ub, s, vt, err := thinSVD(Transpose(z), k)
	if err != nil {
		return nil, nil, nil, err
	}
	u = mat.NewDense(r, k, nil)
	u.Mul(q, ub)
	return u, s, vt, nil
}

func thinSVD(m mat.Matrix, k int) (*mat.Dense, []float64, *mat.Dense, error) {
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThin) {
		return nil, nil, nil, fmt.Errorf("svd: factorization did not converge")
	}
	var uf, vf mat.Dense
	svd.UTo(&uf)
	svd.VTo(&vf)
	r, _ := uf.Dims()
	c, _ := vf.Dims()
	u := mat.DenseCopyOf(uf.Slice(0, r, 0, k))
	vt := Transpose(vf.Slice(0, c, 0, k))
	return u, svd.Values(nil)[:k], vt, nil
}

// orthonormal returns an orthonormal basis of the columns of m (r x l,
// r ≥ l): up to rounding, the Q of m's QR factorization with a positive
// diagonal. It runs CholeskyQR2 (Yamamoto, Nakatsukasa, Yanagisawa and
// Fukaya, ETNA 2015): Q = M·R⁻¹ with RᵀR = MᵀM, twice, so that the work is
// two BLAS products per pass; when MᵀM is too ill-conditioned for that to
// be accurate (a rank-deficient m, or cond(m) above about 1e6) it falls
// back to modified Gram-Schmidt.
func orthonormal(m *mat.Dense) *mat.Dense {
	q := m
	for range 2 {
		next, ok := cholQR(q)
		if !ok {
			return gramSchmidt(m)
		}
		q = next
	}
	return q
}

// cholQR returns m·R⁻¹ for the Cholesky factor R of mᵀm, or false if mᵀm
// is not positive definite or its condition number exceeds 1e12.
func cholQR(m *mat.Dense) (*mat.Dense, bool) {
	r, l := m.Dims()
	var g mat.SymDense
	g.SymOuterK(1, m.T())
	var ch mat.Cholesky
	if !ch.Factorize(&g) || ch.Cond() > 1e12 {
		return nil, false
	}
	var u, inv mat.TriDense
	ch.UTo(&u)
	if err := inv.InverseTri(&u); err != nil {
		return nil, false
	}
	q := mat.NewDense(r, l, nil)
	q.Mul(m, mat.DenseCopyOf(&inv)) // a general product: BLAS's Dgemm
	return q, true
}

// gramSchmidt returns an orthonormal basis of the columns of m by modified
// Gram-Schmidt with one re-orthogonalization pass.
func gramSchmidt(m *mat.Dense) *mat.Dense {
	t := Transpose(m) // rows of t are the columns of m, contiguous
	l, _ := t.Dims()
	for i := 0; i < l; i++ {
		vi := t.RawRowView(i)
		for pass := 0; pass < 2; pass++ {
			for j := 0; j < i; j++ {
				vj := t.RawRowView(j)
				p := floats.Dot(vi, vj)
				floats.AddScaled(vi, -p, vj)
			}
		}
		if n := floats.Norm(vi, 2); n > 0 {
			floats.Scale(1/n, vi)
		}
	}
	return Transpose(t)
}
