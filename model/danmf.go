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
// graph term.
type DANMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Lambda weighs the graph regularizer; it must be 0 for data input.
	Lambda float64
	// Input is "graph", "data" or "" (auto: a square input is a graph).
	Input string
	// SelfLoops keeps the diagonal of a graph input when true.
	SelfLoops bool
	// Readout chooses the Embedding: "vp" (Vpᵀ, the paper's argmax over
	// the columns of Vp; also the default ""), "psi" (Ψ = U1⋯Up, the
	// Python port's argmax over its rows; graphs only) or "kmeans" (Vpᵀ,
	// meant for k-means).
	Readout string
	// PreIter and PreTol bound each layer's pre-training: at most PreIter
	// iterations, stopping when ‖Z − UV‖_F + ‖V − UᵀZ‖_F changes by at
	// most PreTol in one iteration (PreTol = 0 runs all PreIter).
	PreIter int
	PreTol  float64
	// UpdateVi also fine-tunes the lower layers' V_i (paper eq. 17); they
	// do not enter the objective.
	UpdateVi bool
	Seed     uint64
}

// danmfEps floors every denominator, as max(·, 1e-10) in DANMF.m.
const danmfEps = 1e-10

var danmfSpec = Spec{
	Name:      "danmf",
	Kind:      Graph,
	Objective: "min ‖A − U1⋯UpVp‖² + ‖Vp − Upᵀ⋯U1ᵀA‖² + λ tr(Vp L Vpᵀ), U_i, Vp ≥ 0",
	Reference: "Ye, Chen & Zheng, Deep autoencoder-like NMF for community detection, CIKM 2018 (smartyfh/DANMF)",
	Params:    "lambda=1 readout=vp|psi|kmeans pre_iter=500 pre_tol=5e-4 update_vi=false input=auto|graph|data self_loops=drop|keep",
	// DANMF.m: maxiter 1000, tolfun 5e-4 on |Δ sqrt(cost)|.
	Defaults: &solve.Settings{MaxIter: 1000, Tol: 5e-4},
	New: func(c Config) (Estimator, error) {
		p := c.Params
		layers, err := deepLayers(c, true)
		if err != nil {
			return nil, err
		}
		m := &DANMF{
			Layers:    layers,
			Lambda:    p.Float("lambda", 1),
			Readout:   p.String("readout", "vp", "vp", "psi", "kmeans"),
			PreIter:   p.Int("pre_iter", 500),
			PreTol:    p.Float("pre_tol", 5e-4),
			UpdateVi:  p.Bool("update_vi", false),
			Input:     p.String("input", "auto", "auto", "graph", "data"),
			SelfLoops: p.String("self_loops", "drop", "drop", "keep") == "keep",
			Seed:      c.Seed,
		}
		if c.Init != "" {
			return nil, invalidf("danmf starts each layer from uniform random factors; --init does not apply")
		}
		return m, nil
	},
}

// Fit factorizes x. The fine-tuning runs under s; DANMF's own settings are
// MaxIter 1000 and Tol 5e-4 with the rule |Δ sqrt(cost)| ≤ Tol, tested
// every iteration: zero MaxIter and CheckEvery select 1000 and 1.
func (m *DANMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	in, adj, err := m.prepare(x)
	if err != nil {
		return nil, err
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	if s.CheckEvery == 0 {
		s.CheckEvery = 1
	}
	rng := rand.New(rand.NewPCG(m.Seed, 0x9e3779b97f4a7c15))
	ls, pre, err := pretrainLayers(ctx, in, m.Layers, rng, aePretrainer(m.PreIter, m.PreTol))
	if err != nil {
		return nil, fmt.Errorf("danmf: %w", err)
	}
	run := newDANMFRun(in, ls, adj, m.Lambda, m.UpdateVi)
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("danmf: %w", err)
	}
	emb := run.top()
	if m.Readout == "psi" {
		emb = run.Psi()
	}
	res := run.result("danmf", sr, pre, emb, factorNames{u: "U", v: "V", vFresh: m.UpdateVi})
	if m.Readout == "kmeans" {
		res.Assign = "kmeans"
	}
	return res, nil
}

