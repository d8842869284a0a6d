package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
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
// are those of AsymNMF (package trifactor) with the regularizer's
// gradient split into its positive and negative parts.
// docs/models/ifairnmtf.md gives the details; metric.GroupBalance is the
// fairness measure the paper reports. The factors are H (n x k, the
// embedding) and W (k x k).
type IFairNMTF struct {
	Rank int
	// Lambda is the fairness weight λ; nil means 100, 0 gives plain
	// symmetric NMTF.
	Lambda *float64 `param:"lambda" default:"100" check:">=0" help:"fairness weight λ (needs --groups; 0 runs without)"`
	// Groups holds the sensitive group of each node, in node order (any
	// integers, at least two distinct ones). It is required when
	// λ > 0.
	Groups []int
	// Init "random" is the reference start, H U(0,1) and W = diag(σ_1 +
	// 0.1, …, σ_k + 0.1) with σ the leading singular values of A, H then
	// scaled to A's scale; "svd" is initialize.TriSVD. Custom H0 (n x k)
	// and W0 (k x k) override it.
	Init   initialize.Method `choices:"random|svd"`
	H0, W0 *mat.Dense
	Seed   uint64
}

var ifairnmtfSpec = Spec{
	Name:      "ifairnmtf",
	Kind:      Graph,
	Objective: "min ‖A − HWHᵀ‖² + λ Tr(HᵀLH), H, W ≥ 0; L the contrastive fairness Laplacian of the sensitive groups",
	Reference: "Ghodsi, Seyedi & Ntoutsi, PAKDD 2024 (code SiamakGhodsi/iFairNMTF)",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(IFairNMTF) },
}

func (*IFairNMTF) spec() *Spec { return &ifairnmtfSpec }

// Fit factorizes the adjacency matrix a.
func (m *IFairNMTF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *IFairNMTF) fit(r *run, a linalg.Matrix) (*Result, error) {
	lambda := *m.Lambda
	n, _ := a.Dims()
	var fair *fairGraph
	if lambda > 0 {
		if m.Groups == nil {
			return nil, invalidf("ifairnmtf needs the sensitive group of every node (--groups FILE; IFairNMTF.Groups in the Go API); lambda=0 runs plain NMTF")
		}
		var err error
		if fair, err = newFairGraph(m.Groups, n); err != nil {
			return nil, err
		}
	}
	var h, w *mat.Dense
	var err error
	if m.H0 != nil || m.W0 != nil || m.Init == initialize.SVD {
		h, w, err = triStart(a, m.Rank, m.Init, m.H0, m.W0, r.rng)
	} else {
		h, w, err = m.referenceStart(a, r)
	}
	if err != nil {
		return nil, err
	}
	run := &fairRun{t: trifactor.New(a, h, w), fair: fair, lambda: lambda}
	if fair != nil {
		run.t.Reg = run.regularize
	}
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Approx:    &Approx{L: linalg.Product(h, w), R: h},
			Embedding: h,
			Factors: []Factor{
				{Name: H, Doc: "n x k cluster memberships, A ≈ H·W·Hᵀ", M: h},
				{Name: W, Doc: "k x k links between clusters", M: w},
			},
		}
	})
}

// referenceStart returns the reference code's start: H U(0,1) and
// W = diag(σ + 0.1), then H scaled by the c minimizing ‖A − c²HWHᵀ‖ (the
// reference start is far larger than A, its HWHᵀ has entries of the order
// of σ_1, which makes the first objective huge and a relative-decrease
// test stop on the plateau that follows).
func (m *IFairNMTF) referenceStart(a linalg.Matrix, r *run) (h, w *mat.Dense, err error) {
	n, err := square(a)
	if err != nil {
		return nil, nil, err
	}
	h = initialize.Uniform(n, m.Rank, 1, r.rng)
	_, sv, _, err := linalg.TruncatedSVD(a, m.Rank, r.rng)
	if err != nil {
		return nil, nil, invalid(err)
	}
	w = mat.NewDense(m.Rank, m.Rank, nil)
	for i, v := range sv {
		w.Set(i, i, v+0.1)
	}
	trifactor.New(a, h, w).ScaleH()
	return h, w, nil
}

// fairRun is one IFairNMTF fit: it implements solve.Model.
type fairRun struct {
	t      *trifactor.Factorization
	fair   *fairGraph // nil when λ = 0
	lambda float64
	// norms and scratch are the column norms of H and their workspace.
	norms, scratch []float64
}

// Step implements solve.Model. With the regularizer on, it then rescales
// the columns of H to unit norm, moving their norms into W (HWHᵀ does not
// change): Tr(HᵀLH) is not invariant to the scale of H while the fit is,
// and L has negative eigenvalues, so without this the updates can grow H
// and shrink W without bound (the objective falls to −∞).
func (r *fairRun) Step() error {
	if err := r.t.Step(); err != nil {
		return err
	}
	if r.fair == nil {
		return nil
	}
	n, k := r.t.H.Dims()
	if len(r.norms) != k {
		r.norms, r.scratch = make([]float64, k), make([]float64, max(n, k))
	}
	linalg.UnitColumnsTo(r.norms, r.t.H, r.scratch)
	linalg.ScaleRows(r.t.W, r.t.W, r.norms)
	linalg.ScaleCols(r.t.W, r.norms)
	r.t.Changed()
	return nil
}

// Objective implements solve.Model: ‖A − HWHᵀ‖² + λ Tr(HᵀLH).
func (r *fairRun) Objective() float64 {
	obj := r.t.Loss()
	if r.fair != nil {
		obj += r.lambda * r.fair.trace(r.t.H)
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
	linalg.Scale(f.scratch, r.lambda)
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
