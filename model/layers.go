package model

// The deep models' part of the skeleton: layer-wise pre-training as phases
// of the run, and the result of a layer stack.

import (
	"fmt"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
	"github.com/deepnmf/deepnmf/solve"
)

// layerFit is the pre-training of one layer: the shallow model to iterate,
// its iteration limit and stopping rule (as run.pretrain takes them), and
// how to read the layer once iterated.
type layerFit struct {
	model  solve.Model
	limits solve.Settings
	layer  func() deep.Layer
}

// collectMin is the size in bytes of a layer's n x r matrix from which
// pretrainLayers collects garbage between phases. A finished phase leaves
// its scratch (several n x r matrices) unreachable, and Go's collector
// lets the heap grow to twice its live size before it collects: without a
// collection, the next phase's matrices come on top of the last one's
// garbage, and the peak memory of a large fit is the sum of its phases
// instead of the largest (see the peak MB of the bench's sbm200k-danmf
// row). One collection per phase costs milliseconds next to a phase of
// seconds.
const collectMin = 32 << 20

// pretrainLayers pre-trains the layers of a deep model, each a phase of
// the run: layer 1 on x, layer i on the input layer i−1 passes on
// (deep.Layer.Input), each started by start. For large layers it collects
// garbage before each phase and after the last (collectMin), so that each
// phase starts from the live matrices only, the input's preparation
// included.
func (r *run) pretrainLayers(x linalg.Matrix, layers []int, start func(l int, x linalg.Matrix, size int) (layerFit, error)) ([]deep.Layer, error) {
	n, _ := x.Dims()
	collect := 8*n*slices.Max(layers) >= collectMin
	defer func() {
		if collect {
			runtime.GC()
		}
	}()
	return deep.Pretrain(x, layers, func(l int, in linalg.Matrix, size int) (deep.Layer, error) {
		if collect {
			runtime.GC()
		}
		lf, err := start(l, in, size)
		if err != nil {
			return deep.Layer{}, err
		}
		if err := r.pretrain(l, lf.model, lf.limits); err != nil {
			return deep.Layer{}, err
		}
		return lf.layer(), nil
	})
}

// stackResult assembles the result of a deep model from its stack (run's
// final adds the report): the
// embedding, and the factors u.Layer(i) for U_i (r_{i−1} x r_i),
// v.Layer(i) for V_iᵀ (n x r_i, one row per sample; vFresh says whether
// the lower ones are fine-tuned too) and Psi.Layer(i) for Ψ_i (m x r_i).
func stackResult(s *deep.Stack, emb *mat.Dense, u, v Name, vFresh bool) *Result {
	p := s.P()
	fs := layerFactors(u, s.U, func(i int, m *mat.Dense) string {
		return fmt.Sprintf("%s factor of layer %d", dims(m), i)
	})
	fs = append(fs, layerFactors(v, s.V, func(i int, m *mat.Dense) string {
		doc := fmt.Sprintf("n x %d coefficients of layer %d, transposed (one row per sample)", s.Layers[i-1], i)
		switch {
		case i == p:
			doc = fmt.Sprintf("n x %d top-layer coefficients, transposed (one row per sample), fine-tuned", s.Layers[i-1])
		case !vFresh:
			doc += ", from pre-training"
		}
		return doc
	})...)
	fs = append(fs, layerFactors(Psi, s.Psi, func(i int, m *mat.Dense) string {
		return fmt.Sprintf("m x %d product of the factors of layers 1..%d", s.Layers[i-1], i)
	})...)
	return &Result{
		Approx:    &Approx{L: s.Top(), R: s.Product()},
		Rank:      s.K(),
		Layers:    append([]int(nil), s.Layers...),
		Embedding: emb,
		Factors:   fs,
	}
}

// aeLayer is the pre-training of a layer of DANMF and DANMF-CRFR: the
// shallow autoencoder-like NMF of ShallowNMF.m (encdec.Layer) of size r
// on x, with denominators floored at eps, run for at most preIter
// iterations until its watched error changes by at most preTol in one
// iteration.
func aeLayer(x linalg.Matrix, size int, r *run, eps float64, preIter int, preTol float64) layerFit {
	l := encdec.NewLayer(x, size, r.rng, eps)
	return layerFit{
		model:  l,
		limits: solve.Settings{MaxIter: preIter, Tol: &preTol, CheckEvery: 1},
		layer:  func() deep.Layer { return deep.Layer{U: l.W, H: l.V} },
	}
}

// triLayer is the pre-training of a layer of the deep asymmetric models:
// the shallow asymmetric NMF x ≈ H·W·Hᵀ of size r (package trifactor)
// from the start init (initialize.TriSVD for the first layer's sparse
// graph and TriSVDDense for the dense summarized graph of a deeper one, or
// TriRandom), whose factor is H and whose next layer's input is W.
func triLayer(x linalg.Matrix, size int, init initialize.Method, first bool, r *run, limits solve.Settings) (layerFit, error) {
	var h, w *mat.Dense
	var err error
	switch {
	case init == initialize.SVD && first:
		h, w, err = initialize.TriSVD(x, size, r.rng)
	case init == initialize.SVD:
		h, w, err = initialize.TriSVDDense(x, size, r.rng)
	default:
		h, w = initialize.TriRandom(x, size, r.rng)
	}
	if err != nil {
		return layerFit{}, invalid(err)
	}
	return layerFit{
		model:  trifactor.New(x, h, w),
		limits: limits,
		layer:  func() deep.Layer { return deep.Layer{U: h, Next: linalg.NewDense(w)} },
	}, nil
}

// triResult assembles the result of a deep asymmetric model (run's final
// adds the report): the embedding
// read from Ψ (trifactor.Embedding), and the factors H1..Hp, Wp (the
// links between the clusters, how it was obtained), W1..W{p−1} (the
// summarized graphs of pre-training) and Psi.
func triResult(hs []*mat.Dense, wp *mat.Dense, ls []deep.Layer, psi *mat.Dense, readout Readout, how string) *Result {
	p := len(hs)
	fs := layerFactors(H, hs, func(i int, m *mat.Dense) string {
		return fmt.Sprintf("%s factor of layer %d (Ψ = H1⋯Hp), %s", dims(m), i, how)
	})
	k, _ := wp.Dims()
	fs = append(fs, Factor{Name: W.Layer(p), Doc: fmt.Sprintf("%d x %d links between the clusters (top layer), %s", k, k, how), M: wp})
	for i, l := range ls[:p-1] {
		w := l.Next.(*linalg.Dense).Raw()
		fs = append(fs, Factor{Name: W.Layer(i + 1), Doc: fmt.Sprintf("%s summarized graph of layer %d, from pre-training", dims(w), i+1), M: w})
	}
	n, _ := psi.Dims()
	fs = append(fs, Factor{Name: Psi, Doc: fmt.Sprintf("%d x %d memberships Ψ = H1⋯Hp, one row per node", n, k), M: psi})
	res := &Result{
		Approx:    &Approx{L: linalg.Product(psi, wp), R: psi},
		Rank:      k,
		Embedding: trifactor.Embedding(psi, string(readout)),
		Factors:   fs,
		Assign:    AssignArgmax,
	}
	for _, h := range hs {
		_, c := h.Dims()
		res.Layers = append(res.Layers, c)
	}
	if readout == ReadoutKMeans {
		res.Assign = AssignKMeans
	}
	return res
}
