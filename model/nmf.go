package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/beta"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// NMF is classic nonnegative matrix factorization X ≈ W·H with W, H ≥ 0,
// with the semantics of scikit-learn's NMF (same losses, solvers and their
// defaults, initializations, regularization scaling and stopping test). It
// minimizes
//
//	D_β(X | WH) + α_W·ρ·d·‖W‖₁ + ½α_W(1−ρ)·d·‖W‖²_F + α_H·ρ·n·‖H‖₁ + ½α_H(1−ρ)·n·‖H‖²_F
//
// for X n x d, where D_β is ½‖X − WH‖²_F for β = 2, the generalized
// Kullback-Leibler divergence for β = 1, Itakura-Saito for β = 0 and the
// β-divergence otherwise; ρ is L1Ratio.
//
// Solvers: coordinate descent for the Frobenius loss (Cichocki and Phan
// 2009; Hsieh and Dhillon, KDD 2011), scikit-learn's default, and
// multiplicative updates (Lee and Seung, NIPS 2000; for general β with the
// exponent γ(β) of Févotte and Idier, Neural Computation 2011).
// docs/models/nmf.md gives the update rules. The factors are W (n x k, the
// embedding) and H (k x d); the result reports scikit-learn's
// reconstruction_err.
type NMF struct {
	Rank int
	Loss Loss `param:"loss" choices:"frobenius|kl=kullback-leibler|is=itakura-saito|beta" help:"the β-divergence: frobenius (β = 2), kl (β = 1), is (β = 0) or beta (β = Beta)"`
	// Beta is β for Loss "beta"; nil means 2.
	Beta *float64 `param:"beta" default:"2" help:"β of loss=beta"`
	// Solver "auto" is scikit-learn's choice: cd for the Frobenius loss, mu
	// for the others.
	Solver Solver            `param:"solver" choices:"auto|cd|mu" help:"coordinate descent (Frobenius only) or multiplicative updates"`
	Init   initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	// W0 and H0, if given (both), are the starting factors instead of Init.
	W0, H0 *mat.Dense
	// AlphaW and AlphaH weight the penalties on W and H; AlphaH nil is
	// scikit-learn's alpha_H="same", AlphaW. L1Ratio mixes L1 (1) and
	// L2 (0).
	AlphaW  float64  `param:"alpha_w" check:">=0" help:"penalty weight on W"`
	AlphaH  *float64 `param:"alpha_h" default:"same" check:">=0" help:"penalty weight on H (same: alpha_w)"`
	L1Ratio float64  `param:"l1_ratio" check:"[0,1]" help:"L1 share of the penalties"`
	// Shuffle randomizes the coordinate order of the cd solver.
	Shuffle bool `param:"shuffle" help:"random coordinate order (cd)"`
	// Masked makes the input a masked one (linalg.ObservedNaN,
	// ObservedStored, ObservedMask): its stored entries are the observed
	// cells, the others unknown, and the loss runs over the observed ones
	// only (matrix completion, with multiplicative updates). A dense input
	// is then fully observed.
	Masked bool
	// Float32 runs the fit in float32 (--dtype float32): the input, the
	// factors and the products rounded to float32, about twice as fast on
	// large inputs, for the Frobenius loss with either solver (the other
	// losses and Masked are refused). The factors are returned in float64,
	// the objective and the violation summed in float64. Transform
	// computes in float64.
	Float32 bool
	Seed    uint64
}

// Loss names a loss of NMF.
type Loss string

// The losses.
const (
	Frobenius    Loss = "frobenius"
	KL           Loss = "kl"
	ItakuraSaito Loss = "is"
	BetaLoss     Loss = "beta"
)

// Solver names a solver.
type Solver string

// The solvers.
const (
	SolverAuto Solver = "auto"
	SolverCD   Solver = "cd"
	SolverMU   Solver = "mu"
	SolverANLS Solver = "anls"
)

var nmfSpec = Spec{
	Name:      "nmf",
	Kind:      Data,
	Objective: "min D_β(X | WH) + elastic-net penalties, W, H ≥ 0 (β = 2 Frobenius, 1 KL, 0 IS)",
	Reference: "Lee & Seung, Nature 1999 / NIPS 2000; Févotte & Idier, Neural Comput. 2011; scikit-learn NMF",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(NMF) },
}

func (*NMF) spec() *Spec { return &nmfSpec }

