package model

import (
	"context"

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
// H_p H_pᵀ = I. The embedding is H; the factors are H, W and, with Tri, S.
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
	Orth Orth `param:"orth" choices:"h|w|both" help:"the orthogonal factor(s)"`
	// Tri selects the tri-factorization X ≈ H·S·W; nil means true for
	// Orth "both" (which needs it) and false otherwise.
	Tri *bool `param:"tri" default:"auto" help:"tri-factorization X ≈ HSW (auto: true for orth=both)"`
	// Init "kmeans": H and Wᵀ are the k-means cluster indicators of the
	// samples and of the features plus 0.2, as Ding, Li and Jordan (2010)
	// start; or an initialize.Factors method, whose W (n x k) becomes H and
	// whose H (k x d) becomes W.
	Init initialize.Method `choices:"kmeans|random|nndsvd|nndsvda|nndsvdar"`
	Seed uint64
}

// Orth names the orthogonal factors of ONMF.
type Orth string

// The orthogonality choices.
const (
	OrthH    Orth = "h"
	OrthW    Orth = "w"
	OrthBoth Orth = "both"
)

var onmfSpec = Spec{
	Name:      "onmf",
	Kind:      Data,
	Objective: "min ½‖X − H·S·W‖²_F, H, S, W ≥ 0, HᵀH = I (orth=h) and/or WWᵀ = I (orth=w); S = I unless tri",
	Reference: "Ding, Li, Peng & Park, Orthogonal nonnegative matrix tri-factorizations for clustering, KDD 2006",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(ONMF) },
}

func (*ONMF) spec() *Spec { return &onmfSpec }

// Fit factorizes x (n x d).
func (m *ONMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *ONMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	tri := m.Orth == OrthBoth
	if m.Tri != nil {
		tri = *m.Tri
	}
	run := &onmfRun{x: x, tri: tri, orthH: m.Orth != OrthW, orthW: m.Orth != OrthH}
	if run.orthH && run.orthW && !tri {
		return nil, invalidf("orth=both needs tri=true: H·W with orthonormal H and W has all singular values 1 and cannot fit the data's scale")
	}
	h, w, err := m.start(x, r)
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
		c := linalg.UnitColumns(h)
		if !tri {
			linalg.ScaleRows(w, w, c)
		}
	}
	if run.orthW {
		c := linalg.RowNorms(w)
		inv := make([]float64, len(c))
		for i, v := range c {
			if inv[i] = 1; v > 0 {
				inv[i] = 1 / v
			} else {
				c[i] = 1
			}
		}
		linalg.ScaleRows(w, w, inv)
		if !tri {
			linalg.ScaleCols(h, c)
		}
	}
	switch {
	case tri:
		// S starts at HᵀXWᵀ, nonnegative and full: S = I would stay
		// diagonal for ever, since multiplicative updates cannot leave 0.
		run.s = linalg.Product(crossT(x, h), w.T())
		run.s.Scale(linalg.OptimalScale(x, linalg.Product(h, run.s), w, nil), run.s)
	case run.orthH:
		linalg.Scale(w, linalg.OptimalScale(x, h, w, nil))
	default:
		linalg.Scale(h, linalg.OptimalScale(x, h, w, nil))
	}
	factors := []Factor{
		{Name: H, Doc: "n x k sample factor (cluster indicator), the paper's Hᵀ", M: run.h},
		{Name: W, Doc: "k x d basis, the paper's Wᵀ", M: run.w},
	}
	if tri {
		factors = append(factors, Factor{Name: S, Doc: "k x k block association, X ≈ H·S·W (the paper's Sᵀ)", M: run.s})
	}
	return r.final(run, func() *Result {
		return &Result{Rank: m.Rank, Embedding: run.h, Factors: factors, Approx: &Approx{L: run.a(), R: linalg.Transpose(run.w)}}
	})
}

// start returns the starting H (n x k) and W (k x d).
func (m *ONMF) start(x linalg.Matrix, r *run) (h, w *mat.Dense, err error) {
	if m.Init == initialize.KMeans {
		if h, err = initialize.KMeansIndicator(x, m.Rank, r.seed, false); err != nil {
			return nil, nil, invalid(err)
		}
		wt, err := initialize.KMeansIndicator(x, m.Rank, r.seed, true)
		if err != nil {
			return nil, nil, invalid(err)
		}
		return h, linalg.Transpose(wt), nil
	}
	h, w, err = initialize.Factors(x, m.Rank, m.Init, r.rng)
	return h, w, invalid(err)
}

