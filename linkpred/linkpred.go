// Package linkpred holds the link-prediction protocol of the NMF papers
// (Mahmoodi et al., KBS 2023 and EAAI 2024; Lü and Zhou, Physica A 2011):
// a seeded random split of a graph's edges into training and test edges,
// as many negatives drawn among the node pairs that are not edges of the
// whole graph, the neighbourhood heuristics that serve as baselines
// (common neighbours, Adamic-Adar, resource allocation), and the scoring
// of pairs by a factorization's reconstruction.
//
// A graph is its adjacency matrix, one node per row. An undirected graph
// is symmetric and its edges are the pairs u < v with A_uv ≠ 0; a directed
// one has the arcs u → v with A_uv ≠ 0. Self-loops are not edges.
package linkpred

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/deepnmf/deepnmf/linalg"
)

// Pair is a pair of nodes: an edge u–v of an undirected graph, or the arc
// u → v of a directed one.
type Pair struct{ U, V int }

// Split is one division of a graph's edges for link prediction.
type Split struct {
	// Train is the graph without the test edges (both directions of an
	// undirected edge removed).
	Train *linalg.CSR
	// Pos are the test edges, Neg as many pairs that are not edges of the
	// whole graph, drawn uniformly without repetition.
	Pos, Neg []Pair
}

// Edges returns the edges of a: the pairs u < v with a_uv ≠ 0 when
// undirected (a must then be symmetric), every arc u → v, u ≠ v,
// otherwise. It returns them in row order.
func Edges(a *linalg.CSR, directed bool) []Pair {
	n, _ := a.Dims()
	var out []Pair
	for u := range n {
		cols, vals := a.Row(u)
		for p, v := range cols {
			if vals[p] != 0 && v != u && (directed || u < v) {
				out = append(out, Pair{u, v})
			}
		}
	}
	return out
}

// NewSplit draws a split of a's edges: a fraction test of them (at least
// one) held out as positives, and as many negatives. An undirected a must
// be symmetric. It fails when a has fewer than two edges, test is not in
// (0, 1), or the graph has too few non-edges for the negatives.
func NewSplit(a *linalg.CSR, test float64, directed bool, rng *rand.Rand) (*Split, error) {
	n, c := a.Dims()
	if n != c {
		return nil, fmt.Errorf("linkpred: the adjacency matrix is %dx%d, not square", n, c)
	}
	if !(test > 0 && test < 1) {
		return nil, fmt.Errorf("linkpred: test fraction %g is not in (0, 1)", test)
	}
	edges := Edges(a, directed)
	if len(edges) < 2 {
		return nil, fmt.Errorf("linkpred: the graph has %d edges; a split needs at least 2", len(edges))
	}
	rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
	nt := min(max(int(math.Round(test*float64(len(edges)))), 1), len(edges)-1)
	pos := edges[:nt]
	held := make(map[Pair]bool, nt)
	for _, e := range pos {
		held[e] = true
	}
	pairs := float64(n) * float64(n-1)
	if !directed {
		pairs /= 2
	}
	if nonEdges := pairs - float64(len(edges)); nonEdges < float64(nt) {
		return nil, fmt.Errorf("linkpred: %g non-edges cannot give %d negatives", nonEdges, nt)
	}
	neg := make([]Pair, 0, nt)
	seen := make(map[Pair]bool, nt)
	for len(neg) < nt {
		u, v := rng.IntN(n), rng.IntN(n)
		if u == v {
			continue
		}
		if !directed && u > v {
			u, v = v, u
		}
		p := Pair{u, v}
		if seen[p] || a.At(u, v) != 0 {
			continue
		}
		seen[p] = true
		neg = append(neg, p)
	}
	var rows, cols []int
	var vals []float64
	for u := range n {
		cs, vs := a.Row(u)
		for q, v := range cs {
			p := Pair{u, v}
			if !directed && u > v {
				p = Pair{v, u}
			}
			if held[p] || v == u {
				continue
			}
			rows, cols, vals = append(rows, u), append(cols, v), append(vals, vs[q])
		}
	}
	train, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		return nil, fmt.Errorf("linkpred: %w", err)
	}
	return &Split{Train: train, Pos: pos, Neg: neg}, nil
}

// Scores returns the scores of pairs under score.
func Scores(pairs []Pair, score func(u, v int) float64) []float64 {
	out := make([]float64, len(pairs))
	for i, p := range pairs {
		out[i] = score(p.U, p.V)
	}
	return out
}
