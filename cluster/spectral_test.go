package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/metric"
)

// plantedGraph returns a random undirected 0-1 graph of k groups of size
// each, an edge with probability pin inside a group and pout across, and
// the group of each node.
func plantedGraph(rng *rand.Rand, k, size int, pin, pout float64) (*mat.Dense, []int) {
	n := k * size
	a := mat.NewDense(n, n, nil)
	truth := make([]int, n)
	for i := range truth {
		truth[i] = i / size
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			p := pout
			if truth[i] == truth[j] {
				p = pin
			}
			if rng.Float64() < p {
				a.Set(i, j, 1)
				a.Set(j, i, 1)
			}
		}
	}
	return a, truth
}

// TestSpectral checks that normalized spectral clustering finds planted
// groups, that relabelling the nodes relabels the result and nothing
// else, and that a node without edges is clustered too.
func TestSpectral(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, truth := plantedGraph(rng, 3, 20, 0.5, 0.05)
	labels, err := Spectral{K: 3, Seed: 1}.Fit(a)
	if err != nil {
		t.Fatal(err)
	}
	if nmi := metric.NMI(truth, labels, metric.Sqrt); nmi != 1 {
		t.Errorf("planted groups: NMI %g, want 1", nmi)
	}
	n := len(truth)
	perm := rng.Perm(n)
	b := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			b.Set(perm[i], perm[j], a.At(i, j))
		}
	}
	relabelled, err := Spectral{K: 3, Seed: 1}.Fit(b)
	if err != nil {
		t.Fatal(err)
	}
	back := make([]int, n)
	for i := range n {
		back[i] = relabelled[perm[i]]
	}
	if nmi := metric.NMI(labels, back, metric.Sqrt); nmi != 1 {
		t.Errorf("relabelled nodes: NMI %g with the first partition, want 1", nmi)
	}
	// Two triangles and a node without edges.
	c := mat.NewDense(7, 7, nil)
	for _, e := range [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}} {
		c.Set(e[0], e[1], 2)
		c.Set(e[1], e[0], 2)
	}
	got, err := Spectral{K: 2}.Fit(c)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != got[1] || got[1] != got[2] || got[3] != got[4] || got[4] != got[5] || got[0] == got[3] || len(got) != 7 {
		t.Errorf("two triangles: labels %v", got)
	}
}

// TestSpectralInvalid checks the errors.
func TestSpectralInvalid(t *testing.T) {
	sym := mat.NewDense(3, 3, []float64{0, 1, 0, 1, 0, 1, 0, 1, 0})
	edit := func(i, j int, v float64) *mat.Dense {
		m := mat.DenseCopyOf(sym)
		m.Set(i, j, v)
		return m
	}
	for name, tc := range map[string]struct {
		s Spectral
		a mat.Matrix
	}{
		"not square":    {Spectral{K: 1}, mat.NewDense(3, 2, nil)},
		"K zero":        {Spectral{K: 0}, sym},
		"K above n":     {Spectral{K: 4}, sym},
		"not symmetric": {Spectral{K: 2}, edit(0, 2, 1)},
		"negative":      {Spectral{K: 2}, edit(1, 1, -1)},
		"NaN":           {Spectral{K: 2}, edit(1, 1, math.NaN())},
		"no edges":      {Spectral{K: 2}, mat.NewDense(3, 3, nil)},
	} {
		if _, err := tc.s.Fit(tc.a); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
