package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// DNMF is multilayer (deep) NMF: the data M (Xᵀ for a data matrix X,
// n x d; A for a graph) is factorized as
//
//	M ≈ W1 W2 ⋯ Wp Hp,   W_i, Hp ≥ 0,
//
// minimizing ‖M − W1⋯WpHp‖²_F. Each layer is pre-trained with classic NMF
// (model.NMF, Frobenius loss, multiplicative updates): layer 1 factorizes
// M ≈ W1H1, layer i factorizes H_{i−1} ≈ WiHi (Cichocki and Zdunek,
// "Multilayer nonnegative matrix factorisation", Electronics Letters 42,
// 2006); then all layers are fine-tuned jointly by multiplicative updates
// of the reconstruction error (Trigeorgis et al.'s deep NMF, ICML 2014;
// the "DNMF, DANMF without encoder" baseline of Ye et al., CIKM 2018).
// docs/models/dnmf.md gives the updates.
type DNMF struct {
	// Layers are r1, ..., rp = k, each below the width of its input.
	Layers []int
	// Init is the NMF initialization of each layer's pre-training; "" is
	// NMF's default (nndsvda).
	Init string
	// PreIter and PreTol are the pre-training NMF's iteration limit and
	// tolerance (scikit-learn's relative-decrease rule).
	PreIter int
	PreTol  float64
	Seed    uint64
}

var dnmfSpec = Spec{
	Name:      "dnmf",
	Kind:      Data,
	Objective: "min ‖X − W1W2⋯WpHp‖²_F, W_i, Hp ≥ 0 (X one sample per column)",
	Reference: "Cichocki & Zdunek, Electron. Lett. 2006; Trigeorgis et al., ICML 2014; DNMF baseline of Ye et al., CIKM 2018",
	Params:    "pre_iter=500 pre_tol=1e-4",
	New: func(c Config) (Estimator, error) {
		layers, err := deepLayers(c, true)
		if err != nil {
			return nil, err
		}
		p := c.Params
		return &DNMF{
			Layers:  layers,
			Init:    c.Init,
			PreIter: p.Int("pre_iter", 500),
			PreTol:  p.Float("pre_tol", 1e-4),
			Seed:    c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d, one sample per row). The Embedding is Hpᵀ
// (n x k); the factors are W1..Wp, H1..Hp (transposed, one row per
// sample) and Psi1..Psip.
func (m *DNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	n, d := x.Dims()
	if err := checkEntries(x, true); err != nil {
		return nil, err
	}
	if err := checkLayers(m.Layers, n, d); err != nil {
		return nil, err
	}
	for i := 1; i < len(m.Layers); i++ {
		if m.Layers[i] >= m.Layers[i-1] {
			return nil, invalidf("layer sizes %v must decrease: layer %d factorizes the %d-column coefficients of layer %d", m.Layers, i+1, m.Layers[i-1], i)
		}
	}
	if m.PreIter < 1 || m.PreTol < 0 {
		return nil, invalidf("pre_iter must be ≥ 1 and pre_tol ≥ 0")
	}
	rng := rand.New(rand.NewPCG(m.Seed, 0x9e3779b97f4a7c15))
	ls, pre, err := pretrainLayers(ctx, x, m.Layers, rng, nmfPretrainer(m.Init, m.PreIter, m.PreTol))
	if err != nil {
		return nil, fmt.Errorf("dnmf: %w", err)
	}
	run := newDNMFRun(x, ls)
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("dnmf: %w", err)
	}
	res := run.result("dnmf", sr, pre, run.top(), factorNames{u: "W", v: "H"})
	res.Assign = "kmeans"
	return res, nil
}

// nmfPretrainer returns the pre-training of DNMF's layers: model.NMF with
// the Frobenius loss and multiplicative updates. In the row orientation
// NMF's X ≈ W·H gives the layer's coefficients H = W (n x r) and its
// factor U = Hᵀ (m x r). Each layer's NMF gets its own seed from rng.
func nmfPretrainer(init string, maxIter int, tol float64) pretrainer {
	return func(ctx context.Context, x linalg.Matrix, r int, rng *rand.Rand) (deepLayer, *solve.Result, error) {
		nmf := NMF{Rank: r, Init: init, Seed: rng.Uint64()}
		res, err := nmf.Fit(ctx, x, solve.Settings{MaxIter: maxIter, Tol: tol})
		if err != nil {
			return deepLayer{}, nil, err
		}
		return deepLayer{U: linalg.Transpose(res.Factor("H")), H: res.Factor("W")}, &res.Result, nil
	}
}

// dnmfRun is DNMF's fine-tuning: for each layer i in turn
//
//	W_i ← W_i ⊙ Ψ_{i−1}ᵀ M Hpᵀ Φ_{i+1}ᵀ / max(Ψ_{i−1}ᵀ Ψ̃_i Hp Hpᵀ Φ_{i+1}ᵀ, ε),
//
// then Hp ← Hp ⊙ ΨpᵀM / max(ΨpᵀΨp Hp, ε): each a majorization-minimization
// step of the reconstruction error, which therefore does not increase.
type dnmfRun struct {
	*deepStack
	sq        float64
	mh, hth   *mat.Dense // M·Hpᵀ = xᵀH (m x k), HᵀH
	xpsi, ptp *mat.Dense // x·Ψ (n x k), ΨᵀΨ
	den       *mat.Dense // m x k scratch
	hden      *mat.Dense // n x k scratch
}

func newDNMFRun(x linalg.Matrix, ls []deepLayer) *dnmfRun {
	st := newDeepStack(x, ls)
	n, m, k := st.n, st.m, st.k()
	r := &dnmfRun{
		deepStack: st, sq: x.Stats().SquaredNorm,
		mh: mat.NewDense(m, k, nil), hth: mat.NewDense(k, k, nil),
		xpsi: mat.NewDense(n, k, nil), ptp: mat.NewDense(k, k, nil),
		den: mat.NewDense(m, k, nil), hden: mat.NewDense(n, k, nil),
	}
	r.refreshPsi()
	r.refreshH()
	return r
}

func (r *dnmfRun) refreshPsi() {
	psi := r.Psi()
	r.x.Mul(r.xpsi, psi)
	r.ptp.Mul(psi.T(), psi)
}

func (r *dnmfRun) refreshH() {
	h := r.top()
	r.x.TMul(r.mh, h)
	r.hth.Mul(h.T(), h)
}

// Step implements solve.Model: W1, ..., Wp, then Hp.
func (r *dnmfRun) Step() error {
	r.beginSweep()
	for l := range r.p() {
		r.den.Mul(r.psiTilde(l), r.hth)
		r.updateU(l, r.mh, r.den, linalg.Eps)
	}
	r.refreshPsi()
	h := r.top()
	r.hden.Mul(h, r.ptp)
	linalg.MulUpdate(h, r.xpsi, r.hden, 1, linalg.Eps)
	r.refreshH()
	return nil
}

// Objective implements solve.Model: ‖M − ΨpHp‖²_F, from Gram matrices.
func (r *dnmfRun) Objective() float64 {
	return max(r.sq-2*linalg.Dot(r.mh, r.Psi())+linalg.Dot(r.ptp, r.hth), 0)
}

// Monitor implements solve.Monitor: the relative decrease of
// ‖M − ΨpHp‖_F, scikit-learn's rule for its NMF.
func (r *dnmfRun) Monitor() (float64, solve.Rule) {
	return math.Sqrt(r.Objective()), solve.RelativeDecrease
}
