package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/model/internal/semi"
	"github.com/deepnmf/deepnmf/solve"
)

// DeepSemiNMF is deep semi-NMF (Trigeorgis, Bousmalis, Zafeiriou and
// Schuller, "A deep semi-NMF model for learning hidden representations",
// ICML 2014; TPAMI 2017), the linear model of the authors' MATLAB code
// (trigeorgis/Deep-Semi-NMF, deep_seminmf.m and seminmf.m). For data X of
// any sign, one sample per column, it minimizes
//
//	‖X − Z1 Z2 ⋯ Zm Hm‖²_F,   Hm ≥ 0, Z_i of any sign,
//
// and learns a hierarchy of representations H_i ≥ 0 (X ≈ Z1⋯Zi Hi). Each
// layer is pre-trained by semi-NMF (layer 1 on X, layer i on H_{i−1}) from
// an NNDSVD start; fine-tuning sets each Z_i to its least-squares optimum
// pinv(Ψ_{i−1}) X pinv(Z_{i+1}⋯Zm Hm) and updates H_i by the semi-NMF
// multiplicative rule. docs/models/deepseminmf.md gives the details. The
// embedding is Hmᵀ (n x rm); the factors are Z1..Zm, H1..Hm (transposed,
// one row per sample) and Psi1..Psim.
type DeepSemiNMF struct {
	// Layers are r1, ..., rm, decreasing; rm is the size of the
	// representation read out (the reference code clusters it by k-means).
	Layers []int
	// Normalize scales every sample to unit Euclidean norm first, as the
	// reference code does; nil means true.
	Normalize *bool `param:"normalize" default:"true" help:"scale every sample to unit norm first (the reference code's)"`
	// Init is the start of each layer's H, from |input|.
	Init initialize.Method `choices:"nndsvd|nndsvda|nndsvdar|random"`
	// PreIter (0 runs none) and PreTol bound each layer's semi-NMF
	// pre-training.
	PreIter *int     `param:"pre_iter" default:"500" check:">=0" help:"pre-training iterations per layer"`
	PreTol  *float64 `param:"pre_tol" default:"1e-5" check:">=0" help:"pre-training tolerance (0: run pre_iter)"`
	Seed    uint64
}

// dsnEps floors the denominators of the H update, as max(·, 1e-10) in
// deep_seminmf.m.
const dsnEps = 1e-10

var deepseminmfSpec = Spec{
	Name:      "deepseminmf",
	Kind:      Data,
	Objective: "min ‖X − Z1⋯ZmHm‖²_F, Hm ≥ 0, Z_i any sign (X any sign, one sample per column)",
	Reference: "Trigeorgis, Bousmalis, Zafeiriou & Schuller, A deep semi-NMF model for learning hidden representations, ICML 2014",
	// deep_seminmf.m: maxiter 500, TolFun 1e-5.
	Settings:   solve.Settings{MaxIter: 500, Tol: new(1e-5)},
	topNotRank: true,
	new:        func() fitter { return new(DeepSemiNMF) },
}

func (*DeepSemiNMF) spec() *Spec { return &deepseminmfSpec }

// signed implements signedInput: deep semi-NMF takes data of any sign.
func (*DeepSemiNMF) signed(linalg.Matrix) bool { return true }

// Fit factorizes x (n x d, any sign).
func (m *DeepSemiNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *DeepSemiNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, d := x.Dims()
	if err := deep.CheckLayers(m.Layers, min(n, d), true); err != nil {
		return nil, invalid(err)
	}
	if *m.Normalize {
		x = linalg.NormalizeRows(x)
	}
	limits := solve.Settings{MaxIter: *m.PreIter, Tol: m.PreTol, CheckEvery: solve.DefaultCheckEvery}
	ls, err := r.pretrainLayers(x, m.Layers, func(_ int, in linalg.Matrix, size int) (layerFit, error) {
		return semiLayer(in, size, m.Init, r, limits)
	})
	if err != nil {
		return nil, err
	}
	run := newDSNRun(x, ls)
	return r.final(run, func() *Result {
		res := stackResult(run.Stack, run.Top(), Z, H, true)
		res.Assign = AssignKMeans // the reference code's read-out
		return res
	})
}

// semiLayer is the pre-training of a layer of deep semi-NMF, seminmf.m:
// in ≈ W·H with W ≥ 0 (n x r, the layer's coefficients) started by init
// of |in| and H (r x m, the layer's factor Zᵀ) solved for.
func semiLayer(in linalg.Matrix, size int, init initialize.Method, r *run, limits solve.Settings) (layerFit, error) {
	rows, cols := in.Dims()
	abs := in.Apply(nil, mat.NewDense(rows, 1, nil), mat.NewDense(1, cols, nil), func(v, _ float64) float64 { return math.Abs(v) })
	w, _, err := initialize.Factors(abs, size, init, r.rng)
	if err != nil {
		return layerFit{}, invalid(err)
	}
	run, err := semi.New(in, w)
	if err != nil {
		return layerFit{}, err
	}
	return layerFit{model: run, limits: limits, layer: func() deep.Layer {
		return deep.Layer{U: linalg.Transpose(run.H), H: run.W}
	}}, nil
}

