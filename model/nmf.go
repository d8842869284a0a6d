package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// NMF is classic nonnegative matrix factorization X ≈ W·H with W, H ≥ 0,
// with the semantics of scikit-learn's NMF (same losses, solvers,
// initializations, regularization scaling and stopping test). It minimizes
//
//	D_β(X | WH) + α_W·ρ·d·‖W‖₁ + ½α_W(1−ρ)·d·‖W‖²_F + α_H·ρ·n·‖H‖₁ + ½α_H(1−ρ)·n·‖H‖²_F
//
// for X n x d, where D_β is ½‖X − WH‖²_F for β = 2, the generalized
// Kullback-Leibler divergence for β = 1, Itakura-Saito for β = 0 and the
// β-divergence otherwise; ρ is L1Ratio.
//
// Solvers: multiplicative updates (Lee and Seung, NIPS 2000; for general β
// with the exponent γ(β) of Févotte and Idier, Neural Computation 2011),
// and for β = 2 coordinate descent (Cichocki and Phan 2009; Hsieh and
// Dhillon, KDD 2011). docs/models/nmf.md gives the update rules.
type NMF struct {
	Rank int
	// Loss is "frobenius" (the default, also ""), "kullback-leibler" ("kl"),
	// "itakura-saito" ("is") or "beta", which uses Beta.
	Loss string
	Beta float64
	// Solver is "mu" (the default) or "cd" (Frobenius only).
	Solver string
	// Init is an initialize method; "" chooses initialize.Default. Custom
	// starting factors in W0 and H0 override it.
	Init   string
	W0, H0 *mat.Dense
	// AlphaW and AlphaH weight the penalties on W and H; scikit-learn's
	// alpha_H="same" is AlphaH = AlphaW. L1Ratio mixes L1 (1) and L2 (0).
	AlphaW, AlphaH, L1Ratio float64
	// Shuffle randomizes the coordinate order of the cd solver.
	Shuffle bool
	Seed    uint64
}

var nmfSpec = Spec{
	Name:      "nmf",
	Kind:      Data,
	Objective: "min D_β(X | WH) + elastic-net penalties, W, H ≥ 0 (β = 2 Frobenius, 1 KL, 0 IS)",
	Reference: "Lee & Seung, Nature 1999 / NIPS 2000; Févotte & Idier, Neural Comput. 2011; scikit-learn NMF",
	Params:    "loss=frobenius|kl|is|beta beta=2 solver=mu|cd alpha_w=0 alpha_h=same l1_ratio=0 shuffle=false",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		m := &NMF{
			Rank:    c.Rank,
			Loss:    p.String("loss", "frobenius", "frobenius", "kullback-leibler", "kl", "itakura-saito", "is", "beta"),
			Beta:    p.Float("beta", 2),
			Solver:  p.String("solver", "mu", "mu", "cd"),
			Init:    c.Init,
			AlphaW:  p.Float("alpha_w", 0),
			L1Ratio: p.Float("l1_ratio", 0),
			Shuffle: p.Bool("shuffle", false),
			Seed:    c.Seed,
		}
		m.AlphaH = m.AlphaW
		if v := p.String("alpha_h", "same"); v != "same" {
			m.AlphaH = p.Float("alpha_h", 0)
		}
		return m, nil
	},
}

// beta returns the β of the loss, or an error for an unknown loss.
func (m *NMF) beta() (float64, error) {
	switch m.Loss {
	case "", "frobenius":
		return 2, nil
	case "kullback-leibler", "kl":
		return 1, nil
	case "itakura-saito", "is":
		return 0, nil
	case "beta":
		if math.IsNaN(m.Beta) || math.IsInf(m.Beta, 0) {
			return 0, invalidf("beta %g is not finite", m.Beta)
		}
		return m.Beta, nil
	}
	return 0, invalidf("unknown loss %q", m.Loss)
}

