package model

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
)

// Test helpers shared by the symmetric and asymmetric graph models.

// testGraph returns an embedded undirected graph (karate, football,
// polbooks), its classes and their number.
func testGraph(t *testing.T, name string) (*linalg.CSR, []int, int) {
	t.Helper()
	g, lab, err := datasets.Graph(name)
	if err != nil {
		t.Fatal(err)
	}
	return g.Adj, lab.Values, len(lab.Names)
}

// webkbDir is where the WebKB graphs are, outside the repository.
const webkbDir = "/work/shared/data/webkb"

// testWebKB returns the directed WebKB graph of a university (cornell,
// texas, washington, wisconsin) without self-loops, with every labelled
// page as a node, and its 5 classes. It skips the test when the data are
// absent.
func testWebKB(t *testing.T, name string) (*linalg.CSR, []int, int) {
	t.Helper()
	dir := filepath.Join(webkbDir, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("WebKB %s not available: %v", name, err)
	}
	g, err := dataio.ReadEdgeList(filepath.Join(dir, "edges.txt"), dataio.EdgeOptions{Directed: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := dataio.ReadNodeIDs(filepath.Join(dir, "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g = g.WithNodes(ids)
	lab, err := dataio.ReadNodeLabels(filepath.Join(dir, "labels.txt"), g)
	if err != nil {
		t.Fatal(err)
	}
	return g.Adj, lab.Values, len(lab.Names)
}

// logScores logs the mean ± standard deviation of NMI, ACC and ARI over
// the runs, and returns the mean NMI.
func logScores(t *testing.T, what string, scores []metric.Scores) float64 {
	t.Helper()
	nmi, nmiSD := meanStd(scores, func(s metric.Scores) float64 { return s.NMI })
	acc, accSD := meanStd(scores, func(s metric.Scores) float64 { return s.ACC })
	ari, ariSD := meanStd(scores, func(s metric.Scores) float64 { return s.ARI })
	t.Logf("%s (%d seeds): NMI %.4f ± %.4f, ACC %.4f ± %.4f, ARI %.4f ± %.4f", what, len(scores), nmi, nmiSD, acc, accSD, ari, ariSD)
	return nmi
}

// checkNonIncreasing fails if the objective history rises by more than a
// relative tol between two recorded points.
func checkNonIncreasing(t *testing.T, what string, r *Result, tol float64) {
	t.Helper()
	h := r.History
	for i := 1; i < len(h); i++ {
		if h[i].Objective > h[i-1].Objective+tol*max(1, math.Abs(h[i-1].Objective)) {
			t.Errorf("%s: objective rose at iteration %d: %.15g -> %.15g", what, h[i].Iter, h[i-1].Objective, h[i].Objective)
			return
		}
	}
}

// checkNonnegative fails if a factor other than those named in free has a
// negative entry.
func checkNonnegative(t *testing.T, what string, r *Result, free ...string) {
	t.Helper()
	for _, f := range r.Factors {
		if slices.Contains(free, string(f.Name)) {
			continue
		}
		if v := mat.Min(f.M); v < 0 {
			t.Errorf("%s: factor %s has a negative entry %g", what, f.Name, v)
		}
	}
}

// checkSameFactors fails unless two results have bit-identical factors and
// embeddings.
func checkSameFactors(t *testing.T, what string, a, b *Result) {
	t.Helper()
	if len(a.Factors) != len(b.Factors) {
		t.Fatalf("%s: %d and %d factors", what, len(a.Factors), len(b.Factors))
	}
	for i, f := range a.Factors {
		if !mat.Equal(f.M, b.Factors[i].M) {
			t.Errorf("%s: factor %s differs between two runs with the same seed", what, f.Name)
		}
	}
	if !mat.Equal(a.Embedding, b.Embedding) {
		t.Errorf("%s: embeddings differ between two runs with the same seed", what)
	}
}

// randomDigraph returns a random directed 0-1 graph on n nodes with k
// planted groups: an arc u → v with probability pin inside a group and
// pout across, no self-loops.
func randomDigraph(n, k int, pin, pout float64, seed uint64) (*linalg.CSR, []int) {
	rng := initialize.NewRand(seed)
	truth := make([]int, n)
	for i := range truth {
		truth[i] = i * k / n
	}
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		for v := 0; v < n; v++ {
			p := pout
			if truth[u] == truth[v] {
				p = pin
			}
			if u != v && rng.Float64() < p {
				rows, cols, vals = append(rows, u), append(cols, v), append(vals, 1)
			}
		}
	}
	a, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		panic(err)
	}
	return a, truth
}

// TestGraphSpecs checks the defaults the registry gives the graph models.
func TestGraphSpecs(t *testing.T) {
	get := func(name string, kv ...string) Estimator {
		t.Helper()
		e, err := New(name, Config{Rank: 2, Params: kv})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return e
	}
	if m := resolved[SymNMF](t, get("symnmf")); m.Solver != "anls" || m.Alpha != 0 || m.Input != "auto" {
		t.Errorf("symnmf defaults: %+v", m)
	}
	if m := resolved[SymNMF](t, get("symnmf", "solver=mu", "alpha=2", "input=data")); m.Solver != "mu" || m.Alpha != 2 || m.Input != "data" {
		t.Errorf("symnmf params: %+v", m)
	}
	if _, ok := get("asymnmf").(*AsymNMF); !ok {
		t.Error("asymnmf: wrong type")
	}
	if m := resolved[RAsNMF](t, get("rasnmf")); *m.Lambda != 400 || *m.Alpha != 0.49 || m.Rule != "reference" {
		t.Errorf("rasnmf defaults: %+v", m)
	}
	if m := resolved[IFairNMTF](t, get("ifairnmtf")); *m.Lambda != 100 {
		t.Errorf("ifairnmtf defaults: %+v", m)
	}
	for _, name := range []string{"symnmf", "asymnmf", "rasnmf", "ifairnmtf"} {
		if s, ok := Lookup(name); !ok || s.Kind != Graph {
			t.Errorf("%s: not registered as a graph model", name)
		}
	}
}
