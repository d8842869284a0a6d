package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// DNMF is multilayer (deep) NMF: the data M (Xᵀ for a data matrix X,
// n x d; A for a graph) is factorized as
//
//	M ≈ W1 W2 ⋯ Wp Hp,   W_i, Hp ≥ 0,
//
// minimizing ‖M − W1⋯WpHp‖²_F. Each layer is pre-trained with classic NMF
// (NMF, Frobenius loss, multiplicative updates): layer 1 factorizes
// M ≈ W1H1, layer i factorizes H_{i−1} ≈ WiHi (Cichocki and Zdunek,
// "Multilayer nonnegative matrix factorisation", Electronics Letters 42,
// 2006); then all layers are fine-tuned jointly by multiplicative updates
// of the reconstruction error (Trigeorgis et al.'s deep NMF, ICML 2014;
// the "DNMF, DANMF without encoder" baseline of Ye et al., CIKM 2018).
// docs/models/dnmf.md gives the updates. The embedding is Hpᵀ (n x k); the
// factors are W1..Wp, H1..Hp (transposed, one row per sample) and
// Psi1..Psip.
type DNMF struct {
	// Layers are r1, ..., rp = k, each below the one before and the width
	// of the input.
	Layers []int
	// Init is the NMF start of each layer's pre-training.
	Init initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	// PreIter and PreTol are the pre-training NMF's iteration limit (0
	// runs none) and tolerance (scikit-learn's relative-decrease rule).
	PreIter *int     `param:"pre_iter" default:"500" check:">=0" help:"pre-training iterations per layer"`
	PreTol  *float64 `param:"pre_tol" default:"1e-4" check:">=0" help:"pre-training tolerance (0: run pre_iter)"`
	Seed    uint64
}

var dnmfSpec = Spec{
	Name:      "dnmf",
	Kind:      Data,
	Objective: "min ‖X − W1W2⋯WpHp‖²_F, W_i, Hp ≥ 0 (X one sample per column)",
	Reference: "Cichocki & Zdunek, Electron. Lett. 2006; Trigeorgis et al., ICML 2014; DNMF baseline of Ye et al., CIKM 2018",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(DNMF) },
}

func (*DNMF) spec() *Spec { return &dnmfSpec }

// Fit factorizes x (n x d, one sample per row).
func (m *DNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *DNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, d := x.Dims()
	if err := deep.CheckLayers(m.Layers, min(n, d), true); err != nil {
		return nil, invalid(err)
	}
	limits := solve.Settings{MaxIter: *m.PreIter, Tol: m.PreTol, CheckEvery: solve.DefaultCheckEvery}
	ls, err := r.pretrainLayers(x, m.Layers, func(_ int, in linalg.Matrix, size int) (layerFit, error) {
		return (&NMF{Rank: size, Init: m.Init}).asLayer(in, r.rng.Uint64(), limits)
	})
	if err != nil {
		return nil, err
	}
	run := newDNMFRun(x, ls)
	return r.final(run, func() *Result {
		res := stackResult(run.Stack, run.Top(), W, H, false)
		res.Assign = AssignKMeans
		return res
	})
}

// dnmfRun is DNMF's fine-tuning: for each layer i in turn
//
//	W_i ← W_i ⊙ Ψ_{i−1}ᵀ M Hpᵀ Φ_{i+1}ᵀ / max(Ψ_{i−1}ᵀ Ψ̃_i Hp Hpᵀ Φ_{i+1}ᵀ, ε),
//
// then Hp ← Hp ⊙ ΨpᵀM / max(ΨpᵀΨp Hp, ε): each a majorization-minimization
// step of the reconstruction error, which therefore does not increase.
type dnmfRun struct {
	*deep.Stack
	den  *mat.Dense // m x k scratch
	hden *mat.Dense // n x k scratch
}

func newDNMFRun(x linalg.Matrix, ls []deep.Layer) *dnmfRun {
	st := deep.NewStack(x, ls)
	n, m, k := st.N, st.M, st.K()
	r := &dnmfRun{
		Stack: st,
		den:   mat.NewDense(m, k, nil), hden: mat.NewDense(n, k, nil),
	}
	r.RefreshPsi()
	r.RefreshTop()
	return r
}

// Step implements solve.Model: W1, ..., Wp, then Hp.
func (r *dnmfRun) Step() error {
	r.BeginSweep()
	for l := range r.P() {
		r.den.Mul(r.PsiTilde(l), r.HtH)
		r.UpdateU(l, r.MH, r.den, linalg.Eps)
	}
	r.RefreshPsi()
	h := r.Top()
	r.hden.Mul(h, r.PtP)
	linalg.MulUpdate(h, r.XPsi, r.hden, 1, linalg.Eps)
	r.RefreshTop()
	return nil
}

// Objective implements solve.Model: ‖M − ΨpHp‖²_F, from Gram matrices.
func (r *dnmfRun) Objective() float64 {
	return r.DecoderResidual()
}

// Monitor implements solve.Monitor: the relative decrease of
// ‖M − ΨpHp‖_F, scikit-learn's rule for its NMF.
func (r *dnmfRun) Monitor() (float64, solve.Rule) {
	return math.Sqrt(r.Objective()), solve.RelativeDecrease
}
