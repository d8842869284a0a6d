package model

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// DANMF is deep autoencoder-like NMF (Ye, Chen and Zheng, "Deep
// autoencoder-like nonnegative matrix factorization for community
// detection", CIKM 2018), with the semantics of the authors' MATLAB code
// (smartyfh/DANMF). For an adjacency matrix A (n x n) it minimizes
//
//	‖A − U1⋯Up Vp‖²_F + ‖Vp − Upᵀ⋯U1ᵀ A‖²_F + λ tr(Vp L Vpᵀ),  L = D − A,
//
// over nonnegative U_i (r_{i−1} x r_i) and Vp (k x n): a decoder A ≈ ΨVp,
// an encoder Vp ≈ ΨᵀA with Ψ = U1⋯Up, and graph smoothness of the
// memberships. Each layer is pre-trained with the shallow autoencoder-like
// NMF min ‖Z − UV‖² + ‖V − UᵀZ‖² (ShallowNMF.m), layer 1 on A and layer i
// on V_{i−1}; then all layers are fine-tuned jointly by the
// multiplicative updates of the paper (eqs. 11–17). docs/models/danmf.md
// gives the update rules and every choice made.
//
// A graph input is symmetrized (max(A, Aᵀ)) and its self-loops dropped. A
// data matrix X (n x d, not square, or Input "data") is factorized as
// M = Xᵀ ≈ ΨVp, the data version of DANMF-CRFR's baseline, without the
// graph term. The factors are U1..Up, V1..Vp (transposed, one row per
// sample) and Psi1..Psip.
type DANMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Lambda weighs the graph regularizer; nil means 1 for a graph and 0
	// for data, which has no graph (it must be 0 there).
	Lambda *float64 `param:"lambda" default:"auto" check:">=0" help:"weight λ of the graph term (auto: 1 for graphs, 0 for data)"`
	// Input "auto" reads a square matrix as a graph.
	Input InputKind `param:"input" choices:"auto|graph|data" help:"how to read the input"`
	// SelfLoops says whether a graph keeps its diagonal.
	SelfLoops Loops `param:"self_loops" choices:"drop|keep" help:"the graph's self-loops"`
	// Readout chooses the Embedding: "vp" (Vpᵀ, the paper's argmax over
	// the columns of Vp), "psi" (Ψ = U1⋯Up, the Python port's argmax over
	// its rows; graphs only) or "kmeans" (Vpᵀ, read by k-means).
	Readout Readout `param:"readout" choices:"vp|psi|kmeans" help:"the embedding and its read-out"`
	// PreIter (0 runs none) and PreTol bound each layer's pre-training:
	// at most PreIter iterations, stopping when ‖Z − UV‖_F + ‖V − UᵀZ‖_F
	// changes by at most PreTol in one iteration (0 runs all PreIter).
	PreIter *int     `param:"pre_iter" default:"500" check:">=0" help:"pre-training iterations per layer"`
	PreTol  *float64 `param:"pre_tol" default:"5e-4" check:">=0" help:"pre-training tolerance on |Δ(‖Z−UV‖+‖V−UᵀZ‖)|"`
	// UpdateVi also fine-tunes the lower layers' V_i (paper eq. 17); they
	// do not enter the objective.
	UpdateVi bool `param:"update_vi" help:"also fine-tune the lower layers' V_i (eq. 17)"`
	Seed     uint64
}

// danmfEps floors every denominator, as max(·, 1e-10) in DANMF.m.
const danmfEps = 1e-10

var danmfSpec = Spec{
	Name:      "danmf",
	Kind:      Graph,
	Objective: "min ‖A − U1⋯UpVp‖² + ‖Vp − Upᵀ⋯U1ᵀA‖² + λ tr(Vp L Vpᵀ), U_i, Vp ≥ 0",
	Reference: "Ye, Chen & Zheng, Deep autoencoder-like NMF for community detection, CIKM 2018 (smartyfh/DANMF)",
	// DANMF.m: maxiter 1000, tolfun 5e-4 on |Δ sqrt(cost)|, every iteration.
	Settings: solve.Settings{MaxIter: 1000, Tol: new(5e-4), CheckEvery: 1},
	new:      func() fitter { return new(DANMF) },
}

