package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/adversary"
	"github.com/deepnmf/deepnmf/solve"
)

// LPANMF is link prediction by adversarial NMF (Mahmoodi, Seyedi,
// Akhlaghian Tab and Abdollahpouri, "Link prediction by adversarial
// nonnegative matrix factorization", Knowledge-Based Systems 280, 2023):
// for a graph's adjacency matrix A (n x n) it solves
//
//	min_{W, H ≥ 0} max_{R: A + R ≥ 0} ‖A + R − WH‖²_F − λ‖R‖²_F + α Tr(H L Hᵀ) + β(‖W‖²_F + ‖H‖²_F),
//
// W n x k, H k x n, L = D − A the Laplacian of the graph: an adversary R
// perturbs the observed graph where the factorization fits it worst, and
// the factorization learns to resist it; pairs are scored by (WH)_uv. For
// λ > 1 the inner maximization is concave, with the closed form
//
//	R = max((A − WH)/(λ − 1), −A),
//
// which is zero wherever A is (WH ≥ 0 and A + R ≥ 0), so the perturbed
// graph A + R keeps A's pattern and stays sparse: on an edge its weight
// 1 + (1 − (WH)_uv)/(λ − 1) grows where the edge is under-fitted and
// shrinks where it is over-fitted. The learner's steps are multiplicative
// updates for the fixed target T = A + R (each a majorization-minimization
// step, so the objective does not increase between two moves of the
// adversary):
//
//	W ← W ⊙ T Hᵀ / (W H Hᵀ + βW),   H ← H ⊙ (Wᵀ T + α H A) / (WᵀW H + α H D + βH),
//
// and the adversary moves every AdversaryEvery iterations after a first
// stretch with R = 0. The paper's update rules and code were not
// available: docs/models/lpanmf.md gives the derivation and every choice.
// The factors are W (n x k, the embedding) and H (k x n); Approx is WH.
type LPANMF struct {
	Rank int
	// Lambda is λ > 1, the price of the perturbation (nil: 2, so that
	// R = A − WH on the edges).
	Lambda *float64 `param:"lambda" default:"2" check:">1" help:"price λ of the perturbation (> 1)"`
	// Alpha weights the graph term (nil: 10), Beta the ridge (nil: 0.01).
	Alpha *float64 `param:"alpha" default:"10" check:">=0" help:"weight α of the graph term Tr(HLHᵀ)"`
	Beta  *float64 `param:"beta" default:"0.01" check:">=0" help:"weight β of the ridge ‖W‖² + ‖H‖²"`
	// Snap zeros, after the fit, the entries of W and H below Snap times
	// their factor's largest entry (nil: linalg.Eps; 0 keeps them).
	Snap *float64 `param:"snap" default:"1.1920928955078125e-07" check:">=0" help:"after the fit, zero the factors' entries below snap × their factor's largest (0: keep)"`
	// AdversaryEvery is the number of learner iterations between moves of
	// the adversary, and before its first move.
	AdversaryEvery int `param:"adversary_every" default:"10" check:">=1" help:"learner iterations between moves of the adversary"`
	// Init is initialize.Factors' start: NNDSVD with zeros filled by the
	// mean (nndsvda, the default), or random, |N(0,1)|·sqrt(mean(A)/k).
	Init initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	Seed uint64
}

var lpanmfSpec = Spec{
	Name:      "lpanmf",
	Kind:      Graph,
	Objective: "min_{W,H ≥ 0} max_R ‖A + R − WH‖² − λ‖R‖² + α Tr(HLHᵀ) + β(‖W‖² + ‖H‖²), A + R ≥ 0",
	Reference: "Mahmoodi, Seyedi, Akhlaghian Tab & Abdollahpouri, Link prediction by adversarial NMF, KBS 280 (2023) 110998",
	// A fixed schedule: the adversary moves every adversary_every
	// iterations, so the objective is not monotone and no tolerance applies.
	Settings: solve.Settings{MaxIter: 200, Tol: new(0.0)},
	new:      func() fitter { return new(LPANMF) },
}

func (*LPANMF) spec() *Spec { return &lpanmfSpec }

// Fit factorizes the adjacency matrix a.
func (m *LPANMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *LPANMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	if _, err := square(x); err != nil {
		return nil, err
	}
	a := toCSR(x)
	lap, err := graph.NewLaplacian(a)
	if err != nil {
		return nil, invalid(err)
	}
	w, h, err := initialize.Factors(a, m.Rank, m.Init, r.rng)
	if err != nil {
		return nil, invalid(err)
	}
	run := newLPARun(a, lap, w, h, *m.Lambda, *m.Alpha, *m.Beta, m.AdversaryEvery)
	return r.final(run, func() *Result {
		snapZeros(w, *m.Snap)
		snapZeros(h, *m.Snap)
		return &Result{
			Rank:      m.Rank,
			Embedding: w,
			Approx:    &Approx{L: w, R: linalg.Transpose(h)},
			Factors: []Factor{
				{Name: W, Doc: "n x k node factor, A + R ≈ W·H", M: w},
				{Name: H, Doc: "k x n node factor", M: h},
			},
		}
	})
}