// prepare validates the configuration and x, and returns the matrix to
// factorize and, for a graph, its adjacency matrix.
func (m *DANMF) prepare(x linalg.Matrix) (linalg.Matrix, *linalg.CSR, error) {
	n, d := x.Dims()
	isGraph, err := deepResolveInput(m.Input, n, d)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Layers) == 0 {
		return nil, nil, invalidf("danmf needs at least one layer")
	}
	k := m.Layers[len(m.Layers)-1]
	switch {
	case m.Lambda < 0 || math.IsNaN(m.Lambda) || math.IsInf(m.Lambda, 0):
		return nil, nil, invalidf("lambda %g must be finite and ≥ 0", m.Lambda)
	case m.PreIter < 0 || m.PreTol < 0:
		return nil, nil, invalidf("pre_iter and pre_tol must be ≥ 0")
	case m.Readout != "" && m.Readout != "vp" && m.Readout != "psi" && m.Readout != "kmeans":
		return nil, nil, invalidf("unknown readout %q (want vp, psi or kmeans)", m.Readout)
	case m.Readout == "psi" && !isGraph:
		return nil, nil, invalidf("readout psi reads the rows of Ψ, which index features for data input; use vp or kmeans")
	case !isGraph && m.Lambda != 0:
		return nil, nil, invalidf("lambda %g weighs a graph regularizer, and a %dx%d data matrix has no graph: set lambda=0 (or use danmf-crfr)", m.Lambda, n, d)
	}
	for _, r := range m.Layers {
		if r < 1 {
			return nil, nil, invalidf("layer sizes %v must be positive", m.Layers)
		}
	}
	if !isGraph {
		if err := checkEntries(x, true); err != nil {
			return nil, nil, err
		}
		if k >= n {
			return nil, nil, invalidf("top layer %d must be below the number of samples %d", k, n)
		}
		return x, nil, nil
	}
	if err := checkGraph(x, k); err != nil {
		return nil, nil, err
	}
	a, err := deepUndirected(x, m.SelfLoops)
	if err != nil {
		return nil, nil, err
	}
	return a, a, nil
}

// deepResolveInput says whether an n x d input is a graph, by the choice
// "graph", "data" or "auto"/"" (square means graph).
func deepResolveInput(input string, n, d int) (bool, error) {
	switch input {
	case "", "auto":
		return n == d, nil
	case "graph":
		if n != d {
			return false, invalidf("input=graph needs a square adjacency matrix, got %dx%d", n, d)
		}
		return true, nil
	case "data":
		return false, nil
	}
	return false, invalidf("unknown input %q (want auto, graph or data)", input)
}

// deepUndirected returns the adjacency matrix of the undirected graph
// underlying x: max(A, Aᵀ) entrywise (a 0-1 directed graph becomes its
// 0-1 undirected version, a symmetric one is unchanged), without
// self-loops unless keepLoops. A dense x is converted to CSR.
func deepUndirected(x linalg.Matrix, keepLoops bool) (*linalg.CSR, error) {
	var a *linalg.CSR
	switch x := x.(type) {
	case *linalg.CSR:
		a = x
	case *linalg.Dense:
		a = linalg.CSRFromDense(x.Raw())
	default:
		a = linalg.CSRFromDense(linalg.DenseOf(x))
	}
	a, err := graph.Symmetrize(a, graph.Max)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !keepLoops {
		a = graph.DropSelfLoops(a)
	}
	return a, nil
}

// aePretrainer returns the pre-training of DANMF's layers: the shallow
// autoencoder-like NMF of ShallowNMF.m from uniform random factors.
func aePretrainer(maxIter int, tol float64) pretrainer {
	return func(ctx context.Context, x linalg.Matrix, r int, rng *rand.Rand) (deepLayer, *solve.Result, error) {
		n, m := x.Dims()
		run := newAERun(x, deepRandUniform(m, r, rng), deepRandUniform(n, r, rng))
		if maxIter == 0 {
			return deepLayer{U: run.u, H: run.h}, &solve.Result{Reason: solve.MaxIter, Objective: run.Objective()}, nil
		}
		res, err := solve.Fit(ctx, run, solve.Settings{MaxIter: maxIter, Tol: tol, CheckEvery: 1})
		if err != nil {
			return deepLayer{}, nil, err
		}
		return deepLayer{U: run.u, H: run.h}, res, nil
	}
}

