package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/internal/memory"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/atlas"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// Atlas is the brain-network group atlas: for the connectivity matrices
// A_1, ..., A_n of n subjects (each m x m and symmetric, over the same m
// regions of interest, ROIs, in the same order) it finds region
// communities H shared by every subject and a k x k matrix W_i per subject,
//
//	min Σ_i ‖A_i − H W_i Hᵀ‖²_F,  H ≥ 0 (m x k),  W_i = W_iᵀ (k x k),
//
// row p of H holding ROI p's memberships of the k communities, its
// community the largest, and W_i the subject's connectivity within and
// between the communities, its embedding for analyses across subjects
// (the "group-level atlas summarizing regions of interest" of the seed
// talk, asymmetric NMF's A ≈ HWHᵀ with H shared by a stack of graphs).
//
// Correlations have both signs; Negative says how the negative ones
// enter (docs/models/atlas.md compares the three on synthetic and real
// data):
//
//   - semi: the A_i as they are, W_i free in sign (semi-NMF's idea): each
//     W_i is its least-squares value G⁺HᵀA_iHG⁺ (G = HᵀH) given H;
//   - split: the positive and negative parts as two nonnegative layers of
//     the stack, A_i⁺ ≈ HW_i⁺Hᵀ and A_i⁻ ≈ HW_i⁻Hᵀ, W_i^± ≥ 0, and
//     W_i = W_i⁺ − W_i⁻;
//   - shift: A_i + c, c the largest negative magnitude of the stack, with
//     W_i ≥ 0 (the objective is then that of the shifted matrices).
//
// H is updated by a fourth-root multiplicative rule built from the
// positive and negative parts of the A_i and W_i (package
// model/internal/atlas), which does not increase the objective; the
// nonnegative W_i by the multiplicative rule of asymmetric NMF.
//
// Every layer of H is pre-trained on the mean connectivity (1/n)Σ_i A_i
// (split: the means of the positive and of the negative parts): layer 1
// factorizes it, layer j the k x k matrix of layer j−1, each from a start
// of its own. With Layers r1, ..., rp = k the atlas is deep, H = H1⋯Hp
// (H_j r_{j−1} x r_j ≥ 0, r_0 = m), and fine-tuning updates every H_j by
// the same rule projected on the layer, then the W_i. After the fit the
// columns of H are scaled to unit norm, their norms moved into the W_i
// (HW_iHᵀ does not change), so that the W_i of different fits and
// subjects are on one scale.
type Atlas struct {
	// Rank is k, the number of communities; a deep atlas may give Layers
	// instead (whose last size must then equal a nonzero Rank).
	Rank int
	// Layers are r1, ..., rp = k, decreasing; nil is the one layer Rank.
	Layers []int
	// Negative is how negative correlations enter: "semi", "split" or
	// "shift" (see above).
	Negative Negative `param:"negative" choices:"semi|split|shift" help:"negative correlations: W_i free in sign (semi), positive and negative parts as two nonnegative layers (split), or A_i + c (shift)"`
	// Init is the start of each pre-training layer: "kmeans", the k-means
	// clusters of the rows of its input (a layer's connectivity profiles;
	// split: both parts side by side) as an indicator plus 0.2
	// (initialize.KMeansIndicator); or "random", U(0,1) entries.
	Init initialize.Method `choices:"kmeans|random"`
	// PreIter is the number of pre-training iterations of each layer on
	// the mean connectivity; nil means 100.
	PreIter *int `param:"pre_iter" default:"100" check:">=0" help:"pre-training iterations per layer on the mean connectivity"`
	Seed    uint64
}

// Negative names a way to treat the negative entries of an atlas's
// connectivity matrices.
type Negative string

// The treatments of negative correlations.
const (
	NegativeSemi  Negative = "semi"
	NegativeSplit Negative = "split"
	NegativeShift Negative = "shift"
)

