package graph

import (
	"fmt"
	"math"
	"math/bits"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Weight is the weight KNN puts on the edge between points x_i and x_j.
type Weight int

const (
	// Binary weighs every edge 1 (0-1 weighting, Cai et al.'s 'Binary').
	Binary Weight = iota
	// Heat is the heat kernel exp(−‖x_i−x_j‖²/t) of GNMF (Cai, He, Han &
	// Huang, "Graph regularized nonnegative matrix factorization for data
	// representation", TPAMI 33(8), 2011, eq. 3). KNNOptions.T sets t.
	Heat
	// Cosine is x_i·x_j / (‖x_i‖‖x_j‖), GNMF's dot-product weighting for
	// documents. A negative cosine, and any cosine with a zero row, is
	// taken as zero, so the edge is dropped.
	Cosine
	// SelfTuning is the self-tuning Gaussian exp(−‖x_i−x_j‖²/(σ_i σ_j)) of
	// Zelnik-Manor & Perona ("Self-tuning spectral clustering", NIPS 2004),
	// with σ_i the distance from x_i to its s-th nearest neighbour, s =
	// KNNOptions.Scale. This is the similarity of SymNMF's reference code
	// (scale_dist3_knn in dakuang/symnmf).
	SelfTuning
)

// KNNOptions holds the settings of KNN. The zero value, and a nil
// *KNNOptions, select Binary weights.
type KNNOptions struct {
	// Weight is the edge weight.
	Weight Weight
	// T is the heat kernel's t. Zero means the mean of ‖x_i−x_j‖² over the
	// n·k pairs (i, j) with j among the k nearest neighbours of i (or 1 if
	// that mean is zero). Cai et al.'s constructW code instead uses
	// exp(−‖x_i−x_j‖²/(2t'²)) with t' the mean distance over all pairs;
	// T = 2t'² reproduces it.
	T float64
	// Scale is the s of SelfTuning: σ_i is the distance to the s-th
	// nearest neighbour. Zero means 7, or n−1 if n ≤ 7, as in SymNMF's
	// reference code.
	Scale int
}

// blockRows is the number of rows of distances KNN computes at a time.
const blockRows = 64

// KNN returns the symmetric k-nearest-neighbour graph of the rows x_1, …,
// x_n of x. Nodes i ≠ j are joined if either is among the k nearest of
// the other in Euclidean distance, ties broken towards the smaller index,
// and the edge gets the weight opts.Weight, a symmetric function of x_i
// and x_j (so this union is max(W, Wᵀ) of the directed kNN weights W, as
// in Cai et al.'s constructW and scale_dist3_knn). The diagonal is zero.
//
// k = 0 selects SymNMF's default k = ⌊log₂ n⌋ + 1, capped at n − 1
// (symnmf_cluster in dakuang/symnmf). SymNMF's similarity matrix is
//
//	w, _ := KNN(x, 0, &KNNOptions{Weight: SelfTuning})
//	a, _ := NormalizedAdjacency(w)
//
// KNN computes the squared distances ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j (clamped
// at zero) by brute force, blocks of rows of x·xᵀ at a time, and keeps the
// nearest of each row by partial selection, so it takes O(n²d) time but
// only O(nd + nk) memory besides a 64 x n block per goroutine: fine for n
// up to about 10⁴ (10⁴ points in 256 dimensions take seconds). When σ_i σ_j = 0 (x_i has
// at least s duplicates) a SelfTuning weight is 1 for coincident points
// and 0 otherwise, where SymNMF's code would give NaN and 0.
//
// It returns an error if x has fewer than two rows, no column or a
// non-finite entry,
// if k < 0 or k ≥ n, or if an option is out of range.
func KNN(x mat.Matrix, k int, opts *KNNOptions) (*linalg.CSR, error) {
	n, d := x.Dims()
	if n < 2 || d == 0 {
		return nil, fmt.Errorf("graph: kNN graph of %d points in dimension %d", n, d)
	}
	if k == 0 {
		k = min(bits.Len(uint(n)), n-1)
	}
	if k < 0 || k >= n {
		return nil, fmt.Errorf("graph: %d nearest neighbours of %d points", k, n)
	}
	var o KNNOptions
	if opts != nil {
		o = *opts
	}
	m := k // neighbours to find per point
	switch o.Weight {
	case Binary, Cosine:
	case Heat:
		if !(o.T >= 0) || math.IsInf(o.T, 1) {
			return nil, fmt.Errorf("graph: heat kernel t = %g", o.T)
		}
	case SelfTuning:
		if o.Scale == 0 {
			o.Scale = min(7, n-1)
		}
		if o.Scale < 0 || o.Scale >= n {
			return nil, fmt.Errorf("graph: self-tuning scale %d for %d points", o.Scale, n)
		}
		m = max(k, o.Scale)
	default:
		return nil, fmt.Errorf("graph: unknown kNN weight %d", o.Weight)
	}

	xd := mat.DenseCopyOf(x)
	sq := make([]float64, n) // ‖x_i‖²
	for i := range n {
		row := xd.RawRowView(i)
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("graph: data point %d has a non-finite entry", i)
			}
		}
		sq[i] = floats.Dot(row, row)
	}
	// nbr[i*m:(i+1)*m] and dist[i*m:(i+1)*m] are the m nearest neighbours
	// of i and their squared distances, nearest first.
	nbr := make([]int, n*m)
	dist := make([]float64, n*m)
	linalg.Parallel(n, blockRows, func() func(lo, hi int) {
		g := mat.NewDense(blockRows, n, nil)
		return func(lo, hi int) {
			gb := g.Slice(0, hi-lo, 0, n).(*mat.Dense)
			gb.Mul(xd.Slice(lo, hi, 0, d), xd.T())
			for i := lo; i < hi; i++ {
				nearest(gb.RawRowView(i-lo), sq, i, nbr[i*m:(i+1)*m], dist[i*m:(i+1)*m])
			}
		}
	})

	var weight func(i, p int) float64
	switch o.Weight {
	case Binary:
		weight = func(int, int) float64 { return 1 }
	case Heat:
		t := o.T
		if t == 0 {
			for i := range n {
				t += floats.Sum(dist[i*m : i*m+k])
			}
			if t /= float64(n * k); t == 0 {
				t = 1
			}
		}
		weight = func(i, p int) float64 { return math.Exp(-dist[i*m+p] / t) }
	case Cosine:
		weight = func(i, p int) float64 {
			j := nbr[i*m+p]
			if sq[i] == 0 || sq[j] == 0 {
				return 0
			}
			return max(0, floats.Dot(xd.RawRowView(i), xd.RawRowView(j))/math.Sqrt(sq[i]*sq[j]))
		}
	case SelfTuning:
		sigma := make([]float64, n)
		for i := range n {
			sigma[i] = math.Sqrt(dist[i*m+o.Scale-1])
		}
		weight = func(i, p int) float64 {
			s, d2 := sigma[i]*sigma[nbr[i*m+p]], dist[i*m+p]
			if s == 0 {
				if d2 == 0 {
					return 1
				}
				return 0
			}
			return math.Exp(-d2 / s)
		}
	}
	b := newBuilder(n, n*k)
	for i := range n {
		for p := range k {
			b.add(nbr[i*m+p], weight(i, p))
		}
		b.endRow()
	}
	return symmetrize(b.csr(n, n), Max), nil
}

// nearest fills nbr and dist with the len(nbr) points nearest to point i,
// nearest first and ties towards the smaller index, given the row g of
// inner products x_i·x_j and the squared norms sq.
func nearest(g, sq []float64, i int, nbr []int, dist []float64) {
	m, filled := len(nbr), 0
	for j, gij := range g {
		if j == i {
			continue
		}
		v := max(0, sq[i]+sq[j]-2*gij)
		// j grows, so an equal distance already kept wins the tie.
		if filled == m && v >= dist[m-1] {
			continue
		}
		p := min(filled, m-1)
		for p > 0 && dist[p-1] > v {
			nbr[p], dist[p] = nbr[p-1], dist[p-1]
			p--
		}
		nbr[p], dist[p] = j, v
		filled = min(filled+1, m)
	}
}