// Fit factorizes x (n x d).
func (m *NMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *NMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	if m.Masked {
		x = linalg.ObservedStored(x)
	}
	run, err := m.newRun(x, true)
	if err != nil {
		return nil, err
	}
	run.rng = r.rng
	n, d := x.Dims()
	if m.W0 != nil || m.H0 != nil {
		if err := checkFactor("W0", m.W0, n, m.Rank); err != nil {
			return nil, err
		}
		if err := checkFactor("H0", m.H0, m.Rank, d); err != nil {
			return nil, err
		}
		run.w, run.h = mat.DenseCopyOf(m.W0), mat.DenseCopyOf(m.H0)
	} else if run.w, run.h, err = initialize.Factors(x, m.Rank, m.Init, r.rng); err != nil {
		return nil, invalid(err)
	}
	if m.Float32 {
		return m.fit32(r, run)
	}
	return r.final(run, func() *Result { return m.result(run.w, run.h, run.lossValue()) })
}

// result returns the result of a fit with factors w and h and loss D_β.
func (m *NMF) result(w, h *mat.Dense, loss float64) *Result {
	return &Result{
		Rank:              m.Rank,
		Embedding:         w,
		Approx:            &Approx{L: w, R: linalg.Transpose(h)},
		ReconstructionErr: math.Sqrt(2 * max(loss, 0)),
		Factors: []Factor{
			{Name: W, Doc: "n x k sample weights, X ≈ W·H", M: w},
			{Name: H, Doc: "k x d components", M: h},
		},
	}
}

// fit32 runs run, started, in float32 and returns its result, the factors
// in float64.
func (m *NMF) fit32(r *run, run *nmfRun) (*Result, error) {
	run32, err := newRun32(run)
	if err != nil {
		return nil, err
	}
	return r.final(run32, func() *Result {
		return m.result(linalg.Dense64(run32.w), linalg.Dense64(run32.h), run32.lossValue())
	})
}

// Transform returns W (m x k) for the samples x (m x d) with the
// components h (k x d) held fixed, as scikit-learn's transform: W starts
// at sqrt(mean(x)/k) for mu and at zero for cd.
func (m *NMF) Transform(ctx context.Context, x linalg.Matrix, h *mat.Dense, s solve.Settings) (*mat.Dense, *solve.Result, error) {
	c := *m
	c.Float32 = false // Transform computes in float64
	if err := resolve(&c); err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	if err := checkInput(x, false); err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	run, err := c.newRun(x, false)
	if err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	n, d := x.Dims()
	if err := checkFactor("H", h, c.Rank, d); err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	run.h = h
	run.w = mat.NewDense(n, c.Rank, nil)
	run.rng = initialize.NewRand(c.Seed)
	if !run.cd {
		avg := math.Sqrt(linalg.Mean(x) / float64(c.Rank))
		linalg.AddScalar(run.w, avg)
	}
	sr, err := solve.Fit(ctx, run, s.WithDefaults(nmfSpec.Settings))
	if err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	return run.w, sr, nil
}

// newRun validates the resolved configuration against x and returns a run
// without factors.
func (m *NMF) newRun(x linalg.Matrix, updateH bool) (*nmfRun, error) {
	b := 2.0
	switch m.Loss {
	case KL:
		b = 1
	case ItakuraSaito:
		b = 0
	case BetaLoss:
		b = *m.Beta
	}
	n, d := x.Dims()
	least := x.Stats().Min
	if m.Masked {
		least = math.Inf(1)
		x.Each(func(_, _ int, v float64) { least = min(least, v) })
	}
	if b <= 0 && least <= 0 {
		return nil, invalidf("β = %g needs strictly positive data: the divergence is undefined at zero entries", b)
	}
	cd := m.Solver == SolverCD || m.Solver == SolverAuto && b == 2 && !m.Masked
	switch {
	case cd && b != 2:
		return nil, invalidf("solver cd needs the Frobenius loss; use mu for β = %g", b)
	case cd && m.Masked:
		return nil, invalidf("solver cd does not take missing entries; use mu")
	}
	if m.Float32 {
		switch {
		case b != 2:
			return nil, invalidf("float32 runs the Frobenius loss only, not β = %g", b)
		case m.Masked:
			return nil, invalidf("float32 does not take missing entries")
		}
	}
	alphaH := m.AlphaW
	if m.AlphaH != nil {
		alphaH = *m.AlphaH
	}
	// scikit-learn's _compute_regularization: penalties scale with the
	// dimension they are summed over.
	return &nmfRun{
		x: x, beta: b, gamma: beta.Gamma(b), bw: beta.NewWork(b), cd: cd, updateH: updateH, shuffle: m.Shuffle, masked: m.Masked,
		l1W: float64(d) * m.AlphaW * m.L1Ratio, l2W: float64(d) * m.AlphaW * (1 - m.L1Ratio),
		l1H: float64(n) * alphaH * m.L1Ratio, l2H: float64(n) * alphaH * (1 - m.L1Ratio),
	}, nil
}

// f64Eps is float64 machine epsilon: scikit-learn zeroes factor entries
// below it for β < 1 (W) and β ≤ 1 (H), for stability.
const f64Eps = 2.220446049250313e-16

