package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/adversary"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// EADNMF is elastic adversarial deep NMF for matrix completion (Seyedi,
// Akhlaghian Tab, Lotfi, Salahian and Chavoshinejad, "Elastic adversarial
// deep nonnegative matrix factorization for matrix completion",
// Information Sciences 621, 2023). For a data matrix X (n x d, one sample
// per row) observed on a mask J it solves, in the papers' orientation
// M = Xᵀ ≈ U1⋯Up Vp,
//
//	min_{U_i, Vp ≥ 0} max_{R: M + R ≥ 0} Σ_j ρ(‖J_j ⊙ (m_j + r_j − Ψ v_j)‖) + ridge·(Σ_i ‖U_i‖²_F + ‖Vp‖²_F) − λ‖R‖²_F,
//
// Ψ = U1⋯Up, one term per sample j, with the elastic loss ρ(e) =
// (1+δ)e²/(e+δ) (quadratic for small residuals, linear for large ones)
// or the Frobenius (e²), ℓ2,1 (2e) or correntropy (2σ²(1 − e^{−e²/2σ²}))
// losses of the reference code. The learner's steps are the reference
// code's reweighted multiplicative updates, each a majorization step of
// the objective for the current target (ρ is concave in e², so the
// weights d_j = ρ'(e_j)/(2e_j) give a quadratic majorizer):
//
//	U_i ← U_i ⊙ Ψ_{i−1}ᵀ (J⊙T) D Vpᵀ Φ_{i+1}ᵀ / (Ψ_{i−1}ᵀ (J⊙ΨVp) D Vpᵀ Φ_{i+1}ᵀ + ridge·U_i),
//	Vp  ← Vp ⊙ Ψᵀ (J⊙T) D / (Ψᵀ (J⊙ΨVp) D + ridge·Vp),
//
// T = M + R the perturbed target, D = diag(d_j). The adversary's move is
// the closed form R = max(Q·C, −J⊙M), Q = J ⊙ (M − ΨVp) the residual,
// C = diag(d_j/(λ − d_j)) (adversary.FrobeniusScale). Layer 1 is
// pre-trained by the same reweighted updates on J ⊙ M (the reference's
// rwnmf), the deeper layers by ridge NMF on the coefficients below
// (nnmf), each for PreIter iterations from |N(0,1)| starts; then the
// adversary moves Outer times, each move followed by at most Inner
// learner iterations, fewer when the reconstruction's relative change
// falls below InnerTol. docs/models/eadnmf.md gives the derivation and
// every choice. The factors are those of a deep model (W1..Wp, H1..Hp,
// Psi1..Psip); Approx is the completed matrix X̂ = Hp·Ψᵀ.
type EADNMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Loss is ρ: "elastic" (the paper's), "fro", "l21" or
	// "correntropy".
	Loss RobustLoss `param:"loss" choices:"elastic|fro=frobenius|l21|correntropy" help:"the loss ρ of each sample's residual"`
	// Delta is δ of the elastic loss (nil: 2, the reference's).
	Delta *float64 `param:"delta" default:"2" check:">=0" help:"scale δ of the elastic loss"`
	// Sigma is σ of the correntropy loss (nil: 2).
	Sigma *float64 `param:"sigma" default:"2" check:">0" help:"width σ of the correntropy loss"`
	// Lambda is the adversary's price λ (nil: 2, the reference's).
	Lambda *float64 `param:"lambda" default:"2" check:">0" help:"price λ of the perturbation"`
	// CapScale bounds the adversary's scale of a sample where λ ≤ d_j,
	// where the adversary's problem is unbounded (nil: 10).
	CapScale *float64 `param:"cap" default:"10" check:">0" help:"largest scale of the perturbation where λ ≤ d_j"`
	// Ridge weights ‖U_i‖² and ‖Vp‖² (nil: 1, the reference's).
	Ridge *float64 `param:"ridge" default:"1" check:">=0" help:"weight of the ridge Σ‖U_i‖² + ‖Vp‖²"`
	// Outer is the number of moves of the adversary (nil: 10); 0 runs one
	// inner loop without an adversary (deep elastic NMF).
	Outer *int `param:"outer" default:"10" check:">=0" help:"moves of the adversary (0: none, one learner loop)"`
	// Inner bounds the learner's iterations after each move (nil: 50).
	Inner int `param:"inner" default:"50" check:">=1" help:"learner iterations after each move, at most"`
	// InnerTol ends a learner loop early when the relative change of the
	// reconstruction falls below it (nil: 0.01; 0: never).
	InnerTol *float64 `param:"inner_tol" default:"0.01" check:">=0" help:"relative change of the reconstruction that ends a learner loop"`
	// PreIter is the number of pre-training iterations of each layer
	// (nil: 300).
	PreIter *int `param:"pre_iter" default:"300" check:">=0" help:"pre-training iterations per layer"`
	// Masked makes the input a masked one (linalg.ObservedNaN,
	// ObservedStored, ObservedMask): its stored entries are the observed
	// cells. Otherwise every cell is observed.
	Masked bool
	Seed   uint64
}

