package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
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
// to sum 1, to be clustered by k-means. docs/models/danmf-crfr.md.
type DANMFCRFR struct {
	// Layers are r1, ..., rl; rl is the size of the representation, not
	// the number of clusters (the paper uses 60-50-40 for UCI data and
	// 120-100-80 for images).
	Layers []int
	// Lambda1 (repulsive), Lambda2 (attractive) and Lambda3 (feature
	// relations) are the paper's λ1, λ2, λ3: lamb0, lamb1 and lamb2 of the
	// code.
	Lambda1, Lambda2, Lambda3 float64
	// Neighbors and T make S⁺: the symmetric Neighbors-nearest-neighbour
	// graph with heat-kernel weights exp(−‖x_i − x_j‖²/T).
	Neighbors int
	T         float64
	// Scale is "minmax" (every feature mapped onto [0, 1], as the code's
	// normalized data sets; also "") or "none".
	Scale string
	// Normalize is "sum" (the code's: each row of the embedding Hlᵀ scaled
	// to sum 1, also "") or "none" (the embedding is Hlᵀ itself).
	Normalize string
	PreIter   int
	Seed      uint64
}

var danmfcrfrSpec = Spec{
	Name:      "danmf-crfr",
	Kind:      Data,
	Objective: "min ‖X − ΨHl‖² + ‖Hl − ΨᵀX‖² + λ1 tr(Hl S⁻ Hlᵀ) + 2λ2 tr(Hl L⁺ Hlᵀ) + ‖XXᵀ − λ3ΨΨᵀ‖², Ψ = W1⋯Wl",
	Reference: "Salahian, Akhlaghian Tab, Seyedi & Chavoshinejad, ESWA 214 (2023) 119051 (navidsalahian/DANMF_CRFR)",
	Params:    "lambda1=1e-6 lambda2=5 lambda3=0 neighbors=4 t=0.3 scale=minmax|none normalize=sum|none pre_iter=500 (embedding for k-means: --assign kmeans)",
	// The paper's 1000 fine-tuning iterations; the code has no tolerance.
	Defaults: &solve.Settings{MaxIter: 1000},
	New: func(c Config) (Estimator, error) {
		layers, err := deepLayers(c, false)
		if err != nil {
			return nil, err
		}
		if c.Init != "" {
			return nil, invalidf("danmf-crfr starts each layer from uniform random factors; --init does not apply")
		}
		p := c.Params
		return &DANMFCRFR{
			Layers:    layers,
			Lambda1:   p.Float("lambda1", 1e-6),
			Lambda2:   p.Float("lambda2", 5),
			Lambda3:   p.Float("lambda3", 0),
			Neighbors: p.Int("neighbors", 4),
			T:         p.Float("t", 0.3),
			Scale:     p.String("scale", "minmax", "minmax", "none"),
			Normalize: p.String("normalize", "sum", "sum", "none"),
			PreIter:   p.Int("pre_iter", 500),
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d, one sample per row). The fine-tuning runs under
// s, with MaxIter 0 meaning the paper's 1000 iterations. The Embedding is
// Hlᵀ (n x rl) with rows scaled to sum 1 unless Normalize is "none"; the
// factors are W1..Wl, H1..Hl (transposed) and Psi1..Psil.
func (m *DANMFCRFR) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	n, _ := x.Dims()
	for _, v := range []float64{m.Lambda1, m.Lambda2, m.Lambda3, m.T} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, invalidf("lambda1, lambda2, lambda3 and t must be finite and ≥ 0")
		}
	}
	switch {
	case m.PreIter < 0:
		return nil, invalidf("pre_iter must be ≥ 0")
	case len(m.Layers) == 0:
		return nil, invalidf("danmf-crfr needs at least one layer")
	case m.Normalize != "" && m.Normalize != "sum" && m.Normalize != "none":
		return nil, invalidf("unknown normalize %q (want sum or none)", m.Normalize)
	case m.Neighbors < 1 || m.Neighbors >= n:
		return nil, invalidf("neighbors = %d must be in [1, %d)", m.Neighbors, n)
	}
	for _, r := range m.Layers {
		if r < 1 || r >= n {
			return nil, invalidf("layer sizes %v must be in [1, %d)", m.Layers, n)
		}
	}
	switch m.Scale {
	case "", "minmax":
		if err := checkEntries(x, false); err != nil {
			return nil, err
		}
		var err error
		if x, err = linalg.MinMaxCols(x); err != nil {
			return nil, fmt.Errorf("%w: %v (use scale=none)", ErrInvalid, err)
		}
	case "none":
		if err := checkEntries(x, true); err != nil {
			return nil, err
		}
	default:
		return nil, invalidf("unknown scale %q (want minmax or none)", m.Scale)
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	reg := &crfrReg{lambda1: m.Lambda1, lambda2: m.Lambda2, lambda3: m.Lambda3}
	if m.Lambda2 > 0 {
		sp, err := graph.KNN(linalg.DenseOf(x), m.Neighbors, &graph.KNNOptions{Weight: graph.Heat, T: m.T})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		reg.s = sp
		reg.deg, _ = graph.Degrees(sp)
	}
	if m.Lambda1 > 0 {
		reg.dis = linalg.Distances(x)
	}
	rng := rand.New(rand.NewPCG(m.Seed, 0x9e3779b97f4a7c15))
	ls, pre, err := pretrainLayers(ctx, x, m.Layers, rng, aePretrainer(m.PreIter, 0))
	if err != nil {
		return nil, fmt.Errorf("danmf-crfr: %w", err)
	}
	run := newCRFRRun(x, ls, reg)
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("danmf-crfr: %w", err)
	}
	emb := run.top()
	if m.Normalize != "none" {
		emb = mat.DenseCopyOf(emb)
		sums := make([]float64, n)
		for i := range sums {
			sums[i] = 1 / max(mat.Sum(emb.RowView(i)), danmfEps)
		}
		linalg.ScaleRows(emb, emb, sums)
	}
	res := run.result("danmf-crfr", sr, pre, emb, factorNames{u: "W", v: "H"})
	res.Assign = "kmeans-plain" // the reference code's read-out: scikit-learn's KMeans on the rows
	return res, nil
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
	*deepStack
	reg      *crfrReg
	gram     *deepGramOp
	sq, xxtn float64 // ‖X‖², ‖XXᵀ‖² (when λ3 > 0)

	mh, hth   *mat.Dense // xᵀH (m x k), HᵀH
	xpsi, ptp *mat.Dense // xΨ (n x k), ΨᵀΨ
	mmpsi     *mat.Dense // XXᵀΨ (m x k), when λ3 > 0
	sh, dh    *mat.Dense // S⁺H, D⁺H (n x k)
	disH      *mat.Dense // S⁻H (n x k)
	num, den  *mat.Dense // m x k scratch
	xt, g     *mat.Dense // n x k scratch, m x k scratch
	hnum      *mat.Dense // n x k scratch
	hden      *mat.Dense
}

