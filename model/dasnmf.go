package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
	"github.com/deepnmf/deepnmf/solve"
)

// DAsNMF is deep asymmetric NMF for directed and undirected graph
// clustering (Hajiveiseh, Seyedi and Akhlaghian Tab, "Deep asymmetric
// nonnegative matrix factorization for graph clustering", Pattern
// Recognition 148, 2024). For a graph's adjacency matrix A (n x n, a
// directed graph as it is) it factorizes (eq. 21)
//
//	‖M − Ψ Wp Ψᵀ‖²_F + λ[2Tr(ΨᵀDΨ) − Tr(ΨᵀCΨ) − Tr(ΨᵀCᵀΨ)],  Ψ = H1⋯Hp,
//
// over nonnegative H_i (r_{i−1} x r_i, r_0 = n) and Wp (k x k), where
// A_S = A + ηS adds the asymmetric-cosine second-order similarity S of
// eq. 11 (graph.SecondOrder; sparse, with the pattern of AAᵀ), C is the
// PageRank influence matrix of eq. 19 (C_ij = c_i where A_ij ≠ 0,
// graph.PageRankInfluence, ρ = 0.85) and D its row sums. Row i of Ψ holds
// node i's memberships of the k clusters and Wp the links between them.
//
// Each layer is pre-trained with the shallow asymmetric NMF (package
// trifactor): A_S ≈ H1 W1 H1ᵀ, then W_{i−1} ≈ H_i W_i H_iᵀ, 100 iterations
// each; then every H_i and Wp are fine-tuned jointly by the 1/4-power rule
// of eq. 27 and the rule of eq. 31, with M = A as Algorithm 1 prints them
// (HUpdate "a", the default: the better on average over the directed
// graphs of the paper that we have) or M = A_S as eqs. 27 and 31 derive
// them from eq. 21 (HUpdate "as"). After every sweep the columns of Ψ are
// scaled to unit norm, the scale moving into Wp (ΨWpΨᵀ does not change):
// the regularizer is quadratic in Ψ and indefinite (D holds row sums
// only), so without it large λ drives Ψ to overflow.
// docs/models/dasnmf.md gives the update rules, every choice made where
// the paper is ambiguous, and what makes the model work on Cora. The
// factors are H1..Hp, Wp, W1..W{p−1} from pre-training and Psi.
//
// Orientation: the paper's A and Ψ already have one node per row, as
// deepnmf's graph inputs; nothing is transposed.
type DAsNMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Eta weighs S in A_S = A + ηS (nil: 0.2); Lambda weighs the PageRank
	// regularizer (nil: 0.001).
	Eta    *float64 `param:"eta" default:"0.2" check:">=0" help:"weight η of the second-order similarity S in A_S = A + ηS"`
	Lambda *float64 `param:"lambda" default:"0.001" check:">=0" help:"weight λ of the PageRank regularizer"`
	// PageRank is the index order of eq. 18 (graph.Standard,
	// graph.Printed).
	PageRank PageRankOrder `param:"pagerank" choices:"standard|printed" help:"index order of eq. 18"`
	// Diag says whether S keeps its diagonal (S_uu = 1 for a node with
	// out-links).
	Diag Diag `param:"diag" choices:"keep|zero" help:"S's diagonal"`
	// HUpdate is the matrix M of the fine-tuning (the H_i rule, the Wp rule
	// and the objective): "a" (the default), A as Algorithm 1 prints the
	// rules, so that A_S only shapes the pre-training; or "as", A_S as
	// eqs. 27 and 31 derive them from eq. 21. docs/models/dasnmf.md gives
	// the measurements that chose the default.
	HUpdate HUpdate `param:"hupdate" default:"a" choices:"as|a" help:"the matrix of the fine-tuning: A (Algorithm 1) or A_S (eq. 21)"`
	// Norm "unit" gives Ψ unit-norm columns after every sweep with the
	// norms moved into Wp; "none" runs the updates as printed.
	Norm Normalize `param:"norm" choices:"unit|none" help:"unit-norm columns of Ψ after every sweep"`
	// Readout chooses the Embedding: "psi", Ψ with unit-norm columns, read
	// by argmax over rows; "kmeans", Ψ with unit-norm rows, read by
	// k-means (Result.Assign); "raw", Ψ as it is (the same as psi under
	// Norm "unit").
	Readout Readout `param:"readout" choices:"psi|kmeans|raw" help:"Ψ with unit columns (argmax), unit rows (k-means), or as it is"`
	// Init is the start of each pre-training layer: "svd",
	// initialize.TriSVD for layer 1 and TriSVDDense for the dense
	// W_{i−1}; or "random", initialize.TriRandom. The SVD start finds
	// communities (assortative structure) where random starts often end
	// in role structure: see docs/models/dasnmf.md.
	Init initialize.Method `choices:"svd|random"`
	// PreIter is the number of pre-training iterations of each layer.
	PreIter *int `param:"pre_iter" default:"100" check:">=0" help:"pre-training iterations per layer"`
	// SelfLoops says whether A keeps its diagonal (the paper's graphs have
	// none).
	SelfLoops Loops `param:"self_loops" choices:"drop|keep" help:"the graph's self-loops"`
	Seed      uint64
}

