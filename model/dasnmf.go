package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
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
// eq. 11 (graph.AsymmetricCosine; sparse, with the pattern of AAᵀ), C is
// the PageRank influence matrix of eq. 19 (C_ij = c_i where A_ij ≠ 0,
// graph.PageRankInfluence, ρ = 0.85) and D its row sums. Row i of Ψ holds
// node i's memberships of the k clusters and Wp the links between them.
//
// Each layer is pre-trained with the shallow asymmetric NMF (the triFactor
// core of AsymNMF): A_S ≈ H1 W1 H1ᵀ, then W_{i−1} ≈ H_i W_i H_iᵀ, 100
// iterations each; then every H_i and Wp are fine-tuned jointly by the
// 1/4-power rule of eq. 27 and the rule of eq. 31, with M = A_S as eqs. 27
// and 31 derive them from eq. 21 (HUpdate "as", the default) or M = A as
// Algorithm 1 prints them (HUpdate "a"). After every sweep the columns of
// Ψ are scaled to unit norm, the scale moving into Wp (ΨWpΨᵀ does not
// change): the regularizer is quadratic in Ψ and indefinite (D holds row
// sums only), so without it large λ drives Ψ to overflow.
// docs/models/dasnmf.md gives the update rules, every choice made where
// the paper is ambiguous, and what makes the model work on Cora.
//
// Orientation: the paper's A and Ψ already have one node per row, as
// deepnmf's graph inputs; nothing is transposed.
type DAsNMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Eta weighs S in A_S = A + ηS; Lambda weighs the PageRank regularizer.
	Eta, Lambda float64
	// PageRank is the index order of eq. 18: "standard" (the default,
	// also "") or "printed" (graph.Standard, graph.Printed).
	PageRank string
	// Diag says whether S keeps its diagonal (S_uu = 1 for a node with
	// out-links): "keep" (the default, also "") or "zero".
	Diag string
	// HUpdate is the matrix M of the fine-tuning (the H_i rule, the Wp rule
	// and the objective): "as" (the default, also ""), A_S as eqs. 27 and
	// 31 derive them from eq. 21; or "a", A as Algorithm 1 prints the
	// rules, so that A_S only shapes the pre-training.
	HUpdate string
	// Norm is "unit" (the default, also ""), unit-norm columns of Ψ after
	// every sweep with the norms moved into Wp, or "none", the updates as
	// printed.
	Norm string
	// Readout chooses the Embedding: "psi" (the default, also ""), Ψ with
	// unit-norm columns, read by argmax over rows; "kmeans", Ψ with
	// unit-norm rows, read by k-means (Result.Assign); "raw", Ψ as it is
	// (the same as psi under Norm "unit").
	Readout string
	// Init is the start of each pre-training layer: "svd" (the default,
	// also ""), AsymNMF's SVD start for layer 1 and asymDenseSVDStart for
	// the dense W_{i−1}; or "random", AsymNMF's random start. The SVD
	// start finds communities (assortative structure) where random starts
	// often end in role structure: see docs/models/dasnmf.md.
	Init string
	// PreIter is the number of pre-training iterations of each layer.
	PreIter int
	// SelfLoops keeps the diagonal of A when true (the paper's graphs have
	// none).
	SelfLoops bool
	Seed      uint64
}

// dasnmfDefaults are the paper's settings: 500 fine-tuning iterations, no
// tolerance.
var dasnmfDefaults = &solve.Settings{MaxIter: 500}