// Fit factorizes x (n x d). The result's Embedding is W; its factors are
// W (n x k) and H (k x d).
func (m *NMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	run, err := m.newRun(x, true)
	if err != nil {
		return nil, err
	}
	rng := initialize.NewRand(m.Seed)
	run.rng = rng
	n, d := x.Dims()
	if m.W0 != nil || m.H0 != nil {
		if err := checkFactor("W0", m.W0, n, m.Rank); err != nil {
			return nil, err
		}
		if err := checkFactor("H0", m.H0, m.Rank, d); err != nil {
			return nil, err
		}
		run.w, run.h = mat.DenseCopyOf(m.W0), mat.DenseCopyOf(m.H0)
	} else if run.w, run.h, err = initialize.Factors(x, m.Rank, m.Init, rng); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("nmf: %w", err)
	}
	return &Result{
		Result:    *sr,
		Model:     "nmf",
		Rank:      m.Rank,
		Embedding: run.w,
		Factors: []Factor{
			{Name: "W", Doc: "n x k sample weights, X ≈ W·H", M: run.w},
			{Name: "H", Doc: "k x d components", M: run.h},
		},
	}, nil
}

// Transform returns W (m x k) for the samples x (m x d) with the
// components h (k x d) held fixed, as scikit-learn's transform: W starts
// at sqrt(mean(x)/k) for mu and at zero for cd.
func (m *NMF) Transform(ctx context.Context, x linalg.Matrix, h *mat.Dense, s solve.Settings) (*mat.Dense, *solve.Result, error) {
	run, err := m.newRun(x, false)
	if err != nil {
		return nil, nil, err
	}
	n, d := x.Dims()
	if err := checkFactor("H", h, m.Rank, d); err != nil {
		return nil, nil, err
	}
	run.h = h
	run.w = mat.NewDense(n, m.Rank, nil)
	run.rng = initialize.NewRand(m.Seed)
	if !run.cd {
		avg := math.Sqrt(linalg.Mean(x) / float64(m.Rank))
		linalg.AddScalar(run.w, avg)
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, nil, fmt.Errorf("nmf transform: %w", err)
	}
	return run.w, sr, nil
}

func checkFactor(name string, f *mat.Dense, r, c int) error {
	if f == nil {
		return invalidf("%s is missing: give both W0 and H0", name)
	}
	if fr, fc := f.Dims(); fr != r || fc != c {
		return invalidf("%s is %dx%d, want %dx%d", name, fr, fc, r, c)
	}
	if st := linalg.NewDense(f).Stats(); !st.Finite || st.Min < 0 {
		return invalidf("%s must be finite and nonnegative", name)
	}
	return nil
}

// newRun validates the configuration against x and returns a run without
// factors.
func (m *NMF) newRun(x linalg.Matrix, updateH bool) (*nmfRun, error) {
	beta, err := m.beta()
	if err != nil {
		return nil, err
	}
	if err := checkInput(x, m.Rank, true); err != nil {
		return nil, err
	}
	if beta <= 0 && x.Stats().Min <= 0 {
		return nil, invalidf("β = %g needs strictly positive data: the divergence is undefined at zero entries", beta)
	}
	cd := m.Solver == "cd"
	switch {
	case m.Solver != "" && m.Solver != "mu" && !cd:
		return nil, invalidf("unknown solver %q (want mu or cd)", m.Solver)
	case cd && beta != 2:
		return nil, invalidf("solver cd needs the Frobenius loss; use mu for β = %g", beta)
	case m.AlphaW < 0 || m.AlphaH < 0 || m.L1Ratio < 0 || m.L1Ratio > 1:
		return nil, invalidf("alpha_w and alpha_h must be ≥ 0 and l1_ratio in [0, 1]")
	}
	n, d := x.Dims()
	// scikit-learn's _compute_regularization: penalties scale with the
	// dimension they are summed over.
	return &nmfRun{
		x: x, beta: beta, gamma: gammaMU(beta), cd: cd, updateH: updateH, shuffle: m.Shuffle,
		l1W: float64(d) * m.AlphaW * m.L1Ratio, l2W: float64(d) * m.AlphaW * (1 - m.L1Ratio),
		l1H: float64(n) * m.AlphaH * m.L1Ratio, l2H: float64(n) * m.AlphaH * (1 - m.L1Ratio),
	}, nil
}

