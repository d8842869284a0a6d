package model

// Helpers shared by the encoder-decoder and graph-regularized models
// (nsed.go, gnmf.go, oedfs.go, ednmf_beta.go): the sample graph of the
// regularizers, its Laplacian pieces, and small dense operations.
//
// These models share one orientation: the input X is n x d (one sample
// per row), V is the n x k embedding and W (or U) the d x k basis, so that
// the decoder is X ≈ V·Wᵀ and the encoder V ≈ X·W. The papers write the
// transpose, X (d x n) ≈ W·H with H = Vᵀ.

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

// Graph weightings accepted by the graph=… parameter.
var edGraphWeights = []string{"binary", "heat", "cosine"}

// edSampleGraph returns the symmetric p-nearest-neighbour graph of the rows
// of x with the named weighting (graph.KNN: 0-1, heat kernel with t the
// mean squared neighbour distance, or cosine). The kNN search needs the
// rows as dense vectors, so a sparse x is copied to a dense matrix here.
func edSampleGraph(x linalg.Matrix, weight string, p int) (*linalg.CSR, error) {
	n, _ := x.Dims()
	if p < 1 || p >= n {
		return nil, invalidf("neighbors = %d must be in [1, %d)", p, n)
	}
	var opts graph.KNNOptions
	switch weight {
	case "", "binary":
		opts.Weight = graph.Binary
	case "heat":
		opts.Weight = graph.Heat
	case "cosine":
		opts.Weight = graph.Cosine
	default:
		return nil, invalidf("unknown graph weighting %q (want binary, heat or cosine)", weight)
	}
	s, err := graph.KNN(linalg.DenseOf(x), p, &opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return s, nil
}

// edGraph returns the similarity graph of a graph-regularized data model:
// the given one (validated and symmetrized), else the p-nearest-neighbour
// graph of x with the weighting (defWeight when empty; p = 5 when 0) when
// the graph term is on, else nil.
func edGraph(x linalg.Matrix, given *linalg.CSR, on bool, weight, defWeight string, p int) (*linalg.CSR, error) {
	n, _ := x.Dims()
	switch {
	case given != nil:
		return edGivenGraph(given, n)
	case !on:
		return nil, nil
	}
	if weight == "" {
		weight = defWeight
	}
	if p == 0 {
		p = 5
	}
	return edSampleGraph(x, weight, p)
}

// edGivenGraph validates a similarity matrix given for n samples and returns
// it symmetrized by max(S, Sᵀ), which leaves a symmetric S unchanged.
func edGivenGraph(s *linalg.CSR, n int) (*linalg.CSR, error) {
	if r, c := s.Dims(); r != n || c != n {
		return nil, invalidf("graph is %dx%d, want %dx%d (one node per sample)", r, c, n, n)
	}
	sym, err := graph.Symmetrize(s, graph.Max)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return sym, nil
}

// edLaplacian holds a similarity S and its degrees, for L = D − S.
type edLaplacian struct {
	s   *linalg.CSR
	deg []float64
}

func edNewLaplacian(s *linalg.CSR) *edLaplacian {
	deg, _ := graph.Degrees(s)
	return &edLaplacian{s: s, deg: deg}
}

// sv sets dst = S·V.
func (l *edLaplacian) sv(dst, v *mat.Dense) { l.s.Mul(dst, v) }

// dv sets dst = D·V.
func (l *edLaplacian) dv(dst, v *mat.Dense) { edScaleRows(dst, l.deg, v) }

// trace returns tr(Vᵀ L V) = Σ_i d_i ‖v_i‖² − ⟨V, S V⟩, with scratch of
// V's shape.
func (l *edLaplacian) trace(v, scratch *mat.Dense) float64 {
	l.dv(scratch, v)
	t := linalg.Dot(v, scratch)
	l.sv(scratch, v)
	return t - linalg.Dot(v, scratch)
}

// edScaleRows sets dst = diag(s)·m.
func edScaleRows(dst *mat.Dense, s []float64, m *mat.Dense) {
	dst.Apply(func(i, _ int, v float64) float64 { return s[i] * v }, m)
}

// edScaleCols sets m = m·diag(s) in place.
func edScaleCols(m *mat.Dense, s []float64) {
	m.Apply(func(_, j int, v float64) float64 { return v * s[j] }, m)
}

// edColNorms returns the Euclidean norms of the columns of m.
func edColNorms(m *mat.Dense) []float64 {
	var g mat.Dense
	g.Mul(m.T(), m)
	k, _ := g.Dims()
	out := make([]float64, k)
	for j := range out {
		out[j] = math.Sqrt(g.At(j, j))
	}
	return out
}

// edRowNorms returns the Euclidean norms of the rows of m.
func edRowNorms(m *mat.Dense) []float64 {
	r, _ := m.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = floats.Norm(m.RawRowView(i), 2)
	}
	return out
}

// edGram returns mᵀm.
func edGram(m *mat.Dense) *mat.Dense {
	var g mat.Dense
	g.Mul(m.T(), m)
	return &g
}

// edFrobResidual returns ‖X − V·Wᵀ‖²_F from Gram matrices, given XW = X·W:
// ‖X‖² − 2⟨XW, V⟩ + ⟨VᵀV, WᵀW⟩. It never forms V·Wᵀ.
func edFrobResidual(x linalg.Matrix, xw, v, w *mat.Dense) float64 {
	return max(x.Stats().SquaredNorm-2*linalg.Dot(xw, v)+linalg.Dot(edGram(v), edGram(w)), 0)
}

// edEncoderResidual returns ‖V − X·W‖²_F given XW = X·W.
func edEncoderResidual(xw, v *mat.Dense) float64 {
	var r mat.Dense
	r.Sub(v, xw)
	return linalg.Dot(&r, &r)
}

// edInit returns starting factors V (n x k) and W (d x k) for a
// decoder X ≈ V·Wᵀ from the NMF initialization named by method (""
// for nndsvda): V is NMF's W and W is NMF's Hᵀ.
func edInit(x linalg.Matrix, k int, method string, seed uint64) (v, w *mat.Dense, err error) {
	wn, hn, err := initialize.Factors(x, k, method, initialize.NewRand(seed))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return wn, linalg.Transpose(hn), nil
}

// edBalance rescales V ← t·V, W ← W/t with the t > 0 minimizing the
// encoder residual ‖tV − XW/t‖², which leaves V·Wᵀ unchanged: t² =
// ‖XW‖/‖V‖. It returns without change when either norm is zero.
func edBalance(x linalg.Matrix, v, w *mat.Dense) {
	n, _ := x.Dims()
	_, k := w.Dims()
	xw := mat.NewDense(n, k, nil)
	x.Mul(xw, w)
	a, b := mat.Norm(xw, 2), mat.Norm(v, 2)
	if a == 0 || b == 0 {
		return
	}
	t := math.Sqrt(a / b)
	v.Scale(t, v)
	w.Scale(1/t, w)
}
