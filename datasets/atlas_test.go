package datasets_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/datasets"
)

// TestPlantedAtlas checks the shapes, symmetry, zero diagonal, community
// sizes and reproducibility of the synthetic subjects, that without noise
// and spread every subject is the planted pattern (entries that depend on
// the two ROIs' communities and strengths only), and the errors.
func TestPlantedAtlas(t *testing.T) {
	p := datasets.PlantedAtlas{Subjects: 3, ROIs: 23, Communities: 4, Noise: 0.3, Spread: 0.1, Seed: 1}
	stack, comm, err := p.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(stack) != 3 || len(comm) != 23 {
		t.Fatalf("%d subjects, %d communities", len(stack), len(comm))
	}
	sizes := make([]int, 4)
	for _, c := range comm {
		sizes[c]++
	}
	for _, s := range sizes {
		if s != 5 && s != 6 {
			t.Errorf("community sizes %v, want 5 or 6 each", sizes)
		}
	}
	for i, a := range stack {
		if r, c := a.Dims(); r != 23 || c != 23 {
			t.Fatalf("subject %d is %dx%d", i, r, c)
		}
		if !mat.Equal(a, a.T()) {
			t.Errorf("subject %d is not symmetric", i)
		}
		for q := range 23 {
			if a.At(q, q) != 0 {
				t.Errorf("subject %d: diagonal entry %d is %g", i, q, a.At(q, q))
			}
		}
	}
	again, _, _ := p.Generate()
	for i := range stack {
		if !mat.Equal(stack[i], again[i]) {
			t.Errorf("subject %d differs between two draws of one seed", i)
		}
	}

	clean, comm, err := datasets.PlantedAtlas{Subjects: 2, ROIs: 12, Communities: 3, Seed: 2}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(clean[0], clean[1]) {
		t.Error("without noise and spread, the subjects differ")
	}
	// A_pq = u_p u_q B(c_p, c_q): rank k off the diagonal, and the ratio
	// A_pr / A_qr the same for every r outside p's and q's community when
	// p and q share one.
	a := clean[0]
	for p := range 12 {
		for q := range 12 {
			if p == q || comm[p] != comm[q] {
				continue
			}
			var ratio float64
			for r := range 12 {
				if comm[r] == comm[p] {
					continue
				}
				if ratio == 0 {
					ratio = a.At(p, r) / a.At(q, r)
				} else if d := a.At(p, r)/a.At(q, r) - ratio; math.Abs(d) > 1e-12 {
					t.Fatalf("ROIs %d and %d of one community: profiles not proportional", p, q)
				}
			}
		}
	}

	for _, bad := range []datasets.PlantedAtlas{
		{Subjects: 0, ROIs: 5, Communities: 2},
		{Subjects: 1, ROIs: 5, Communities: 0},
		{Subjects: 1, ROIs: 2, Communities: 3},
		{Subjects: 1, ROIs: 5, Communities: 2, Noise: -1},
		{Subjects: 1, ROIs: 5, Communities: 2, Spread: math.Inf(1)},
		{Subjects: 1, ROIs: 5, Communities: 2, Noise: math.NaN()},
	} {
		if _, _, err := bad.Generate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
