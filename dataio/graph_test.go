package dataio_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
)

func TestParseEdgeList(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		opt           dataio.EdgeOptions
		ids           []string
		adj           [][]float64
	}{
		{"undirected numeric order", "# header\n2 0\n\n1 2\n% other comment\n", dataio.EdgeOptions{},
			[]string{"0", "1", "2"}, [][]float64{{0, 0, 1}, {0, 0, 1}, {1, 1, 0}}},
		{"numeric order with gaps", "10 -3\n7 10\n", dataio.EdgeOptions{},
			[]string{"-3", "7", "10"}, [][]float64{{0, 0, 1}, {0, 0, 1}, {1, 1, 0}}},
		{"names by first appearance", "b a\nc b\n", dataio.EdgeOptions{},
			[]string{"b", "a", "c"}, [][]float64{{0, 1, 1}, {1, 0, 0}, {1, 0, 0}}},
		{"directed weighted", "0 1 2.5\n1 2\t0.5\n", dataio.EdgeOptions{Directed: true},
			[]string{"0", "1", "2"}, [][]float64{{0, 2.5, 0}, {0, 0, 0.5}, {0, 0, 0}}},
		{"self-loops dropped", "0 0\n0 1\n", dataio.EdgeOptions{},
			[]string{"0", "1"}, [][]float64{{0, 1}, {1, 0}}},
		{"self-loops kept", "0 0 3\n0 1\n", dataio.EdgeOptions{SelfLoops: "keep"},
			[]string{"0", "1"}, [][]float64{{3, 1}, {1, 0}}},
		{"node only in a self-loop", "0 1\n2 2\n", dataio.EdgeOptions{},
			[]string{"0", "1", "2"}, [][]float64{{0, 1, 0}, {1, 0, 0}, {0, 0, 0}}},
		{"duplicates sum", "0 1 2\n1 0 3\n0 1\n", dataio.EdgeOptions{},
			[]string{"0", "1"}, [][]float64{{0, 6}, {6, 0}}},
		{"duplicates max", "0 1 2\n1 0 3\n0 1\n", dataio.EdgeOptions{Duplicates: "max"},
			[]string{"0", "1"}, [][]float64{{0, 3}, {3, 0}}},
		{"duplicates one", "0 1 2\n1 0 3\n", dataio.EdgeOptions{Duplicates: "one"},
			[]string{"0", "1"}, [][]float64{{0, 1}, {1, 0}}},
		{"directed duplicates", "0 1 2\n1 0 3\n0 1 1\n", dataio.EdgeOptions{Directed: true},
			[]string{"0", "1"}, [][]float64{{0, 3}, {3, 0}}},
		{"reversed", "b a 2\nc b\n", dataio.EdgeOptions{Directed: true, Reverse: true},
			[]string{"b", "a", "c"}, [][]float64{{0, 0, 1}, {2, 0, 0}, {0, 0, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := dataio.ParseEdgeList(strings.NewReader(tc.content), "edges.txt", tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g.IDs, tc.ids) {
				t.Errorf("IDs = %q, want %q", g.IDs, tc.ids)
			}
			if got := rows(g.Adj); !reflect.DeepEqual(got, tc.adj) {
				t.Errorf("Adj = %v, want %v", got, tc.adj)
			}
			if g.Directed != tc.opt.Directed {
				t.Errorf("Directed = %v", g.Directed)
			}
			for i, id := range tc.ids {
				if j, ok := g.Index(id); !ok || j != i {
					t.Errorf("Index(%q) = %d, %v, want %d", id, j, ok, i)
				}
			}
			if _, ok := g.Index("nope"); ok {
				t.Errorf("Index(nope) found")
			}
		})
	}
}

