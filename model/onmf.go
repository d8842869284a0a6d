package model

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// ONMF is orthogonal nonnegative matrix factorization (Ding, Li, Peng and
// Park, "Orthogonal nonnegative matrix tri-factorizations for clustering",
// KDD 2006). For X n x d it minimizes
//
//	½‖X − H·S·W‖²_F  subject to H, S, W ≥ 0 and
//	HᵀH = I (Orth "h"), W·Wᵀ = I (Orth "w"), or both,
//
// with H n x k, S k x k and W k x d; S = I unless Tri is set. The factors
// keep the paper's names and roles, each stored transposed so that the
// per-sample factor has one row per sample: the paper factorizes the
// d x n matrix Xᵀ ≈ W_p S_p H_p with H_p = Hᵀ the sample (cluster indicator)
// factor and W_p = Wᵀ the basis, so "orthogonality on H" is the paper's
// H_p H_pᵀ = I. The embedding is H.
//
// Orthogonal factors take the paper's square-root rules, the others the
// Lee-Seung rule with S folded in (A = H·S, B = S·W):
//
//	W ← W ⊙ sqrt( AᵀX / ((AᵀX Wᵀ) W) )      (orthogonal W; else (AᵀX) / (AᵀA W))
//	H ← H ⊙ sqrt( XBᵀ / (H (Hᵀ XBᵀ)) )      (orthogonal H; else (XBᵀ) / (H BBᵀ))
//	S ← S ⊙ sqrt( HᵀXWᵀ / (HᵀH S WWᵀ) )     (Tri only)
//
// in that order, as NMFLibrary's dtpp_nmf. docs/models/onmf.md gives the
// details and the choices made.
type ONMF struct {
	Rank int
	// Orth is "h" (the default, also ""), "w" or "both".
	Orth string
	// Tri selects the tri-factorization X ≈ H·S·W; Orth "both" needs it.
	Tri bool
	// Init is "kmeans" (the default, also ""): H and Wᵀ are the k-means
	// cluster indicators of the samples and of the features plus 0.2, as
	// Ding, Li and Jordan (2010) start; or an initialize method, whose
	// W (n x k) becomes H and whose H (k x d) becomes W.
	Init string
	Seed uint64
}

