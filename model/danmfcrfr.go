package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// DANMFCRFR is deep autoencoder-like NMF with contrastive regularization
// and feature relationship preservation (Salahian, Akhlaghian Tab, Seyedi
// and Chavoshinejad, Expert Systems with Applications 214, 2023, 119051),
// with the semantics of the authors' Python code
// (navidsalahian/DANMF_CRFR, danmf_crfr.py). For data X (d x n, one sample
// per column) it minimizes
//
//	‖X − W1⋯WlHl‖²_F + ‖Hl − Wlᵀ⋯W1ᵀX‖²_F
//	  + λ1 Σ_ij S⁻_ij (Hlᵀ Hl)_ij + λ2 Σ_ij S⁺_ij ‖h_i − h_j‖² + ‖XXᵀ − λ3 ΨΨᵀ‖²_F
//
// over nonnegative W_i and Hl, with Ψ = W1⋯Wl, S⁻ the pairwise Euclidean
// distances (a repulsive, contrastive term: distant samples should not
// share components), S⁺ a heat-kernel kNN graph (attractive) and the last
// term preserving the relations between features. Layers are pre-trained
// by the shallow autoencoder-like NMF (as DANMF) and fine-tuned by the
// code's multiplicative updates; the Embedding is Hlᵀ with each row scaled
// to sum 1, to be clustered by k-means. docs/models/danmf-crfr.md. The
// factors are W1..Wl, H1..Hl (transposed) and Psi1..Psil.
type DANMFCRFR struct {
	// Layers are r1, ..., rl; rl is the size of the representation, not
	// the number of clusters (the paper uses 60-50-40 for UCI data and
	// 120-100-80 for images), and may exceed the number of features.
	Layers []int
	// Lambda1 (repulsive), Lambda2 (attractive) and Lambda3 (feature
	// relations) are the paper's λ1, λ2, λ3: lamb0, lamb1 and lamb2 of the
	// code; nil means 1e-6, 5 and 0.
	Lambda1 *float64 `param:"lambda1" default:"1e-6" check:">=0" help:"weight λ1 of the repulsive (contrastive) term"`
	Lambda2 *float64 `param:"lambda2" default:"5" check:">=0" help:"weight λ2 of the attractive kNN term"`
	Lambda3 float64  `param:"lambda3" check:">=0" help:"weight λ3 of the feature-relation term"`
	// Neighbors and T make S⁺: the symmetric Neighbors-nearest-neighbour
	// graph with heat-kernel weights exp(−‖x_i − x_j‖²/T).
	Neighbors int     `param:"neighbors" default:"4" check:">=1" help:"neighbours of the kNN graph S⁺"`
	T         float64 `param:"t" default:"0.3" check:">0" help:"heat-kernel t of S⁺"`
	// Scale "minmax" maps every feature onto [0, 1], as the code's
	// normalized data sets; "none" takes the data as they are.
	Scale Scale `param:"scale" choices:"minmax|none" help:"per-feature scaling of the data"`
	// Normalize "sum" scales each row of the embedding Hlᵀ to sum 1 (the
	// code's); "none" leaves Hlᵀ as it is.
	Normalize Normalize `param:"normalize" choices:"sum|none" help:"row normalization of the embedding"`
	PreIter   *int      `param:"pre_iter" default:"500" check:">=0" help:"pre-training iterations per layer"`
	Seed      uint64
}

// Scale names a per-feature scaling of data.
type Scale string

// The scalings.
const (
	ScaleMinMax Scale = "minmax"
	ScaleNone   Scale = "none"
)

var danmfcrfrSpec = Spec{
	Name:      "danmf-crfr",
	Kind:      Data,
	Objective: "min ‖X − ΨHl‖² + ‖Hl − ΨᵀX‖² + λ1 tr(Hl S⁻ Hlᵀ) + 2λ2 tr(Hl L⁺ Hlᵀ) + ‖XXᵀ − λ3ΨΨᵀ‖², Ψ = W1⋯Wl",
	Reference: "Salahian, Akhlaghian Tab, Seyedi & Chavoshinejad, ESWA 214 (2023) 119051 (navidsalahian/DANMF_CRFR)",
	// The paper's 1000 fine-tuning iterations; the code has no tolerance.
	Settings:   solve.Settings{MaxIter: 1000, Tol: new(0.0)},
	topNotRank: true,
	new:        func() fitter { return new(DANMFCRFR) },
}