// nmfRun is one NMF fit: it implements solve.Model and solve.Monitor.
type nmfRun struct {
	x                  linalg.Matrix
	w, h               *mat.Dense
	beta, gamma        float64
	bw                 *beta.Work // the β-divergence's scratch
	l1W, l2W, l1H, l2H float64
	cd, updateH        bool
	masked             bool // the stored entries of x are the observed ones
	shuffle            bool
	rng                *rand.Rand
	violation          float64

	loss        float64 // D_β at the current factors, valid when fresh
	fresh       bool
	numW, denW  *mat.Dense // n x k scratch
	numH, denH  *mat.Dense // k x d scratch
	tmpT, tmpT2 *mat.Dense // d x k scratch
	kk, kk2     mat.Dense  // k x k scratch
	perm        []int      // coordinate order of the cd solver
	ws          []float64  // column sums of W (mu, β = 1)
}

// Step implements solve.Model.
func (r *nmfRun) Step() error {
	r.fresh = false
	if r.cd {
		r.violation = r.cdW()
		if r.updateH {
			r.violation += r.cdH()
		}
		return nil
	}
	r.muW()
	if r.beta < 1 {
		linalg.ZeroBelow(r.w, f64Eps)
	}
	if r.updateH {
		r.muH()
		if r.beta <= 1 {
			linalg.ZeroBelow(r.h, f64Eps)
		}
	}
	return nil
}

// scratch allocates, once, the scratch matrices of the solver: cd uses
// numW, tmpT and tmpT2, mu all but tmpT2, which only its masked form uses.
func (r *nmfRun) scratch() {
	if r.numW != nil {
		return
	}
	n, d := r.x.Dims()
	k := r.w.RawMatrix().Cols
	r.numW, r.tmpT = mat.NewDense(n, k, nil), mat.NewDense(d, k, nil)
	if r.cd || r.masked {
		r.tmpT2 = mat.NewDense(d, k, nil)
	}
	if !r.cd {
		r.denW = mat.NewDense(n, k, nil)
		r.numH, r.denH = mat.NewDense(k, d, nil), mat.NewDense(k, d, nil)
		r.ws = make([]float64, k)
	}
}

func (r *nmfRun) muW() {
	r.scratch()
	// gonum's GEMM is faster with Hᵀ materialized than with a transposed
	// operand; the copy is d x k, small beside the products.
	linalg.TransposeTo(r.tmpT, r.h)
	if r.masked {
		r.bw.MaskedGradW(r.numW, r.denW, r.x, r.w, r.h, r.tmpT)
	} else {
		r.bw.GradW(r.numW, r.denW, &r.kk, r.x, r.w, r.h, r.tmpT)
	}
	penalize(r.denW, r.w, r.l1W, r.l2W)
	linalg.MulUpdate(r.w, r.numW, r.denW, r.gamma, linalg.Eps)
}

func (r *nmfRun) muH() {
	r.scratch()
	num, den := r.numH, r.denH
	switch {
	case r.masked:
		r.bw.MaskedGradHT(r.tmpT, r.tmpT2, r.x, r.w, r.h)
		linalg.TransposeTo(num, r.tmpT)
		linalg.TransposeTo(den, r.tmpT2)
	case r.beta == 2:
		r.x.TMul(r.tmpT, r.w)
		linalg.TransposeTo(num, r.tmpT)
		linalg.GramTo(&r.kk, r.w)
		den.Mul(&r.kk, r.h)
	case r.beta == 1:
		r.bw.Ratio(r.x, r.w, r.h).TMul(r.tmpT, r.w)
		linalg.TransposeTo(num, r.tmpT)
		linalg.ColSumsTo(r.ws, r.w)
		raw := den.RawMatrix()
		for i, s := range r.ws {
			if s == 0 {
				s = 1
			}
			row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
			for j := range row {
				row[j] = s
			}
		}
	default:
		r.bw.Ratio(r.x, r.w, r.h).TMul(r.tmpT, r.w)
		linalg.TransposeTo(num, r.tmpT)
		r.bw.TPowMul(den, r.w, r.h)
	}
	penalize(den, r.h, r.l1H, r.l2H)
	linalg.MulUpdate(r.h, num, den, r.gamma, linalg.Eps)
}

// penalize adds the gradient of the elastic-net penalty to a denominator.
func penalize(den, f *mat.Dense, l1, l2 float64) {
	if l1 > 0 {
		linalg.AddScalar(den, l1)
	}
	if l2 > 0 {
		linalg.Map(den, func(i, j int, v float64) float64 { return v + l2*f.At(i, j) })
	}
}

// cdW runs one coordinate-descent sweep over W and returns the projected
// gradient violation.
func (r *nmfRun) cdW() float64 {
	r.scratch()
	linalg.TransposeTo(r.tmpT, r.h)
	r.x.Mul(r.numW, r.tmpT)
	linalg.GramTo(&r.kk, r.tmpT)
	return r.cdSweep(r.w, &r.kk, r.numW, r.l1W, r.l2W)
}