// AtlasResult is what Atlas.Fit returns.
type AtlasResult struct {
	// Result holds the report of the fine-tuning and, in Pretrain, that of
	// each layer's pre-training; Embedding is H (m x k, one row per ROI,
	// unit-norm columns), and Factors H and, for a deep atlas, its layers
	// H1..Hp.
	Result
	Negative Negative `json:"negative"`
	// Shift is the c that Negative "shift" added to every entry, else 0.
	Shift float64 `json:"shift,omitempty"`
	// RelativeError is sqrt(Σ_i ‖A_i − Â_i‖² / Σ_i ‖A_i‖²), Â_i the fit's
	// reconstruction of the given A_i (HW_iHᵀ, less c for "shift").
	RelativeError float64 `json:"relative_error"`
	// Communities holds the community of each ROI, in [0, k): the column
	// of the largest entry of its row of H.
	Communities []int `json:"-"`
	// Subjects holds W_i (k x k, symmetric), one per subject in input
	// order, on the scale of H's unit-norm columns (split: W_i⁺ − W_i⁻).
	Subjects []*mat.Dense `json:"-"`
}

// atlasSettings are the defaults of the zero fields of the settings given
// to Atlas.Fit.
var atlasSettings = solve.Settings{MaxIter: 300, Tol: new(1e-5)}

// Fit fits the atlas to the subjects' matrices in stack under s, whose
// zero fields take the defaults (300 iterations, tolerance 1e-5 on the
// relative decrease, tested every 10; a Tol of 0 runs MaxIter iterations); the
// time limit, cancellation and progress of s cover the pre-training too.
// The matrices must be m x m for one m, finite, symmetric (to within 1e-6
// of each one's largest magnitude; they are symmetrized) and not all zero;
// 1 ≤ k < m. Errors of the input or the configuration wrap ErrInvalid.
func (m Atlas) Fit(ctx context.Context, stack []*mat.Dense, s solve.Settings) (*AtlasResult, error) {
	res, err := m.fit(ctx, stack, s.WithDefaults(atlasSettings))
	if err != nil {
		return nil, fmt.Errorf("atlas: %w", err)
	}
	return res, nil
}

func (m Atlas) fit(ctx context.Context, stack []*mat.Dense, s solve.Settings) (*AtlasResult, error) {
	if err := s.Validate(); err != nil {
		return nil, invalid(err)
	}
	if err := resolve(&m); err != nil {
		return nil, err
	}
	size, err := checkStack(stack)
	if err != nil {
		return nil, err
	}
	layers, err := m.layers(size)
	if err != nil {
		return nil, err
	}
	parts := 1
	if m.Negative == NegativeSplit {
		parts = 2
	}
	what := fmt.Sprintf("copying %d subjects' %dx%d matrices", len(stack), size, size)
	if err := memory.Check(mulSat(uint64(parts*len(stack)+parts), denseBytes(size, size)), what); err != nil {
		return nil, invalid(err)
	}
	se, err := solve.NewSession(ctx, s)
	if err != nil {
		return nil, invalid(err)
	}
	r := &run{Session: se, seed: m.Seed, rng: initialize.NewRand(m.Seed)}
	channels, shift := m.channels(stack)
	free := m.Negative == NegativeSemi
	mean := means(channels, parts)
	in := mean
	ls := make([]deep.Layer, len(layers))
	var psi *mat.Dense // H1⋯H_{l−1}
	for l, k := range layers {
		h, err := m.start(mean, psi, k, r)
		if err != nil {
			return nil, err
		}
		f, err := atlas.New(in, h, free)
		if err != nil {
			return nil, err
		}
		if err := r.pretrain(l, f, solve.Settings{MaxIter: *m.PreIter, Tol: new(0.0)}); err != nil {
			return nil, err
		}
		scaleColumns(f.H, colMax(f.H), f.W)
		ls[l] = deep.Layer{U: f.H}
		in = f.W
		if psi == nil {
			psi = f.H
		} else {
			psi = linalg.Product(psi, f.H)
		}
	}
	st := deep.NewStack(linalg.NewDense(mean[0]), ls)
	f, err := atlas.New(channels, st.Product(), free)
	if err != nil {
		return nil, err
	}
	fine := newAtlasRun(st, f)
	res, err := r.final(fine, func() *Result { return fine.result() })
	if err != nil {
		return nil, err
	}
	res.Model = "atlas"
	res.Pretrain = r.pre
	out := &AtlasResult{Result: *res, Negative: m.Negative, Shift: shift, Communities: cluster.Argmax(res.Embedding)}
	out.Subjects = make([]*mat.Dense, len(stack))
	for i := range stack {
		out.Subjects[i] = f.W[i*parts]
		if parts == 2 {
			out.Subjects[i] = mat.NewDense(layers[len(layers)-1], layers[len(layers)-1], nil)
			out.Subjects[i].Sub(f.W[2*i], f.W[2*i+1])
		}
	}
	out.RelativeError = relativeError(stack, f.H, out.Subjects, shift)
	return out, nil
}