// PageRankOrder names graph.Standard and graph.Printed.
type PageRankOrder string

// The PageRank index orders.
const (
	PageRankStandard PageRankOrder = "standard"
	PageRankPrinted  PageRankOrder = "printed"
)

// HUpdate names the matrix DAsNMF's fine-tuning factorizes.
type HUpdate string

// The fine-tuning matrices.
const (
	HUpdateAS HUpdate = "as"
	HUpdateA  HUpdate = "a"
)

var dasnmfSpec = Spec{
	Name:      "dasnmf",
	Kind:      Graph,
	Objective: "min ‖A_S − ΨWpΨᵀ‖² + λ[2Tr(ΨᵀDΨ) − Tr(ΨᵀCΨ) − Tr(ΨᵀCᵀΨ)], Ψ = H1⋯Hp, A_S = A + ηS; H_i, Wp ≥ 0",
	Reference: "Hajiveiseh, Seyedi & Akhlaghian Tab, Deep asymmetric NMF for graph clustering, Pattern Recognition 148 (2024) 110179",
	// The paper's 500 fine-tuning iterations.
	Settings: solve.Settings{MaxIter: 500, Tol: new(0.0)},
	new:      func() fitter { return new(DAsNMF) },
}

func (*DAsNMF) spec() *Spec { return &dasnmfSpec }

// Fit factorizes the adjacency matrix a.
func (m *DAsNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *DAsNMF) fit(r *run, a linalg.Matrix) (*Result, error) {
	g, err := triGraph(a, m.Layers, trifactor.GraphOptions{
		Eta: *m.Eta, ZeroDiag: m.Diag == DiagZero, KeepLoops: m.SelfLoops == KeepLoops,
		Influence: true, Printed: m.PageRank == PageRankPrinted,
	})
	if err != nil {
		return nil, err
	}
	limits := solve.Settings{MaxIter: *m.PreIter, Tol: new(0.0)}
	ls, err := r.pretrainLayers(g.AS, m.Layers, func(l int, x linalg.Matrix, size int) (layerFit, error) {
		return triLayer(x, size, m.Init, l == 0, r, limits)
	})
	if err != nil {
		return nil, err
	}
	run := newDAsRun(g, ls, *m.Lambda, m.HUpdate == HUpdateA, m.Norm)
	return r.final(run, func() *Result {
		return triResult(run.U, run.w, ls, run.Product(), m.Readout, "fine-tuned")
	})
}

// dasRun is DAsNMF's fine-tuning: it implements solve.Model. The stack's
// U_i are the H_i (Ψ_i = H1⋯H_i, n x r_i).
type dasRun struct {
	*deep.Stack
	g      *trifactor.Graph
	upd    linalg.Matrix // the matrix of the updates: A_S, or A
	w      *mat.Dense    // Wp, k x k
	lambda float64
	norm   Normalize
	sqNorm float64    // ‖M‖², M = upd
	at, ta *mat.Dense // n x k scratch: Aᵀ·X and A·X
	num    *mat.Dense // n x k
	den    *mat.Dense // n x k
	gram   *mat.Dense // k x k: ΨᵀΨ
	m1, m2 *mat.Dense // k x k scratch
	kk     *mat.Dense
	norms  []float64 // scratch of normalize: the column norms, their inverses
	inv    []float64 // and a column of Ψ
	col    []float64
	obj    float64
	objOK  bool
}

func newDAsRun(g *trifactor.Graph, ls []deep.Layer, lambda float64, useA bool, norm Normalize) *dasRun {
	st := deep.NewStack(g.AS, ls)
	n, k := st.N, st.K()
	nk := func() *mat.Dense { return mat.NewDense(n, k, nil) }
	kk := func() *mat.Dense { return mat.NewDense(k, k, nil) }
	top := ls[len(ls)-1].Next.(*linalg.Dense).Raw()
	r := &dasRun{
		Stack: st, g: g, upd: g.AS, w: mat.DenseCopyOf(top), lambda: lambda, norm: norm,
		at: nk(), ta: nk(), num: nk(), den: nk(),
		gram: kk(), m1: kk(), m2: kk(), kk: kk(),
	}
	if useA {
		r.upd = g.A
	}
	r.sqNorm = r.upd.Stats().SquaredNorm
	if norm == NormalizeUnit {
		r.normalize()
	}
	return r
}

// Step implements solve.Model: one sweep of Algorithm 1, H1, ..., Hp by
// eq. 27 with the current Ψ̃, then Wp by eq. 31, then the normalization.
func (r *dasRun) Step() error {
	r.objOK = false
	r.BeginSweep()
	for l := range r.P() {
		num, den := r.hParts(l)
		linalg.MulUpdate(r.U[l], num, den, 0.25, linalg.Eps)
		r.SetPsi(l)
	}
	r.updateW()
	if r.norm != NormalizeNone {
		r.normalize()
	}
	return nil
}

