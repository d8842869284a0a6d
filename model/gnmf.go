package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
	"github.com/deepnmf/deepnmf/solve"
)

// GNMF is graph-regularized NMF (Cai, He, Han and Huang, "Graph
// regularized nonnegative matrix factorization for data representation",
// TPAMI 33(8), 2011). In the paper's orientation (X d x n, U d x k, V n x k)
// it minimizes
//
//	‖X − U·Vᵀ‖²_F + λ·Tr(Vᵀ L V),  U, V ≥ 0,
//
// with L = D − S the Laplacian of a p-nearest-neighbour graph S on the
// samples, D = diag(Σ_j S_ij). Here X is n x d and the same V (n x k) is
// the embedding: X ≈ V·Uᵀ. The multiplicative updates are the paper's
// (eqs. 13-14), V first as in Cai's GNMF_Multi.m:
//
//	V ← V ⊙ (X·U + λ S·V) / (V·UᵀU + λ D·V),   U ← U ⊙ XᵀV / (U·VᵀV),
//
// and the objective does not increase (Cai et al., Theorem 1). As in Cai's
// code, the columns of U are scaled to unit Euclidean norm (and V's by the
// inverse) before the first and after the last iteration. The factors are
// V (n x k) and U (d x k).
type GNMF struct {
	Rank int
	// Lambda is λ; nil means 100, the value of Cai et al.'s experiments.
	Lambda *float64 `param:"lambda" default:"100" check:">=0" help:"weight λ of the graph term"`
	// Weight is the kNN graph weighting (graph.KNN) and Neighbors its p.
	Weight    GraphWeight `param:"graph" choices:"binary|heat|cosine" help:"kNN graph weighting"`
	Neighbors int         `param:"neighbors" default:"5" check:">=1" help:"p of the p-nearest-neighbour graph"`
	// Graph, if not nil, is the n x n similarity S to use instead of the
	// kNN graph; it is symmetrized by max(S, Sᵀ).
	Graph *linalg.CSR
	// Labelled holds the class of each sample, or −1 where it is unknown:
	// every pair of labelled samples is a must-link (same class) or a
	// cannot-link. Must and Cannot add pairs (0-based rows). They edit the
	// graph S as SymNMF's constraints edit its similarity: S_ij = max(S)
	// for a must-link, 0 for a cannot-link (no effect with λ = 0).
	Labelled     []int
	Must, Cannot [][2]int
	// Normalize says when the columns of U are scaled to unit norm: "end",
	// before the first and after the last iteration as Cai's code; or
	// "each", also after every iteration, which keeps the graph term from
	// fading (see docs/models/gnmf.md) but gives up the monotone decrease
	// of the objective.
	Normalize Normalize         `param:"normalize" choices:"end|each" help:"when U's columns are scaled to unit norm"`
	Init      initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	Seed      uint64
}

var gnmfSpec = Spec{
	Name:      "gnmf",
	Kind:      Data,
	Objective: "min ‖X − UVᵀ‖² + λ Tr(VᵀLV), U, V ≥ 0, L = D − S of a p-NN graph on the samples",
	Reference: "Cai, He, Han & Huang, TPAMI 33(8) 2011",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(GNMF) },
}

func (*GNMF) spec() *Spec { return &gnmfSpec }

// Fit factorizes x (n x d).
func (m *GNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *GNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	lambda := *m.Lambda
	n, _ := x.Dims()
	must, cannot, err := linkMatrices(n, m.Labelled, m.Must, m.Cannot)
	if err != nil {
		return nil, err
	}
	lap, err := sampleGraph(x, m.Graph, m.Weight, m.Neighbors, lambda > 0, must, cannot)
	if err != nil {
		return nil, err
	}
	run := &gnmfRun{x: x, lambda: lambda, lap: lap, each: m.Normalize == NormalizeEach}
	v, u, err := encdec.Start(x, m.Rank, m.Init, r.rng)
	if err != nil {
		return nil, invalid(err)
	}
	run.v, run.u = v, u
	unitBasis(v, u)
	return r.final(run, func() *Result {
		unitBasis(v, u)
		return &Result{
			Rank:      m.Rank,
			Embedding: v,
			Approx:    &Approx{L: v, R: u},
			Assign:    AssignKMeans, // the paper's read-out
			Factors: []Factor{
				{Name: V, Doc: "n x k sample representation, X ≈ V·Uᵀ", M: v},
				{Name: U, Doc: "d x k basis, columns of unit Euclidean norm", M: u},
			},
		}
	})
}

// unitBasis scales the columns of the basis b to unit Euclidean norm and
// those of the representation v by the norms, which leaves v·bᵀ unchanged
// (NormalizeUV in Cai's code, with a floor of 1e-15 on the norms).
func unitBasis(v, b *mat.Dense) {
	norms := linalg.ColNorms(b)
	inv := make([]float64, len(norms))
	for j, s := range norms {
		norms[j] = max(s, 1e-15)
		inv[j] = 1 / norms[j]
	}
	linalg.ScaleCols(b, inv)
	linalg.ScaleCols(v, norms)
}

// gnmfRun implements solve.Model.
type gnmfRun struct {
	x      linalg.Matrix
	v, u   *mat.Dense // n x k, d x k
	lambda float64
	lap    *graph.Laplacian // nil without regularization
	each   bool             // normalize after every iteration

	xu, numV, denV, tmp *mat.Dense // n x k scratch
	numU, denU          *mat.Dense // d x k scratch
	kk                  mat.Dense  // k x k scratch
}

func (r *gnmfRun) scratch() {
	if r.xu != nil {
		return
	}
	n, d := r.x.Dims()
	_, k := r.v.Dims()
	r.xu, r.numV, r.denV, r.tmp = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	r.numU, r.denU = mat.NewDense(d, k, nil), mat.NewDense(d, k, nil)
}

// Step implements solve.Model: V, then U with the new V.
func (r *gnmfRun) Step() error {
	r.scratch()
	r.x.Mul(r.numV, r.u)
	linalg.GramTo(&r.kk, r.u)
	r.denV.Mul(r.v, &r.kk)
	if r.lap != nil {
		r.lap.MulA(r.tmp, r.v)
		linalg.Scale(r.tmp, r.lambda)
		r.numV.Add(r.numV, r.tmp)
		r.lap.MulD(r.tmp, r.v)
		linalg.Scale(r.tmp, r.lambda)
		r.denV.Add(r.denV, r.tmp)
	}
	linalg.MulUpdate(r.v, r.numV, r.denV, 1, linalg.Eps)
	r.x.TMul(r.numU, r.v)
	linalg.GramTo(&r.kk, r.v)
	r.denU.Mul(r.u, &r.kk)
	linalg.MulUpdate(r.u, r.numU, r.denU, 1, linalg.Eps)
	if r.each {
		unitBasis(r.v, r.u)
	}
	return nil
}

// Objective implements solve.Model: ‖X − V·Uᵀ‖² + λ tr(VᵀLV).
func (r *gnmfRun) Objective() float64 {
	r.scratch()
	r.x.Mul(r.xu, r.u)
	obj := encdec.DecoderResidual(r.x, r.xu, r.v, r.u)
	if r.lap != nil {
		obj += r.lambda * r.lap.Trace(r.v, r.tmp)
	}
	return obj
}

// extraBytes implements footprinter: the dense copy of the data the kNN
// graph needs, when it is built.
func (m *GNMF) extraBytes(n, d int) uint64 {
	if m.Graph != nil {
		return 0
	}
	return knnBytes(n, d)
}