// layers returns the layer sizes of the configuration, checked for an
// m x m stack.
func (m Atlas) layers(size int) ([]int, error) {
	if len(m.Layers) == 0 {
		if m.Rank < 1 || m.Rank >= size {
			return nil, invalidf("rank %d must be in [1, %d) for %d ROIs", m.Rank, size, size)
		}
		return []int{m.Rank}, nil
	}
	if k := m.Layers[len(m.Layers)-1]; m.Rank != 0 && k != m.Rank {
		return nil, invalidf("the last layer (%d) must equal the rank (%d)", k, m.Rank)
	}
	if err := deep.CheckLayers(m.Layers, size, true); err != nil {
		return nil, invalid(err)
	}
	return m.Layers, nil
}

// checkStack validates the subjects' matrices and returns their size m.
func checkStack(stack []*mat.Dense) (int, error) {
	if len(stack) == 0 {
		return 0, invalidf("no subjects")
	}
	size := 0
	var big, sq float64
	for i, a := range stack {
		if a == nil || a.IsEmpty() {
			return 0, invalidf("subject %d has no matrix", i)
		}
		r, c := a.Dims()
		switch {
		case r != c:
			return 0, invalidf("subject %d: the matrix is %dx%d, not square", i, r, c)
		case i == 0:
			size = r
		case r != size:
			return 0, invalidf("subject %d: the matrix is %dx%d, subject 0's %dx%d", i, r, r, size, size)
		}
		st := linalg.NewDense(a).Stats()
		if !st.Finite {
			return 0, invalidf("subject %d: the matrix has NaN or infinite entries", i)
		}
		top := max(math.Abs(st.Min), math.Abs(st.Max))
		big, sq = max(big, top), sq+st.SquaredNorm
		for p := range r {
			for q := p + 1; q < r; q++ {
				if d := math.Abs(a.At(p, q) - a.At(q, p)); d > 1e-6*top {
					return 0, invalidf("subject %d: the matrix is not symmetric: entry (%d, %d) is %g, (%d, %d) %g", i, p, q, a.At(p, q), q, p, a.At(q, p))
				}
			}
		}
	}
	switch {
	case big == 0:
		return 0, invalidf("every matrix is all zero: there is nothing to factorize")
	case math.IsInf(sq, 0):
		return 0, invalidf("entries reach %g: their squares overflow float64; rescale the data", big)
	case big < minScale:
		return 0, invalidf("entries are at most %g in magnitude: below %g the updates' products underflow; rescale the data", big, minScale)
	}
	return size, nil
}

