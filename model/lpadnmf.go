package model

import (
	"context"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/adversary"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// LPADNMF is link prediction by adversarial training in deep NMF
// (Mahmoodi, Seyedi, Abdollahpouri and Akhlaghian Tab, "Enhancing link
// prediction through adversarial training in deep NMF", Engineering
// Applications of Artificial Intelligence 133, 2024): for a graph's
// adjacency matrix A it factorizes the graph with second-order
// similarities A_S = A + ηS of deep asymmetric NMF (graph.SecondOrder) as
//
//	min_{W_i, Hl ≥ 0} max_{R: A_S + R ≥ 0} ‖A_S + R − W1⋯Wl Hl‖²_F − λ‖R‖_{2,1} + β(‖W1⋯Wl‖²_F + ‖Hl‖²_F),
//
// pairs scored by (W1⋯Wl Hl)_uv. The maximization over R with the ℓ2,1
// price is unbounded as written (the squared loss outgrows the norm), so
// the adversary's scale is bounded: column j of R is c_j times the
// residual r_j, and the best c_j in [0, CapScale] under the price λ‖c r_j‖
// is CapScale where ‖r_j‖(2 + CapScale) ≥ λ and 0 elsewhere (the price
// is linear in c, the gain quadratic, so the maximum sits at an end);
// Price "fro" prices ‖R‖²_F instead, with its closed form. The layers are pre-trained by
// NMF (as dnmf) on A_S, then fine-tuned by the deep multiplicative updates
// for the target A_S + R, the adversary moving every AdversaryEvery
// iterations. The paper's update rules and code were not available:
// docs/models/lpadnmf.md gives the derivation and the choices. The
// factors are those of a deep model (W1..Wl, H1..Hl, Psi1..Psil); Approx is
// the reconstruction of A_S + R.
type LPADNMF struct {
	// Layers are r1, ..., rl = k.
	Layers []int
	// Eta weighs S in A_S = A + ηS (nil: 1).
	Eta *float64 `param:"eta" default:"1" check:">=0" help:"weight η of the second-order similarity S in A_S = A + ηS"`
	// Lambda is the adversary's price λ (nil: 2).
	Lambda *float64 `param:"lambda" default:"2" check:">0" help:"price λ of the perturbation"`
	// Price is the regularizer of R: "l21", ‖R‖_{2,1} (the paper's), or
	// "fro", ‖R‖²_F.
	Price Price `param:"price" choices:"l21|fro" help:"the adversary's price: reweighted ℓ2,1 (the paper's) or Frobenius"`
	// CapScale bounds the adversary's scale c_j (nil: 1, a perturbation at
	// most the residual).
	CapScale *float64 `param:"cap" default:"1" check:">0" help:"largest scale of the perturbation against the residual"`
	// Beta weights the ridge (nil: 0.01).
	Beta *float64 `param:"beta" default:"0.01" check:">=0" help:"weight β of the ridge ‖W1⋯Wl‖² + ‖Hl‖²"`
	// AdversaryEvery is the number of fine-tuning iterations between
	// moves of the adversary, and before its first move.
	AdversaryEvery int `param:"adversary_every" default:"10" check:">=1" help:"fine-tuning iterations between moves of the adversary"`
	// PreIter is the number of pre-training NMF iterations of each layer.
	PreIter *int `param:"pre_iter" default:"100" check:">=0" help:"pre-training iterations per layer"`
	// Snap zeros, in the reconstruction's two factors Hl and W1⋯Wl (copies:
	// the model's factors are kept), the entries below Snap times their
	// factor's largest entry (nil: linalg.Eps; 0 keeps them).
	Snap *float64 `param:"snap" default:"1.1920928955078125e-07" check:">=0" help:"after the fit, zero the reconstruction factors' entries below snap × their factor's largest (0: keep)"`
	// Init is the NMF start of each layer's pre-training (nndsvda by
	// default).
	Init initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	// SelfLoops says whether A keeps its diagonal.
	SelfLoops Loops `param:"self_loops" choices:"drop|keep" help:"the graph's self-loops"`
	Seed      uint64
}

// Price names the regularizer of an adversarial perturbation.
type Price string

// The prices.
const (
	PriceL21 Price = "l21"
	PriceFro Price = "fro"
)

var lpadnmfSpec = Spec{
	Name:      "lpadnmf",
	Kind:      Graph,
	Objective: "min_{W_i,Hl ≥ 0} max_R ‖A_S + R − W1⋯WlHl‖² − λ‖R‖_{2,1} + β(‖W1⋯Wl‖² + ‖Hl‖²), A_S = A + ηS",
	Reference: "Mahmoodi, Seyedi, Abdollahpouri & Akhlaghian Tab, Enhancing link prediction through adversarial training in deep NMF, EAAI 133 (2024) 108641",
	// A fixed schedule: the adversary moves every adversary_every
	// iterations, so the objective is not monotone and no tolerance applies.
	Settings: solve.Settings{MaxIter: 200, Tol: new(0.0)},
	new:      func() fitter { return new(LPADNMF) },
}

func (*LPADNMF) spec() *Spec { return &lpadnmfSpec }

// Fit factorizes the adjacency matrix a.
func (m *LPADNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *LPADNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, err := square(x)
	if err != nil {
		return nil, err
	}
	if err := deep.CheckLayers(m.Layers, n, true); err != nil {
		return nil, invalid(err)
	}
	a := toCSR(x)
	if m.SelfLoops != KeepLoops {
		a = graph.DropSelfLoops(a)
	}
	if a.NNZ() == 0 {
		return nil, invalidf("the graph has no edges")
	}
	as := a
	if *m.Eta > 0 {
		if as, err = graph.SecondOrder(a, *m.Eta, true); err != nil {
			return nil, invalid(err)
		}
	}
	limits := solve.Settings{MaxIter: *m.PreIter, Tol: new(0.0), CheckEvery: solve.DefaultCheckEvery}
	ls, err := r.pretrainLayers(as, m.Layers, func(_ int, in linalg.Matrix, size int) (layerFit, error) {
		return (&NMF{Rank: size, Init: m.Init}).asLayer(in, r.rng.Uint64(), limits)
	})
	if err != nil {
		return nil, err
	}
	run := &lpadRun{Stack: deep.NewStack(as, ls), as: as, lambda: *m.Lambda, beta: *m.Beta, every: m.AdversaryEvery,
		l21: m.Price == PriceL21, cap: *m.CapScale}
	run.init()
	return r.final(run, func() *Result {
		res := stackResult(run.Stack, run.Top(), W, H, false)
		if *m.Snap > 0 {
			l, p := mat.DenseCopyOf(res.Approx.L), mat.DenseCopyOf(res.Approx.R)
			snapZeros(l, *m.Snap)
			snapZeros(p, *m.Snap)
			res.Approx = &Approx{L: l, R: p}
		}
		return res
	})
}

// lpadRun is LPADNMF's fine-tuning: the deep multiplicative updates of
// dnmf with the ridge, for the target T = A_S + R, which the adversary
// moves every `every` iterations. It implements solve.Model.
type lpadRun struct {
	*deep.Stack
	as          *linalg.CSR
	lambda      float64
	beta, cap   float64
	every, iter int
	l21         bool
	rPrice      float64 // λ‖R‖_{2,1} or λ‖R‖²_F
	den, ridge  *mat.Dense
	hden, hb    *mat.Dense // n x k
	c           []float64  // the adversary's scales
	adv         adversary.Work
}

func (r *lpadRun) init() {
	k := r.K()
	r.den, r.ridge = mat.NewDense(r.M, k, nil), mat.NewDense(r.M, k, nil)
	r.hden, r.hb = mat.NewDense(r.N, k, nil), mat.NewDense(r.N, k, nil)
	r.c = make([]float64, r.M)
	r.RefreshPsi()
	r.RefreshTop()
}

// move is the adversary's move: the target A_S + R for the current
// reconstruction, and R's price.
func (r *lpadRun) move() {
	m := r.adv.Residual(r.as, r.Top(), r.Product())
	mNorms, _ := r.adv.Norms(m)
	c := r.c
	for j, v := range mNorms {
		if r.l21 {
			c[j] = adversary.L21Scale(1, v, r.lambda, r.cap)
		} else {
			c[j] = adversary.FrobeniusScale(1, r.lambda, r.cap)
		}
	}
	t, norms, _ := r.adv.Target(r.as, m, func(_, j int) float64 { return c[j] })
	r.X, r.SqNorm = t, t.Stats().SquaredNorm
	if r.l21 {
		r.rPrice = r.lambda * floats.Sum(norms)
	} else {
		r.rPrice = r.lambda * floats.Dot(norms, norms)
	}
	r.RefreshPsi()
	r.RefreshTop()
}

// Step implements solve.Model: the adversary's move when one is due, then
// W1, ..., Wl and Hl for the target.
func (r *lpadRun) Step() error {
	if r.iter > 0 && r.iter%r.every == 0 {
		r.move()
	}
	r.iter++
	r.BeginSweep()
	for l := range r.P() {
		t := r.PsiTilde(l)
		r.den.Mul(t, r.HtH)
		r.ridge.Scale(r.beta, t)
		r.den.Add(r.den, r.ridge)
		r.UpdateU(l, r.MH, r.den, linalg.Eps)
	}
	r.RefreshPsi()
	h := r.Top()
	r.hden.Mul(h, r.PtP)
	if r.beta > 0 {
		r.hb.Scale(r.beta, h)
		r.hden.Add(r.hden, r.hb)
	}
	linalg.MulUpdate(h, r.XPsi, r.hden, 1, linalg.Eps)
	r.RefreshTop()
	return nil
}

// Objective implements solve.Model: ‖T − Hl Ψᵀ‖² − price(R) + β(‖Ψ‖² +
// ‖Hl‖²) at the current factors and target.
func (r *lpadRun) Objective() float64 {
	psi := r.Product()
	return r.DecoderResidual() - r.rPrice + r.beta*(linalg.Dot(psi, psi)+linalg.Dot(r.Top(), r.Top()))
}
