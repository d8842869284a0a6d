package graph

import (
	"encoding/json"
	"os"
	"testing"
)

// fixture holds testdata/fixtures.json, made by testdata/gen.py. Sparse
// matrices are lists of (i, j, v) triplets.
type fixture struct {
	KNN struct {
		X          [][]float64
		K          int
		Binary     [][3]float64
		Binary3    [][3]float64
		HeatT      float64 `json:"heat_t"`
		Heat       [][3]float64
		Heat05     [][3]float64
		Cosine     [][3]float64
		SelfTuning [][3]float64
		SymNMF     [][3]float64
	}
	Directed struct {
		N                   int
		Edges               [][3]float64
		AsymCos             [][3]float64
		PageRank            []float64
		PageRankPrinted     []float64 `json:"pagerank_printed"`
		Sum                 [][3]float64
		Laplacian           [][3]float64
		NormalizedLaplacian [][3]float64 `json:"normalized_laplacian"`
	}
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// dense returns the n x n matrix with the given triplets.
func dense(n int, tr [][3]float64) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
	}
	for _, e := range tr {
		m[int(e[0])][int(e[1])] = e[2]
	}
	return m
}