// channels returns the stack the fit factorizes, symmetrized copies of
// the subjects' matrices: A_i (semi), A_i + c (shift, with c), or A_i⁺ and
// A_i⁻ at 2i and 2i+1 (split).
func (m Atlas) channels(stack []*mat.Dense) ([]*mat.Dense, float64) {
	var shift float64
	if m.Negative == NegativeShift {
		for _, a := range stack {
			shift = max(shift, -mat.Min(a))
		}
	}
	var out []*mat.Dense
	for _, a := range stack {
		size, _ := a.Dims()
		c := mat.NewDense(size, size, nil)
		c.Add(a, a.T())
		linalg.Scale(c, 0.5)
		switch m.Negative {
		case NegativeShift:
			linalg.AddScalar(c, shift)
		case NegativeSplit:
			neg := mat.NewDense(size, size, nil)
			linalg.PosNeg(c, neg, mat.DenseCopyOf(c))
			out = append(out, c, neg)
			continue
		}
		out = append(out, c)
	}
	return out, shift
}

// means returns the mean over the subjects of each of the parts channels
// of a subject (channel i·parts + j is part j of subject i).
func means(channels []*mat.Dense, parts int) []*mat.Dense {
	out := make([]*mat.Dense, parts)
	n := len(channels) / parts
	for j := range out {
		out[j] = mat.DenseCopyOf(channels[j])
		for i := 1; i < n; i++ {
			out[j].Add(out[j], channels[i*parts+j])
		}
		linalg.Scale(out[j], 1/float64(n))
	}
	return out
}

// start returns the start of the pre-training layer of size k below
// which the layers whose product is psi lie (nil for the first layer).
// "random" draws U(0,1) entries. "kmeans" clusters the ROIs by k-means of
// their profiles in the mean connectivity (the rows of the means side by
// side) into k groups; the first layer's start is their indicator plus
// 0.2 (initialize.KMeansIndicator), a deeper layer's entry (a, b) the
// fraction of the ROIs of group a of the layers below (the argmax of
// their row of psi) that are in group b, plus 0.2, so that the product
// of the layers starts near the k groups.
func (m Atlas) start(mean []*mat.Dense, psi *mat.Dense, k int, r *run) (*mat.Dense, error) {
	rows, _ := mean[0].Dims()
	if psi != nil {
		_, rows = psi.Dims()
	}
	if m.Init == initialize.Random {
		return initialize.Uniform(rows, k, 1, r.rng), nil
	}
	size, _ := mean[0].Dims()
	side := mat.NewDense(size, size*len(mean), nil)
	for j, a := range mean {
		side.Slice(0, size, j*size, (j+1)*size).(*mat.Dense).Copy(a)
	}
	if psi == nil {
		h, err := initialize.KMeansIndicator(linalg.NewDense(side), k, r.rng.Uint64(), false)
		return h, invalid(err)
	}
	groups, _, err := cluster.KMeans{K: k, Seed: r.rng.Uint64()}.Fit(side)
	if err != nil {
		return nil, invalidf("k-means start of a layer of size %d: %v", k, err)
	}
	h := mat.NewDense(rows, k, nil)
	counts := make([]float64, rows)
	for i, a := range cluster.Argmax(psi) {
		h.Set(a, groups[i], h.At(a, groups[i])+1)
		counts[a]++
	}
	for a, c := range counts {
		for b := range k {
			h.Set(a, b, h.At(a, b)/max(c, 1)+0.2)
		}
	}
	return h, nil
}

// scaleColumns divides the columns of Ψ (the product of a stack of
// factors whose last is last) by norms through those of last, and moves
// them into every W_l, W_l ← D W_l D with D = diag(norms), so that ΨW_lΨᵀ
// does not change; a zero norm leaves its column as it is. Ψ is stale
// afterwards unless it is last itself.
func scaleColumns(last *mat.Dense, norms []float64, ws []*mat.Dense) {
	inv := make([]float64, len(norms))
	for j, v := range norms {
		if inv[j], norms[j] = 1, 1; v > 0 {
			inv[j], norms[j] = 1/v, v
		}
	}
	linalg.ScaleCols(last, inv)
	for _, w := range ws {
		linalg.ScaleRows(w, w, norms)
		linalg.ScaleCols(w, norms)
	}
}

