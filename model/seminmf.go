package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/semi"
	"github.com/deepnmf/deepnmf/solve"
)

// SemiNMF is semi-nonnegative matrix factorization (Ding, Li and Jordan,
// "Convex and semi-nonnegative matrix factorizations", IEEE TPAMI 32(1),
// 2010) for data of any sign: for X n x d it minimizes
//
//	½‖X − W·H‖²_F  subject to W ≥ 0 (n x k), H (k x d) free in sign,
//
// The paper writes X (d x n, one sample per column) ≈ F·Gᵀ with G ≥ 0; here
// W = G is the nonnegative per-sample factor and the embedding, and H = Fᵀ
// is the basis. Each iteration updates W by the paper's multiplicative rule
// and then sets H to its least-squares optimum,
//
//	W ← W ⊙ sqrt( ([XHᵀ]⁺ + W[HHᵀ]⁻) / ([XHᵀ]⁻ + W[HHᵀ]⁺) ),
//	H ← (WᵀW)⁺ WᵀX,
//
// with [M]⁺ = (|M|+M)/2 and [M]⁻ = (|M|−M)/2. Both steps are
// non-increasing, so the objective is monotone (the paper's Theorem 1).
// docs/models/seminmf.md gives the details. The factors are W (n x k) and
// H (k x d).
type SemiNMF struct {
	Rank int
	// Init "kmeans" is the paper's start, W = the k-means cluster indicator
	// + 0.2; "random": |N(0,1)| entries; the NNDSVD starts (nonnegative
	// data only) use initialize.Factors' W.
	Init initialize.Method `choices:"kmeans|random|nndsvd|nndsvda|nndsvdar"`
	Seed uint64
}

var seminmfSpec = Spec{
	Name:      "seminmf",
	Kind:      Data,
	Objective: "min ½‖X − WH‖²_F, W ≥ 0 (n x k embedding), H free in sign; X may have any sign",
	Reference: "Ding, Li & Jordan, Convex and semi-nonnegative matrix factorizations, IEEE TPAMI 2010",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(SemiNMF) },
}

func (*SemiNMF) spec() *Spec { return &seminmfSpec }

// signed implements signedInput: semi-NMF takes data of any sign.
func (*SemiNMF) signed(linalg.Matrix) bool { return true }

// Fit factorizes x (n x d, any sign).
func (m *SemiNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *SemiNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, _ := x.Dims()
	var w *mat.Dense
	switch m.Init {
	case initialize.KMeans:
		// Ding et al. start from k-means: G = indicator + 0.2.
		var err error
		if w, err = initialize.KMeansIndicator(x, m.Rank, r.seed, false); err != nil {
			return nil, invalid(err)
		}
	case initialize.Random:
		w = initialize.RandomDense(n, m.Rank, 1, r.rng)
	default:
		if x.Stats().Min < 0 {
			return nil, invalidf("init %s needs nonnegative data; use kmeans or random", m.Init)
		}
		var err error
		if w, _, err = initialize.Factors(x, m.Rank, m.Init, r.rng); err != nil {
			return nil, invalid(err)
		}
	}
	run, err := semi.New(x, w)
	if err != nil {
		return nil, err
	}
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Embedding: run.W,
			Approx:    &Approx{L: run.W, R: linalg.Transpose(run.H)},
			Factors: []Factor{
				{Name: W, Doc: "n x k nonnegative sample weights (the paper's G), X ≈ W·H", M: run.W},
				{Name: H, Doc: "k x d basis of any sign (the paper's Fᵀ)", M: run.H},
			},
		}
	})
}
