package graph

import (
	"math"
	"testing"
)

func TestPageRankByHand(t *testing.T) {
	// 0 → 1, 0 → 2, 1 → 2; node 2 links nowhere.
	a := edges(t, 3, [][3]float64{{0, 1, 1}, {0, 2, 1}, {1, 2, 1}})
	const rho = 0.85
	q := (1 - rho) / 3
	c0 := q
	c1 := q + rho*c0/2
	c2 := q + rho*(c0/2+c1)
	for _, tc := range []struct {
		order Order
		want  []float64
	}{
		{Standard, []float64{c0, c1, c2}},
		// Printed: c_0 = q + ρ(c_1/K_1 + c_2/K_2) with K_2 = 0 left out,
		// c_1 = q + ρ c_2/K_2 = q, c_2 = q.
		{Printed, []float64{q * (1 + rho), q, q}},
	} {
		opts := &PageRankOptions{Order: tc.order}
		c, err := PageRank(a, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c {
			if math.Abs(c[i]-tc.want[i]) > 1e-14 {
				t.Errorf("order %d: c = %v, want %v", tc.order, c, tc.want)
				break
			}
		}
		inf, err := PageRankInfluence(a, opts)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "PageRankInfluence", inf, [][]float64{{0, c[0], c[0]}, {0, 0, c[1]}, {0, 0, 0}}, 0)
	}
}

func TestPageRankFixture(t *testing.T) {
	f := loadFixture(t).Directed
	a := edges(t, f.N, f.Edges)
	for _, tc := range []struct {
		order Order
		want  []float64
	}{{Standard, f.PageRank}, {Printed, f.PageRankPrinted}} {
		c, err := PageRank(a, &PageRankOptions{Order: tc.order, Tol: 1e-14})
		if err != nil {
			t.Fatal(err)
		}
		for i := range c {
			if math.Abs(c[i]-tc.want[i]) > 1e-12*tc.want[i] {
				t.Errorf("order %d: c_%d = %v, want %v", tc.order, i, c[i], tc.want[i])
			}
		}
	}
}

func TestPageRankOptions(t *testing.T) {
	a := path(t, 3)
	for _, o := range []PageRankOptions{{Damping: 1}, {Damping: -0.5}, {Tol: -1}, {MaxIter: -1}, {Order: Printed + 1}} {
		if _, err := PageRank(a, &o); err == nil {
			t.Errorf("options %+v: no error", o)
		}
	}
	if _, err := PageRank(edges(t, 50, randomGraph(t, 50, 0.1, 2)), &PageRankOptions{MaxIter: 3}); err == nil {
		t.Error("3 iterations: no convergence error")
	}
}