// colMax returns the largest entry of each column of the nonnegative h.
func colMax(h *mat.Dense) []float64 {
	_, k := h.Dims()
	out := make([]float64, k)
	for j := range out {
		out[j] = mat.Max(h.ColView(j))
	}
	return out
}

// relativeError returns sqrt(Σ_i ‖A_i + c − HW_iHᵀ‖² / Σ_i ‖A_i‖²) from
// Gram matrices.
func relativeError(stack []*mat.Dense, h *mat.Dense, ws []*mat.Dense, shift float64) float64 {
	size, k := h.Dims()
	g := linalg.Gram(h)
	ah, hah, gw := mat.NewDense(size, k, nil), mat.NewDense(k, k, nil), mat.NewDense(k, k, nil)
	var res, norm float64
	for i, a := range stack {
		b := a
		if shift != 0 {
			b = mat.DenseCopyOf(a)
			linalg.AddScalar(b, shift)
		}
		ah.Mul(b, h)
		hah.Mul(h.T(), ah)
		gw.Mul(g, linalg.Product(ws[i], g))
		sq := linalg.Dot(b, b)
		res += max(sq-2*linalg.Dot(hah, ws[i])+linalg.Dot(ws[i], gw), 0)
		norm += linalg.Dot(a, a)
	}
	return math.Sqrt(res / max(norm, math.SmallestNonzeroFloat64))
}

// atlasRun is the fine-tuning of an atlas: it implements solve.Model.
type atlasRun struct {
	st  *deep.Stack // H1..Hp; its product is the factorization's H
	f   *atlas.Factorization
	num []*mat.Dense // per layer, the shape of H_j: the projected Num
}

func newAtlasRun(st *deep.Stack, f *atlas.Factorization) *atlasRun {
	r := &atlasRun{st: st, f: f}
	for _, u := range st.U {
		r.num = append(r.num, mat.NewDense(u.RawMatrix().Rows, u.RawMatrix().Cols, nil))
	}
	return r
}

// Step implements solve.Model: every H_j by atlas.Update with the parts
// of the gradient at the current product projected on the layer, then
// every W_l.
func (r *atlasRun) Step() error {
	r.st.BeginSweep()
	for l := range r.st.P() {
		p := r.f.HParts(r.st.PsiTilde(l))
		r.num[l].Copy(r.st.Project(l, p.Num, 0))
		quad := r.st.Project(l, p.Quad, 1)
		atlas.Update(r.st.U[l], atlas.Parts{Num: r.num[l], Quad: quad, Quart: r.st.Project(l, p.Quart, 0)})
		r.st.SetPsi(l)
	}
	return r.f.UpdateW()
}

// Objective implements solve.Model.
func (r *atlasRun) Objective() float64 { return r.f.Objective() }

// result scales H to unit-norm columns and assembles the result (run's
// final adds the report).
func (r *atlasRun) result() *Result {
	p := r.st.P()
	scaleColumns(r.st.U[p-1], linalg.ColNorms(r.st.Product()), r.f.W)
	r.st.SetPsi(p - 1)
	h := r.st.Product()
	size, k := h.Dims()
	res := &Result{Rank: k, Embedding: h, Assign: AssignArgmax}
	res.Factors = []Factor{{Name: H, Doc: fmt.Sprintf("%d x %d ROI memberships of the communities (unit-norm columns), A_i ≈ H·W_i·Hᵀ", size, k), M: h}}
	if p > 1 {
		res.Layers = append([]int(nil), r.st.Layers...)
		res.Factors = append(res.Factors, layerFactors(H, r.st.U, func(i int, m *mat.Dense) string {
			return fmt.Sprintf("%s factor of layer %d, H = H1⋯Hp", dims(m), i)
		})...)
	}
	return res
}
