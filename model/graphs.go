package model

// The graphs the models build from their input, in one place: how a
// square input is read (a graph or data), its undirected version, the
// similarity graph SymNMF builds from data, and the sample graph of the
// graph-regularized data models.

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
)

// InputKind says how a model that takes both reads its input.
type InputKind string

// The input kinds of the models that take both graphs and data.
const (
	// InputAuto reads a square matrix as a graph and any other as data.
	InputAuto  InputKind = "auto"
	InputGraph InputKind = "graph"
	InputData  InputKind = "data"
)

// isGraph says whether x is read as a graph.
func isGraph(kind InputKind, x linalg.Matrix) (bool, error) {
	n, d := x.Dims()
	switch kind {
	case InputGraph:
		if n != d {
			return false, invalidf("input=graph needs a square matrix, got %dx%d", n, d)
		}
		return true, nil
	case InputData:
		return false, nil
	}
	return n == d, nil
}

// Loops says what happens to the self-loops (the diagonal) of a graph.
type Loops string

// The self-loop choices.
const (
	DropLoops Loops = "drop"
	KeepLoops Loops = "keep"
)

// toCSR returns x as a sparse matrix, sharing a *linalg.CSR.
func toCSR(x linalg.Matrix) *linalg.CSR {
	switch x := x.(type) {
	case *linalg.CSR:
		return x
	case *linalg.Dense:
		return linalg.CSRFromDense(x.Raw())
	}
	return linalg.CSRFromDense(linalg.DenseOf(x))
}

// undirected returns the adjacency matrix of the undirected graph
// underlying the square x: max(A, Aᵀ) entrywise (a 0-1 directed graph
// becomes its 0-1 undirected version, a symmetric one is unchanged),
// without self-loops unless loops is KeepLoops. A graph left without an
// edge is an error.
func undirected(x linalg.Matrix, loops Loops) (*linalg.CSR, error) {
	a, err := graph.Symmetrize(toCSR(x), graph.Max)
	if err != nil {
		return nil, invalid(err)
	}
	if loops != KeepLoops {
		a = graph.DropSelfLoops(a)
	}
	if a.NNZ() == 0 {
		return nil, invalidf("the graph has no edges once self-loops are dropped")
	}
	return a, nil
}

// isSymmetric reports whether the square matrix a equals its transpose, to
// a relative 1e-12 of its largest entry. A sparse matrix must also store
// the same pattern as its transpose.
func isSymmetric(a linalg.Matrix) bool {
	st := a.Stats()
	tol := 1e-12 * max(math.Abs(st.Max), math.Abs(st.Min))
	if c, ok := a.(*linalg.CSR); ok {
		ip, ix, d := c.Raw()
		tp, tx, td := c.T().Raw()
		return slices.Equal(ip, tp) && slices.Equal(ix, tx) && floats.EqualApprox(d, td, tol)
	}
	d := linalg.DenseOf(a)
	return mat.EqualApprox(d, d.T(), tol)
}

// selfTuning returns the similarity graph of SymNMF's reference code
// (symnmf_cluster.m) for a data matrix: the kNN graph of the rows with
// self-tuning Gaussian weights, k = ⌊log₂ n⌋ + 1, σ_i the distance to the
// 7th neighbour, normalized as D^{-1/2} W D^{-1/2}. A sparse x is made
// dense: the kNN graph needs every distance.
func selfTuning(x linalg.Matrix) (*linalg.CSR, error) {
	w, err := graph.KNN(linalg.DenseOf(x), 0, &graph.KNNOptions{Weight: graph.SelfTuning})
	if err != nil {
		return nil, invalid(err)
	}
	a, err := graph.NormalizedAdjacency(w)
	if err != nil {
		return nil, invalid(err)
	}
	if a.NNZ() == 0 {
		return nil, invalidf("the similarity graph of the data has no edges (are all the samples identical?)")
	}
	return a, nil
}

// GraphWeight is the edge weight of a kNN sample graph (graph.KNN).
type GraphWeight string

// The kNN weightings.
const (
	WeightBinary GraphWeight = "binary"
	WeightHeat   GraphWeight = "heat"
	WeightCosine GraphWeight = "cosine"
)

// sampleGraph returns the Laplacian of the similarity graph of a
// graph-regularized data model with n samples when its graph term is on:
// the given one (n x n, symmetrized by max(S, Sᵀ)), else the symmetric
// p-nearest-neighbour graph of the rows of x with the weighting (a sparse
// x is made dense for the distances), with the pairwise constraints
// must and cannot (linkMatrices; either may be nil) imposed as constrained
// does. When the term is off it returns nil, having checked a given graph
// all the same.
func sampleGraph(x linalg.Matrix, given *linalg.CSR, weight GraphWeight, p int, on bool, must, cannot *linalg.CSR) (*graph.Laplacian, error) {
	if !on && given == nil {
		return nil, nil
	}
	n, _ := x.Dims()
	var s *linalg.CSR
	if given != nil {
		if r, c := given.Dims(); r != n || c != n {
			return nil, invalidf("graph is %dx%d, want %dx%d (one node per sample)", r, c, n, n)
		}
		var err error
		if s, err = graph.Symmetrize(given, graph.Max); err != nil {
			return nil, invalid(err)
		}
	} else {
		if p >= n {
			return nil, invalidf("neighbors = %d must be below the number of samples %d", p, n)
		}
		opts := &graph.KNNOptions{Weight: graph.Binary}
		switch weight {
		case WeightHeat:
			opts.Weight = graph.Heat
		case WeightCosine:
			opts.Weight = graph.Cosine
		}
		var err error
		if s, err = graph.KNN(linalg.DenseOf(x), p, opts); err != nil {
			return nil, invalid(err)
		}
	}
	if must != nil || cannot != nil {
		s = constrained(s, must, cannot)
	}
	l, err := graph.NewLaplacian(s)
	if err != nil || !on {
		return nil, invalid(err)
	}
	return l, nil
}

// knnBytes is the memory of building a kNN graph of the rows of an n x d
// input: a dense copy of it (graph.KNN needs the rows dense).
func knnBytes(n, d int) uint64 { return denseBytes(n, d) }