// aeRun is the shallow autoencoder-like NMF of one layer, in the row
// orientation: x (n x m) is Zᵀ, U is m x r and H = Vᵀ is n x r, and
//
//	U ← U ⊙ 2ZVᵀ / max(UVVᵀ + ZZᵀU, ε),   V ← V ⊙ 2UᵀZ / max(UᵀUV + V, ε).
type aeRun struct {
	x        linalg.Matrix
	gram     *deepGramOp
	sq       float64    // ‖Z‖²
	u, h     *mat.Dense // m x r, n x r
	xu, mh   *mat.Dense // x·U (n x r) and xᵀ·H = Z·Vᵀ (m x r), current
	utu, hth *mat.Dense // UᵀU, HᵀH
	num, den *mat.Dense // m x r scratch
	hnum     *mat.Dense // n x r scratch
	hden     *mat.Dense
	dec, enc float64 // the two errors, valid when fresh
	fresh    bool
}

func newAERun(x linalg.Matrix, u, h *mat.Dense) *aeRun {
	n, m := x.Dims()
	_, r := u.Dims()
	a := &aeRun{
		x: x, gram: newDeepGramOp(x), sq: x.Stats().SquaredNorm, u: u, h: h,
		xu: mat.NewDense(n, r, nil), mh: mat.NewDense(m, r, nil),
		utu: mat.NewDense(r, r, nil), hth: mat.NewDense(r, r, nil),
		num: mat.NewDense(m, r, nil), den: mat.NewDense(m, r, nil),
		hnum: mat.NewDense(n, r, nil), hden: mat.NewDense(n, r, nil),
	}
	a.refreshU()
	a.refreshH()
	return a
}

func (a *aeRun) refreshU() {
	a.x.Mul(a.xu, a.u)
	a.utu.Mul(a.u.T(), a.u)
}

func (a *aeRun) refreshH() {
	a.x.TMul(a.mh, a.h)
	a.hth.Mul(a.h.T(), a.h)
}

// Step implements solve.Model: U, then V with the new U.
func (a *aeRun) Step() error {
	a.fresh = false
	a.num.Scale(2, a.mh)
	a.gram.apply(a.den, a.u, a.xu) // ZZᵀU
	var uh mat.Dense
	uh.Mul(a.u, a.hth)
	a.den.Add(a.den, &uh)
	linalg.MulUpdate(a.u, a.num, a.den, 1, danmfEps)
	a.refreshU()

	a.hnum.Scale(2, a.xu)
	a.hden.Mul(a.h, a.utu)
	a.hden.Add(a.hden, a.h)
	linalg.MulUpdate(a.h, a.hnum, a.hden, 1, danmfEps)
	a.refreshH()
	return nil
}

// errors returns ‖Z − UV‖²_F and ‖V − UᵀZ‖²_F from the cached products,
// computed once per step.
func (a *aeRun) errors() (dec, enc float64) {
	if !a.fresh {
		dec := a.sq - 2*linalg.Dot(a.mh, a.u) + linalg.Dot(a.utu, a.hth)
		enc := linalg.Dot(a.h, a.h) - 2*linalg.Dot(a.h, a.xu) + linalg.Dot(a.xu, a.xu)
		a.dec, a.enc, a.fresh = max(dec, 0), max(enc, 0), true
	}
	return a.dec, a.enc
}

// Objective implements solve.Model.
func (a *aeRun) Objective() float64 {
	dec, enc := a.errors()
	return dec + enc
}

// Monitor implements solve.Monitor: ShallowNMF.m stops when
// ‖Z − UV‖_F + ‖V − UᵀZ‖_F changes by at most its tolerance.
func (a *aeRun) Monitor() (float64, solve.Rule) {
	dec, enc := a.errors()
	return math.Sqrt(dec) + math.Sqrt(enc), solve.AbsoluteChange
}

// danmfRun is DANMF's fine-tuning: it implements solve.Model and
// solve.Monitor.
type danmfRun struct {
	*deepStack
	adj      *linalg.CSR // the graph, nil for data input
	deg      []float64   // its degrees
	lambda   float64
	updateVi bool
	gram     *deepGramOp
	sq       float64 // ‖M‖²

	// Caches of the current H and Ψ.
	mh, hth   *mat.Dense // M·H = xᵀH (m x k), HᵀH
	ah, dh    *mat.Dense // A·H and D·H (n x k), graph only
	xpsi, ptp *mat.Dense // x·Ψ = (ΨᵀM)ᵀ (n x k), ΨᵀΨ
	num       *mat.Dense // 2·M·H, m x k
	den, xt   *mat.Dense // m x k and n x k scratch
	hnum      *mat.Dense // n x k scratch
	hden      *mat.Dense
	cost      float64
	fresh     bool
}

