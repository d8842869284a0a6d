// Package initialize computes starting factors for nonnegative
// factorizations X ≈ W·H (X n x d, W n x k, H k x d), with the methods and
// the semantics of scikit-learn's NMF:
//
//   - random: entries |N(0,1)|·sqrt(mean(X)/k);
//   - nndsvd: nonnegative double SVD (Boutsidis and Gallopoulos, Pattern
//     Recognition 2008), which leaves zeros (bad for multiplicative
//     updates, which cannot move away from zero);
//   - nndsvda: nndsvd with the zeros set to mean(X);
//   - nndsvdar: nndsvd with the zeros set to |N(0,1)|·mean(X)/100.
//
// The SVD is exact for small dense inputs and randomized otherwise (see
// linalg.TruncatedSVD); scikit-learn always uses its randomized SVD, so the
// factors agree with it to the accuracy of that approximation.
//
// All randomness comes from the *rand.Rand passed in; NewRand makes one
// from a seed, so that one seed fixes every draw of a run.
package initialize

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Method names a way to start a factorization. Factors takes the first
// four; KMeans and SVD are the starts of the models that use them
// (KMeansIndicator, TriSVD), and each model lists the methods it accepts.
type Method string

// The initialization methods.
const (
	Random   Method = "random"
	NNDSVD   Method = "nndsvd"
	NNDSVDA  Method = "nndsvda"
	NNDSVDAR Method = "nndsvdar"
	KMeans   Method = "kmeans"
	SVD      Method = "svd"
)

// NewRand returns the generator that a seed stands for: every random draw
// of a run comes from it.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// Default returns scikit-learn's default method: nndsvda when
// k ≤ min(n, d), random otherwise.
func Default(n, d, k int) Method {
	if k <= min(n, d) {
		return NNDSVDA
	}
	return Random
}

// Factors returns initial W (n x k) and H (k x d) for x by the named method
// ("" means Default). x must be nonnegative.
func Factors(x linalg.Matrix, k int, method Method, rng *rand.Rand) (w, h *mat.Dense, err error) {
	n, d := x.Dims()
	if method == "" {
		method = Default(n, d, k)
	}
	mean := linalg.Mean(x)
	switch method {
	case Random:
		avg := math.Sqrt(mean / float64(k))
		return RandomDense(n, k, avg, rng), RandomDense(k, d, avg, rng), nil
	case NNDSVD, NNDSVDA, NNDSVDAR:
	default:
		return nil, nil, fmt.Errorf("initialize: unknown method %q (want random, nndsvd, nndsvda or nndsvdar)", method)
	}
	w, h, err = nndsvd(x, k, rng)
	if err != nil {
		return nil, nil, err
	}
	fill := func(m *mat.Dense) {
		raw := m.RawMatrix()
		for i, v := range raw.Data {
			if v != 0 {
				continue
			}
			switch method {
			case NNDSVDA:
				raw.Data[i] = mean
			case NNDSVDAR:
				raw.Data[i] = math.Abs(mean * rng.NormFloat64() / 100)
			}
		}
	}
	fill(w)
	fill(h)
	return w, h, nil
}

// RandomDense returns an r x c matrix of |N(0,1)|·scale entries, drawn in
// row order.
func RandomDense(r, c int, scale float64, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = scale * math.Abs(rng.NormFloat64())
	}
	return m
}

// nndsvd is Boutsidis and Gallopoulos' NNDSVD, as in scikit-learn:
// entries below 1e-6 are set to zero.
func nndsvd(x linalg.Matrix, k int, rng *rand.Rand) (w, h *mat.Dense, err error) {
	u, s, vt, err := linalg.TruncatedSVD(x, k, rng)
	if err != nil {
		return nil, nil, fmt.Errorf("initialize: %w", err)
	}
	n, _ := u.Dims()
	_, d := vt.Dims()
	w, h = mat.NewDense(n, k, nil), mat.NewDense(k, d, nil)
	x0 := mat.Col(nil, 0, u)
	y0 := vt.RawRowView(0)
	for i := range x0 {
		w.Set(i, 0, math.Sqrt(s[0])*math.Abs(x0[i]))
	}
	for j, v := range y0 {
		h.Set(0, j, math.Sqrt(s[0])*math.Abs(v))
	}
	for j := 1; j < k; j++ {
		xc := mat.Col(nil, j, u)
		yc := vt.RawRowView(j)
		xp, xn := posNeg(xc)
		yp, yn := posNeg(yc)
		xpn, ypn := floats.Norm(xp, 2), floats.Norm(yp, 2)
		xnn, ynn := floats.Norm(xn, 2), floats.Norm(yn, 2)
		mp, mn := xpn*ypn, xnn*ynn
		uu, vv, un, vn, sigma := xp, yp, xpn, ypn, mp
		if mp <= mn {
			uu, vv, un, vn, sigma = xn, yn, xnn, ynn, mn
		}
		lbd := math.Sqrt(s[j] * sigma)
		for i, v := range uu {
			w.Set(i, j, lbd*v/max(un, math.SmallestNonzeroFloat64))
		}
		for i, v := range vv {
			h.Set(j, i, lbd*v/max(vn, math.SmallestNonzeroFloat64))
		}
	}
	linalg.ZeroBelow(w, 1e-6)
	linalg.ZeroBelow(h, 1e-6)
	return w, h, nil
}

// posNeg splits v into its positive part and the magnitude of its negative
// part.
func posNeg(v []float64) (p, n []float64) {
	p, n = make([]float64, len(v)), make([]float64, len(v))
	for i, x := range v {
		if x > 0 {
			p[i] = x
		} else {
			n[i] = -x
		}
	}
	return p, n
}
