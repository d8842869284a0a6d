package linkpred

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

type fixture struct {
	N     int
	Edges [][2]int
	Pairs []struct {
		U, V       int
		CN, AA, RA float64
	}
}

func loadFixture(t *testing.T) (*linalg.CSR, fixture) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "linkpred", "heuristics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var rows, cols []int
	var vals []float64
	for _, e := range f.Edges {
		rows, cols, vals = append(rows, e[0], e[1]), append(cols, e[1], e[0]), append(vals, 1, 1)
	}
	a, err := linalg.NewCSRFromTriplets(f.N, f.N, rows, cols, vals, false)
	if err != nil {
		t.Fatal(err)
	}
	return a, f
}

// TestHeuristicsNetworkx checks CN, AA and RA against networkx on the
// karate club graph (testdata/linkpred/gen.py).
func TestHeuristicsNetworkx(t *testing.T) {
	a, f := loadFixture(t)
	for _, h := range Heuristics {
		score, err := h.Scorer(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Pairs {
			want := map[Heuristic]float64{CommonNeighbours: p.CN, AdamicAdar: p.AA, ResourceAllocation: p.RA}[h]
			if got := score(p.U, p.V); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s(%d, %d) = %v, networkx %v", h, p.U, p.V, got, want)
			}
		}
	}
	if _, err := Heuristic("jaccard").Scorer(a); err == nil {
		t.Error("an unknown heuristic gave no error")
	}
}

// TestSplit checks a split: the test fraction, test edges removed from the
// training graph in both directions, negatives that are distinct non-edges
// of the whole graph, and the same split from the same seed.
func TestSplit(t *testing.T) {
	a, f := loadFixture(t)
	s, err := NewSplit(a, 0.1, false, initialize.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pos) != 8 || len(s.Neg) != 8 { // round(0.1 · 78)
		t.Fatalf("%d positives and %d negatives, want 8 and 8", len(s.Pos), len(s.Neg))
	}
	if s.Train.NNZ() != 2*(len(f.Edges)-8) {
		t.Errorf("training graph has %d entries, want %d", s.Train.NNZ(), 2*(len(f.Edges)-8))
	}
	for _, p := range s.Pos {
		if p.U >= p.V || a.At(p.U, p.V) == 0 || s.Train.At(p.U, p.V) != 0 || s.Train.At(p.V, p.U) != 0 {
			t.Errorf("test edge %v is not an edge held out of training", p)
		}
	}
	seen := map[Pair]bool{}
	for _, p := range s.Neg {
		if p.U >= p.V || a.At(p.U, p.V) != 0 || seen[p] {
			t.Errorf("negative %v is an edge or a repeat", p)
		}
		seen[p] = true
	}
	again, err := NewSplit(a, 0.1, false, initialize.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Pos {
		if s.Pos[i] != again.Pos[i] || s.Neg[i] != again.Neg[i] {
			t.Fatal("the same seed gave another split")
		}
	}
	for _, bad := range []float64{0, 1, math.NaN()} {
		if _, err := NewSplit(a, bad, false, initialize.NewRand(1)); err == nil {
			t.Errorf("test fraction %v: no error", bad)
		}
	}
	// A directed split holds out arcs.
	d, err := NewSplit(a, 0.5, true, initialize.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pos) != 78 || d.Train.NNZ() != 78 {
		t.Errorf("directed: %d test arcs, %d training arcs, want 78 and 78", len(d.Pos), d.Train.NNZ())
	}
}

func TestLowRank(t *testing.T) {
	l := mat.NewDense(2, 1, []float64{1, 2})
	r := mat.NewDense(2, 1, []float64{3, 5})
	if s := LowRank(l, r, true)(0, 1); s != 5 {
		t.Errorf("directed score %v, want 5", s)
	}
	if s := LowRank(l, r, false)(0, 1); s != 5.5 { // (1·5 + 2·3)/2
		t.Errorf("undirected score %v, want 5.5", s)
	}
}