// cdH runs one sweep over H, through Hᵀ, as scikit-learn does.
func (r *nmfRun) cdH() float64 {
	r.scratch()
	r.x.TMul(r.tmpT, r.w)
	linalg.GramTo(&r.kk, r.w)
	linalg.TransposeTo(r.tmpT2, r.h)
	v := r.cdSweep(r.tmpT2, &r.kk, r.tmpT, r.l1H, r.l2H)
	linalg.TransposeTo(r.h, r.tmpT2)
	return v
}

func (r *nmfRun) cdSweep(f, gram, cross *mat.Dense, l1, l2 float64) float64 {
	k := gram.RawMatrix().Cols
	for t := 0; t < k; t++ {
		gram.Set(t, t, gram.At(t, t)+l2)
	}
	if l1 != 0 {
		linalg.AddScalar(cross, -l1)
	}
	r.perm = coordOrder(r.perm, k, r.shuffle, r.rng)
	return linalg.CoordinateDescent(f, gram, cross, r.perm)
}

// coordOrder returns the order of a coordinate-descent sweep over k
// coordinates in perm, reallocated if its length is not k: 0..k-1, shuffled
// with rng if shuffle is set.
func coordOrder(perm []int, k int, shuffle bool, rng *rand.Rand) []int {
	if len(perm) != k {
		perm = make([]int, k)
	}
	for i := range perm {
		perm[i] = i
	}
	if shuffle {
		rng.Shuffle(k, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	}
	return perm
}

// Objective implements solve.Model: the loss plus the penalties.
func (r *nmfRun) Objective() float64 {
	obj := r.lossValue()
	if r.l1W > 0 || r.l2W > 0 {
		obj += r.l1W*mat.Sum(r.w) + 0.5*r.l2W*linalg.Dot(r.w, r.w)
	}
	if r.updateH && (r.l1H > 0 || r.l2H > 0) {
		obj += r.l1H*mat.Sum(r.h) + 0.5*r.l2H*linalg.Dot(r.h, r.h)
	}
	return obj
}

// Monitor implements solve.Monitor: scikit-learn watches sqrt(2·D_β) with
// the relative-decrease rule for mu, and the projected-gradient violation
// relative to the first iteration for cd.
func (r *nmfRun) Monitor() (float64, solve.Rule) {
	if r.cd {
		return r.violation, solve.RelativeToFirst
	}
	return math.Sqrt(2 * max(r.lossValue(), 0)), solve.RelativeDecrease
}

func (r *nmfRun) lossValue() float64 {
	if !r.fresh {
		switch {
		case r.masked:
			r.loss = r.bw.MaskedDivergence(r.x, r.w, r.h)
		case r.beta == 2 && r.numW != nil:
			// The scratch of the steps is free between them.
			linalg.TransposeTo(r.tmpT, r.h)
			r.loss = beta.Frobenius(r.x, r.w, r.tmpT, r.numW, &r.kk, &r.kk2)
		default:
			r.loss = r.bw.Divergence(r.x, r.w, r.h)
		}
		r.fresh = true
	}
	return r.loss
}

// BetaDivergence returns D_β(X | WH) as scikit-learn computes it: ½‖X −
// WH‖²_F for β = 2; otherwise summed over the entries of X above
// linalg.Eps, with WH floored at linalg.Eps there, plus the terms of
// Σ(WH) that do not involve X. For a sparse X, W·H is formed only at the
// stored entries, except for β ∉ {0, 1, 2}, where Σ(WH)^β needs every
// entry and is computed one block of rows at a time.
func BetaDivergence(x linalg.Matrix, w, h *mat.Dense, b float64) float64 {
	return beta.Divergence(x, w, h, b)
}

// asLayer returns the pre-training of a deep model's layer by this NMF
// (multiplicative updates, whatever Solver says, as Cichocki and Zdunek's
// multilayer NMF; the start from Init drawn with seed) with the given
// limits: the layer's coefficients are W (n x r) and its factor Hᵀ.
func (m *NMF) asLayer(x linalg.Matrix, seed uint64, limits solve.Settings) (layerFit, error) {
	c := *m
	c.Solver = SolverMU
	if err := resolve(&c); err != nil {
		return layerFit{}, err
	}
	run, err := c.newRun(x, true)
	if err != nil {
		return layerFit{}, err
	}
	run.rng = initialize.NewRand(seed)
	if run.w, run.h, err = initialize.Factors(x, c.Rank, c.Init, run.rng); err != nil {
		return layerFit{}, invalid(err)
	}
	return layerFit{model: run, limits: limits, layer: func() deep.Layer {
		return deep.Layer{U: linalg.Transpose(run.h), H: run.w}
	}}, nil
}