func TestParseEdgeListErrors(t *testing.T) {
	for _, tc := range []struct {
		content string
		opt     dataio.EdgeOptions
		want    string
	}{
		{"0 1\n0\n", dataio.EdgeOptions{}, "edges.txt:2: line has 1 fields, want 2 or 3"},
		{"0 1 1 1\n", dataio.EdgeOptions{}, "edges.txt:1: line has 4 fields"},
		{"0 1\n# c\n1 2 abc\n", dataio.EdgeOptions{}, `edges.txt:3: weight "abc" is not a number`},
		{"0 1 -1\n", dataio.EdgeOptions{}, `edges.txt:1: weight "-1" is not positive and finite`},
		{"0 1 0\n", dataio.EdgeOptions{}, `edges.txt:1: weight "0" is not positive`},
		{"0 1 NaN\n", dataio.EdgeOptions{}, `edges.txt:1: weight "NaN" is not positive`},
		{"0 1 +Inf\n", dataio.EdgeOptions{}, `edges.txt:1: weight "+Inf" is not positive`},
		{"# nothing\n\n", dataio.EdgeOptions{}, "edges.txt: no edges"},
		{"a b 1e308\nb a 1e308\n", dataio.EdgeOptions{}, "edges.txt: the weights of edge a b sum to +Inf"},
		{"0 1\n", dataio.EdgeOptions{SelfLoops: "yes"}, `unknown self-loop option "yes"`},
		{"0 1\n", dataio.EdgeOptions{Duplicates: "min"}, `unknown duplicates option "min"`},
		{"0 1\n", dataio.EdgeOptions{Reverse: true}, "reversing the arcs needs a directed graph"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := dataio.ParseEdgeList(strings.NewReader(tc.content), "edges.txt", tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadEdgeListGzip(t *testing.T) {
	g, err := dataio.ReadEdgeList(writeFile(t, "edges.txt.gz", gzipped(t, "0 1\n1 2\n")), dataio.EdgeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.Adj.Dims(); r != 3 || g.Adj.NNZ() != 4 {
		t.Errorf("got %d nodes, %d entries", r, g.Adj.NNZ())
	}
	z := gzipped(t, "0 1\n1 2\n")
	_, err = dataio.ReadEdgeList(writeFile(t, "edges.txt.gz", z[:len(z)-4]), dataio.EdgeOptions{})
	if err == nil || !strings.Contains(err.Error(), "edges.txt.gz:3: unexpected end of file") {
		t.Errorf("error %v for a truncated gzip file", err)
	}
}

func TestWithNodes(t *testing.T) {
	g, err := dataio.ParseEdgeList(strings.NewReader("1 3 2\n3 4\n"), "e", dataio.EdgeOptions{Directed: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.WithNodes([]string{"3", "1"}) != g {
		t.Errorf("WithNodes without new nodes made a new graph")
	}
	h := g.WithNodes([]string{"0", "2", "2", "5"})
	if want := []string{"0", "1", "2", "3", "4", "5"}; !reflect.DeepEqual(h.IDs, want) {
		t.Fatalf("IDs = %q, want %q", h.IDs, want)
	}
	want := [][]float64{
		{0, 0, 0, 0, 0, 0},
		{0, 0, 0, 2, 0, 0},
		{0, 0, 0, 0, 0, 0},
		{0, 0, 0, 0, 1, 0},
		{0, 0, 0, 0, 0, 0},
		{0, 0, 0, 0, 0, 0},
	}
	if got := rows(h.Adj); !reflect.DeepEqual(got, want) || !h.Directed {
		t.Errorf("Adj = %v, want %v (directed %v)", got, want, h.Directed)
	}
	if i, ok := h.Index("3"); !ok || i != 3 {
		t.Errorf("Index(3) = %d, %v", i, ok)
	}
	if len(g.IDs) != 3 {
		t.Errorf("WithNodes changed g")
	}

	// Names that are not all integers: new nodes come last.
	g, err = dataio.ParseEdgeList(strings.NewReader("b a\n"), "e", dataio.EdgeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h = g.WithNodes([]string{"c", "a"})
	if want := []string{"b", "a", "c"}; !reflect.DeepEqual(h.IDs, want) {
		t.Errorf("IDs = %q, want %q", h.IDs, want)
	}
	if got := rows(h.Adj); !reflect.DeepEqual(got, [][]float64{{0, 1, 0}, {1, 0, 0}, {0, 0, 0}}) {
		t.Errorf("Adj = %v", got)
	}
}

func TestGraphLiteralIndex(t *testing.T) {
	g := &dataio.Graph{IDs: []string{"x", "y"}}
	if i, ok := g.Index("y"); !ok || i != 1 {
		t.Errorf("Index(y) = %d, %v", i, ok)
	}
}
