package metric

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// hungarian solves the linear assignment problem for an r×c matrix of
// finite costs: it returns, for each row, the column assigned to it, so that
// no column is used twice and the total cost is least. Every row gets a
// column when r ≤ c; otherwise only c rows do, and the others get -1.
//
// It is the Hungarian (Kuhn–Munkres) algorithm in the shortest augmenting
// path form with row and column potentials, O(r²c) for r ≤ c.
func hungarian(cost mat.Matrix) []int {
	r, c := cost.Dims()
	if r > c {
		colOf := hungarian(cost.T())
		rowOf := make([]int, r)
		for i := range rowOf {
			rowOf[i] = -1
		}
		for j, i := range colOf {
			rowOf[i] = j
		}
		return rowOf
	}
	// Indices are 1-based below; row 0 and column 0 are sentinels.
	u := make([]float64, r+1)
	v := make([]float64, c+1)
	match := make([]int, c+1) // row matched to each column, 0 if none
	way := make([]int, c+1)   // previous column on the augmenting path
	minv := make([]float64, c+1)
	used := make([]bool, c+1)
	for i := 1; i <= r; i++ {
		match[0] = i
		j0 := 0
		for j := range minv {
			minv[j], used[j] = math.Inf(1), false
		}
		// Grow a tree of tight edges from row i until it reaches a free
		// column, updating the potentials by the least slack each step.
		for match[j0] != 0 {
			used[j0] = true
			i0, delta, j1 := match[j0], math.Inf(1), 0
			for j := 1; j <= c; j++ {
				if used[j] {
					continue
				}
				if s := cost.At(i0-1, j-1) - u[i0] - v[j]; s < minv[j] {
					minv[j], way[j] = s, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= c; j++ {
				if used[j] {
					u[match[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
		}
		// Flip the matching along the path back to row i.
		for j0 != 0 {
			j1 := way[j0]
			match[j0] = match[j1]
			j0 = j1
		}
	}
	colOf := make([]int, r)
	for j := 1; j <= c; j++ {
		if match[j] != 0 {
			colOf[match[j]-1] = j - 1
		}
	}
	return colOf
}
