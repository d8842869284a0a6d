package model

import (
	"context"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
	"github.com/deepnmf/deepnmf/solve"
)

// OEDFS is unsupervised feature selection by orthogonal encoder-decoder
// factorization (Mozafari, Seyedi, Akhlaghian Tab and Pir Mohammadiani,
// "Unsupervised feature selection using orthogonal encoder-decoder
// factorization", Information Sciences 663, 2024). In the paper's
// orientation (X d x n, W d x k, H k x n) it minimizes
//
//	‖X − W·H‖²_F + ‖H − Wᵀ·X‖²_F + λ·Tr(H L Hᵀ) + γ·‖W‖₂,₁
//	subject to W, H ≥ 0, H·Hᵀ = I,
//
// with L = D − S the Laplacian of a p-nearest-neighbour graph on the
// samples, and ranks feature i by ‖w_i‖, the norm of row i of W
// (RankFeatures). Here X is n x d and V = Hᵀ (n x k) is the embedding,
// VᵀV = I; the factors are W (d x k) and H (k x n).
//
// The paper's text was not available; the updates are derived from the
// objective (docs/models/oedfs.md). W's is a majorization-minimization
// step with ‖W‖₂,₁ majorized at the current rows:
//
//	W ← W ⊙ 2XᵀV / (W·VᵀV + XᵀX·W + (γ/2)·Q·W),  Q = diag(1/‖w_i‖),
//
// and V's handles VᵀV = I by a Lagrange multiplier estimated as in
// orthogonal NMF (Ding, Li, Peng and Park, KDD 2006), with their square
// root:
//
//	V ← V ⊙ sqrt( (2X·W + λS·V + λV·(VᵀDV)) / (2V·(VᵀXW) + λD·V + λV·(VᵀSV)) ).
//
// The V update does not guarantee a monotone decrease.
type OEDFS struct {
	Rank int
	// Lambda weights the graph term (nil: 10). Gamma weights ‖W‖₂,₁ in
	// units of s = ‖X‖_F/√d, the root-mean-square norm of the columns of
	// X (nil: 0.3): the paper's γ is Gamma·s. This makes one default fit
	// data of any scale.
	Lambda *float64 `param:"lambda" default:"10" check:">=0" help:"weight λ of the graph term"`
	Gamma  *float64 `param:"gamma" default:"0.3" check:">=0" help:"weight of ‖W‖₂,₁, in units of the RMS column norm of X"`
	// Weight is the kNN graph weighting (graph.KNN) and Neighbors its p.
	Weight    GraphWeight `param:"graph" choices:"heat|binary|cosine" help:"kNN graph weighting"`
	Neighbors int         `param:"neighbors" default:"5" check:">=1" help:"p of the p-nearest-neighbour graph"`
	// Graph, if not nil, is the n x n similarity S to use instead of the
	// kNN graph; it is symmetrized by max(S, Sᵀ).
	Graph *linalg.CSR
	// Init "kmeans": V is the k-means cluster indicator of the samples plus
	// 0.2 (the start of orthogonal NMF, Ding, Li and Jordan 2010) and
	// W = XᵀV; or an initialize.Factors method, whose W becomes V and whose
	// Hᵀ becomes W. V's columns are then scaled to unit norm and W to the
	// best scale.
	Init initialize.Method `choices:"kmeans|random|nndsvd|nndsvda|nndsvdar"`
	Seed uint64
}

var oedfsSpec = Spec{
	Name:      "oedfs",
	Kind:      Data,
	Objective: "min ‖X − WH‖² + ‖H − WᵀX‖² + λ Tr(HLHᵀ) + γ‖W‖₂,₁, W, H ≥ 0, HHᵀ = I; features ranked by ‖w_i‖",
	Reference: "Mozafari, Seyedi, Akhlaghian Tab & Pir Mohammadiani, Information Sciences 663 (2024) 120277",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(OEDFS) },
}

func (*OEDFS) spec() *Spec { return &oedfsSpec }

