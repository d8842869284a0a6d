package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
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
// multiplicative rule. docs/models/deepseminmf.md gives the details.
type DeepSemiNMF struct {
	// Layers are r1, ..., rm; rm is the size of the representation read
	// out (the reference code clusters it by k-means).
	Layers []int
	// Normalize scales every sample to unit Euclidean norm first, as the
	// reference code does (default true through the registry).
	Normalize bool
	// Init is the start of each layer's H: "nndsvd" (the reference's, also
	// ""), "nndsvda", "nndsvdar" or "random"; from |input|.
	Init string
	// PreIter and PreTol bound each layer's semi-NMF pre-training.
	PreIter int
	PreTol  float64
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
	Params:    "normalize=true pre_iter=500 pre_tol=1e-5 (--init nndsvd|nndsvda|nndsvdar|random)",
	// deep_seminmf.m: maxiter 500, TolFun 1e-5.
	Defaults: &solve.Settings{MaxIter: 500, Tol: 1e-5},
	New: func(c Config) (Estimator, error) {
		layers, err := deepLayers(c, false)
		if err != nil {
			return nil, err
		}
		p := c.Params
		return &DeepSemiNMF{
			Layers:    layers,
			Normalize: p.Bool("normalize", true),
			Init:      c.Init,
			PreIter:   p.Int("pre_iter", 500),
			PreTol:    p.Float("pre_tol", 1e-5),
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d, any sign). The Embedding is Hmᵀ (n x rm); the
// factors are Z1..Zm, H1..Hm (transposed, one row per sample) and
// Psi1..Psim.
func (m *DeepSemiNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	n, d := x.Dims()
	if err := checkEntries(x, false); err != nil {
		return nil, err
	}
	if err := checkLayers(m.Layers, n, d); err != nil {
		return nil, err
	}
	for i := 1; i < len(m.Layers); i++ {
		if m.Layers[i] >= m.Layers[i-1] {
			return nil, invalidf("layer sizes %v must decrease: layer %d factorizes the %d-column representation of layer %d", m.Layers, i+1, m.Layers[i-1], i)
		}
	}
	switch m.Init {
	case "", initialize.NNDSVD, initialize.NNDSVDA, initialize.NNDSVDAR, initialize.Random:
	default:
		return nil, invalidf("unknown init %q for deepseminmf (want nndsvd, nndsvda, nndsvdar or random)", m.Init)
	}
	if m.PreIter < 1 || m.PreTol < 0 {
		return nil, invalidf("pre_iter must be ≥ 1 and pre_tol ≥ 0")
	}
	if m.Normalize {
		x = linalg.NormalizeRows(x)
	}
	init := m.Init
	if init == "" {
		init = initialize.NNDSVD
	}
	rng := rand.New(rand.NewPCG(m.Seed, 0x9e3779b97f4a7c15))
	ls, pre, err := pretrainLayers(ctx, x, m.Layers, rng, semiPretrainer(init, m.PreIter, m.PreTol))
	if err != nil {
		return nil, fmt.Errorf("deepseminmf: %w", err)
	}
	run := newDSNRun(x, ls)
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("deepseminmf: %w", err)
	}
	res := run.result("deepseminmf", sr, pre, run.top(), factorNames{u: "Z", v: "H", vFresh: true})
	res.Assign = "kmeans" // the reference code's read-out
	return res, nil
}

// semiPretrainer returns the pre-training of deep semi-NMF's layers:
// semi-NMF (seminmf.m), the core of model/seminmf.go: x ≈ W·H with W ≥ 0
// (n x r, the layer's coefficients) started by NNDSVD of |x| (init) and H
// (r x m, the layer's factor Zᵀ) set to its least-squares optimum; each
// iteration updates W by the multiplicative rule, then H.
func semiPretrainer(init string, maxIter int, tol float64) pretrainer {
	return func(ctx context.Context, x linalg.Matrix, r int, rng *rand.Rand) (deepLayer, *solve.Result, error) {
		n, m := x.Dims()
		abs := x.Apply(mat.NewDense(n, 1, nil), mat.NewDense(1, m, nil), func(v, _ float64) float64 { return math.Abs(v) })
		w, _, err := initialize.Factors(abs, r, init, rng)
		if err != nil {
			return deepLayer{}, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		run := &semiRun{x: x, w: w}
		if err := run.solveH(); err != nil {
			return deepLayer{}, nil, err
		}
		res, err := solve.Fit(ctx, run, solve.Settings{MaxIter: maxIter, Tol: tol})
		if err != nil {
			return deepLayer{}, nil, err
		}
		return deepLayer{U: linalg.Transpose(run.h), H: run.w}, res, nil
	}
}

// semiUpdate applies the semi-NMF multiplicative update (Ding, Li and
// Jordan 2010) in the row orientation, F ≥ 0 (n x r) in x ≈ F·Zᵀ, given
// a = x·Z (n x r) and b = ZᵀZ (r x r):
//
//	F ← F ⊙ sqrt( ([a]⁺ + F[b]⁻) / max([a]⁻ + F[b]⁺, eps) ).
//
// It is semiRun.Step's update of W without the least-squares step that
// follows it there: the fine-tuning sets the Z_i its own way.
func semiUpdate(f, a, b *mat.Dense, eps float64) {
	n, r := f.Dims()
	ap, an := mat.NewDense(n, r, nil), mat.NewDense(n, r, nil)
	bp, bn := mat.NewDense(r, r, nil), mat.NewDense(r, r, nil)
	linalg.PosNeg(ap, an, a)
	linalg.PosNeg(bp, bn, b)
	num, den := mat.NewDense(n, r, nil), mat.NewDense(n, r, nil)
	num.Mul(f, bn)
	num.Add(num, ap)
	den.Mul(f, bp)
	den.Add(den, an)
	linalg.MulUpdate(f, num, den, 0.5, eps)
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
	*deepStack
	sq      float64
	mh, hth *mat.Dense // xᵀH (m x k), HᵀH
	ptp     *mat.Dense // ΨpᵀΨp
}

func newDSNRun(x linalg.Matrix, ls []deepLayer) *dsnRun {
	st := newDeepStack(x, ls)
	m, k := st.m, st.k()
	r := &dsnRun{deepStack: st, sq: x.Stats().SquaredNorm, mh: mat.NewDense(m, k, nil), hth: mat.NewDense(k, k, nil), ptp: mat.NewDense(k, k, nil)}
	r.refresh()
	return r
}

func (r *dsnRun) refresh() {
	h, psi := r.top(), r.Psi()
	r.x.TMul(r.mh, h)
	r.hth.Mul(h.T(), h)
	r.ptp.Mul(psi.T(), psi)
}

// Step implements solve.Model: Z1, H1, ..., Zm, Hm.
func (r *dsnRun) Step() error {
	r.beginSweep()
	// X pinv(Hm) = (X Hmᵀ)(Hm Hmᵀ)⁺, shared by every layer this sweep.
	hthP, err := linalg.Pinv(r.hth)
	if err != nil {
		return err
	}
	var y mat.Dense
	y.Mul(r.mh, hthP)    // m x k
	var gPrev *mat.Dense // Ψ_{i−1}ᵀΨ_{i−1}
	for l := range r.p() {
		// Y = X pinv(Φ Hm) = X pinv(Hm) (ΦᵀΦ)⁺ Φᵀ, m x r_l.
		yl := &y
		if phi := r.phiAfter(l); phi != nil {
			var ptp mat.Dense
			ptp.Mul(phi.T(), phi)
			pp, err := linalg.Pinv(&ptp)
			if err != nil {
				return err
			}
			var t mat.Dense
			t.Mul(pp, phi.T())
			yl = new(mat.Dense)
			yl.Mul(&y, &t)
		}
		// Z_l = pinv(Ψ_{l−1}) Y = (Ψᵀ_{l−1}Ψ_{l−1})⁺ Ψᵀ_{l−1} Y.
		if pb := r.psiBefore(l); pb != nil {
			gp, err := linalg.Pinv(gPrev)
			if err != nil {
				return err
			}
			var py mat.Dense
			py.Mul(pb.T(), yl)
			r.u[l].Mul(gp, &py)
		} else {
			r.u[l].Copy(yl)
		}
		r.setPsi(l)
		psi := r.psi[l]
		_, rl := psi.Dims()
		g := mat.NewDense(rl, rl, nil)
		g.Mul(psi.T(), psi)
		a := mat.NewDense(r.n, rl, nil)
		r.x.Mul(a, psi) // (Ψ_lᵀ X)ᵀ
		semiUpdate(r.v[l], a, g, dsnEps)
		gPrev = g
	}
	r.refresh()
	return nil
}

// Objective implements solve.Model: ‖X − Ψm Hm‖²_F from Gram matrices.
func (r *dsnRun) Objective() float64 {
	return max(r.sq-2*linalg.Dot(r.mh, r.Psi())+linalg.Dot(r.ptp, r.hth), 0)
}

// Monitor implements solve.Monitor: the relative decrease of
// ‖X − Ψm Hm‖_F, the reference's error.
func (r *dsnRun) Monitor() (float64, solve.Rule) {
	return math.Sqrt(r.Objective()), solve.RelativeDecrease
}