var dasnmfSpec = Spec{
	Name:      "dasnmf",
	Kind:      Graph,
	Objective: "min ‖A_S − ΨWpΨᵀ‖² + λ[2Tr(ΨᵀDΨ) − Tr(ΨᵀCΨ) − Tr(ΨᵀCᵀΨ)], Ψ = H1⋯Hp, A_S = A + ηS; H_i, Wp ≥ 0",
	Reference: "Hajiveiseh, Seyedi & Akhlaghian Tab, Deep asymmetric NMF for graph clustering, Pattern Recognition 148 (2024) 110179",
	Params:    "eta=0.2 lambda=0.001 pagerank=standard|printed diag=keep|zero hupdate=as|a norm=unit|none readout=psi|kmeans|raw pre_iter=100 self_loops=drop|keep (--layers r1,...,k; --init svd|random; 500 fine-tuning iterations)",
	Defaults:  dasnmfDefaults,
	New: func(c Config) (Estimator, error) {
		p := c.Params
		layers, err := deepLayers(c, true)
		if err != nil {
			return nil, err
		}
		return &DAsNMF{
			Layers:    layers,
			Eta:       p.Float("eta", 0.2),
			Lambda:    p.Float("lambda", 0.001),
			PageRank:  p.String("pagerank", "standard", "standard", "printed"),
			Diag:      p.String("diag", "keep", "keep", "zero"),
			HUpdate:   p.String("hupdate", "as", "as", "a"),
			Norm:      p.String("norm", "unit", "unit", "none"),
			Readout:   p.String("readout", "psi", "psi", "kmeans", "raw"),
			PreIter:   p.Int("pre_iter", 100),
			SelfLoops: p.String("self_loops", "drop", "drop", "keep") == "keep",
			Init:      c.Init,
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes the adjacency matrix a. The fine-tuning runs under s;
// zero MaxIter selects the paper's 500. The result's Embedding is Ψ
// (n x k, see Readout); its factors are H1..Hp, Wp, W1..W{p−1} from
// pre-training and Psi.
func (m *DAsNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	g, err := newAsymGraph(a, m.Layers, asymGraphOptions{
		eta: m.Eta, zeroDiag: m.Diag == "zero", keepLoops: m.SelfLoops,
		influence: true, printed: m.PageRank == "printed",
	})
	if err != nil {
		return nil, err
	}
	if s.MaxIter == 0 {
		s.MaxIter = dasnmfDefaults.MaxIter
	}
	rng := initialize.NewRand(m.Seed)
	init := m.Init
	if init == "" {
		init = "svd"
	}
	ls, pre, err := pretrainLayers(ctx, g.as, m.Layers, rng, asymPretrainer(init, solve.Settings{MaxIter: m.PreIter}, g.as))
	if err != nil {
		return nil, fmt.Errorf("dasnmf: %w", err)
	}
	run := newDAsRun(g, ls, m.Lambda, m.HUpdate == "a", m.Norm)
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("dasnmf: %w", err)
	}
	return run.result("dasnmf", sr, pre, ls, m.Readout), nil
}

func (m *DAsNMF) check() error {
	switch {
	case len(m.Layers) == 0:
		return invalidf("dasnmf needs at least one layer")
	case !(m.Eta >= 0) || math.IsInf(m.Eta, 1):
		return invalidf("eta %g must be finite and ≥ 0", m.Eta)
	case !(m.Lambda >= 0) || math.IsInf(m.Lambda, 1):
		return invalidf("lambda %g must be finite and ≥ 0", m.Lambda)
	case m.PreIter < 0:
		return invalidf("pre_iter %d must be ≥ 0", m.PreIter)
	}
	for _, c := range []struct {
		name, v string
		ok      []string
	}{
		{"pagerank", m.PageRank, []string{"", "standard", "printed"}},
		{"diag", m.Diag, []string{"", "keep", "zero"}},
		{"hupdate", m.HUpdate, []string{"", "as", "a"}},
		{"norm", m.Norm, []string{"", "unit", "none"}},
		{"readout", m.Readout, []string{"", "psi", "kmeans", "raw"}},
	} {
		if !oneOf(c.v, c.ok) {
			return invalidf("unknown %s %q (want one of %v)", c.name, c.v, c.ok[1:])
		}
	}
	return asymCheckInit(m.Init)
}

func oneOf(v string, ok []string) bool {
	for _, o := range ok {
		if v == o {
			return true
		}
	}
	return false
}

func asymCheckInit(init string) error {
	if init != "" && init != initialize.Random && init != "svd" {
		return invalidf("unknown init %q (want random or svd)", init)
	}
	return nil
}

// asymGraphOptions are the choices in building DAsNMF's matrices.
type asymGraphOptions struct {
	eta       float64
	zeroDiag  bool // drop the diagonal of S
	keepLoops bool // keep the self-loops of A
	influence bool // build C and D
	printed   bool // PageRank in the printed index order
}

// asymGraph holds the matrices of the deep asymmetric models: A,
// A_S = A + ηS, and the PageRank influence C with its row sums D.
type asymGraph struct {
	a  *linalg.CSR
	as linalg.Matrix // A_S in linalg.ForProducts' form
	c  *linalg.CSR   // nil without the regularizer
	d  []float64
}

// newAsymGraph validates the adjacency matrix x for the layers and builds
// the matrices. They are built sparse: S has the pattern of AAᵀ and C that
// of A. A_S is then kept dense only if two-hop neighbourhoods fill it
// (linalg.ForProducts), as on the 1000-node LFR graph, where half of its
// entries are stored and dense products made the fit twice as fast.
func newAsymGraph(x linalg.Matrix, layers []int, o asymGraphOptions) (*asymGraph, error) {
	n, d := x.Dims()
	if n != d {
		return nil, invalidf("adjacency matrix is %dx%d, not square (give an edge list or a square matrix)", n, d)
	}
	if err := checkEntries(x, true); err != nil {
		return nil, err
	}
	if err := checkLayers(layers, n, n); err != nil {
		return nil, err
	}
	a := inputCSR(x)
	if !o.keepLoops {
		a = graph.DropSelfLoops(a)
	}
	if a.NNZ() == 0 {
		return nil, invalidf("the graph has no edges")
	}
	g := &asymGraph{a: a, as: a}
	if o.eta > 0 {
		s, err := graph.AsymmetricCosine(a)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if o.zeroDiag {
			s = graph.DropSelfLoops(s)
		}
		as, err := linalg.AddCSR(a, s, o.eta)
		if err != nil {
			return nil, err
		}
		g.as = linalg.ForProducts(as)
	}
	if o.influence {
		order := graph.Standard
		if o.printed {
			order = graph.Printed
		}
		c, err := graph.PageRankInfluence(a, &graph.PageRankOptions{Order: order})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		g.c = c
		g.d, _ = graph.Degrees(c)
	}
	return g, nil
}

// asymPretrainer returns the pre-training of the deep asymmetric models:
// ShallowAsNMF (AsymNMF's updates, the triFactor core) of the layer's
// input for iters iterations from AsymNMF's random or SVD start. The
// layer's factor is H_i and the next layer's input W_i; the first layer's
// input is the graph matrix as.
func asymPretrainer(init string, set solve.Settings, as linalg.Matrix) pretrainer {
	return func(ctx context.Context, x linalg.Matrix, r int, rng *rand.Rand) (deepLayer, *solve.Result, error) {
		n, _ := x.Dims()
		var h, w *mat.Dense
		first := x == as
		var err error
		switch {
		case init == "svd" && first:
			h, w, err = svdStart(x, r, rng)
		case init == "svd":
			h, w, err = asymDenseSVDStart(x, r, rng)
		default:
			h = initialize.RandomDense(n, r, math.Sqrt(linalg.Mean(x)/float64(r)), rng)
			w = initialize.RandomDense(r, r, 1/float64(r), rng)
		}
		if err != nil {
			return deepLayer{}, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		run := &asymRun{t: newTriFactor(x, h, w)}
		res := &solve.Result{Reason: solve.MaxIter, Objective: run.Objective()}
		if set.MaxIter > 0 {
			var err error
			if res, err = solve.Fit(ctx, run, set); err != nil {
				return deepLayer{}, nil, err
			}
		}
		return deepLayer{U: h, Next: linalg.NewDense(w)}, res, nil
	}
}

// dasRun is DAsNMF's fine-tuning: it implements solve.Model. The stack's
// U_i are the H_i (Ψ_i = H1⋯H_i, n x r_i).
type dasRun struct {
	*deepStack
	g      *asymGraph
	upd    linalg.Matrix // the matrix of the updates: A_S, or A
	w      *mat.Dense    // Wp, k x k
	lambda float64
	norm   string
	sqNorm float64    // ‖M‖², M = upd
	at, ta *mat.Dense // n x k scratch: Aᵀ·X and A·X
	num    *mat.Dense // n x k
	den    *mat.Dense // n x k
	gram   *mat.Dense // k x k: ΨᵀΨ
	m1, m2 *mat.Dense // k x k scratch
	kk     *mat.Dense
	obj    float64
	objOK  bool
}

func newDAsRun(g *asymGraph, ls []deepLayer, lambda float64, useA bool, norm string) *dasRun {
	st := newDeepStack(g.as, ls)
	n, k := st.n, st.k()
	nk := func() *mat.Dense { return mat.NewDense(n, k, nil) }
	kk := func() *mat.Dense { return mat.NewDense(k, k, nil) }
	top := ls[len(ls)-1].Next.(*linalg.Dense).Raw()
	r := &dasRun{
		deepStack: st, g: g, upd: g.as, w: mat.DenseCopyOf(top), lambda: lambda, norm: norm,
		at: nk(), ta: nk(), num: nk(), den: nk(),
		gram: kk(), m1: kk(), m2: kk(), kk: kk(),
	}
	if useA {
		r.upd = g.a
	}
	r.sqNorm = r.upd.Stats().SquaredNorm
	if norm == "" || norm == "unit" {
		r.normalize()
	}
	return r
}

// Step implements solve.Model: one sweep of Algorithm 1, H1, ..., Hp by
// eq. 27 with the current Ψ̃, then Wp by eq. 31, then the normalization.
func (r *dasRun) Step() error {
	r.objOK = false
	r.beginSweep()
	for l := range r.p() {
		num, den := r.hParts(l)
		linalg.MulUpdate(r.u[l], num, den, 0.25, linalg.Eps)
		r.setPsi(l)
	}
	r.updateW()
	if r.norm != "none" {
		r.normalize()
	}
	return nil
}

// hParts returns the numerator and the denominator of eq. 27 for layer l
// (before the fourth root), with Ψ̃ the current product: the gradient of
// the objective with respect to H_l is 2(den − num). Call it in layer
// order within a sweep, after beginSweep.
func (r *dasRun) hParts(l int) (num, den *mat.Dense) {
	r.gradH(r.psiTilde(l))
	return r.project(l, r.num, 0), r.project(l, r.den, 1)
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
	r.den.Mul(r.ta, r.w.T())
	r.num.Add(r.num, r.den)
	r.gram.Mul(t.T(), t)
	r.kk.Mul(r.gram, r.w)
	r.m1.Mul(r.w.T(), r.kk)
	r.kk.Mul(r.gram, r.w.T())
	r.m2.Mul(r.w, r.kk)
	r.m1.Add(r.m1, r.m2)
	r.den.Mul(t, r.m1)
	if r.lambda == 0 || r.g.c == nil {
		return
	}
	r.g.c.Mul(r.ta, t)
	r.g.c.TMul(r.at, t)
	r.ta.Add(r.ta, r.at)
	r.ta.Scale(r.lambda, r.ta)
	r.num.Add(r.num, r.ta)
	linalg.ScaleRows(r.ta, t, r.g.d)
	r.ta.Scale(2*r.lambda, r.ta)
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
	psi := r.Psi()
	r.upd.Mul(r.ta, psi)
	r.m2.Mul(psi.T(), r.ta)
	r.gram.Mul(psi.T(), psi)
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
	p := r.p()
	norms := dmColNorms(r.Psi())
	inv := dmInv(norms)
	for j, v := range norms {
		if v == 0 {
			norms[j] = 1
		}
	}
	dmScaleCols(r.u[p-1], inv)
	r.setPsi(p - 1)
	linalg.ScaleRows(r.w, r.w, norms)
	dmScaleCols(r.w, norms)
}

// Objective implements solve.Model: eq. 21 at the current factors,
// ‖A_S‖² − 2⟨ΨᵀA_SΨ, Wp⟩ + ⟨Wp, GWpG⟩ + 2λ(⟨Ψ, DΨ⟩ − ⟨Ψ, CΨ⟩).
func (r *dasRun) Objective() float64 {
	if r.objOK {
		return r.obj
	}
	num, den := r.wParts() // ΨᵀMΨ and GWpG
	obj := max(r.sqNorm-2*linalg.Dot(num, r.w)+linalg.Dot(r.w, den), 0)
	if r.lambda != 0 && r.g.c != nil {
		obj += 2 * r.lambda * dasRegularizer(r.g, r.Psi(), r.ta)
	}
	r.obj, r.objOK = obj, true
	return obj
}

// dasRegularizer returns Tr(ΨᵀDΨ) − Tr(ΨᵀCΨ), half the regularizer
// (Tr(ΨᵀCᵀΨ) = Tr(ΨᵀCΨ)), using scratch (n x k).
func dasRegularizer(g *asymGraph, psi, scratch *mat.Dense) float64 {
	linalg.ScaleRows(scratch, psi, g.d)
	t := linalg.Dot(psi, scratch)
	g.c.Mul(scratch, psi)
	return t - linalg.Dot(psi, scratch)
}

// result assembles the Result: the embedding per readout and the factors
// H1..Hp, Wp, the pre-trained W1..W{p−1} and Psi.
func (r *dasRun) result(name string, sr *solve.Result, pre []solve.Result, ls []deepLayer, readout string) *Result {
	return &Result{
		Result:    *sr,
		Model:     name,
		Rank:      r.k(),
		Layers:    append([]int(nil), r.layers...),
		Embedding: asymEmbedding(r.Psi(), readout),
		Factors:   asymFactors(r.u, r.w, ls, r.Psi(), "fine-tuned"),
		Assign:    asymAssign(readout),
		Pretrain:  pre,
	}
}

// asymAssign is the read-out the embedding is meant for.
func asymAssign(readout string) string {
	if readout == "kmeans" {
		return "kmeans"
	}
	return "argmax"
}

// asymEmbedding returns the embedding read from Ψ: unit-norm columns for
// argmax ("psi"), unit-norm rows for k-means ("kmeans").
func asymEmbedding(psi *mat.Dense, readout string) *mat.Dense {
	e := mat.DenseCopyOf(psi)
	if readout == "raw" {
		return e
	}
	if readout == "kmeans" {
		n, _ := e.Dims()
		inv := make([]float64, n)
		for i := range n {
			if v := mat.Norm(e.RowView(i), 2); v > 0 {
				inv[i] = 1 / v
			}
		}
		linalg.ScaleRows(e, e, inv)
		return e
	}
	dmScaleCols(e, dmInv(dmColNorms(e)))
	return e
}

// asymFactors names the factors of a deep asymmetric result.
func asymFactors(hs []*mat.Dense, wp *mat.Dense, ls []deepLayer, psi *mat.Dense, how string) []Factor {
	var out []Factor
	for i, h := range hs {
		r, c := h.Dims()
		out = append(out, Factor{Name: fmt.Sprintf("H%d", i+1), Doc: fmt.Sprintf("%d x %d factor of layer %d (Ψ = H1⋯Hp), %s", r, c, i+1, how), M: h})
	}
	k, _ := wp.Dims()
	out = append(out, Factor{Name: fmt.Sprintf("W%d", len(hs)), Doc: fmt.Sprintf("%d x %d links between the clusters (top layer), %s", k, k, how), M: wp})
	for i, l := range ls[:len(ls)-1] {
		w := l.Next.(*linalg.Dense).Raw()
		r, _ := w.Dims()
		out = append(out, Factor{Name: fmt.Sprintf("W%d", i+1), Doc: fmt.Sprintf("%d x %d summarized graph of layer %d, from pre-training", r, r, i+1), M: w})
	}
	n, _ := psi.Dims()
	out = append(out, Factor{Name: "Psi", Doc: fmt.Sprintf("%d x %d memberships Ψ = H1⋯Hp, one row per node", n, k), M: psi})
	return out
}

// asymDenseSVDStart is the SVD start of a deeper layer, whose input is the
// dense summarized graph W_{i−1}: H holds the NNDSVD columns of x scaled
// to unit norm, their zeros raised to 1% of 1/sqrt(m) (m rows), and
// W = HᵀxH with entries below 1% of its mean raised to it. svdStart's
// floors at mean(x) suit a sparse adjacency matrix, whose mean is far
// below the entries of a unit column, and not a dense W_{i−1}.
func asymDenseSVDStart(x linalg.Matrix, k int, rng *rand.Rand) (h, w *mat.Dense, err error) {
	h, _, err = initialize.Factors(x, k, initialize.NNDSVD, rng)
	if err != nil {
		return nil, nil, err
	}
	m, _ := h.Dims()
	unitColumns(h)
	fh := 0.01 / math.Sqrt(float64(m))
	h.Apply(func(_, _ int, v float64) float64 { return max(v, fh) }, h)
	xh := mat.NewDense(m, k, nil)
	x.Mul(xh, h)
	w = mat.NewDense(k, k, nil)
	w.Mul(h.T(), xh)
	fw := 0.01 * max(mat.Sum(w), 0) / float64(k*k)
	w.Apply(func(_, _ int, v float64) float64 { return max(v, fw) }, w)
	return h, w, nil
}
