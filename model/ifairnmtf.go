package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// IFairNMTF is individually fair graph clustering by symmetric
// nonnegative matrix tri-factorization with a contrastive fairness
// regularizer (Ghodsi, Seyedi and Ntoutsi, "Towards cohesion-fairness
// harmony: contrastive regularization in individual fair graph
// clustering", PAKDD 2024; code SiamakGhodsi/iFairNMTF):
//
//	min_{H, W ≥ 0} ‖A − HWHᵀ‖²_F + λ Tr(HᵀLH),
//
// for a graph's adjacency matrix A (n x n) and a sensitive attribute that
// puts each node in one of h ≥ 2 groups. L = R_S − R_D + diag(δ) is the
// Laplacian of the contrastive fairness graph R = R_D − R_S: R_D links
// each node to every node of the other groups and R_S to every other node
// of its own group, each row normalized to sum 1 (δ_i = 1 only for a node
// alone in its group, whose R_S row is empty). Minimizing Tr(HᵀLH) pulls
// the memberships of nodes of different groups together and pushes those
// of the same group apart, so that clusters mix the groups. The updates
// are those of AsymNMF (the shared triFactor core) with the regularizer's
// gradient split into its positive and negative parts.
// docs/models/ifairnmtf.md gives the details; GroupBalance is the
// fairness measure the paper reports.
type IFairNMTF struct {
	Rank int
	// Lambda is the fairness weight λ ≥ 0; 0 gives plain symmetric NMTF.
	Lambda float64
	// Groups holds the sensitive group of each node, in node order (any
	// integers, at least two distinct ones). It is required when
	// Lambda > 0.
	Groups []int
	// Init is "random" (the default, also ""): the reference start, H
	// U(0,1) and W = diag(σ_1 + 0.1, …, σ_k + 0.1) with σ the leading
	// singular values of A; "svd" is asymnmf's SVD start. Custom H0
	// (n x k) and W0 (k x k) override it.
	Init   string
	H0, W0 *mat.Dense
	Seed   uint64
}

var ifairnmtfSpec = Spec{
	Name:      "ifairnmtf",
	Kind:      Graph,
	Objective: "min ‖A − HWHᵀ‖² + λ Tr(HᵀLH), H, W ≥ 0; L the contrastive fairness Laplacian of the sensitive groups",
	Reference: "Ghodsi, Seyedi & Ntoutsi, PAKDD 2024 (code SiamakGhodsi/iFairNMTF)",
	Params:    "lambda=100 (needs --groups, the sensitive group of each node; lambda=0 runs without) (--init random|svd)",
	New: func(c Config) (Estimator, error) {
		return &IFairNMTF{Rank: c.Rank, Lambda: c.Params.Float("lambda", 100), Groups: c.Groups, Init: c.Init, Seed: c.Seed}, nil
	},
}

// Fit factorizes the adjacency matrix a. The result's Embedding is H
// (n x k); its factors are H and W.
func (m *IFairNMTF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkGraph(a, m.Rank); err != nil {
		return nil, err
	}
	if !(m.Lambda >= 0) || math.IsInf(m.Lambda, 1) {
		return nil, invalidf("lambda %g must be finite and ≥ 0", m.Lambda)
	}
	n, _ := a.Dims()
	var fair *fairGraph
	if m.Lambda > 0 {
		if m.Groups == nil {
			return nil, invalidf("ifairnmtf needs the sensitive group of every node (--groups FILE; IFairNMTF.Groups in the Go API); lambda=0 runs plain NMTF")
		}
		var err error
		if fair, err = newFairGraph(m.Groups, n); err != nil {
			return nil, err
		}
	}
	h, w, err := m.start(a)
	if err != nil {
		return nil, err
	}
	run := &fairRun{t: newTriFactor(a, h, w), fair: fair, lambda: m.Lambda}
	if fair != nil {
		run.t.reg = run.regularize
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("ifairnmtf: %w", err)
	}
	return &Result{
		Result:    *sr,
		Model:     "ifairnmtf",
		Rank:      m.Rank,
		Embedding: h,
		Factors: []Factor{
			{Name: "H", Doc: "n x k cluster memberships, A ≈ H·W·Hᵀ", M: h},
			{Name: "W", Doc: "k x k links between clusters", M: w},
		},
	}, nil
}