func (*DANMF) spec() *Spec { return &danmfSpec }

// Fit factorizes x.
func (m *DANMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *DANMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	in, adj, err := m.prepare(x)
	if err != nil {
		return nil, err
	}
	lambda := 0.0
	if adj != nil {
		lambda = 1
	}
	if m.Lambda != nil {
		lambda = *m.Lambda
	}
	ls, err := r.pretrainLayers(in, m.Layers, func(_ int, z linalg.Matrix, size int) (layerFit, error) {
		return aeLayer(z, size, r, danmfEps, *m.PreIter, *m.PreTol), nil
	})
	if err != nil {
		return nil, err
	}
	run := newDANMFRun(in, ls, adj, lambda, m.UpdateVi)
	return r.final(run, func() *Result {
		emb := run.Top()
		if m.Readout == ReadoutPsi {
			emb = run.Product()
		}
		res := stackResult(run.Stack, emb, U, V, m.UpdateVi)
		if m.Readout == ReadoutKMeans {
			res.Assign = AssignKMeans
		}
		return res
	})
}

// prepare validates the configuration against x, and returns the matrix
// to factorize and, for a graph, its adjacency matrix.
func (m *DANMF) prepare(x linalg.Matrix) (linalg.Matrix, *linalg.CSR, error) {
	n, _ := x.Dims()
	g, err := isGraph(m.Input, x)
	if err != nil {
		return nil, nil, err
	}
	if err := deep.CheckLayers(m.Layers, n, false); err != nil {
		return nil, nil, invalid(err)
	}
	if !g {
		switch {
		case m.Readout == ReadoutPsi:
			return nil, nil, invalidf("readout psi reads the rows of Ψ, which index features for data input; use vp or kmeans")
		case m.Lambda != nil && *m.Lambda != 0:
			rows, cols := x.Dims()
			return nil, nil, invalidf("lambda %g weighs a graph regularizer, and a %dx%d data matrix has no graph: set lambda=0 (or use danmf-crfr)", *m.Lambda, rows, cols)
		}
		return x, nil, nil
	}
	a, err := undirected(x, m.SelfLoops)
	if err != nil {
		return nil, nil, err
	}
	return a, a, nil
}

// danmfRun is DANMF's fine-tuning: it implements solve.Model and
// solve.Monitor.
type danmfRun struct {
	*deep.Stack
	adj      *linalg.CSR // the graph, nil for data input
	deg      []float64   // its degrees
	lambda   float64
	updateVi bool
	gram     *linalg.GramOperator

	ah, dh  *mat.Dense      // A·H and D·H (n x k) for the current H, graph only
	num     *mat.Dense      // 2·M·H, m x k
	den, xt *mat.Dense      // m x k and n x k scratch
	hnum    *mat.Dense      // n x k scratch, on num's storage
	hden    *mat.Dense      // on den's
	low     [][3]*mat.Dense // eq. 17's numerator, denominator (all layers on one storage) and Ψ_iᵀΨ_i per lower layer
	cost    float64
	fresh   bool
}

func newDANMFRun(x linalg.Matrix, ls []deep.Layer, adj *linalg.CSR, lambda float64, updateVi bool) *danmfRun {
	st := deep.NewStack(x, ls)
	n, m, k := st.N, st.M, st.K()
	r := &danmfRun{
		Stack: st, adj: adj, lambda: lambda, updateVi: updateVi,
		gram: linalg.NewGramOperator(x),
		xt:   mat.NewDense(n, k, nil),
	}
	// Vp's update follows the layers' in a sweep: its numerator and
	// denominator share the layers' storage.
	numBuf, denBuf := mat.NewDense(max(n, m), k, nil), mat.NewDense(max(n, m), k, nil)
	r.num, r.den = numBuf.Slice(0, m, 0, k).(*mat.Dense), denBuf.Slice(0, m, 0, k).(*mat.Dense)
	r.hnum, r.hden = numBuf.Slice(0, n, 0, k).(*mat.Dense), denBuf.Slice(0, n, 0, k).(*mat.Dense)
	if adj != nil {
		r.deg, _ = graph.Degrees(adj)
		r.ah, r.dh = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	}
	r.refreshPsi()
	r.refreshH()
	return r
}

