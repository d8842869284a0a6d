package model

import (
	"context"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
	"github.com/deepnmf/deepnmf/solve"
)

// AsymNMF is asymmetric NMF, or symmetric nonnegative matrix
// tri-factorization, of a directed (or undirected) graph's adjacency
// matrix A (n x n):
//
//	min_{H ≥ 0, W ≥ 0} ‖A − HWHᵀ‖²_F,  H n x k, W k x k,
//
// where row i of H holds node i's cluster memberships and W the weights of
// the links between clusters, asymmetric for a directed graph (Wang, Li,
// Wang, Zhu and Ding, "Community discovery using nonnegative matrix
// factorization", DMKD 22, 2011). The multiplicative updates are
//
//	H ← H ⊙ [(AᵀHW + AHWᵀ) / (HWᵀHᵀHW + HWHᵀHWᵀ)]^{1/4}
//	W ← W ⊙ (HᵀAH) / (HᵀHWHᵀH)
//
// with HWᵀHᵀHW computed as H·(Wᵀ(HᵀH)W) from k x k products only
// (package trifactor, which also pre-trains the layers of the deep
// asymmetric models). docs/models/asymnmf.md gives the details. The
// factors are H (n x k, the embedding) and W (k x k).
type AsymNMF struct {
	Rank int
	// Init "random" is H = |N(0,1)|·sqrt(mean(A)/k), W = |N(0,1)|/k;
	// "svd" the RAsNMF reference code's SVD start (initialize.TriSVD).
	// Custom starting factors H0 (n x k) and W0 (k x k) override it.
	Init   initialize.Method `choices:"random|svd"`
	H0, W0 *mat.Dense
	Seed   uint64
}

var asymnmfSpec = Spec{
	Name:      "asymnmf",
	Kind:      Graph,
	Objective: "min ‖A − HWHᵀ‖², H, W ≥ 0 (A directed or undirected; W k x k cluster links)",
	Reference: "Wang, Li, Wang, Zhu & Ding, DMKD 2011 (ANMF); DAsNMF eqs. 4-5 (Hajiveiseh et al., PR 2024)",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(AsymNMF) },
}

func (*AsymNMF) spec() *Spec { return &asymnmfSpec }

// Fit factorizes the adjacency matrix a.
func (m *AsymNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *AsymNMF) fit(r *run, a linalg.Matrix) (*Result, error) {
	h, w, err := triStart(a, m.Rank, m.Init, m.H0, m.W0, r.rng)
	if err != nil {
		return nil, err
	}
	return r.final(trifactor.New(a, h, w), func() *Result {
		return &Result{
			Rank:      m.Rank,
			Approx:    &Approx{L: linalg.Product(h, w), R: h},
			Embedding: h,
			Factors: []Factor{
				{Name: H, Doc: "n x k cluster memberships, A ≈ H·W·Hᵀ", M: h},
				{Name: W, Doc: "k x k links between clusters (W_ab: from cluster a to cluster b)", M: w},
			},
		}
	})
}

// triStart checks the square a and the rank k of a tri-factor model and
// returns its starting H (n x k) and W (k x k): the custom h0, w0 if
// given, otherwise initialize.TriRandom or initialize.TriSVD.
func triStart(a linalg.Matrix, k int, method initialize.Method, h0, w0 *mat.Dense, rng *rand.Rand) (h, w *mat.Dense, err error) {
	n, err := square(a)
	if err != nil {
		return nil, nil, err
	}
	if h0 != nil || w0 != nil {
		if err := checkFactor("H0", h0, n, k); err != nil {
			return nil, nil, err
		}
		if err := checkFactor("W0", w0, k, k); err != nil {
			return nil, nil, err
		}
		return mat.DenseCopyOf(h0), mat.DenseCopyOf(w0), nil
	}
	if method == initialize.SVD {
		h, w, err = initialize.TriSVD(a, k, rng)
		return h, w, invalid(err)
	}
	h, w = initialize.TriRandom(a, k, rng)
	return h, w, nil
}