// start returns the starting factors.
func (m *IFairNMTF) start(a linalg.Matrix) (h, w *mat.Dense, err error) {
	if m.H0 != nil || m.W0 != nil || m.Init == "svd" {
		return asymStart(a, m.Rank, m.Init, m.H0, m.W0, m.Seed)
	}
	if m.Init != "" && m.Init != initialize.Random {
		return nil, nil, invalidf("unknown init %q (want random or svd)", m.Init)
	}
	n, _ := a.Dims()
	rng := initialize.NewRand(m.Seed)
	h = uniformDense(n, m.Rank, 1, rng)
	_, sv, _, err := linalg.TruncatedSVD(a, m.Rank, rng)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	w = mat.NewDense(m.Rank, m.Rank, nil)
	for i, v := range sv {
		w.Set(i, i, v+0.1)
	}
	// Scale H by the c minimizing ‖A − c²HWHᵀ‖, c² = ⟨A, HWHᵀ⟩/‖HWHᵀ‖²:
	// the reference start is far larger than A (its HWHᵀ has entries of
	// the order of σ_1), which makes the first objective huge and a
	// relative-decrease test stop on the plateau that follows.
	t := newTriFactor(a, h, w)
	t.refresh()
	t.kk.Mul(w, t.g)
	t.m1.Mul(t.g, t.kk)
	if num, den := linalg.Dot(t.hah, w), linalg.Dot(w, t.m1); num > 0 && den > 0 {
		h.Scale(math.Sqrt(num/den), h)
	}
	return h, w, nil
}

// fairRun is one IFairNMTF fit: it implements solve.Model.
type fairRun struct {
	t      *triFactor
	fair   *fairGraph // nil when λ = 0
	lambda float64
}

// Step implements solve.Model. With the regularizer on, it then rescales
// the columns of H to unit norm, moving their norms into W (HWHᵀ does not
// change): Tr(HᵀLH) is not invariant to the scale of H while the fit is,
// and L has negative eigenvalues, so without this the updates can grow H
// and shrink W without bound (the objective falls to −∞).
func (r *fairRun) Step() error {
	r.t.step()
	if r.fair == nil {
		return nil
	}
	norms := unitColumns(r.t.h)
	d := mat.NewDiagDense(len(norms), norms)
	r.t.w.Mul(d, r.t.w)
	r.t.w.Mul(r.t.w, d)
	r.t.fresh = false
	return nil
}

// Objective implements solve.Model: ‖A − HWHᵀ‖² + λ Tr(HᵀLH).
func (r *fairRun) Objective() float64 {
	obj := r.t.loss()
	if r.fair != nil {
		obj += r.lambda * r.fair.trace(r.t.h)
	}
	return obj
}

// regularize adds the fairness terms to the H update: the gradient of
// λ Tr(HᵀLH), halved, is λ(δ⊙H + ½(R_S + R_Sᵀ)H) − (λ/2)(R_D + R_Dᵀ)H; the
// first part joins the denominator and the second the numerator.
func (r *fairRun) regularize(num, den, h *mat.Dense) {
	f := r.fair
	f.symS(f.pos, h)
	f.scratch.Scale(r.lambda/2, f.pos)
	den.Add(den, f.scratch)
	linalg.ScaleRows(f.scratch, h, f.delta)
	f.scratch.Scale(r.lambda, f.scratch)
	den.Add(den, f.scratch)
	f.symD(f.neg, h)
	f.scratch.Scale(r.lambda/2, f.neg)
	num.Add(num, f.scratch)
}

// fairGraph is the contrastive fairness graph of iFairNMTF for a
// partition of the nodes into groups, kept in factored form: with G the
// n x h group indicator matrix and s_i the size of node i's group,
//
//	R_S = diag(1/(s_i − 1)) (GGᵀ − I),   R_D = diag(1/(n − s_i)) (11ᵀ − GGᵀ),
//
// so every product with R_S, R_D or their transposes costs O(nhk) through
// the sparse n x (h+1) matrix E = [1 | G], never an n x n matrix.
type fairGraph struct {
	e           *linalg.CSR // n x (h+1): [1 | G]
	cs, cd      []float64   // 1/(s_i − 1) (0 when s_i = 1), 1/(n − s_i)
	delta       []float64   // row sums of R_D − R_S: 1 for a node alone in its group
	same, diff  []float64   // the row coefficients of E·(EᵀX) giving GGᵀX and (11ᵀ − GGᵀ)X
	sums        *mat.Dense  // (h+1) x k scratch
	pos, neg    *mat.Dense  // n x k scratch
	scratch, sx *mat.Dense  // n x k scratch
}

// newFairGraph returns the fairness graph of groups (one per node).
func newFairGraph(groups []int, n int) (*fairGraph, error) {
	if len(groups) != n {
		return nil, invalidf("%d groups for %d nodes", len(groups), n)
	}
	index := map[int]int{}
	for _, g := range groups {
		if _, ok := index[g]; !ok {
			index[g] = len(index)
		}
	}
	h := len(index)
	if h < 2 {
		return nil, invalidf("the sensitive attribute has %d group(s); fairness needs at least 2", h)
	}
	size := make([]int, h)
	rows := make([]int, 0, 2*n)
	cols := make([]int, 0, 2*n)
	for i, g := range groups {
		size[index[g]]++
		rows, cols = append(rows, i, i), append(cols, 0, 1+index[g])
	}
	ones := make([]float64, len(rows))
	for i := range ones {
		ones[i] = 1
	}
	e, err := linalg.NewCSRFromTriplets(n, h+1, rows, cols, ones, false)
	if err != nil {
		return nil, err
	}
	f := &fairGraph{
		e:  e,
		cs: make([]float64, n), cd: make([]float64, n), delta: make([]float64, n),
		same: make([]float64, h+1), diff: make([]float64, h+1),
	}
	for i, g := range groups {
		s := size[index[g]]
		f.cd[i] = 1 / float64(n-s)
		if s > 1 {
			f.cs[i] = 1 / float64(s-1)
		} else {
			f.delta[i] = 1
		}
	}
	f.diff[0] = 1
	for j := 1; j <= h; j++ {
		f.same[j], f.diff[j] = 1, -1
	}
	return f, nil
}