// refreshPsi recomputes the products with the current Ψ = U1⋯Up.
func (r *danmfRun) refreshPsi() {
	r.RefreshPsi()
	r.fresh = false
}

// refreshH recomputes the products with the current H = Vpᵀ.
func (r *danmfRun) refreshH() {
	r.RefreshTop()
	if h := r.Top(); r.adj != nil {
		r.adj.Mul(r.ah, h)
		linalg.ScaleRows(r.dh, h, r.deg)
	}
	r.fresh = false
}

// Step implements solve.Model: one sweep of Alg. 1, U1, ..., Up, then Vp.
func (r *danmfRun) Step() error {
	r.BeginSweep()
	r.num.Scale(2, r.MH) // 2MVpᵀ: Vp changes only at the end of the sweep
	for l := range r.P() {
		t := r.PsiTilde(l)
		// D = Ψ̃ VpVpᵀ + M Mᵀ Ψ̃
		r.X.Mul(r.xt, t)
		r.gram.Apply(r.den, t, r.xt)
		linalg.AddMul(r.den, t, r.HtH)
		r.UpdateU(l, r.num, r.den, danmfEps)
		if r.updateVi && l < r.P()-1 {
			r.updateLowerV(l)
		}
	}
	r.refreshPsi()
	// Vp ← Vp ⊙ (2ΨᵀA + λVpA) / (ΨᵀΨVp + Vp + λVpD), transposed.
	h := r.Top()
	r.hnum.Scale(2, r.XPsi)
	r.hden.Mul(h, r.PtP)
	r.hden.Add(r.hden, h)
	if r.adj != nil && r.lambda != 0 {
		linalg.AddScaled(r.hnum, r.lambda, r.ah)
		linalg.AddScaled(r.hden, r.lambda, r.dh)
	}
	linalg.MulUpdate(h, r.hnum, r.hden, 1, danmfEps)
	r.refreshH()
	return nil
}

// updateLowerV applies the paper's eq. 17 to layer l < p:
// V_i ← V_i ⊙ 2Ψ_iᵀA / max(Ψ_iᵀΨ_iV_i + V_i, ε).
func (r *danmfRun) updateLowerV(l int) {
	v, psi := r.V[l], r.Psi[l]
	if r.low == nil {
		r.low = make([][3]*mat.Dense, r.P())
		widest := slices.Max(r.Layers[:r.P()-1])
		num, den := make([]float64, r.N*widest), make([]float64, r.N*widest)
		for i := range r.P() - 1 {
			ri := r.Layers[i]
			r.low[i] = [3]*mat.Dense{mat.NewDense(r.N, ri, num[:r.N*ri]), mat.NewDense(r.N, ri, den[:r.N*ri]), mat.NewDense(ri, ri, nil)}
		}
	}
	num, den, g := r.low[l][0], r.low[l][1], r.low[l][2]
	r.X.Mul(num, psi)
	linalg.Scale(num, 2)
	linalg.GramTo(g, psi)
	den.Mul(v, g)
	den.Add(den, v)
	linalg.MulUpdate(v, num, den, 1, danmfEps)
}

// Objective implements solve.Model: the cost of DANMF.m,
// ‖M − ΨVp‖² + ‖Vp − ΨᵀM‖² + λ tr(Vp L Vpᵀ), from the cached products.
func (r *danmfRun) Objective() float64 {
	if r.fresh {
		return r.cost
	}
	h := r.Top()
	var diff mat.Dense
	diff.Sub(h, r.XPsi)
	c := r.DecoderResidual() + linalg.Dot(&diff, &diff)
	if r.adj != nil && r.lambda != 0 {
		c += r.lambda * (linalg.Dot(r.dh, h) - linalg.Dot(r.ah, h))
	}
	r.cost, r.fresh = c, true
	return c
}

// Monitor implements solve.Monitor: DANMF.m stops when sqrt(cost) changes
// by at most its tolerance.
func (r *danmfRun) Monitor() (float64, solve.Rule) {
	return math.Sqrt(max(r.Objective(), 0)), solve.AbsoluteChange
}
