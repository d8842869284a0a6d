package metric

import (
	"math"
	"testing"

	"github.com/deepnmf/deepnmf/linalg"
)

// undirected builds a symmetric adjacency matrix from edges {i, j}.
func undirected(t *testing.T, n int, edges [][2]int) *linalg.CSR {
	t.Helper()
	var rows, cols []int
	var vals []float64
	for _, e := range edges {
		rows, cols, vals = append(rows, e[0], e[1]), append(cols, e[1], e[0]), append(vals, 1, 1)
	}
	adj, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		t.Fatal(err)
	}
	return adj
}

func TestTwoTriangles(t *testing.T) {
	// Two triangles joined by the edge 2–3: m = 7, each community has three
	// inner edges and degree 7, so Q = 2(3/7 − (7/14)²) = 5/14, and one of
	// the 7 units of volume of each side is cut.
	adj := undirected(t, 6, [][2]int{{0, 1}, {0, 2}, {1, 2}, {3, 4}, {3, 5}, {4, 5}, {2, 3}})
	pred := []int{0, 0, 0, 1, 1, 1}
	if q := Modularity(adj, pred, false); !same(q, 5.0/14) {
		t.Errorf("modularity %v, want 5/14", q)
	}
	// Read as directed, each undirected edge is two arcs: m = 14, each side
	// has 6 inner arcs and out- and in-degree 7, so Q = 2(6/14 − 49/196).
	if q := Modularity(adj, pred, true); !same(q, 5.0/14) {
		t.Errorf("directed modularity %v, want 5/14", q)
	}
	if q := Modularity(adj, []int{0, 0, 0, 0, 0, 0}, false); q != 0 {
		t.Errorf("modularity of one community %v, want 0", q)
	}
	phi := Conductance(adj, pred)
	if len(phi) != 2 || !same(phi[0], 1.0/7) || !same(phi[1], 1.0/7) {
		t.Errorf("conductance %v, want [1/7 1/7]", phi)
	}
	if got := MeanConductance(adj, pred); !same(got, 1.0/7) {
		t.Errorf("mean conductance %v, want 1/7", got)
	}
}

func TestConductanceUndefined(t *testing.T) {
	adj := undirected(t, 4, [][2]int{{0, 1}, {1, 2}})
	// Label 1 is unused, and node 3 alone in community 2 has no edges.
	phi := Conductance(adj, []int{0, 0, 3, 2})
	if len(phi) != 4 || !math.IsNaN(phi[1]) || !math.IsNaN(phi[2]) || !same(phi[0], 1.0/1) || !same(phi[3], 1.0) {
		t.Errorf("conductance %v, want [1 NaN NaN 1]", phi)
	}
	if got := MeanConductance(adj, []int{0, 0, 1, 1}); !same(got, 1.0/1) {
		t.Errorf("mean conductance %v, want 1", got)
	}
	if got := MeanConductance(adj, []int{0, 0, 0, 0}); !math.IsNaN(got) {
		t.Errorf("mean conductance of the whole graph %v, want NaN", got)
	}
}

func TestModularityNoEdges(t *testing.T) {
	adj := undirected(t, 3, nil)
	for _, directed := range []bool{false, true} {
		if q := Modularity(adj, []int{0, 1, 1}, directed); !math.IsNaN(q) {
			t.Errorf("directed=%v: modularity of a graph without edges %v, want NaN", directed, q)
		}
	}
}

func TestGraphPanics(t *testing.T) {
	square := undirected(t, 3, [][2]int{{0, 1}})
	wide, err := linalg.NewCSRFromTriplets(2, 3, nil, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"not square":     func() { Modularity(wide, []int{0, 0}, false) },
		"short pred":     func() { Modularity(square, []int{0, 0}, true) },
		"negative label": func() { Conductance(square, []int{0, -1, 0}) },
		"long pred":      func() { MeanConductance(square, []int{0, 0, 0, 0}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
