package linkpred

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
)

// Heuristic names a neighbourhood score of a pair of nodes (Lü and Zhou,
// Physica A 2011), with Γ(u) the neighbours of u and k_z = |Γ(z)|.
type Heuristic string

// The heuristics.
const (
	// CommonNeighbours is |Γ(u) ∩ Γ(v)|.
	CommonNeighbours Heuristic = "cn"
	// AdamicAdar is Σ_{z ∈ Γ(u) ∩ Γ(v)} 1/log k_z.
	AdamicAdar Heuristic = "aa"
	// ResourceAllocation is Σ_{z ∈ Γ(u) ∩ Γ(v)} 1/k_z.
	ResourceAllocation Heuristic = "ra"
)

// Heuristics lists the heuristics.
var Heuristics = []Heuristic{CommonNeighbours, AdamicAdar, ResourceAllocation}

// Scorer returns the score function of h on the graph a, whose
// neighbourhoods are those of its undirected version (an arc in either
// direction makes two nodes neighbours; weights and self-loops are
// ignored).
func (h Heuristic) Scorer(a *linalg.CSR) (func(u, v int) float64, error) {
	switch h {
	case CommonNeighbours, AdamicAdar, ResourceAllocation:
	default:
		return nil, fmt.Errorf("linkpred: unknown heuristic %q (want cn, aa or ra)", h)
	}
	s, err := graph.Symmetrize(a, graph.Or)
	if err != nil {
		return nil, fmt.Errorf("linkpred: %w", err)
	}
	s = graph.DropSelfLoops(s)
	n, _ := s.Dims()
	weight := make([]float64, n) // the contribution of z as a common neighbour
	for z := range n {
		cols, _ := s.Row(z)
		k := float64(len(cols))
		switch h {
		case CommonNeighbours:
			weight[z] = 1
		case AdamicAdar:
			weight[z] = 1 / math.Log(max(k, 2)) // a common neighbour has k ≥ 2
		case ResourceAllocation:
			weight[z] = 1 / max(k, 1)
		}
	}
	return func(u, v int) float64 {
		cu, _ := s.Row(u)
		cv, _ := s.Row(v)
		var sum float64
		for i, j := 0, 0; i < len(cu) && j < len(cv); {
			switch {
			case cu[i] < cv[j]:
				i++
			case cu[i] > cv[j]:
				j++
			default:
				sum += weight[cu[i]]
				i++
				j++
			}
		}
		return sum
	}, nil
}

// LowRank returns the score function of a reconstruction X̂ = L·Rᵀ
// (L n x k, R n x k): X̂_uv for a directed graph, (X̂_uv + X̂_vu)/2 for an
// undirected one.
func LowRank(l, r *mat.Dense, directed bool) func(u, v int) float64 {
	return func(u, v int) float64 {
		s := floats.Dot(l.RawRowView(u), r.RawRowView(v))
		if !directed {
			s = (s + floats.Dot(l.RawRowView(v), r.RawRowView(u))) / 2
		}
		return s
	}
}