// RobustLoss names a loss of each sample's residual norm.
type RobustLoss string

// The robust losses.
const (
	LossElastic     RobustLoss = "elastic"
	LossFro         RobustLoss = "fro"
	LossL21         RobustLoss = "l21"
	LossCorrentropy RobustLoss = "correntropy"
)

var eadnmfSpec = Spec{
	Name:      "eadnmf",
	Kind:      Data,
	Objective: "min_{U_i,Vp ≥ 0} max_R Σ_j ρ(‖J ⊙ (m_j + r_j − Ψv_j)‖) + Σ‖U_i‖² + ‖Vp‖² − λ‖R‖², M + R ≥ 0",
	Reference: "Seyedi, Akhlaghian Tab, Lotfi, Salahian & Chavoshinejad, Elastic adversarial deep NMF for matrix completion, Information Sciences 621 (2023) 562–579",
	// The schedule (outer moves of at most inner iterations) ends the
	// run; MaxIter only caps it.
	Settings: solve.Settings{MaxIter: 100000, Tol: new(0.0)},
	new:      func() fitter { return new(EADNMF) },
}

func (*EADNMF) spec() *Spec { return &eadnmfSpec }

// Fit factorizes x (n x d), masked if m.Masked.
func (m *EADNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

// extraBytes implements footprinter: the observed cells, the target and
// the reconstruction there, each a CSR of up to n·d entries.
func (m *EADNMF) extraBytes(n, d int) uint64 {
	if m.Masked {
		return 0 // proportional to the masked input, already in memory
	}
	return mulSat(3*16, mulSat(uint64(n), uint64(d)))
}

func (m *EADNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, d := x.Dims()
	if err := deep.CheckLayers(m.Layers, min(n, d), true); err != nil {
		return nil, invalid(err)
	}
	obs := linalg.ObservedStored(x)
	if !m.Masked {
		if c, ok := x.(*linalg.CSR); ok {
			obs = linalg.ObservedStored(linalg.NewDense(c.ToDense()))
		}
	}
	if obs.NNZ() == 0 {
		return nil, invalidf("no observed entries")
	}
	loss := robust(m.Loss, *m.Delta, *m.Sigma)
	pre := solve.Settings{MaxIter: *m.PreIter, Tol: new(0.0), CheckEvery: solve.DefaultCheckEvery}
	ls, err := r.pretrainLayers(obs, m.Layers, func(l int, in linalg.Matrix, size int) (layerFit, error) {
		rows, cols := in.Dims()
		layer := deep.Layer{U: initialize.RandomDense(cols, size, 1, r.rng), H: initialize.RandomDense(rows, size, 1, r.rng)}
		lossL := loss
		if l > 0 {
			// nnmf: ridge NMF of the dense coefficients below.
			lossL = robust(LossFro, 0, 0)
		}
		er := newElasticRun(linalg.ObservedStored(in), []deep.Layer{layer}, lossL, *m.Ridge)
		return layerFit{model: er, limits: pre, layer: func() deep.Layer { return deep.Layer{U: er.U[0], H: er.Top()} }}, nil
	})
	if err != nil {
		return nil, err
	}
	er := newElasticRun(obs, ls, loss, *m.Ridge)
	run := &eadRun{elasticRun: er, obs: obs, lambda: *m.Lambda, cap: *m.CapScale,
		loops: max(*m.Outer, 1), adversarial: *m.Outer > 0, inner: m.Inner, innerTol: *m.InnerTol}
	return r.final(run, func() *Result {
		return stackResult(er.Stack, er.Top(), W, H, false)
	})
}

// robustLoss is a loss ρ(e) of a sample's residual norm e and its
// majorization weight d(e) = ρ'(e)/(2e), the derivative of ρ in e².
type robustLoss struct {
	rho, weight func(e float64) float64
}

// robust returns the loss of the given name.
func robust(name RobustLoss, delta, sigma float64) robustLoss {
	switch name {
	case LossFro:
		return robustLoss{
			rho:    func(e float64) float64 { return e * e },
			weight: func(float64) float64 { return 1 },
		}
	case LossL21:
		return robustLoss{
			rho:    func(e float64) float64 { return 2 * e },
			weight: func(e float64) float64 { return 1 / max(e, linalg.Eps) },
		}
	case LossCorrentropy:
		s2 := 2 * sigma * sigma
		return robustLoss{
			rho:    func(e float64) float64 { return s2 * (1 - math.Exp(-e*e/s2)) },
			weight: func(e float64) float64 { return math.Exp(-e * e / s2) },
		}
	}
	return robustLoss{
		rho: func(e float64) float64 { return (1 + delta) * e * e / max(e+delta, linalg.Eps) },
		weight: func(e float64) float64 {
			return (1 + delta) * (e + 2*delta) / max(2*(e+delta)*(e+delta), linalg.Eps)
		},
	}
}

// elasticRun is the learner: the reweighted multiplicative updates of a
// layer stack for a fixed target T on the observed cells (the stack's X).
// It implements solve.Model; alone, with one layer, it is the pre-training
// of a layer.
type elasticRun struct {
	*deep.Stack
	loss  robustLoss
	ridge float64
	// xhat holds X̂ = H·Ψᵀ on the observed cells (T's pattern), as of the
	// last update of H; fresh says the factors have not changed since.
	xhat  *linalg.CSR
	fresh bool
	// tf and xf are T and X̂ on the observed cells in the form for
	// products (linalg.ForProducts), zero elsewhere.
	tf, xf linalg.Matrix
	e, d   []float64 // each sample's residual norm and weight
	change float64   // the reconstruction's relative change in the last step
	price  float64   // what the objective subtracts: λ‖R‖²
	dh     *mat.Dense
	num    *mat.Dense
	den    *mat.Dense
	hnum   *mat.Dense
	hden   *mat.Dense
	psiT   *mat.Dense
	// full and masked hold H·Ψᵀ and its observed cells in the dense form.
	full, masked *mat.Dense
	old          []float64      // X̂ before a step
	ridged       linalg.Scratch // ridge·U_l and ridge·H, by shape
}

func newElasticRun(t *linalg.CSR, ls []deep.Layer, loss robustLoss, ridge float64) *elasticRun {
	s := deep.NewStack(t, ls)
	k := s.K()
	r := &elasticRun{Stack: s, loss: loss, ridge: ridge, e: make([]float64, s.N), d: make([]float64, s.N),
		dh: mat.NewDense(s.N, k, nil), num: mat.NewDense(s.M, k, nil), den: mat.NewDense(s.M, k, nil),
		hnum: mat.NewDense(s.N, k, nil), hden: mat.NewDense(s.N, k, nil), psiT: mat.NewDense(k, s.M, nil)}
	r.setTarget(t)
	r.reconstruct(s.Product())
	r.reweigh()
	return r
}

// target returns T, the matrix the learner fits.
func (r *elasticRun) target() *linalg.CSR { return r.X.(*linalg.CSR) }

// setTarget makes t the target. A dense form of an earlier target (of
// t's pattern: the adversary's targets share the observed cells') takes
// t's values in place.
func (r *elasticRun) setTarget(t *linalg.CSR) {
	r.X = t
	if d, ok := r.tf.(*linalg.Dense); ok {
		m := d.Raw()
		m.Zero()
		t.Each(func(i, j int, v float64) { m.Set(i, j, v) })
		d.Changed()
		return
	}
	r.tf = linalg.ForProducts(t)
}

// reconstruct sets xhat to H·psiᵀ on the observed cells. When the
// target's products are dense (most cells observed, an optimized BLAS), it
// forms the whole product with one matrix product and keeps its observed
// cells, zero elsewhere, as X̂'s dense form; otherwise it forms the
// observed cells only.
func (r *elasticRun) reconstruct(psi *mat.Dense) {
	r.fresh = true
	t := r.target()
	// X̂ is rewritten in place: every target has the observed cells'
	// pattern.
	prev := r.xhat
	if _, ok := r.tf.(*linalg.Dense); !ok {
		linalg.TransposeTo(r.psiT, psi)
		r.xhat = t.Apply(prev, r.Top(), r.psiT, keepProduct).(*linalg.CSR)
		r.xf = nil
		return
	}
	if r.full == nil {
		r.full, r.masked = mat.NewDense(r.N, r.M, nil), mat.NewDense(r.N, r.M, nil)
		r.xf = linalg.NewDense(r.masked)
	}
	linalg.MulABt(r.full, r.Top(), psi)
	fr, mr := r.full.RawMatrix(), r.masked.RawMatrix()
	clear(mr.Data)
	r.xhat = t.MapStored(prev, func(i, j int, _ float64) float64 {
		v := fr.Data[i*fr.Stride+j]
		mr.Data[i*mr.Stride+j] = v
		return v
	})
	r.xf.(*linalg.Dense).Changed()
}

// keepProduct is the entrywise function of X̂ = H·Ψᵀ on the observed
// cells: the product's entry.
func keepProduct(_, wh float64) float64 { return wh }

// xform returns X̂ on the observed cells in the form for products.
func (r *elasticRun) xform() linalg.Matrix {
	if r.xf == nil {
		r.xf = linalg.ForProducts(r.xhat)
	}
	return r.xf
}

// reweigh sets each sample's residual norm ‖J_j ⊙ (t_j − x̂_j)‖ and its
// weight.
func (r *elasticRun) reweigh() {
	indptr, _, t := r.target().Raw()
	_, _, xh := r.xhat.Raw()
	for i := range r.N {
		var s float64
		for p := indptr[i]; p < indptr[i+1]; p++ {
			s += (t[p] - xh[p]) * (t[p] - xh[p])
		}
		r.e[i] = math.Sqrt(s)
		r.d[i] = r.loss.weight(r.e[i])
	}
}

// Step implements solve.Model: one sweep of the layers' updates, then H's,
// each with the weights of the current residual.
func (r *elasticRun) Step() error {
	_, _, xh := r.xhat.Raw()
	r.old = append(r.old[:0], xh...)
	r.BeginSweep()
	for l := range r.P() {
		pn, pd := r.partsU(l)
		linalg.MulUpdate(r.U[l], pn, pd, 1, linalg.Eps)
		r.SetPsi(l)
		r.fresh = false
	}
	num, den := r.partsH()
	linalg.MulUpdate(r.Top(), num, den, 1, linalg.Eps)
	r.reconstruct(r.Product())
	r.reweigh()
	r.change = relativeChange(r.old, r.xhat, r.M)
	return nil
}

// partsU returns the numerator and the denominator of U_l's update, the
// negative and positive parts of half the objective's gradient in U_l:
// Ψ_{l−1}ᵀ (J⊙T)ᵀ D H Φ_{l+1}ᵀ and Ψ_{l−1}ᵀ (J⊙X̂)ᵀ D H Φ_{l+1}ᵀ + ridge·U_l,
// with the weights of the current residual (BeginSweep first).
func (r *elasticRun) partsU(l int) (num, den *mat.Dense) {
	if !r.fresh {
		r.reconstruct(r.PsiTilde(l))
		r.reweigh()
	}
	linalg.ScaleRows(r.dh, r.Top(), r.d)
	r.tf.TMul(r.num, r.dh)
	r.xform().TMul(r.den, r.dh)
	num, den = r.Project(l, r.num, 0), r.Project(l, r.den, 1)
	if r.ridge > 0 {
		rows, cols := r.U[l].Dims()
		t := r.ridged.Get(0, rows, cols)
		t.Scale(r.ridge, r.U[l])
		den.Add(den, t)
	}
	return num, den
}

// partsH returns those of H's update: D (J⊙T) Ψ and D (J⊙X̂) Ψ + ridge·H.
func (r *elasticRun) partsH() (num, den *mat.Dense) {
	psi := r.Product()
	if !r.fresh {
		r.reconstruct(psi)
		r.reweigh()
	}
	r.tf.Mul(r.hnum, psi)
	linalg.ScaleRows(r.hnum, r.hnum, r.d)
	r.xform().Mul(r.hden, psi)
	linalg.ScaleRows(r.hden, r.hden, r.d)
	if r.ridge > 0 {
		rows, cols := r.Top().Dims()
		t := r.ridged.Get(1, rows, cols)
		t.Scale(r.ridge, r.Top())
		r.hden.Add(r.hden, t)
	}
	return r.hnum, r.hden
}

// relativeChange returns ‖(X̂_old − X̂)/X̂_old‖_F, the reference's test of
// the change of the reconstruction, from the observed cells: their sum of
// squares scaled by n·d over their number, so that it estimates the sum
// over every cell whatever the share observed.
func relativeChange(old []float64, xhat *linalg.CSR, d int) float64 {
	n, _ := xhat.Dims()
	_, _, now := xhat.Raw()
	var s float64
	for p, o := range old {
		if diff := o - now[p]; diff != 0 {
			q := diff / max(math.Abs(o), linalg.Eps)
			s += q * q
		}
	}
	return math.Sqrt(s * float64(n) * float64(d) / float64(max(len(old), 1)))
}

// Objective implements solve.Model: Σ_j ρ(e_j) + ridge·(Σ‖U_i‖² + ‖H‖²) −
// λ‖R‖², for the current factors and target.
func (r *elasticRun) Objective() float64 {
	var s float64
	for _, e := range r.e {
		s += r.loss.rho(e)
	}
	if r.ridge > 0 {
		reg := linalg.Dot(r.Top(), r.Top())
		for _, u := range r.U {
			reg += linalg.Dot(u, u)
		}
		s += r.ridge * reg
	}
	return s - r.price
}

// eadRun is EADNMF's schedule after pre-training: the adversary's move,
// then a learner loop, loops times. It implements solve.Model and
// solve.Finisher.
type eadRun struct {
	*elasticRun
	obs         *linalg.CSR // J ⊙ M, the observed cells
	lambda, cap float64
	adversarial bool
	loops       int     // learner loops still to run
	inner, in   int     // the loop's length and the iterations run in it
	innerTol    float64 // the relative change that ends a loop
	adv         adversary.Work
	res         *linalg.CSR // the residual J ⊙ (M − X̂)
	c           []float64   // the adversary's scales
}

// move is the adversary's move: the target J ⊙ (M + R) for the current
// reconstruction, R = max(Q·C, −J⊙M), and its price λ‖R‖².
func (r *eadRun) move() {
	_, _, xh := r.xhat.Raw()
	p := 0 // MapStored visits the entries in order
	r.res = r.obs.MapStored(r.res, func(_, _ int, v float64) float64 {
		q := v - xh[p]
		p++
		return q
	})
	_, norms := r.adv.Norms(r.res)
	if len(r.c) != r.N {
		r.c = make([]float64, r.N)
	}
	c := r.c
	for i, e := range norms {
		c[i] = adversary.FrobeniusScale(r.loss.weight(e), r.lambda, r.cap)
	}
	t, _, rows := r.adv.Target(r.obs, r.res, func(i, _ int) float64 { return c[i] })
	r.setTarget(t)
	r.price = 0
	for _, v := range rows {
		r.price += r.lambda * v * v
	}
	r.reweigh()
}

// Step implements solve.Model: the adversary's move at the start of a
// loop, then one learner iteration.
func (r *eadRun) Step() error {
	if r.in == 0 && r.adversarial {
		r.move()
	}
	if err := r.elasticRun.Step(); err != nil {
		return err
	}
	r.in++
	if r.in == r.inner || r.change < r.innerTol {
		r.loops--
		r.in = 0
	}
	return nil
}

// Finished implements solve.Finisher: the last loop has run.
func (r *eadRun) Finished() bool { return r.loops == 0 }