// hParts returns the numerator and the denominator of eq. 27 for layer l
// (before the fourth root), with Ψ̃ the current product: the gradient of
// the objective with respect to H_l is 2(den − num). Call it in layer
// order within a sweep, after beginSweep.
func (r *dasRun) hParts(l int) (num, den *mat.Dense) {
	r.gradH(r.PsiTilde(l))
	return r.Project(l, r.num, 0), r.Project(l, r.den, 1)
}

// gradH sets num and den to the two parts of the (halved) gradient of the
// objective with respect to Ψ at t = Ψ̃ (eq. 27 before the projection):
//
//	num = MᵀtWp + MtWpᵀ + λ(Ct + Cᵀt),   den = t(WpᵀGWp + WpGWpᵀ) + 2λDt,
//
// with M the update matrix and G = tᵀt.
func (r *dasRun) gradH(t *mat.Dense) {
	r.upd.TMul(r.at, t)
	r.num.Mul(r.at, r.w)
	r.upd.Mul(r.ta, t)
	linalg.MulABt(r.den, r.ta, r.w)
	r.num.Add(r.num, r.den)
	linalg.GramTo(r.gram, t)
	r.kk.Mul(r.gram, r.w)
	linalg.MulAtB(r.m1, r.w, r.kk)
	linalg.MulABt(r.kk, r.gram, r.w)
	r.m2.Mul(r.w, r.kk)
	r.m1.Add(r.m1, r.m2)
	r.den.Mul(t, r.m1)
	if r.lambda == 0 || r.g.C == nil {
		return
	}
	r.g.C.Mul(r.ta, t)
	r.g.C.TMul(r.at, t)
	r.ta.Add(r.ta, r.at)
	linalg.Scale(r.ta, r.lambda)
	r.num.Add(r.num, r.ta)
	linalg.ScaleRows(r.ta, t, r.g.D)
	linalg.Scale(r.ta, 2*r.lambda)
	r.den.Add(r.den, r.ta)
}

// updateW applies eq. 31, Wp ← Wp ⊙ ΨᵀMΨ / (ΨᵀΨ Wp ΨᵀΨ).
func (r *dasRun) updateW() {
	num, den := r.wParts()
	linalg.MulUpdate(r.w, num, den, 1, linalg.Eps)
}

// wParts returns the numerator ΨᵀMΨ and the denominator ΨᵀΨWpΨᵀΨ of eq. 31
// (in scratch matrices): the gradient with respect to Wp is 2(den − num).
func (r *dasRun) wParts() (num, den *mat.Dense) {
	psi := r.Product()
	r.upd.Mul(r.ta, psi)
	linalg.MulAtB(r.m2, psi, r.ta)
	linalg.GramTo(r.gram, psi)
	r.kk.Mul(r.w, r.gram)
	r.m1.Mul(r.gram, r.kk)
	return r.m2, r.m1
}

// normalize scales the columns of Ψ to unit norm through the columns of
// Hp and moves the norms into Wp: Wp ← diag(s) Wp diag(s), so that ΨWpΨᵀ
// is unchanged. It fixes the one scale the objective leaves free (Ψ → ΨS,
// Wp → S⁻¹WpS⁻¹), which the regularizer, quadratic in Ψ where the fit is
// not, would otherwise drive to zero or infinity.
func (r *dasRun) normalize() {
	p := r.P()
	k := r.K()
	if r.norms == nil {
		r.norms, r.inv, r.col = make([]float64, k), make([]float64, k), make([]float64, r.N)
	}
	norms, inv := r.norms, r.inv
	linalg.ColNormsTo(norms, r.Product(), r.col)
	for j, v := range norms {
		if inv[j], norms[j] = 1, 1; v > 0 {
			inv[j], norms[j] = 1/v, v
		}
	}
	linalg.ScaleCols(r.U[p-1], inv)
	r.SetPsi(p - 1)
	linalg.ScaleRows(r.w, r.w, norms)
	linalg.ScaleCols(r.w, norms)
}

// Objective implements solve.Model: eq. 21 at the current factors,
// ‖A_S‖² − 2⟨ΨᵀA_SΨ, Wp⟩ + ⟨Wp, GWpG⟩ + 2λ(⟨Ψ, DΨ⟩ − ⟨Ψ, CΨ⟩).
func (r *dasRun) Objective() float64 {
	if r.objOK {
		return r.obj
	}
	num, den := r.wParts() // ΨᵀMΨ and GWpG
	obj := max(r.sqNorm-2*linalg.Dot(num, r.w)+linalg.Dot(r.w, den), 0)
	if r.lambda != 0 && r.g.C != nil {
		obj += 2 * r.lambda * r.g.Regularizer(r.Product(), r.ta)
	}
	r.obj, r.objOK = obj, true
	return obj
}
