package cluster

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Spectral clusters the nodes of a weighted undirected graph by normalized
// spectral clustering (Ng, Jordan and Weiss, NIPS 2001): the eigenvectors
// of the K largest eigenvalues of D^{-1/2} A D^{-1/2}, which are those of
// the K smallest of the normalized Laplacian I − D^{-1/2} A D^{-1/2} (D the
// diagonal of the degrees), form an n x K matrix whose rows, scaled to unit
// length, are clustered by KMeans. The eigendecomposition is dense, for
// graphs of up to a few thousand nodes; a node without edges is a zero row,
// put in whichever cluster is nearest the origin.
type Spectral struct {
	// K is the number of clusters, at least 1.
	K int
	// Seed seeds the k-means of the spectral embedding.
	Seed uint64
}

// Fit clusters the nodes of the graph whose weight matrix a (n x n,
// symmetric, finite and nonnegative) is given, and returns the label in
// [0, K) of each node. It returns an error if a is not such a matrix, has
// no positive weight, or K is not in [1, n].
func (s Spectral) Fit(a mat.Matrix) ([]int, error) {
	n, c := a.Dims()
	switch {
	case n != c:
		return nil, fmt.Errorf("cluster: spectral clustering of a %dx%d matrix: want a square one", n, c)
	case s.K < 1 || s.K > n:
		return nil, fmt.Errorf("cluster: K = %d, want it in [1, %d]", s.K, n)
	}
	deg := make([]float64, n)
	for i := range n {
		for j := range n {
			v := a.At(i, j)
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
				return nil, fmt.Errorf("cluster: spectral clustering: weight (%d,%d) is %v; want finite nonnegative weights", i, j, v)
			case v != a.At(j, i):
				return nil, fmt.Errorf("cluster: spectral clustering: weights (%d,%d) and (%d,%d) differ; want a symmetric matrix", i, j, j, i)
			}
			deg[i] += v
		}
	}
	inv := make([]float64, n)
	positive := false
	for i, d := range deg {
		if d > 0 {
			inv[i], positive = 1/math.Sqrt(d), true
		}
	}
	if !positive {
		return nil, fmt.Errorf("cluster: spectral clustering: the graph has no edges")
	}
	norm := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			norm.SetSym(i, j, inv[i]*a.At(i, j)*inv[j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(norm, true) {
		return nil, fmt.Errorf("cluster: spectral clustering: the eigendecomposition did not converge")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// Eigenvalues ascend: the last K columns are the top eigenvectors.
	emb := mat.DenseCopyOf(vecs.Slice(0, n, n-s.K, n))
	labels, _, err := KMeans{K: s.K, Seed: s.Seed, Normalize: true}.Fit(emb)
	if err != nil {
		return nil, fmt.Errorf("cluster: spectral clustering: %w", err)
	}
	return labels, nil
}