// crossT returns Aᵀ·X (k x d) for x n x d and a n x k, through Xᵀ·A, the
// product every Matrix provides.
func crossT(x linalg.Matrix, a *mat.Dense) *mat.Dense {
	_, d := x.Dims()
	_, k := a.Dims()
	xta := mat.NewDense(d, k, nil)
	x.TMul(xta, a)
	return linalg.Transpose(xta)
}

// onmfRun is one ONMF fit: it implements solve.Model.
type onmfRun struct {
	x            linalg.Matrix
	h, s, w      *mat.Dense // n x k, k x k (nil unless tri), k x d
	tri          bool
	orthH, orthW bool

	// The steps' scratch, allocated once by scratch.
	hs, numH, denH, xwt *mat.Dense // n x k; hs = H·S
	sw, numW, denW      *mat.Dense // k x d; sw = S·W
	xta, bt             *mat.Dense // d x k
	kk, kk2, kk3, kk4   mat.Dense  // k x k
}

// scratch allocates, once, the scratch matrices of the steps.
func (r *onmfRun) scratch() {
	if r.numH != nil {
		return
	}
	n, k := r.h.Dims()
	_, d := r.w.Dims()
	nk, kd, dk := func() *mat.Dense { return mat.NewDense(n, k, nil) }, func() *mat.Dense { return mat.NewDense(k, d, nil) }, func() *mat.Dense { return mat.NewDense(d, k, nil) }
	r.numH, r.denH, r.xwt, r.numW, r.denW, r.xta, r.bt = nk(), nk(), nk(), kd(), kd(), dk(), dk()
	if r.s != nil {
		r.hs, r.sw = nk(), kd()
	}
}

// a returns H·S, or H when S = I.
func (r *onmfRun) a() *mat.Dense {
	if r.s == nil {
		return r.h
	}
	return linalg.Product(r.h, r.s)
}

// Step implements solve.Model: W, then H, then S.
func (r *onmfRun) Step() error {
	r.scratch()
	a := r.h
	if r.s != nil {
		a = r.hs
		a.Mul(r.h, r.s)
	}
	num, den := r.numW, r.denW
	r.x.TMul(r.xta, a)
	linalg.TransposeTo(num, r.xta) // AᵀX, k x d
	gamma := 1.0
	if r.orthW {
		linalg.MulABt(&r.kk, num, r.w)
		den.Mul(&r.kk, r.w)
		gamma = 0.5
	} else {
		linalg.GramTo(&r.kk, a)
		den.Mul(&r.kk, r.w)
	}
	linalg.MulUpdate(r.w, num, den, gamma, linalg.Eps)

	b := r.w
	if r.s != nil {
		b = r.sw
		b.Mul(r.s, r.w)
	}
	num, den = r.numH, r.denH
	linalg.MulBt(r.x, num, b, r.bt) // X·Bᵀ
	gamma = 1
	if r.orthH {
		linalg.MulAtB(&r.kk, r.h, num)
		den.Mul(r.h, &r.kk)
		gamma = 0.5
	} else {
		linalg.MulABt(&r.kk, b, b)
		den.Mul(r.h, &r.kk)
	}
	linalg.MulUpdate(r.h, num, den, gamma, linalg.Eps)

	if r.s != nil {
		linalg.MulBt(r.x, r.xwt, r.w, r.bt)
		num, den = &r.kk, &r.kk4
		linalg.MulAtB(num, r.h, r.xwt)
		linalg.GramTo(&r.kk2, r.h)
		r.kk3.Mul(&r.kk2, r.s)
		linalg.MulABt(&r.kk2, r.w, r.w)
		den.Mul(&r.kk3, &r.kk2)
		linalg.MulUpdate(r.s, num, den, 0.5, linalg.Eps)
	}
	return nil
}

// Objective implements solve.Model: ½‖X − H·S·W‖²_F.
func (r *onmfRun) Objective() float64 { return BetaDivergence(r.x, r.a(), r.w, 2) }