func (*DANMFCRFR) spec() *Spec { return &danmfcrfrSpec }

// signed implements signedInput: min-max scaling maps data of any sign
// onto [0, 1].
func (m *DANMFCRFR) signed(linalg.Matrix) bool { return m.Scale != ScaleNone }

// Fit factorizes x (n x d, one sample per row).
func (m *DANMFCRFR) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *DANMFCRFR) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, _ := x.Dims()
	if err := deep.CheckLayers(m.Layers, n, false); err != nil {
		return nil, invalid(err)
	}
	if m.Neighbors >= n {
		return nil, invalidf("neighbors = %d must be below the number of samples %d", m.Neighbors, n)
	}
	if m.Scale == ScaleMinMax {
		var err error
		if x, err = linalg.MinMaxCols(x); err != nil {
			return nil, invalidf("%v (use scale=none)", err)
		}
	}
	lambda1, lambda2 := *m.Lambda1, *m.Lambda2
	reg := &crfrReg{lambda1: lambda1, lambda2: lambda2, lambda3: m.Lambda3}
	if lambda2 > 0 {
		sp, err := graph.KNN(linalg.DenseOf(x), m.Neighbors, &graph.KNNOptions{Weight: graph.Heat, T: m.T})
		if err != nil {
			return nil, invalid(err)
		}
		reg.s = sp
		reg.deg, _ = graph.Degrees(sp)
	}
	if lambda1 > 0 {
		reg.dis = linalg.Distances(x)
	}
	ls, err := r.pretrainLayers(x, m.Layers, func(_ int, z linalg.Matrix, size int) (layerFit, error) {
		return aeLayer(z, size, r, danmfEps, *m.PreIter, 0), nil
	})
	if err != nil {
		return nil, err
	}
	run := newCRFRRun(x, ls, reg)
	return r.final(run, func() *Result {
		emb := run.Top()
		if m.Normalize != NormalizeNone {
			emb = mat.DenseCopyOf(emb)
			sums := make([]float64, n)
			for i := range sums {
				sums[i] = 1 / max(mat.Sum(emb.RowView(i)), danmfEps)
			}
			linalg.ScaleRows(emb, emb, sums)
		}
		res := stackResult(run.Stack, emb, W, H, false)
		res.Assign = AssignKMeansPlain // the reference code's read-out: scikit-learn's KMeans on the rows
		return res
	})
}

// crfrReg holds DANMF-CRFR's regularizers.
type crfrReg struct {
	lambda1, lambda2, lambda3 float64
	s                         *linalg.CSR // S⁺, the kNN graph, when λ2 > 0
	deg                       []float64   // its degrees
	dis                       *mat.Dense  // S⁻, the n x n distances, when λ1 > 0
}

// crfrRun is DANMF-CRFR's fine-tuning (training() in danmf_crfr.py): for
// each layer i, with Ψ̃ the current product,
//
//	W_i ← W_i ⊙ Ψ_{i−1}ᵀ[2XHlᵀ + 2λ3 XXᵀΨ̃]Φ_{i+1}ᵀ / max(Ψ_{i−1}ᵀ[Ψ̃HlHlᵀ + XXᵀΨ̃ + 2λ3²Ψ̃Ψ̃ᵀΨ̃]Φ_{i+1}ᵀ, ε),
//
// then Hl ← Hl ⊙ (2ΨᵀX + 2λ2 Hl S⁺) / max(ΨᵀΨHl + Hl + 2λ2 Hl D⁺ + λ1 Hl S⁻, ε).
type crfrRun struct {
	*deep.Stack
	reg  *crfrReg
	gram *linalg.GramOperator
	xxtn float64 // ‖XXᵀ‖² (when λ3 > 0)

	mmpsi    *mat.Dense // XXᵀΨ (m x k), when λ3 > 0
	sh, dh   *mat.Dense // S⁺H, D⁺H (n x k)
	disH     *mat.Dense // S⁻H (n x k)
	num, den *mat.Dense // m x k scratch
	xt, g    *mat.Dense // n x k scratch, m x k scratch
	hnum     *mat.Dense // n x k scratch
	hden     *mat.Dense
	frp      *mat.Dense // m x k scratch, when λ3 > 0
	kk       mat.Dense  // k x k scratch
}