var onmfSpec = Spec{
	Name:      "onmf",
	Kind:      Data,
	Objective: "min ½‖X − H·S·W‖²_F, H, S, W ≥ 0, HᵀH = I (orth=h) and/or WWᵀ = I (orth=w); S = I unless tri",
	Reference: "Ding, Li, Peng & Park, Orthogonal nonnegative matrix tri-factorizations for clustering, KDD 2006",
	Params:    "orth=h|w|both tri=false (true when orth=both) (--init kmeans|random|nndsvd|nndsvda|nndsvdar, default kmeans)",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		orth := p.String("orth", "h", "h", "w", "both")
		return &ONMF{
			Rank: c.Rank,
			Orth: orth,
			Tri:  p.Bool("tri", orth == "both"),
			Init: c.Init,
			Seed: c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d). The result's Embedding is H (n x k); its
// factors are H, W (k x d) and, with Tri, S (k x k).
func (m *ONMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	run := &onmfRun{x: x, tri: m.Tri}
	switch m.Orth {
	case "", "h":
		run.orthH = true
	case "w":
		run.orthW = true
	case "both":
		run.orthH, run.orthW = true, true
		if !m.Tri {
			return nil, invalidf("orth=both needs tri=true: H·W with orthonormal H and W has all singular values 1 and cannot fit the data's scale")
		}
	default:
		return nil, invalidf("unknown orth %q (want h, w or both)", m.Orth)
	}
	if err := checkInput(x, m.Rank, true); err != nil {
		return nil, err
	}
	h, w, err := m.init(x)
	if err != nil {
		return nil, err
	}
	run.h, run.w = h, w
	// The orthogonal factors start on the scale of the constraint: H with
	// unit columns, W with unit rows, their norms moved to the other
	// factor (to S, computed below, with Tri). Then S, or the other
	// factor, is scaled by the α minimizing ‖X − α·H·S·W‖, so that the
	// first objective is at most ½‖X‖²: the relative-decrease stopping
	// rule divides by it.
	if run.orthH {
		c := dmColNorms(h)
		dmScaleCols(h, dmInv(c))
		if !m.Tri {
			dmScaleCols(w.T(), c)
		}
	}
	if run.orthW {
		c := dmColNorms(w.T())
		dmScaleCols(w.T(), dmInv(c))
		if !m.Tri {
			dmScaleCols(h, c)
		}
	}
	switch {
	case m.Tri:
		// S starts at HᵀXWᵀ, nonnegative and full: S = I would stay
		// diagonal for ever, since multiplicative updates cannot leave 0.
		run.s = dmMul(dmTMul(x, h), w.T())
		run.s.Scale(dmOptimalScale(x, dmMul(h, run.s), w), run.s)
	case run.orthH:
		w.Scale(dmOptimalScale(x, h, w), w)
	default:
		h.Scale(dmOptimalScale(x, h, w), h)
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("onmf: %w", err)
	}
	factors := []Factor{
		{Name: "H", Doc: "n x k sample factor (cluster indicator), the paper's Hᵀ", M: run.h},
		{Name: "W", Doc: "k x d basis, the paper's Wᵀ", M: run.w},
	}
	if m.Tri {
		factors = append(factors, Factor{Name: "S", Doc: "k x k block association, X ≈ H·S·W (the paper's Sᵀ)", M: run.s})
	}
	return &Result{Result: *sr, Model: "onmf", Rank: m.Rank, Embedding: run.h, Factors: factors}, nil
}

// onmfRun is one ONMF fit: it implements solve.Model.
type onmfRun struct {
	x            linalg.Matrix
	h, s, w      *mat.Dense // n x k, k x k (nil unless tri), k x d
	tri          bool
	orthH, orthW bool
}

// a returns H·S, or H when S = I.
func (r *onmfRun) a() *mat.Dense {
	if r.s == nil {
		return r.h
	}
	return dmMul(r.h, r.s)
}

// b returns S·W, or W when S = I.
func (r *onmfRun) b() *mat.Dense {
	if r.s == nil {
		return r.w
	}
	return dmMul(r.s, r.w)
}

// Step implements solve.Model: W, then H, then S.
func (r *onmfRun) Step() error {
	a := r.a()
	num := dmTMul(r.x, a) // AᵀX, k x d
	var den *mat.Dense
	gamma := 1.0
	if r.orthW {
		den, gamma = dmMul(dmMul(num, r.w.T()), r.w), 0.5
	} else {
		den = dmMul(dmGram(a), r.w)
	}
	linalg.MulUpdate(r.w, num, den, gamma, linalg.Eps)

	b := r.b()
	n, k := r.h.Dims()
	num = mat.NewDense(n, k, nil)
	r.x.Mul(num, b.T()) // X·Bᵀ
	gamma = 1
	if r.orthH {
		den, gamma = dmMul(r.h, dmMul(r.h.T(), num)), 0.5
	} else {
		den = dmMul(r.h, dmMul(b, b.T()))
	}
	linalg.MulUpdate(r.h, num, den, gamma, linalg.Eps)

	if r.s != nil {
		xwt := mat.NewDense(n, k, nil)
		r.x.Mul(xwt, r.w.T())
		num = dmMul(r.h.T(), xwt)
		den = dmMul(dmMul(dmGram(r.h), r.s), dmMul(r.w, r.w.T()))
		linalg.MulUpdate(r.s, num, den, 0.5, linalg.Eps)
	}
	return nil
}

// Objective implements solve.Model: ½‖X − H·S·W‖²_F.
func (r *onmfRun) Objective() float64 { return dmFrobenius(r.x, r.a(), r.w) }

// init returns the starting H (n x k) and W (k x d).
func (m *ONMF) init(x linalg.Matrix) (h, w *mat.Dense, err error) {
	if m.Init == "" || m.Init == "kmeans" {
		if h, err = dmKMeansStart(x, m.Rank, m.Seed, false); err != nil {
			return nil, nil, err
		}
		wt, err := dmKMeansStart(x, m.Rank, m.Seed, true)
		if err != nil {
			return nil, nil, err
		}
		return h, linalg.Transpose(wt), nil
	}
	h, w, err = initialize.Factors(x, m.Rank, m.Init, initialize.NewRand(m.Seed))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return h, w, nil
}
