package graph

import (
	"math"
	"runtime"
	"testing"

	"math/rand/v2"
)

func TestAsymmetricCosineByHand(t *testing.T) {
	// Γ0 = {1,2,3}, Γ1 = {2,3}, Γ2 = {3}, Γ3 = {0}.
	a := edges(t, 4, [][3]float64{{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {1, 2, 1}, {1, 3, 1}, {2, 3, 1}, {3, 0, 1}})
	s, err := AsymmetricCosine(a)
	if err != nil {
		t.Fatal(err)
	}
	r2, r3, r6 := math.Sqrt(2), math.Sqrt(3), math.Sqrt(6)
	// S_01 = 2/√6 · 2/3 · 2·2/(3+2), S_10 = 2/√6 · 2/2 · 4/5, and so on.
	want := [][]float64{
		{1, 16 / (15 * r6), 1 / (6 * r3), 0},
		{8 / (5 * r6), 1, 1 / (3 * r2), 0},
		{1 / (2 * r3), r2 / 3, 1, 0},
		{0, 0, 0, 1},
	}
	same(t, "AsymmetricCosine", s, want, 1e-15)
	same(t, "AsymmetricCosine, diagonal dropped", DropSelfLoops(s), [][]float64{
		{0, want[0][1], want[0][2], 0},
		{want[1][0], 0, want[1][2], 0},
		{want[2][0], want[2][1], 0, 0},
		{0, 0, 0, 0},
	}, 1e-15)

	// By in-neighbours: Γ'0 = {3}, Γ'1 = {0}, Γ'2 = {0,1}, Γ'3 = {0,1,2}.
	s, err = AsymmetricCosine(a.T())
	if err != nil {
		t.Fatal(err)
	}
	same(t, "AsymmetricCosine of Aᵀ", s, [][]float64{
		{1, 0, 0, 0},
		{0, 1, r2 / 3, 1 / (2 * r3)},
		{0, 1 / (3 * r2), 1, 8 / (5 * r6)},
		{0, 1 / (6 * r3), 16 / (15 * r6), 1},
	}, 1e-15)
}

func TestAsymmetricCosineFixture(t *testing.T) {
	f := loadFixture(t).Directed
	s, err := AsymmetricCosine(edges(t, f.N, f.Edges))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "AsymmetricCosine", s, dense(f.N, f.AsymCos), 1e-14)
}

// randomGraph returns a directed weighted graph with about p·n² edges.
func randomGraph(t *testing.T, n int, p float64, seed uint64) [][3]float64 {
	rnd := rand.New(rand.NewPCG(seed, 0))
	var tr [][3]float64
	for i := range n {
		for j := range n {
			if i != j && rnd.Float64() < p {
				tr = append(tr, [3]float64{float64(i), float64(j), 1 + rnd.Float64()})
			}
		}
	}
	return tr
}

func TestAsymmetricCosineGOMAXPROCS(t *testing.T) {
	a := edges(t, 500, randomGraph(t, 500, 0.02, 1))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, err := AsymmetricCosine(a)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(8)
	many, err := AsymmetricCosine(a)
	if err != nil {
		t.Fatal(err)
	}
	identical(t, one, many)
	one.Each(func(i, j int, v float64) {
		if !(v > 0 && v <= 1+1e-15) {
			t.Errorf("S_%d%d = %v, outside (0, 1]", i, j, v)
		}
	})
}