// Fit factorizes x (n x d).
func (m *OEDFS) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *OEDFS) fit(r *run, x linalg.Matrix) (*Result, error) {
	_, d := x.Dims()
	lambda := *m.Lambda
	lap, err := sampleGraph(x, m.Graph, m.Weight, m.Neighbors, lambda > 0, nil, nil)
	if err != nil {
		return nil, err
	}
	var v, w *mat.Dense
	if m.Init == initialize.KMeans {
		if v, err = initialize.KMeansIndicator(x, m.Rank, r.seed, false); err != nil {
			return nil, invalid(err)
		}
		w = mat.NewDense(d, m.Rank, nil)
		x.TMul(w, v)
	} else if v, w, err = encdec.Start(x, m.Rank, m.Init, r.rng); err != nil {
		return nil, invalid(err)
	}
	unitBasis(w, v)
	oedfsScaleW(x, v, w)
	sq := x.Stats().SquaredNorm
	gamma := *m.Gamma * math.Sqrt(sq/float64(d))
	run := &oedfsRun{x: x, v: v, w: w, lambda: lambda, gamma: gamma, xsq: sq, lap: lap}
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Embedding: v,
			Approx:    &Approx{L: v, R: w},
			Assign:    AssignKMeans, // the paper's read-out
			Factors: []Factor{
				{Name: W, Doc: "d x k feature weights; ‖w_i‖ scores feature i", M: w},
				{Name: H, Doc: "k x n encoding with orthonormal rows, H ≈ Wᵀ·Xᵀ", M: linalg.Transpose(v)},
			},
		}
	})
}

// FeatureScores returns the score of each feature: the Euclidean norm of
// its row of w (OEDFS's W, d x k).
func FeatureScores(w *mat.Dense) []float64 { return linalg.RowNorms(w) }

// RankFeatures returns the features (rows of w, OEDFS's W) from the
// highest score to the lowest (FeatureScores), ties in index order.
func RankFeatures(w *mat.Dense) []int {
	scores := FeatureScores(w)
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	return idx
}

// SelectFeatures returns the columns features of x, in that order, as a
// dense n x len(features) matrix: the data to cluster after selection.
// It returns an error for a feature out of range.
func SelectFeatures(x linalg.Matrix, features []int) (*mat.Dense, error) {
	n, d := x.Dims()
	pos := make(map[int][]int, len(features))
	for p, f := range features {
		if f < 0 || f >= d {
			return nil, invalidf("feature %d out of range [0, %d)", f, d)
		}
		pos[f] = append(pos[f], p)
	}
	out := mat.NewDense(n, len(features), nil)
	x.Each(func(i, j int, v float64) {
		for _, p := range pos[j] {
			out.Set(i, p, v)
		}
	})
	return out, nil
}

// oedfsRun implements solve.Model in the n x d orientation.
type oedfsRun struct {
	x             linalg.Matrix
	v, w          *mat.Dense // n x k, d x k
	lambda, gamma float64
	lap           *graph.Laplacian
	xsq, scale    float64 // ‖X‖² and the Monitor's scale, |J₀ − ‖X‖²|

	xw, numV, denV, tmp *mat.Dense // n x k scratch
	numW, denW, xtxw    *mat.Dense // d x k scratch
	g, vd, vs, kk       mat.Dense  // k x k scratch
	q                   []float64  // row norms of W
}

func (r *oedfsRun) scratch() {
	if r.xw != nil {
		return
	}
	n, d := r.x.Dims()
	_, k := r.v.Dims()
	r.xw, r.numV, r.denV, r.tmp = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	r.numW, r.denW, r.xtxw = mat.NewDense(d, k, nil), mat.NewDense(d, k, nil), mat.NewDense(d, k, nil)
	r.q = make([]float64, d)
}

// Step implements solve.Model: V, then W with the new V.
func (r *oedfsRun) Step() error {
	r.scratch()
	r.stepV()
	r.stepW()
	return nil
}

