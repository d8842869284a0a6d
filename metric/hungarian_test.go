package metric

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// total returns the cost of an assignment and checks that it uses no
// column twice and leaves a row unassigned only when there are more rows
// than columns.
func total(t *testing.T, cost *mat.Dense, colOf []int) float64 {
	t.Helper()
	r, c := cost.Dims()
	if len(colOf) != r {
		t.Fatalf("assignment has %d rows, want %d", len(colOf), r)
	}
	used := make(map[int]bool)
	var sum float64
	var assigned int
	for i, j := range colOf {
		if j < 0 {
			continue
		}
		if j >= c || used[j] {
			t.Fatalf("row %d gets column %d in %v", i, j, colOf)
		}
		used[j] = true
		sum += cost.At(i, j)
		assigned++
	}
	if assigned != min(r, c) {
		t.Fatalf("%d rows assigned in %v, want %d", assigned, colOf, min(r, c))
	}
	return sum
}

// bruteForce returns the least total cost over all assignments.
func bruteForce(cost *mat.Dense) float64 {
	r, c := cost.Dims()
	if r > c {
		return bruteForce(mat.DenseCopyOf(cost.T()))
	}
	used := make([]bool, c)
	var best float64
	first := true
	var rec func(i int, sum float64)
	rec = func(i int, sum float64) {
		if i == r {
			if first || sum < best {
				best, first = sum, false
			}
			return
		}
		for j := 0; j < c; j++ {
			if !used[j] {
				used[j] = true
				rec(i+1, sum+cost.At(i, j))
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

func TestHungarianHandMade(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r, c  int
		cost  []float64
		want  []int
		total float64
	}{
		{"1x1", 1, 1, []float64{7}, []int{0}, 7},
		{"diagonal is worst", 3, 3, []float64{
			9, 1, 1,
			1, 9, 1,
			1, 1, 9,
		}, nil, 3},
		{"classic 3x3", 3, 3, []float64{
			4, 1, 3,
			2, 0, 5,
			3, 2, 2,
		}, []int{1, 0, 2}, 5},
		{"negative costs", 3, 3, []float64{
			-1, -5, 0,
			-5, -1, 0,
			0, 0, -2,
		}, []int{1, 0, 2}, -12},
		{"wide 2x4", 2, 4, []float64{
			5, 4, 1, 9,
			6, 1, 3, 8,
		}, []int{2, 1}, 2},
		{"tall 4x2", 4, 2, []float64{
			5, 6,
			4, 1,
			1, 3,
			9, 8,
		}, []int{-1, 1, 0, -1}, 2},
		{"greedy fails", 2, 3, []float64{
			1, 2, 100,
			2, 100, 100,
		}, []int{1, 0}, 4},
	} {
		cost := mat.NewDense(tc.r, tc.c, tc.cost)
		colOf := hungarian(cost)
		if got := total(t, cost, colOf); got != tc.total {
			t.Errorf("%s: cost %v of %v, want %v", tc.name, got, colOf, tc.total)
		}
		if tc.want == nil {
			continue
		}
		for i := range tc.want {
			if colOf[i] != tc.want[i] {
				t.Errorf("%s: assignment %v, want %v", tc.name, colOf, tc.want)
				break
			}
		}
	}
}

func TestHungarianRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		r, c := 1+rng.IntN(6), 1+rng.IntN(6)
		cost := mat.NewDense(r, c, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				// Small integers make ties common and sums exact.
				cost.Set(i, j, float64(rng.IntN(10)-3))
			}
		}
		got := total(t, cost, hungarian(cost))
		if want := bruteForce(cost); got != want {
			t.Fatalf("%v: cost %v, want %v", mat.Formatted(cost), got, want)
		}
	}
}
