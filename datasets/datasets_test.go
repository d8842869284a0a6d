package datasets_test

import (
	"reflect"
	"testing"

	"github.com/deepnmf/deepnmf/datasets"
)

func TestNames(t *testing.T) {
	want := []string{"digits", "football", "iris", "karate", "polbooks"}
	if got := datasets.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}

func TestGraph(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		nodes, edges, classes int
		sizes                 []int // class sizes, where checked
	}{
		{"karate", 34, 78, 2, []int{17, 17}},
		{"football", 115, 613, 12, nil},
		{"polbooks", 105, 441, 3, []int{49, 43, 13}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, lab, err := datasets.Graph(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := g.Adj.Dims()
			if n != tc.nodes || len(g.IDs) != n || g.Directed {
				t.Errorf("%d nodes (%d ids, directed %v), want %d undirected", n, len(g.IDs), g.Directed, tc.nodes)
			}
			if m := g.Adj.NNZ(); m != 2*tc.edges {
				t.Errorf("%d stored entries, want %d for %d edges", m, 2*tc.edges, tc.edges)
			}
			if s := g.Adj.Stats(); s.Max != 1 {
				t.Errorf("largest weight %v, want 1 (no repeated edges)", s.Max)
			}
			if len(lab.Names) != tc.classes || len(lab.Values) != n {
				t.Errorf("%d labels in %d classes, want %d in %d", len(lab.Values), len(lab.Names), n, tc.classes)
			}
			sizes := make([]int, tc.classes)
			for i, v := range lab.Values {
				if v < 0 || v >= tc.classes {
					t.Fatalf("node %s has class %d", g.IDs[i], v)
				}
				sizes[v]++
			}
			if tc.sizes != nil && !reflect.DeepEqual(sizes, tc.sizes) {
				t.Errorf("class sizes %v, want %v", sizes, tc.sizes)
			}
		})
	}
	if _, _, err := datasets.Graph("iris"); err == nil {
		t.Errorf("Graph(iris) gave no error")
	}
}

func TestTable(t *testing.T) {
	for _, tc := range []struct {
		name          string
		n, d, classes int
		first         []string
	}{
		{"digits", 1797, 64, 10, []string{"0", "1"}},
		{"iris", 150, 4, 3, []string{"setosa", "versicolor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, lab, err := datasets.Table(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if n, d := tab.X.Dims(); n != tc.n || d != tc.d {
				t.Errorf("X is %dx%d, want %dx%d", n, d, tc.n, tc.d)
			}
			if len(lab.Names) != tc.classes || len(lab.Values) != tc.n {
				t.Errorf("%d labels in %d classes, want %d in %d", len(lab.Values), len(lab.Names), tc.n, tc.classes)
			}
			if !reflect.DeepEqual(lab.Names[:2], tc.first) {
				t.Errorf("classes %q, want %q first", lab.Names, tc.first)
			}
			if s := tab.X.Stats(); s.Min < 0 || !s.Finite {
				t.Errorf("entries in [%v, %v]", s.Min, s.Max)
			}
		})
	}
	if _, _, err := datasets.Table("karate"); err == nil {
		t.Errorf("Table(karate) gave no error")
	}
}

func TestClassNamesNotShared(t *testing.T) {
	_, lab, err := datasets.Graph("karate")
	if err != nil {
		t.Fatal(err)
	}
	lab.Names[0] = "changed"
	if _, lab, _ = datasets.Graph("karate"); lab.Names[0] != "Mr. Hi" {
		t.Errorf("class names shared between calls")
	}
}