// gammaMU is the exponent of the multiplicative update that makes it a
// majorization-minimization step for the β-divergence (Févotte and Idier
// 2011, Table 2).
func gammaMU(beta float64) float64 {
	switch {
	case beta < 1:
		return 1 / (2 - beta)
	case beta > 2:
		return 1 / (beta - 1)
	}
	return 1
}

// f64Eps is float64 machine epsilon: scikit-learn zeroes factor entries
// below it for β < 1 (W) and β ≤ 1 (H), for stability.
const f64Eps = 2.220446049250313e-16

// nmfRun is one NMF fit: it implements solve.Model and solve.Monitor.
type nmfRun struct {
	x                  linalg.Matrix
	w, h               *mat.Dense
	beta, gamma        float64
	l1W, l2W, l1H, l2H float64
	cd, updateH        bool
	shuffle            bool
	rng                *rand.Rand
	violation          float64

	loss       float64 // D_β at the current factors, valid when fresh
	fresh      bool
	numW, denW *mat.Dense // n x k scratch
	numH, denH *mat.Dense // k x d scratch
	tmpT       *mat.Dense // d x k scratch
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

func (r *nmfRun) scratch() {
	if r.numW != nil {
		return
	}
	n, d := r.x.Dims()
	k := r.w.RawMatrix().Cols
	r.numW, r.denW = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	r.numH, r.denH = mat.NewDense(k, d, nil), mat.NewDense(k, d, nil)
	r.tmpT = mat.NewDense(d, k, nil)
}

// ratio returns the matrix X ⊙ max(WH, ε)^(β−2) on the stored entries of
// X: the data term of the β-divergence gradient (X ⊘ WH for KL).
func (r *nmfRun) ratio() linalg.Matrix {
	b := r.beta
	switch {
	case b == 1:
		return r.x.Apply(r.w, r.h, func(x, wh float64) float64 { return x / max(wh, linalg.Eps) })
	case b < 2:
		return r.x.Apply(r.w, r.h, func(x, wh float64) float64 { return x * math.Pow(max(wh, linalg.Eps), b-2) })
	}
	return r.x.Apply(r.w, r.h, func(x, wh float64) float64 { return x * math.Pow(wh, b-2) })
}

// powFloor is the floor of WH in the β-divergence denominators.
func (r *nmfRun) powFloor() float64 {
	if r.beta < 1 {
		return linalg.Eps
	}
	return 0
}

func (r *nmfRun) muW() {
	r.scratch()
	// gonum's GEMM is faster with Hᵀ materialized than with a transposed
	// operand; the copy is d x k, small beside the products.
	r.tmpT.Copy(r.h.T())
	r.gradW(r.numW, r.denW, r.tmpT)
	penalize(r.denW, r.w, r.l1W, r.l2W)
	linalg.MulUpdate(r.w, r.numW, r.denW, r.gamma, linalg.Eps)
}

// gradW sets num and den (n x k) to the negative and positive parts of
// the gradient of D_β(X | WH) in W, given ht = Hᵀ (d x k):
// (X ⊙ (WH)^(β−2))·Hᵀ and (WH)^(β−1)·Hᵀ. Models whose objective has a β
// decoder term (ednmf-beta) share it.
func (r *nmfRun) gradW(num, den, ht *mat.Dense) {
	switch r.beta {
	case 2:
		r.x.Mul(num, ht)
		var hht mat.Dense
		hht.Mul(ht.T(), ht)
		den.Mul(r.w, &hht)
	case 1:
		r.ratio().Mul(num, ht)
		hs := linalg.ColSums(ht)
		den.Apply(func(_, j int, _ float64) float64 { return hs[j] }, den)
	default:
		r.ratio().Mul(num, ht)
		linalg.PowMulT(den, r.w, r.h, r.beta-1, r.powFloor())
	}
}

func (r *nmfRun) muH() {
	r.scratch()
	num, den := r.numH, r.denH
	switch r.beta {
	case 2:
		r.x.TMul(r.tmpT, r.w)
		num.Copy(r.tmpT.T())
		var wtw mat.Dense
		wtw.Mul(r.w.T(), r.w)
		den.Mul(&wtw, r.h)
	case 1:
		r.ratio().TMul(r.tmpT, r.w)
		num.Copy(r.tmpT.T())
		ws := linalg.ColSums(r.w)
		den.Apply(func(i, _ int, _ float64) float64 {
			if ws[i] == 0 {
				return 1
			}
			return ws[i]
		}, den)
	default:
		r.ratio().TMul(r.tmpT, r.w)
		num.Copy(r.tmpT.T())
		linalg.TPowMul(den, r.w, r.h, r.beta-1, r.powFloor())
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
		den.Apply(func(i, j int, v float64) float64 { return v + l2*f.At(i, j) }, den)
	}
}

// cdW runs one coordinate-descent sweep over W and returns the projected
// gradient violation.
func (r *nmfRun) cdW() float64 {
	n, _ := r.x.Dims()
	k := r.w.RawMatrix().Cols
	xht := mat.NewDense(n, k, nil)
	r.x.Mul(xht, linalg.Transpose(r.h))
	var hht mat.Dense
	hht.Mul(r.h, r.h.T())
	return r.cdSweep(r.w, &hht, xht, r.l1W, r.l2W)
}

// cdH runs one sweep over H, through Hᵀ, as scikit-learn does.
func (r *nmfRun) cdH() float64 {
	_, d := r.x.Dims()
	k := r.w.RawMatrix().Cols
	xtw := mat.NewDense(d, k, nil)
	r.x.TMul(xtw, r.w)
	var wtw mat.Dense
	wtw.Mul(r.w.T(), r.w)
	ht := linalg.Transpose(r.h)
	v := r.cdSweep(ht, &wtw, xtw, r.l1H, r.l2H)
	r.h.Copy(ht.T())
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
	perm := make([]int, k)
	for i := range perm {
		perm[i] = i
	}
	if r.shuffle {
		r.rng.Shuffle(k, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	}
	return linalg.CoordinateDescent(f, gram, cross, perm)
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
		r.loss = BetaDivergence(r.x, r.w, r.h, r.beta)
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
func BetaDivergence(x linalg.Matrix, w, h *mat.Dense, beta float64) float64 {
	n, d := x.Dims()
	k := w.RawMatrix().Cols
	switch beta {
	case 2:
		// ‖X‖² − 2⟨XHᵀ, W⟩ + ⟨WᵀW, HHᵀ⟩, without forming WH.
		xht := mat.NewDense(n, k, nil)
		x.Mul(xht, linalg.Transpose(h))
		var wtw, hht mat.Dense
		wtw.Mul(w.T(), w)
		hht.Mul(h, h.T())
		return max(x.Stats().SquaredNorm-2*linalg.Dot(xht, w)+linalg.Dot(&wtw, &hht), 0) / 2
	case 1:
		sumWH := floats.Dot(linalg.ColSums(w), linalg.ColSums(h.T()))
		terms := x.Apply(w, h, func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			return x*math.Log(x/max(wh, linalg.Eps)) - x
		})
		return terms.Stats().Sum + sumWH
	case 0:
		terms := x.Apply(w, h, func(x, wh float64) float64 {
			if x <= linalg.Eps {
				return 0
			}
			q := x / max(wh, linalg.Eps)
			return q - math.Log(q)
		})
		return terms.Stats().Sum - float64(n*d)
	}
	terms := x.Apply(w, h, func(x, wh float64) float64 {
		if x <= linalg.Eps {
			return 0
		}
		return math.Pow(x, beta) - beta*x*math.Pow(max(wh, linalg.Eps), beta-1)
	})
	res := terms.Stats().Sum + (beta-1)*linalg.PowSum(w, h, beta, 0)
	return res / (beta * (beta - 1))
}