// stepV is V's update, with the orthogonality constraint's multiplier
// estimated as in orthogonal NMF.
func (r *oedfsRun) stepV() {
	r.x.Mul(r.xw, r.w)
	// Lagrange multiplier Γ = Vᵀ(N − P) for VᵀV = I; with VᵀV = I the
	// terms V·WᵀW + V of P cancel against V·Vᵀ(V·WᵀW + V), leaving
	// num = 2X·W + λS·V + λV·(VᵀD·V), den = 2V·(VᵀX·W) + λD·V + λV·(VᵀS·V).
	r.numV.Scale(2, r.xw)
	linalg.MulAtB(&r.g, r.v, r.xw)
	r.denV.Mul(r.v, &r.g)
	linalg.Scale(r.denV, 2)
	if r.lap != nil {
		r.lap.MulD(r.tmp, r.v)
		linalg.MulAtB(&r.vd, r.v, r.tmp)
		linalg.Scale(r.tmp, r.lambda)
		r.denV.Add(r.denV, r.tmp)
		r.lap.MulA(r.tmp, r.v)
		linalg.MulAtB(&r.vs, r.v, r.tmp)
		linalg.Scale(r.tmp, r.lambda)
		r.numV.Add(r.numV, r.tmp)
		r.tmp.Mul(r.v, &r.vd)
		linalg.Scale(r.tmp, r.lambda)
		r.numV.Add(r.numV, r.tmp)
		r.tmp.Mul(r.v, &r.vs)
		linalg.Scale(r.tmp, r.lambda)
		r.denV.Add(r.denV, r.tmp)
	}
	linalg.MulUpdate(r.v, r.numV, r.denV, 0.5, linalg.Eps)
}

// stepW is W's update, a majorization-minimization step:
// W ← W ⊙ 2XᵀV / (W·VᵀV + XᵀX·W + (γ/2)QW), Q = diag(1/‖w_i‖).
func (r *oedfsRun) stepW() {
	r.x.TMul(r.numW, r.v)
	linalg.Scale(r.numW, 2)
	r.x.Mul(r.xw, r.w)
	r.x.TMul(r.xtxw, r.xw)
	linalg.GramTo(&r.kk, r.v)
	r.denW.Mul(r.w, &r.kk)
	r.denW.Add(r.denW, r.xtxw)
	if r.gamma > 0 {
		q := r.q
		linalg.RowNormsTo(q, r.w)
		for i, s := range q {
			q[i] = r.gamma / 2 / max(s, linalg.Eps)
		}
		linalg.ScaleRows(r.xtxw, r.w, q)
		r.denW.Add(r.denW, r.xtxw)
	}
	linalg.MulUpdate(r.w, r.numW, r.denW, 1, linalg.Eps)
}

// Objective implements solve.Model: ‖X − VWᵀ‖² + ‖V − XW‖² + λ tr(VᵀLV)
// + γ Σ_i ‖w_i‖.
func (r *oedfsRun) Objective() float64 {
	r.scratch()
	r.x.Mul(r.xw, r.w)
	obj := encdec.DecoderResidual(r.x, r.xw, r.v, r.w) + encdec.EncoderResidual(r.xw, r.v)
	if r.lap != nil {
		obj += r.lambda * r.lap.Trace(r.v, r.tmp)
	}
	if r.gamma > 0 {
		for _, s := range linalg.RowNorms(r.w) {
			obj += r.gamma * s
		}
	}
	return obj
}

// Monitor implements solve.Monitor. The objective is dominated by the
// constant ‖X‖² (the decoder's ‖X − V·Wᵀ‖² is close to it when, as usual,
// the encoder keeps W small), so the stopping test watches J − ‖X‖²
// divided by its magnitude at the start, with the absolute-change rule:
// the run stops when that excess moves by at most tol over CheckEvery
// iterations.
func (r *oedfsRun) Monitor() (float64, solve.Rule) {
	v := r.Objective() - r.xsq
	if r.scale == 0 {
		r.scale = max(math.Abs(v), math.SmallestNonzeroFloat64)
	}
	return v / r.scale, solve.AbsoluteChange
}

// oedfsScaleW scales W by the t ≥ 0 minimizing ‖X − tV·Wᵀ‖² + ‖V − tX·W‖²:
// t = 2⟨X·W, V⟩ / (‖V·Wᵀ‖² + ‖X·W‖²).
func oedfsScaleW(x linalg.Matrix, v, w *mat.Dense) {
	n, _ := x.Dims()
	_, k := w.Dims()
	xw := mat.NewDense(n, k, nil)
	x.Mul(xw, w)
	den := linalg.Dot(linalg.Gram(v), linalg.Gram(w)) + linalg.Dot(xw, xw)
	if den > 0 {
		linalg.Scale(w, 2*linalg.Dot(xw, v)/den)
	}
}

// extraBytes implements footprinter: the dense copy of the data the kNN
// graph needs, when it is built.
func (m *OEDFS) extraBytes(n, d int) uint64 {
	if m.Graph != nil {
		return 0
	}
	return knnBytes(n, d)
}
