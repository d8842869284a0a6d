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
// and Zdunek's multilayer NMF); Ψ = H1⋯Hp gives the clusters.
// docs/models/masnmf.md gives the details.
type MAsNMF struct {
	// Layers are r1, ..., rp = k.
	Layers []int
	// Eta weighs S in A_S = A + ηS; 0 factorizes A itself.
	Eta float64
	// Diag says whether S keeps its diagonal: "keep" (also "") or "zero".
	Diag string
	// Readout chooses the Embedding, as DAsNMF.Readout.
	Readout string
	// Init is the start of each layer: "random" (also "") or "svd".
	Init string
	// SelfLoops keeps the diagonal of A when true.
	SelfLoops bool
	Seed      uint64
}

var masnmfSpec = Spec{
	Name:      "masnmf",
	Kind:      Graph,
	Objective: "layer-wise A_S ≈ H1W1H1ᵀ, W_{i−1} ≈ H_iW_iH_iᵀ (each min ‖·‖², H_i, W_i ≥ 0); Ψ = H1⋯Hp; A_S = A + ηS",
	Reference: "Hajiveiseh, Seyedi & Akhlaghian Tab, Pattern Recognition 148 (2024) 110179 (pre-training of DAsNMF)",
	Params:    "eta=0 diag=keep|zero readout=psi|kmeans|raw self_loops=drop|keep (--layers r1,...,k; --init random|svd; --max-iter, --tol apply to every layer; 100 iterations by default)",
	Defaults:  &solve.Settings{MaxIter: 100},
	New: func(c Config) (Estimator, error) {
		p := c.Params
		layers, err := deepLayers(c, true)
		if err != nil {
			return nil, err
		}
		return &MAsNMF{
			Layers:    layers,
			Eta:       p.Float("eta", 0),
			Diag:      p.String("diag", "keep", "keep", "zero"),
			Readout:   p.String("readout", "psi", "psi", "kmeans", "raw"),
			SelfLoops: p.String("self_loops", "drop", "drop", "keep") == "keep",
			Init:      c.Init,
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes the adjacency matrix a layer by layer, each layer under
// s. The result's solver report is the top layer's and Pretrain holds
// every layer's; the Embedding is Ψ (see Readout) and the factors are
// H1..Hp, Wp, W1..W{p−1} and Psi.
func (m *MAsNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	switch {
	case len(m.Layers) == 0:
		return nil, invalidf("masnmf needs at least one layer")
	case !(m.Eta >= 0) || math.IsInf(m.Eta, 1):
		return nil, invalidf("eta %g must be finite and ≥ 0", m.Eta)
	case !oneOf(m.Diag, []string{"", "keep", "zero"}):
		return nil, invalidf("unknown diag %q (want keep or zero)", m.Diag)
	case !oneOf(m.Readout, []string{"", "psi", "kmeans", "raw"}):
		return nil, invalidf("unknown readout %q (want psi, kmeans or raw)", m.Readout)
	}
	if err := asymCheckInit(m.Init); err != nil {
		return nil, err
	}
	g, err := newAsymGraph(a, m.Layers, asymGraphOptions{eta: m.Eta, zeroDiag: m.Diag == "zero", keepLoops: m.SelfLoops})
	if err != nil {
		return nil, err
	}
	if s.MaxIter == 0 {
		s.MaxIter = 100
	}
	ls, pre, err := pretrainLayers(ctx, g.as, m.Layers, initialize.NewRand(m.Seed), asymPretrainer(m.Init, s, g.as))
	if err != nil {
		return nil, fmt.Errorf("masnmf: %w", err)
	}
	hs := make([]*mat.Dense, len(ls))
	psi := mat.DenseCopyOf(ls[0].U)
	for i, l := range ls {
		hs[i] = l.U
		if i > 0 {
			var t mat.Dense
			t.Mul(psi, l.U)
			psi = &t
		}
	}
	top := ls[len(ls)-1].Next.(*linalg.Dense).Raw()
	return &Result{
		Result:    pre[len(pre)-1],
		Model:     "masnmf",
		Rank:      m.Layers[len(m.Layers)-1],
		Layers:    append([]int(nil), m.Layers...),
		Embedding: asymEmbedding(psi, m.Readout),
		Factors:   asymFactors(hs, top, ls, psi, "from the layer's own factorization"),
		Assign:    asymAssign(m.Readout),
		Pretrain:  pre,
	}, nil
}
