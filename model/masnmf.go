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

// MAsNMF is multi-layer asymmetric NMF: the layer-wise stage of deep
// asymmetric NMF (Hajiveiseh, Seyedi and Akhlaghian Tab, Pattern
// Recognition 148, 2024; the "Multi-layer Asymmetric NMF" slide of the
// seed talk) without the joint fine-tuning. Layer 1 factorizes the
// adjacency matrix (A_S = A + ηS with η > 0) by the shallow asymmetric NMF,
// A_S ≈ H1 W1 H1ᵀ, and layer i the summarized graph of layer i−1,
// W_{i−1} ≈ H_i W_i H_iᵀ, so that
//
//	A_S ≈ H1 H2 ⋯ Hp Wp Hpᵀ ⋯ H2ᵀ H1ᵀ,
//
// each layer solved on its own (sequential multi-layer NMF, as Cichocki
// and Zdunek's multilayer NMF), every layer under the iteration limit and
// tolerance of the settings given to Fit; Ψ = H1⋯Hp gives the clusters.
// docs/models/masnmf.md gives the details. The result's solver report is
// the top layer's and Pretrain holds every layer's; the factors are
// H1..Hp, Wp, W1..W{p−1} and Psi.
type MAsNMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Eta weighs S in A_S = A + ηS; 0 factorizes A itself.
	Eta float64 `param:"eta" check:">=0" help:"weight η of the second-order similarity S in A_S = A + ηS"`
	// Diag says whether S keeps its diagonal.
	Diag Diag `param:"diag" choices:"keep|zero" help:"S's diagonal"`
	// Readout chooses the Embedding, as DAsNMF.Readout.
	Readout Readout `param:"readout" choices:"psi|kmeans|raw" help:"Ψ with unit columns (argmax), unit rows (k-means), or as it is"`
	// Init is the start of each layer.
	Init initialize.Method `choices:"random|svd"`
	// SelfLoops says whether A keeps its diagonal.
	SelfLoops Loops `param:"self_loops" choices:"drop|keep" help:"the graph's self-loops"`
	Seed      uint64
}

// Diag says whether a similarity keeps its diagonal.
type Diag string

// The diagonal choices.
const (
	DiagKeep Diag = "keep"
	DiagZero Diag = "zero"
)

var masnmfSpec = Spec{
	Name:      "masnmf",
	Kind:      Graph,
	Objective: "layer-wise A_S ≈ H1W1H1ᵀ, W_{i−1} ≈ H_iW_iH_iᵀ (each min ‖·‖², H_i, W_i ≥ 0); Ψ = H1⋯Hp; A_S = A + ηS",
	Reference: "Hajiveiseh, Seyedi & Akhlaghian Tab, Pattern Recognition 148 (2024) 110179 (pre-training of DAsNMF)",
	// --max-iter and --tol apply to every layer.
	Settings: solve.Settings{MaxIter: 100, Tol: new(0.0)},
	new:      func() fitter { return new(MAsNMF) },
}

func (*MAsNMF) spec() *Spec { return &masnmfSpec }

// Fit factorizes the adjacency matrix a layer by layer.
func (m *MAsNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *MAsNMF) fit(r *run, a linalg.Matrix) (*Result, error) {
	g, err := triGraph(a, m.Layers, trifactor.GraphOptions{Eta: m.Eta, ZeroDiag: m.Diag == DiagZero, KeepLoops: m.SelfLoops == KeepLoops})
	if err != nil {
		return nil, err
	}
	limits := r.Settings()
	limits.TimeLimit, limits.Progress = 0, nil
	ls, err := r.pretrainLayers(g.AS, m.Layers, func(l int, x linalg.Matrix, size int) (layerFit, error) {
		return triLayer(x, size, m.Init, l == 0, r, limits)
	})
	if err != nil {
		return nil, err
	}
	hs := make([]*mat.Dense, len(ls))
	psi := mat.DenseCopyOf(ls[0].U)
	for i, l := range ls {
		hs[i] = l.U
		if i > 0 {
			psi = linalg.Product(psi, l.U)
		}
	}
	top := ls[len(ls)-1].Next.(*linalg.Dense).Raw()
	res := triResult(hs, top, ls, psi, m.Readout, "from the layer's own factorization")
	res.Result = r.pre[len(r.pre)-1]
	return res, nil
}

// triGraph validates the square adjacency matrix x and the layers of a
// deep asymmetric model and builds its graph.
func triGraph(x linalg.Matrix, layers []int, o trifactor.GraphOptions) (*trifactor.Graph, error) {
	n, err := square(x)
	if err != nil {
		return nil, err
	}
	if err := deep.CheckLayers(layers, n, false); err != nil {
		return nil, invalid(err)
	}
	g, err := trifactor.NewGraph(toCSR(x), o)
	return g, invalid(err)
}