// mix sets dst = E·diag(coef)·Eᵀ·x: GGᵀx for coef = same, (11ᵀ − GGᵀ)x for
// coef = diff.
func (f *fairGraph) mix(dst, x *mat.Dense, coef []float64) {
	f.e.TMul(f.sums, x)
	linalg.ScaleRows(f.sums, f.sums, coef)
	f.e.Mul(dst, f.sums)
}

// symS sets dst = (R_S + R_Sᵀ)x and symD sets dst = (R_D + R_Dᵀ)x.
func (f *fairGraph) symS(dst, x *mat.Dense) { f.symmetric(dst, x, f.same, f.cs, true) }
func (f *fairGraph) symD(dst, x *mat.Dense) { f.symmetric(dst, x, f.diff, f.cd, false) }

// symmetric sets dst = (R + Rᵀ)x for R = diag(c)·(E diag(coef) Eᵀ − I),
// without the identity unless self.
func (f *fairGraph) symmetric(dst, x *mat.Dense, coef, c []float64, self bool) {
	f.alloc(x)
	f.mix(dst, x, coef)
	if self {
		dst.Sub(dst, x)
	}
	linalg.ScaleRows(dst, dst, c) // R x
	linalg.ScaleRows(f.sx, x, c)
	f.mix(f.scratch, f.sx, coef)
	if self {
		f.scratch.Sub(f.scratch, f.sx)
	}
	dst.Add(dst, f.scratch) // + Rᵀ x
}

// trace returns Tr(HᵀLH) = ⟨H, δ⊙H⟩ + ⟨H, R_S H⟩ − ⟨H, R_D H⟩.
func (f *fairGraph) trace(h *mat.Dense) float64 {
	f.alloc(h)
	linalg.ScaleRows(f.scratch, h, f.delta)
	t := linalg.Dot(h, f.scratch)
	f.mix(f.scratch, h, f.same)
	f.scratch.Sub(f.scratch, h)
	linalg.ScaleRows(f.scratch, f.scratch, f.cs)
	t += linalg.Dot(h, f.scratch)
	f.mix(f.scratch, h, f.diff)
	linalg.ScaleRows(f.scratch, f.scratch, f.cd)
	return t - linalg.Dot(h, f.scratch)
}

// alloc sizes the scratch matrices for x.
func (f *fairGraph) alloc(x *mat.Dense) {
	n, k := x.Dims()
	if f.sums != nil {
		return
	}
	_, h1 := f.e.Dims()
	f.sums = mat.NewDense(h1, k, nil)
	f.pos, f.neg = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	f.scratch, f.sx = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
}

// GroupBalance returns the balance of each cluster of pred with respect to
// the sensitive groups, and their mean over the non-empty clusters: the
// fairness measure B that iFairNMTF reports (compute_group_balance in the
// reference code, after Chierichetti et al., NIPS 2017),
//
//	balance(C) = min_{g, g'} |C ∩ V_g| / |C ∩ V_g'| = min_g |C ∩ V_g| / max_g |C ∩ V_g|,
//
// over every group g of the data, so a cluster missing a group has
// balance 0 and one with equally many nodes of each group has 1. Clusters
// are the values 0..max(pred); an empty one has balance NaN and is left
// out of the mean (the reference relabels clusters contiguously first).
// The reference adds 1e-6 to the denominator; here the ratio is exact.
// It panics if the lengths differ or a cluster label is negative.
func GroupBalance(pred, groups []int) (perCluster []float64, mean float64) {
	if len(pred) != len(groups) {
		panic(fmt.Sprintf("model: %d cluster labels and %d groups", len(pred), len(groups)))
	}
	index := map[int]int{}
	for _, g := range groups {
		if _, ok := index[g]; !ok {
			index[g] = len(index)
		}
	}
	k := 0
	for _, c := range pred {
		if c < 0 {
			panic(fmt.Sprintf("model: negative cluster label %d", c))
		}
		k = max(k, c+1)
	}
	h := len(index)
	count := make([]int, k*h)
	for i, c := range pred {
		count[c*h+index[groups[i]]]++
	}
	perCluster = make([]float64, k)
	var used int
	for c := range k {
		lo, hi := math.MaxInt, 0
		for _, v := range count[c*h : (c+1)*h] {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi == 0 {
			perCluster[c] = math.NaN()
			continue
		}
		perCluster[c] = float64(lo) / float64(hi)
		mean += perCluster[c]
		used++
	}
	if used > 0 {
		mean /= float64(used)
	}
	return perCluster, mean
}