// dsnRun is deep semi-NMF's fine-tuning (deep_seminmf.m): for each layer
// i in turn,
//
//	Z_i ← pinv(Ψ_{i−1}) X pinv(Φ_{i+1} Hm),   Ψ_i = Ψ_{i−1} Z_i,
//	H_i ← H_i ⊙ sqrt( ([Ψ_iᵀX]⁺ + [Ψ_iᵀΨ_i]⁻H_i) / max([Ψ_iᵀX]⁻ + [Ψ_iᵀΨ_i]⁺H_i, ε) ),
//
// with Φ_{i+1} = Z_{i+1}⋯Zm from the start of the sweep. Only Hm enters
// the objective; the lower H_i are the hidden representations the code
// returns. pinv(Φ Hm) is formed from k x k Gram matrices as
// Hmᵀ(HmHmᵀ)⁺(ΦᵀΦ)⁺Φᵀ (the pseudo-inverse of a product of full-rank
// factors), so no n x n or r x r rank-deficient matrix is inverted.
type dsnRun struct {
	*deep.Stack
	pinv linalg.PinvScratch
	upd  semi.Updater
	s    linalg.Scratch // the sweep's products, by slot and shape
}

func newDSNRun(x linalg.Matrix, ls []deep.Layer) *dsnRun {
	r := &dsnRun{Stack: deep.NewStack(x, ls)}
	r.RefreshTop()
	r.RefreshPsi()
	return r
}

// Step implements solve.Model: Z1, H1, ..., Zm, Hm.
func (r *dsnRun) Step() error {
	r.BeginSweep()
	k := r.K()
	// X pinv(Hm) = (X Hmᵀ)(Hm Hmᵀ)⁺, shared by every layer this sweep.
	hthP := r.s.Get(0, k, k)
	if err := r.pinv.Pinv(hthP, r.HtH); err != nil {
		return err
	}
	y := r.s.Get(1, r.M, k)
	y.Mul(r.MH, hthP)    // m x k
	var gPrev *mat.Dense // Ψ_{i−1}ᵀΨ_{i−1}
	for l := range r.P() {
		// Y = X pinv(Φ Hm) = X pinv(Hm) (ΦᵀΦ)⁺ Φᵀ, m x r_l.
		yl := y
		if phi := r.PhiAfter(l); phi != nil {
			rl, _ := phi.Dims()
			ptp, pp := r.s.Get(2, k, k), r.s.Get(3, k, k)
			linalg.GramTo(ptp, phi)
			if err := r.pinv.Pinv(pp, ptp); err != nil {
				return err
			}
			t := r.s.Get(4, k, rl)
			linalg.MulABt(t, pp, phi)
			yl = r.s.Get(5, r.M, rl)
			yl.Mul(y, t)
		}
		// Z_l = pinv(Ψ_{l−1}) Y = (Ψᵀ_{l−1}Ψ_{l−1})⁺ Ψᵀ_{l−1} Y.
		if pb := r.PsiBefore(l); pb != nil {
			_, rp := pb.Dims()
			_, rl := yl.Dims()
			gp, py := r.s.Get(6, rp, rp), r.s.Get(7, rp, rl)
			if err := r.pinv.Pinv(gp, gPrev); err != nil {
				return err
			}
			linalg.MulAtB(py, pb, yl)
			r.U[l].Mul(gp, py)
		} else {
			r.U[l].Copy(yl)
		}
		r.SetPsi(l)
		psi := r.Psi[l]
		_, rl := psi.Dims()
		g := r.s.Get(8+l%2, rl, rl) // gPrev, the previous layer's, stays
		linalg.GramTo(g, psi)
		a := r.s.Get(10, r.N, rl)
		r.X.Mul(a, psi) // (Ψ_lᵀ X)ᵀ
		r.upd.Update(r.V[l], a, g, dsnEps)
		gPrev = g
	}
	r.RefreshTop()
	r.RefreshPsi()
	return nil
}

// Objective implements solve.Model: ‖X − Ψm Hm‖²_F from Gram matrices.
func (r *dsnRun) Objective() float64 {
	return r.DecoderResidual()
}

// Monitor implements solve.Monitor: the relative decrease of
// ‖X − Ψm Hm‖_F, the reference's error.
func (r *dsnRun) Monitor() (float64, solve.Rule) {
	return math.Sqrt(r.Objective()), solve.RelativeDecrease
}