func newCRFRRun(x linalg.Matrix, ls []deepLayer, reg *crfrReg) *crfrRun {
	st := newDeepStack(x, ls)
	n, m, k := st.n, st.m, st.k()
	r := &crfrRun{
		deepStack: st, reg: reg, gram: newDeepGramOp(x), sq: x.Stats().SquaredNorm,
		mh: mat.NewDense(m, k, nil), hth: mat.NewDense(k, k, nil),
		xpsi: mat.NewDense(n, k, nil), ptp: mat.NewDense(k, k, nil),
		num: mat.NewDense(m, k, nil), den: mat.NewDense(m, k, nil),
		xt: mat.NewDense(n, k, nil), g: mat.NewDense(m, k, nil),
		hnum: mat.NewDense(n, k, nil), hden: mat.NewDense(n, k, nil),
	}
	if reg.lambda3 > 0 {
		r.mmpsi = mat.NewDense(m, k, nil)
		r.xxtn = xxtNorm(x, r.gram)
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

// xxtNorm returns ‖XXᵀ‖²_F = ‖XᵀX‖²_F through the smaller Gram matrix.
func xxtNorm(x linalg.Matrix, g *deepGramOp) float64 {
	if g.g != nil {
		return linalg.Dot(g.g, g.g)
	}
	n, m := x.Dims()
	if m <= n {
		xt := linalg.DenseOf(x)
		var gm mat.Dense
		gm.Mul(xt.T(), xt)
		return linalg.Dot(&gm, &gm)
	}
	xd := linalg.DenseOf(x)
	var gn mat.Dense
	gn.Mul(xd, xd.T())
	return linalg.Dot(&gn, &gn)
}

func (r *crfrRun) refreshPsi() {
	psi := r.Psi()
	r.x.Mul(r.xpsi, psi)
	r.ptp.Mul(psi.T(), psi)
	if r.mmpsi != nil {
		r.gram.apply(r.mmpsi, psi, r.xpsi)
	}
}

func (r *crfrRun) refreshH() {
	h := r.top()
	r.x.TMul(r.mh, h)
	r.hth.Mul(h.T(), h)
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
	r.beginSweep()
	l3 := r.reg.lambda3
	for l := range r.p() {
		t := r.psiTilde(l)
		r.x.Mul(r.xt, t)
		r.gram.apply(r.g, t, r.xt) // XXᵀΨ̃
		r.num.Scale(2, r.mh)
		r.den.Mul(t, r.hth)
		r.den.Add(r.den, r.g)
		if l3 > 0 {
			var frp, ttt mat.Dense
			frp.Scale(2*l3, r.g)
			r.num.Add(r.num, &frp)
			ttt.Mul(t.T(), t)
			frp.Mul(t, &ttt)
			frp.Scale(2*l3*l3, &frp)
			r.den.Add(r.den, &frp)
		}
		r.updateU(l, r.num, r.den, danmfEps)
	}
	r.refreshPsi()
	h := r.top()
	r.hnum.Scale(2, r.xpsi)
	r.hden.Mul(h, r.ptp)
	r.hden.Add(r.hden, h)
	var t mat.Dense
	if r.sh != nil {
		t.Scale(2*r.reg.lambda2, r.sh)
		r.hnum.Add(r.hnum, &t)
		t.Scale(2*r.reg.lambda2, r.dh)
		r.hden.Add(r.hden, &t)
	}
	if r.disH != nil {
		t.Scale(r.reg.lambda1, r.disH)
		r.hden.Add(r.hden, &t)
	}
	linalg.MulUpdate(h, r.hnum, r.hden, 1, danmfEps)
	r.refreshH()
	return nil
}

// Objective implements solve.Model: the objective of the type comment,
// from the cached products (the feature term only when λ3 > 0; it is the
// constant ‖XXᵀ‖² otherwise and left out).
func (r *crfrRun) Objective() float64 {
	h, psi := r.top(), r.Psi()
	dec := max(r.sq-2*linalg.Dot(r.mh, psi)+linalg.Dot(r.ptp, r.hth), 0)
	var diff mat.Dense
	diff.Sub(h, r.xpsi)
	c := dec + linalg.Dot(&diff, &diff)
	if r.sh != nil {
		c += 2 * r.reg.lambda2 * (linalg.Dot(r.dh, h) - linalg.Dot(r.sh, h))
	}
	if r.disH != nil {
		c += r.reg.lambda1 * linalg.Dot(r.disH, h)
	}
	if l3 := r.reg.lambda3; l3 > 0 {
		c += max(r.xxtn-2*l3*linalg.Dot(r.mmpsi, psi)+l3*l3*linalg.Dot(r.ptp, r.ptp), 0)
	}
	return c
}