func newCRFRRun(x linalg.Matrix, ls []deep.Layer, reg *crfrReg) *crfrRun {
	st := deep.NewStack(x, ls)
	n, m, k := st.N, st.M, st.K()
	r := &crfrRun{
		Stack: st, reg: reg, gram: linalg.NewGramOperator(x),
		num: mat.NewDense(m, k, nil), den: mat.NewDense(m, k, nil),
		xt: mat.NewDense(n, k, nil), g: mat.NewDense(m, k, nil),
		hnum: mat.NewDense(n, k, nil), hden: mat.NewDense(n, k, nil),
	}
	if reg.lambda3 > 0 {
		r.mmpsi = mat.NewDense(m, k, nil)
		r.xxtn = r.gram.SquaredNorm()
	}
	if reg.s != nil {
		r.sh, r.dh = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	}
	if reg.dis != nil {
		r.disH = mat.NewDense(n, k, nil)
	}
	r.refreshPsi()
	r.refreshH()
	return r
}

func (r *crfrRun) refreshPsi() {
	r.RefreshPsi()
	if r.mmpsi != nil {
		r.gram.Apply(r.mmpsi, r.Product(), r.XPsi)
	}
}

func (r *crfrRun) refreshH() {
	r.RefreshTop()
	h := r.Top()
	if r.sh != nil {
		r.reg.s.Mul(r.sh, h)
		linalg.ScaleRows(r.dh, h, r.reg.deg)
	}
	if r.disH != nil {
		r.disH.Mul(r.reg.dis, h)
	}
}

// Step implements solve.Model: W1, ..., Wl, then Hl.
func (r *crfrRun) Step() error {
	r.BeginSweep()
	l3 := r.reg.lambda3
	for l := range r.P() {
		t := r.PsiTilde(l)
		r.X.Mul(r.xt, t)
		r.gram.Apply(r.g, t, r.xt) // XXᵀΨ̃
		r.num.Scale(2, r.MH)
		r.den.Mul(t, r.HtH)
		r.den.Add(r.den, r.g)
		if l3 > 0 {
			if r.frp == nil {
				r.frp = mat.NewDense(r.M, r.K(), nil)
			}
			linalg.AddScaled(r.num, 2*l3, r.g)
			linalg.GramTo(&r.kk, t)
			r.frp.Mul(t, &r.kk)
			linalg.AddScaled(r.den, 2*l3*l3, r.frp)
		}
		r.UpdateU(l, r.num, r.den, danmfEps)
	}
	r.refreshPsi()
	h := r.Top()
	r.hnum.Scale(2, r.XPsi)
	r.hden.Mul(h, r.PtP)
	r.hden.Add(r.hden, h)
	if r.sh != nil {
		linalg.AddScaled(r.hnum, 2*r.reg.lambda2, r.sh)
		linalg.AddScaled(r.hden, 2*r.reg.lambda2, r.dh)
	}
	if r.disH != nil {
		linalg.AddScaled(r.hden, r.reg.lambda1, r.disH)
	}
	linalg.MulUpdate(h, r.hnum, r.hden, 1, danmfEps)
	r.refreshH()
	return nil
}

// Objective implements solve.Model: the objective of the type comment,
// from the cached products (the feature term only when λ3 > 0; it is the
// constant ‖XXᵀ‖² otherwise and left out).
func (r *crfrRun) Objective() float64 {
	h, psi := r.Top(), r.Product()
	var diff mat.Dense
	diff.Sub(h, r.XPsi)
	c := r.DecoderResidual() + linalg.Dot(&diff, &diff)
	if r.sh != nil {
		c += 2 * r.reg.lambda2 * (linalg.Dot(r.dh, h) - linalg.Dot(r.sh, h))
	}
	if r.disH != nil {
		c += r.reg.lambda1 * linalg.Dot(r.disH, h)
	}
	if l3 := r.reg.lambda3; l3 > 0 {
		c += max(r.xxtn-2*l3*linalg.Dot(r.mmpsi, psi)+l3*l3*linalg.Dot(r.PtP, r.PtP), 0)
	}
	return c
}

// extraBytes implements footprinter: the n x n distances of the repulsive
// term, and the dense copy of the data the kNN graph needs.
func (m *DANMFCRFR) extraBytes(n, d int) uint64 { return addSat(denseBytes(n, n), denseBytes(n, d)) }
