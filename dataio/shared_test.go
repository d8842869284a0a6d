package dataio_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
)

// sharedData returns the path of a file under ../shared/data, seen from
// the repository root, skipping the test if it is absent.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "data", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data set not available: %v", err)
	}
	return path
}

func TestSharedCoraFeatures(t *testing.T) {
	tab, err := dataio.ReadMatrix(sharedData(t, "cora/features_binary_bow.npz"), dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x, ok := tab.X.(*linalg.CSR)
	if !ok {
		t.Fatalf("X is %T, want *linalg.CSR", tab.X)
	}
	r, c := x.Dims()
	if s := x.Stats(); r != 2708 || c != 1433 || x.NNZ() != 49216 || s.Min != 0 || s.Max != 1 {
		t.Errorf("got %dx%d with %d entries in [%v, %v], want 2708x1433, 49216 ones", r, c, x.NNZ(), s.Min, s.Max)
	}
}

func TestSharedCiteseerGraph(t *testing.T) {
	g, err := dataio.ReadEdgeList(sharedData(t, "citeseer/edges.txt"), dataio.EdgeOptions{Directed: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 3312)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	// Nodes whose only edge is a self-loop stay as isolated nodes; the
	// labels cover every node.
	g = g.WithNodes(ids)
	n, _ := g.Adj.Dims()
	if n != 3312 || g.Adj.NNZ() != 4715-124 {
		t.Errorf("got %d nodes and %d arcs, want 3312 and %d", n, g.Adj.NNZ(), 4715-124)
	}
	for i, id := range g.IDs {
		if id != ids[i] {
			t.Fatalf("node %d is named %q", i, id)
		}
	}
	lab, err := dataio.ReadNodeLabels(sharedData(t, "citeseer/labels.txt"), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(lab.Names) != 6 || len(lab.Values) != 3312 {
		t.Errorf("got %d labels in %d classes", len(lab.Values), len(lab.Names))
	}
	for i, v := range lab.Values {
		if v < 0 {
			t.Fatalf("node %d has no label", i)
		}
	}
}

func TestSharedFaces(t *testing.T) {
	// uint8 in Fortran order.
	tab, err := dataio.ReadMatrix(sharedData(t, "faces/orl_X.npy"), dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, c := tab.X.Dims()
	if s := tab.X.Stats(); r != 400 || c != 1024 || s.Min < 0 || s.Max > 255 || s.Max < 100 {
		t.Errorf("got %dx%d in [%v, %v]", r, c, s.Min, s.Max)
	}
}
