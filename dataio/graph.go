package dataio

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/deepnmf/deepnmf/linalg"
)

// EdgeOptions says how to read an edge list.
type EdgeOptions struct {
	// Directed reads "u v" as the arc u -> v only; otherwise the edge is
	// stored in both directions.
	Directed bool
	// SelfLoops is "drop" (the default) or "keep". A kept self-loop is
	// stored once, with its weight.
	SelfLoops string
	// Duplicates says how edges listed more than once combine: "sum" (the
	// default) adds their weights, "max" keeps the largest, and "one"
	// gives every edge weight 1. In an undirected graph "u v" and "v u"
	// are the same edge.
	Duplicates string
	// Reverse reads "u v" as the arc v -> u, for files that list the target
	// of an arc first, such as LINQS's citation files (.cites lines are
	// "<cited> <citing>"). It needs Directed.
	Reverse bool
}

// Graph is a graph read from an edge list.
type Graph struct {
	// Adj is the n x n adjacency matrix: Adj(u, v) is the weight of the
	// edge u -> v. It is symmetric for an undirected graph.
	Adj *linalg.CSR
	// IDs holds the node names as written in the file, by index.
	IDs []string
	// Directed says whether edges were read as arcs u -> v.
	Directed bool

	once  sync.Once
	index map[string]int
}

type edge struct {
	u, v int
	w    float64
}

// ReadEdgeList reads a graph from the named file, one edge "u v" or
// "u v weight" per line; see ParseEdgeList.
func ReadEdgeList(path string, opt EdgeOptions) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseEdgeList(f, path, opt)
}

// ParseEdgeList reads a graph from r, one edge "u v" or "u v weight" per
// line; name is used in error messages. Weights must be positive and
// finite, and default to 1; duplicates whose weights sum past the largest
// float64 are an error. If every node name is an integer the nodes are
// ordered by value, so nodes named 0..n-1 keep their numbers; otherwise
// they are numbered in order of first appearance.
func ParseEdgeList(r io.Reader, name string, opt EdgeOptions) (*Graph, error) {
	if opt.SelfLoops != "" && opt.SelfLoops != "drop" && opt.SelfLoops != "keep" {
		return nil, fmt.Errorf("%s: unknown self-loop option %q; want drop or keep", name, opt.SelfLoops)
	}
	if opt.Reverse && !opt.Directed {
		return nil, fmt.Errorf("%s: reversing the arcs needs a directed graph", name)
	}
	switch opt.Duplicates {
	case "":
		opt.Duplicates = "sum"
	case "sum", "max", "one":
	default:
		return nil, fmt.Errorf("%s: unknown duplicates option %q; want sum, max or one", name, opt.Duplicates)
	}
	l, err := newLineScanner(r, name)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int)
	var ids []string
	node := func(id string) int {
		i, ok := index[id]
		if !ok {
			i = len(ids)
			index[id] = i
			ids = append(ids, id)
		}
		return i
	}
	var edges []edge
	for l.next() {
		f := strings.Fields(l.text)
		if len(f) != 2 && len(f) != 3 {
			return nil, l.errorf("line has %d fields, want 2 or 3 (u v [weight])", len(f))
		}
		w := 1.0
		if len(f) == 3 {
			var err error
			if w, err = strconv.ParseFloat(f[2], 64); err != nil {
				return nil, l.errorf("weight %q is not a number", f[2])
			}
			if !(w > 0) || math.IsInf(w, 0) {
				return nil, l.errorf("weight %q is not positive and finite", f[2])
			}
		}
		u, v := node(f[0]), node(f[1])
		if opt.Reverse {
			u, v = v, u
		}
		if u != v || opt.SelfLoops == "keep" {
			edges = append(edges, edge{u, v, w})
		}
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, inputErr(name, 0, "no edges")
	}
	g := newGraph(ids, edges, !opt.Directed, opt.Duplicates)
	if u, v, w, ok := overflowed(g.Adj); ok {
		return nil, inputErr(name, 0, "the weights of edge %s %s sum to %v", g.IDs[u], g.IDs[v], w)
	}
	g.Directed = opt.Directed
	return g, nil
}

// newGraph builds a graph on the nodes ids, ordered as ParseEdgeList says,
// from edges between indices of ids. It adds the reverse of every edge if
// mirror is set, and combines duplicate edges as dup says.
func newGraph(ids []string, edges []edge, mirror bool, dup string) *Graph {
	order := make([]int, len(ids)) // order[k] is the old index of node k
	for i := range order {
		order[i] = i
	}
	if v := intValues(ids); v != nil {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	}
	g := &Graph{IDs: make([]string, len(ids)), index: make(map[string]int, len(ids))}
	pos := make([]int, len(ids))
	for k, i := range order {
		pos[i] = k
		g.IDs[k] = ids[i]
		g.index[ids[i]] = k
	}

	all := make([]edge, 0, len(edges))
	for _, e := range edges {
		u, v := pos[e.u], pos[e.v]
		all = append(all, edge{u, v, e.w})
		if mirror && u != v {
			all = append(all, edge{v, u, e.w})
		}
	}
	slices.SortFunc(all, func(a, b edge) int { return cmp.Or(cmp.Compare(a.u, b.u), cmp.Compare(a.v, b.v)) })
	indptr := make([]int, len(ids)+1)
	var indices []int
	var data []float64
	for k, e := range all {
		if k > 0 && e.u == all[k-1].u && e.v == all[k-1].v {
			last := &data[len(data)-1]
			switch dup {
			case "sum":
				*last += e.w
			case "max":
				*last = max(*last, e.w)
			}
			continue
		}
		if dup == "one" {
			e.w = 1
		}
		indices = append(indices, e.v)
		data = append(data, e.w)
		indptr[e.u+1]++
	}
	for i := range len(ids) {
		indptr[i+1] += indptr[i]
	}
	adj, err := linalg.NewCSR(len(ids), len(ids), indptr, indices, data)
	if err != nil {
		panic("dataio: " + err.Error()) // the arrays are valid by construction
	}
	g.Adj = adj
	return g
}

// Index returns the index of the node named id.
func (g *Graph) Index(id string) (int, bool) {
	g.once.Do(func() {
		if g.index == nil {
			g.index = make(map[string]int, len(g.IDs))
			for i, id := range g.IDs {
				g.index[id] = i
			}
		}
	})
	i, ok := g.index[id]
	return i, ok
}

// WithNodes returns g with every name in ids that is not a node of g added
// as an isolated node, or g itself if there is none. Nodes are ordered as
// ParseEdgeList says, so if all names are integers, nodes of g may get new
// indices; otherwise the new nodes come last, in the order given. Use it
// for nodes that have labels or features but no edges.
func (g *Graph) WithNodes(ids []string) *Graph {
	all := slices.Clone(g.IDs)
	added := make(map[string]bool)
	for _, id := range ids {
		if _, ok := g.Index(id); !ok && !added[id] {
			added[id] = true
			all = append(all, id)
		}
	}
	if len(added) == 0 {
		return g
	}
	var edges []edge
	g.Adj.Each(func(i, j int, w float64) { edges = append(edges, edge{i, j, w}) })
	ng := newGraph(all, edges, false, "sum")
	ng.Directed = g.Directed
	return ng
}
