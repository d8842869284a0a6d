package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
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
// inverse) before the first and after the last iteration.
type GNMF struct {
	Rank int
	// Lambda is λ; Cai et al. use 100 throughout their experiments.
	Lambda float64
	// Weight is the kNN graph weighting: "binary" (the default, also ""),
	// "heat" or "cosine" (see graph.KNN). Neighbors is p (5 by default).
	Weight    string
	Neighbors int
	// Graph, if not nil, is the n x n similarity S to use instead of the
	// kNN graph; it is symmetrized by max(S, Sᵀ).
	Graph *linalg.CSR
	// Normalize says when the columns of U are scaled to unit norm: "end"
	// (the default, also ""), before the first and after the last iteration
	// as Cai's code; or "each", also after every iteration, which keeps the
	// graph term from fading (see docs/models/gnmf.md) but gives up the
	// monotone decrease of the objective.
	Normalize string
	// Init is an initialize method; "" means nndsvda.
	Init string
	Seed uint64
}

var gnmfSpec = Spec{
	Name:      "gnmf",
	Kind:      Data,
	Objective: "min ‖X − UVᵀ‖² + λ Tr(VᵀLV), U, V ≥ 0, L = D − S of a p-NN graph on the samples",
	Reference: "Cai, He, Han & Huang, TPAMI 33(8) 2011",
	Params:    "lambda=100 graph=binary|heat|cosine neighbors=5 normalize=end|each",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		return &GNMF{
			Rank:      c.Rank,
			Lambda:    p.Float("lambda", 100),
			Weight:    p.String("graph", "binary", edGraphWeights...),
			Neighbors: p.Int("neighbors", 5),
			Normalize: p.String("normalize", "end", "end", "each"),
			Init:      c.Init,
			Graph:     c.Graph,
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d). The embedding is V (n x k); the factors are
// V and U (d x k), X ≈ V·Uᵀ.
func (m *GNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkInput(x, m.Rank, true); err != nil {
		return nil, err
	}
	if !(m.Lambda >= 0) || math.IsInf(m.Lambda, 1) {
		return nil, invalidf("lambda = %g must be finite and ≥ 0", m.Lambda)
	}
	switch m.Normalize {
	case "", "end", "each":
	default:
		return nil, invalidf("unknown normalize %q (want end or each)", m.Normalize)
	}
	sim, err := edGraph(x, m.Graph, m.Lambda > 0, m.Weight, "binary", m.Neighbors)
	if err != nil {
		return nil, err
	}
	v, u, err := edInit(x, m.Rank, m.Init, m.Seed)
	if err != nil {
		return nil, err
	}
	gnmfNormalize(v, u)
	run := &gnmfRun{x: x, v: v, u: u, lambda: m.Lambda, each: m.Normalize == "each"}
	if sim != nil && m.Lambda > 0 {
		run.lap = edNewLaplacian(sim)
	}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("gnmf: %w", err)
	}
	gnmfNormalize(v, u)
	return &Result{
		Result:    *sr,
		Model:     "gnmf",
		Rank:      m.Rank,
		Embedding: v,
		Assign:    "kmeans", // the paper's read-out
		Factors: []Factor{
			{Name: "V", Doc: "n x k sample representation, X ≈ V·Uᵀ", M: v},
			{Name: "U", Doc: "d x k basis, columns of unit Euclidean norm", M: u},
		},
	}, nil
}

// gnmfNormalize scales the columns of U to unit Euclidean norm and those of
// V by the norms, which leaves V·Uᵀ unchanged (NormalizeUV in Cai's code,
// with a floor of 1e-15 on the norms).
func gnmfNormalize(v, u *mat.Dense) {
	norms := edColNorms(u)
	inv := make([]float64, len(norms))
	for j, s := range norms {
		norms[j] = max(s, 1e-15)
		inv[j] = 1 / norms[j]
	}
	edScaleCols(u, inv)
	edScaleCols(v, norms)
}

// gnmfRun implements solve.Model.
type gnmfRun struct {
	x      linalg.Matrix
	v, u   *mat.Dense // n x k, d x k
	lambda float64
	lap    *edLaplacian // nil without regularization
	each   bool         // normalize after every iteration

	xu, numV, denV, tmp *mat.Dense // n x k scratch
	numU, denU          *mat.Dense // d x k scratch
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
	r.denV.Mul(r.v, edGram(r.u))
	if r.lap != nil {
		r.lap.sv(r.tmp, r.v)
		r.tmp.Scale(r.lambda, r.tmp)
		r.numV.Add(r.numV, r.tmp)
		r.lap.dv(r.tmp, r.v)
		r.tmp.Scale(r.lambda, r.tmp)
		r.denV.Add(r.denV, r.tmp)
	}
	linalg.MulUpdate(r.v, r.numV, r.denV, 1, linalg.Eps)
	r.x.TMul(r.numU, r.v)
	r.denU.Mul(r.u, edGram(r.v))
	linalg.MulUpdate(r.u, r.numU, r.denU, 1, linalg.Eps)
	if r.each {
		gnmfNormalize(r.v, r.u)
	}
	return nil
}

// Objective implements solve.Model: ‖X − V·Uᵀ‖² + λ tr(VᵀLV).
func (r *gnmfRun) Objective() float64 {
	r.scratch()
	r.x.Mul(r.xu, r.u)
	obj := edFrobResidual(r.x, r.xu, r.v, r.u)
	if r.lap != nil {
		obj += r.lambda * r.lap.trace(r.v, r.tmp)
	}
	return obj
}
