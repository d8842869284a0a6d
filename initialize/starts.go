package initialize

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/linalg"
)

// Uniform returns an r x c matrix of scale·U(0,1) entries, drawn in row
// order: MATLAB's scale*rand(r, c) and torch's scale*torch.rand, the random
// starts of the SymNMF, DANMF and iFairNMTF reference codes.
func Uniform(r, c int, scale float64, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix().Data
	for i := range raw {
		raw[i] = scale * rng.Float64()
	}
	return m
}

// KMeansIndicator returns the k-means start of Ding, Li and Jordan (2010):
// the cluster indicator of the rows of x (n x k), or of its columns when
// features is set (d x k), plus 0.2 everywhere, from k-means seeded by
// seed. A dense x is clustered as it is; a sparse one through its rank-k
// SVD scores (U·Σ for rows, V·Σ for columns), so that it is never
// densified.
func KMeansIndicator(x linalg.Matrix, k int, seed uint64, features bool) (*mat.Dense, error) {
	var pts mat.Matrix
	if d, ok := x.(*linalg.Dense); ok {
		pts = d.Raw()
		if features {
			pts = d.Raw().T()
		}
	} else {
		u, sv, vt, err := linalg.TruncatedSVD(x, k, NewRand(seed))
		if err != nil {
			return nil, fmt.Errorf("initialize: k-means start: %w", err)
		}
		if features {
			pts = linalg.Product(vt.T(), mat.NewDiagDense(len(sv), sv))
		} else {
			pts = linalg.Product(u, mat.NewDiagDense(len(sv), sv))
		}
	}
	labels, _, err := cluster.KMeans{K: k, Seed: seed}.Fit(pts)
	if err != nil {
		return nil, fmt.Errorf("initialize: k-means start: %w", err)
	}
	g := mat.NewDense(len(labels), k, nil)
	linalg.AddScalar(g, 0.2)
	for i, l := range labels {
		g.Set(i, l, 1.2)
	}
	return g, nil
}

// TriRandom returns the random start of a tri-factorization A ≈ HWHᵀ
// (A n x n, H n x k, W k x k): H = |N(0,1)|·sqrt(mean(A)/k) and
// W = |N(0,1)|/k, so that HWHᵀ has about the mean of A.
func TriRandom(a linalg.Matrix, k int, rng *rand.Rand) (h, w *mat.Dense) {
	n, _ := a.Dims()
	h = RandomDense(n, k, math.Sqrt(linalg.Mean(a)/float64(k)), rng)
	w = RandomDense(k, k, 1/float64(k), rng)
	return h, w
}

// TriSVD returns the SVD-based start of the asymmetric NMF reference code
// (initializeNMFwithSVD in rabdollahi/RAsNMF) for an adjacency matrix a:
// column j of H is the larger (by the product of the norms with its
// partner in v_j) of the positive and negative parts of the j-th left
// singular vector u_j of A, scaled to unit norm, with every entry below
// mean(A) raised to mean(A). These columns are NNDSVD's (Boutsidis &
// Gallopoulos 2008) up to their scale, so they come from nndsvd. The k x k
// W is HᵀAH, floored at mean(A) in the same way: the reference takes the
// corresponding block of its own SVD-based product, and HᵀAH is the
// least-squares W for orthonormal H.
func TriSVD(a linalg.Matrix, k int, rng *rand.Rand) (h, w *mat.Dense, err error) {
	h, _, err = Factors(a, k, NNDSVD, rng)
	if err != nil {
		return nil, nil, err
	}
	n, _ := a.Dims()
	linalg.UnitColumns(h)
	mean := linalg.Mean(a)
	floor := func(m *mat.Dense) { m.Apply(func(_, _ int, v float64) float64 { return max(v, mean) }, m) }
	floor(h)
	ah := mat.NewDense(n, k, nil)
	a.Mul(ah, h)
	w = mat.NewDense(k, k, nil)
	w.Mul(h.T(), ah)
	floor(w)
	return h, w, nil
}

// TriSVDDense is TriSVD for a dense input such as the summarized graph
// W_{i−1} that a deeper layer of a deep asymmetric NMF factorizes: H holds
// the NNDSVD columns of x scaled to unit norm, their zeros raised to 1% of
// 1/sqrt(m) (m rows), and W = HᵀxH with entries below 1% of its mean
// raised to it. TriSVD's floors at mean(x) suit a sparse adjacency matrix,
// whose mean is far below the entries of a unit column, and not a dense
// W_{i−1}.
func TriSVDDense(x linalg.Matrix, k int, rng *rand.Rand) (h, w *mat.Dense, err error) {
	h, _, err = Factors(x, k, NNDSVD, rng)
	if err != nil {
		return nil, nil, err
	}
	m, _ := h.Dims()
	linalg.UnitColumns(h)
	fh := 0.01 / math.Sqrt(float64(m))
	h.Apply(func(_, _ int, v float64) float64 { return max(v, fh) }, h)
	xh := mat.NewDense(m, k, nil)
	x.Mul(xh, h)
	w = mat.NewDense(k, k, nil)
	w.Mul(h.T(), xh)
	fw := 0.01 * max(mat.Sum(w), 0) / float64(k*k)
	w.Apply(func(_, _ int, v float64) float64 { return max(v, fw) }, w)
	return h, w, nil
}
