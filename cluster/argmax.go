package cluster

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Argmax returns, for each row of m, the column of its largest entry. Ties
// go to the lowest column, so an all-zero row gets label 0; NaN entries are
// never chosen.
func Argmax(m mat.Matrix) []int {
	r, c := m.Dims()
	labels := make([]int, r)
	row := make([]float64, c)
	for i := range labels {
		best := math.Inf(-1)
		for j, v := range mat.Row(row, i, m) {
			if v > best {
				best, labels[i] = v, j
			}
		}
	}
	return labels
}
