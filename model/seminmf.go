package model

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
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
// docs/models/seminmf.md gives the details.
type SemiNMF struct {
	Rank int
	// Init is "kmeans" (the default, also ""): the paper's start, W = the
	// k-means cluster indicator + 0.2; "random": |N(0,1)| entries; or, for
	// nonnegative data only, one of the initialize methods, whose W is used.
	Init string
	Seed uint64
}

var seminmfSpec = Spec{
	Name:      "seminmf",
	Kind:      Data,
	Objective: "min ½‖X − WH‖²_F, W ≥ 0 (n x k embedding), H free in sign; X may have any sign",
	Reference: "Ding, Li & Jordan, Convex and semi-nonnegative matrix factorizations, IEEE TPAMI 2010",
	Params:    "(none; --init kmeans|random|nndsvd|nndsvda|nndsvdar, default kmeans)",
	New: func(c Config) (Estimator, error) {
		return &SemiNMF{Rank: c.Rank, Init: c.Init, Seed: c.Seed}, nil
	},
}

// Fit factorizes x (n x d, any sign). The result's Embedding is W; its
// factors are W (n x k, nonnegative) and H (k x d).
func (m *SemiNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkInput(x, m.Rank, false); err != nil {
		return nil, err
	}
	w, err := m.init(x)
	if err != nil {
		return nil, err
	}
	run := &semiRun{x: x, w: w}
	if err := run.solveH(); err != nil {
		return nil, err
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("seminmf: %w", err)
	}
	return &Result{
		Result:    *sr,
		Model:     "seminmf",
		Rank:      m.Rank,
		Embedding: run.w,
		Factors: []Factor{
			{Name: "W", Doc: "n x k nonnegative sample weights (the paper's G), X ≈ W·H", M: run.w},
			{Name: "H", Doc: "k x d basis of any sign (the paper's Fᵀ)", M: run.h},
		},
	}, nil
}

// init returns the starting W (n x k).
func (m *SemiNMF) init(x linalg.Matrix) (*mat.Dense, error) {
	n, _ := x.Dims()
	rng := initialize.NewRand(m.Seed)
	switch m.Init {
	case "", "kmeans":
		// Ding et al. start from k-means: G = indicator + 0.2.
		return dmKMeansStart(x, m.Rank, m.Seed, false)
	case initialize.Random:
		return initialize.RandomDense(n, m.Rank, 1, rng), nil
	case initialize.NNDSVD, initialize.NNDSVDA, initialize.NNDSVDAR:
		if x.Stats().Min < 0 {
			return nil, invalidf("init %s needs nonnegative data; use kmeans or random", m.Init)
		}
		w, _, err := initialize.Factors(x, m.Rank, m.Init, rng)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		return w, nil
	}
	return nil, invalidf("unknown init %q for seminmf (want kmeans, random, nndsvd, nndsvda or nndsvdar)", m.Init)
}

// semiRun is one semi-NMF fit: it implements solve.Model.
type semiRun struct {
	x    linalg.Matrix
	w, h *mat.Dense // n x k ≥ 0, k x d
}

// solveH sets H to the least-squares solution (WᵀW)⁺ WᵀX.
func (r *semiRun) solveH() error {
	p, err := linalg.Pinv(dmGram(r.w))
	if err != nil {
		return fmt.Errorf("seminmf: %w", err)
	}
	r.h = dmMul(p, dmTMul(r.x, r.w))
	return nil
}

// Step implements solve.Model: the multiplicative update of W, then the
// least-squares H.
func (r *semiRun) Step() error {
	n, k := r.w.Dims()
	a := mat.NewDense(n, k, nil)
	r.x.Mul(a, r.h.T()) // X·Hᵀ
	b := dmMul(r.h, r.h.T())
	ap, an := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	bp, bn := mat.NewDense(k, k, nil), mat.NewDense(k, k, nil)
	linalg.PosNeg(ap, an, a)
	linalg.PosNeg(bp, bn, b)
	num, den := dmMul(r.w, bn), dmMul(r.w, bp)
	num.Add(num, ap)
	den.Add(den, an)
	linalg.MulUpdate(r.w, num, den, 0.5, linalg.Eps)
	return r.solveH()
}

// Objective implements solve.Model: ½‖X − WH‖²_F.
func (r *semiRun) Objective() float64 { return dmFrobenius(r.x, r.w, r.h) }