// lpaRun is one LPANMF fit: it implements solve.Model. It keeps Hᵀ
// (n x k) beside H for the products with the sparse T and A.
type lpaRun struct {
	a                   *linalg.CSR
	lap                 *graph.Laplacian
	w, h                *mat.Dense // n x k, k x n
	c                   float64    // the adversary's scale, 1/(λ − 1)
	lambda, alpha, beta float64
	every, iter         int
	t                   linalg.Matrix // A + R, A's pattern
	rr                  float64       // ‖R‖²
	adv                 adversary.Work

	ht, num, den, tmp *mat.Dense // n x k
	kk                *mat.Dense // k x k
}

func newLPARun(a *linalg.CSR, lap *graph.Laplacian, w, h *mat.Dense, lambda, alpha, beta float64, every int) *lpaRun {
	n, k := w.Dims()
	nk := func() *mat.Dense { return mat.NewDense(n, k, nil) }
	return &lpaRun{
		a: a, lap: lap, w: w, h: h, c: adversary.FrobeniusScale(1, lambda, math.Inf(1)), lambda: lambda, alpha: alpha, beta: beta, every: every,
		t: a, ht: linalg.Transpose(h), num: nk(), den: nk(), tmp: nk(), kk: mat.NewDense(k, k, nil),
	}
}

// Step implements solve.Model: the adversary's move when one is due, then
// W and H for the target A + R.
func (r *lpaRun) Step() error {
	if r.iter > 0 && r.iter%r.every == 0 {
		c := r.c
		t, norms, _ := r.adv.Target(r.a, r.adv.Residual(r.a, r.w, r.ht), func(int, int) float64 { return c })
		r.t, r.rr = t, floats.Dot(norms, norms)
	}
	r.iter++
	num, den := r.wParts()
	linalg.MulUpdate(r.w, num, den, 1, linalg.Eps)
	num, den = r.hParts()
	linalg.MulUpdate(r.ht, num, den, 1, linalg.Eps)
	linalg.TransposeTo(r.h, r.ht)
	return nil
}

// wParts returns the numerator T Hᵀ and the denominator W(HHᵀ) + βW of W's
// update: the objective's gradient in W is twice their difference.
func (r *lpaRun) wParts() (num, den *mat.Dense) {
	r.t.Mul(r.num, r.ht)
	linalg.GramTo(r.kk, r.ht)
	r.den.Mul(r.w, r.kk)
	if r.beta > 0 {
		r.tmp.Scale(r.beta, r.w)
		r.den.Add(r.den, r.tmp)
	}
	return r.num, r.den
}

// hParts returns the numerator Tᵀ W + α A Hᵀ and the denominator
// Hᵀ(WᵀW) + α D Hᵀ + β Hᵀ of Hᵀ's update: the objective's gradient in Hᵀ
// is twice their difference.
func (r *lpaRun) hParts() (num, den *mat.Dense) {
	r.t.TMul(r.num, r.w)
	linalg.GramTo(r.kk, r.w)
	r.den.Mul(r.ht, r.kk)
	if r.alpha > 0 {
		r.lap.MulA(r.tmp, r.ht)
		linalg.Scale(r.tmp, r.alpha)
		r.num.Add(r.num, r.tmp)
		r.lap.MulD(r.tmp, r.ht)
		linalg.Scale(r.tmp, r.alpha)
		r.den.Add(r.den, r.tmp)
	}
	if r.beta > 0 {
		r.tmp.Scale(r.beta, r.ht)
		r.den.Add(r.den, r.tmp)
	}
	return r.num, r.den
}

// Objective implements solve.Model: the min-max objective at the current
// factors and adversary, ‖T − WH‖² − λ‖R‖² + α Tr(HLHᵀ) + β(‖W‖² + ‖H‖²),
// from Gram matrices and products with the sparse T, A and R.
func (r *lpaRun) Objective() float64 {
	r.t.Mul(r.tmp, r.ht)
	var wtw, hht mat.Dense
	linalg.GramTo(&wtw, r.w)
	linalg.GramTo(&hht, r.ht)
	st := r.t.Stats()
	fit := max(st.SquaredNorm-2*linalg.Dot(r.tmp, r.w)+linalg.Dot(&wtw, &hht), 0)
	obj := fit - r.lambda*r.rr
	if r.alpha > 0 {
		obj += r.alpha * r.lap.Trace(r.ht, r.num)
	}
	if r.beta > 0 {
		obj += r.beta * (linalg.Dot(r.w, r.w) + linalg.Dot(r.ht, r.ht))
	}
	return obj
}

// snapZeros sets the entries of f below tol times its largest entry to
// zero (none when tol is 0). Multiplicative updates only shrink an entry
// toward zero geometrically, never reach it: after a fit, the entries that
// should vanish sit at values like 1e-40, and the pairs they reconstruct
// get scores ordered by that residue rather than tied at zero. With tol
// the float32 machine epsilon (linalg.Eps, the updates' floor), those
// entries are zero, as a solver with exact zeros (CD, ANLS) leaves them.
// Snapping both factors of a rank-k product LRᵀ moves each of its entries
// by at most 2·tol·k·max(L)·max(R).
func snapZeros(f *mat.Dense, tol float64) {
	if tol <= 0 {
		return
	}
	raw := f.RawMatrix()
	r, c := f.Dims()
	top := 0.0
	for i := range r {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			top = max(top, v)
		}
	}
	for i := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j, v := range row {
			if v < tol*top {
				row[j] = 0
			}
		}
	}
}