func newDANMFRun(x linalg.Matrix, ls []deepLayer, adj *linalg.CSR, lambda float64, updateVi bool) *danmfRun {
	st := newDeepStack(x, ls)
	n, m, k := st.n, st.m, st.k()
	r := &danmfRun{
		deepStack: st, adj: adj, lambda: lambda, updateVi: updateVi,
		gram: newDeepGramOp(x), sq: x.Stats().SquaredNorm,
		mh: mat.NewDense(m, k, nil), hth: mat.NewDense(k, k, nil),
		xpsi: mat.NewDense(n, k, nil), ptp: mat.NewDense(k, k, nil),
		num: mat.NewDense(m, k, nil), den: mat.NewDense(m, k, nil), xt: mat.NewDense(n, k, nil),
		hnum: mat.NewDense(n, k, nil), hden: mat.NewDense(n, k, nil),
	}
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
	psi := r.Psi()
	r.x.Mul(r.xpsi, psi)
	r.ptp.Mul(psi.T(), psi)
	r.fresh = false
}

// refreshH recomputes the products with the current H = Vpᵀ.
func (r *danmfRun) refreshH() {
	h := r.top()
	r.x.TMul(r.mh, h)
	r.hth.Mul(h.T(), h)
	if r.adj != nil {
		r.adj.Mul(r.ah, h)
		linalg.ScaleRows(r.dh, h, r.deg)
	}
	r.fresh = false
}

// Step implements solve.Model: one sweep of Alg. 1, U1, ..., Up, then Vp.
func (r *danmfRun) Step() error {
	r.beginSweep()
	r.num.Scale(2, r.mh) // 2MVpᵀ: Vp changes only at the end of the sweep
	for l := range r.p() {
		t := r.psiTilde(l)
		// D = Ψ̃ VpVpᵀ + M Mᵀ Ψ̃
		r.x.Mul(r.xt, t)
		r.gram.apply(r.den, t, r.xt)
		var th mat.Dense
		th.Mul(t, r.hth)
		r.den.Add(r.den, &th)
		r.updateU(l, r.num, r.den, danmfEps)
		if r.updateVi && l < r.p()-1 {
			r.updateLowerV(l)
		}
	}
	r.refreshPsi()
	// Vp ← Vp ⊙ (2ΨᵀA + λVpA) / (ΨᵀΨVp + Vp + λVpD), transposed.
	h := r.top()
	r.hnum.Scale(2, r.xpsi)
	r.hden.Mul(h, r.ptp)
	r.hden.Add(r.hden, h)
	if r.adj != nil && r.lambda != 0 {
		var reg mat.Dense
		reg.Scale(r.lambda, r.ah)
		r.hnum.Add(r.hnum, &reg)
		reg.Scale(r.lambda, r.dh)
		r.hden.Add(r.hden, &reg)
	}
	linalg.MulUpdate(h, r.hnum, r.hden, 1, danmfEps)
	r.refreshH()
	return nil
}

// updateLowerV applies the paper's eq. 17 to layer l < p:
// V_i ← V_i ⊙ 2Ψ_iᵀA / max(Ψ_iᵀΨ_iV_i + V_i, ε).
func (r *danmfRun) updateLowerV(l int) {
	v, psi := r.v[l], r.psi[l]
	n, rl := v.Dims()
	num, den := mat.NewDense(n, rl, nil), mat.NewDense(n, rl, nil)
	r.x.Mul(num, psi)
	num.Scale(2, num)
	var g mat.Dense
	g.Mul(psi.T(), psi)
	den.Mul(v, &g)
	den.Add(den, v)
	linalg.MulUpdate(v, num, den, 1, danmfEps)
}

// Objective implements solve.Model: the cost of DANMF.m,
// ‖M − ΨVp‖² + ‖Vp − ΨᵀM‖² + λ tr(Vp L Vpᵀ), from the cached products.
func (r *danmfRun) Objective() float64 {
	if r.fresh {
		return r.cost
	}
	h := r.top()
	dec := r.sq - 2*linalg.Dot(r.mh, r.Psi()) + linalg.Dot(r.ptp, r.hth)
	var diff mat.Dense
	diff.Sub(h, r.xpsi)
	enc := linalg.Dot(&diff, &diff)
	c := max(dec, 0) + enc
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
