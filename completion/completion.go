// Package completion holds the protocol of matrix completion: hiding a
// seeded random fraction of the observed entries of a masked input
// (linalg.ObservedNaN and its kind: a CSR whose stored entries are the
// observed cells), fitting a model to the rest, and scoring its
// reconstruction on the hidden entries.
package completion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/deepnmf/deepnmf/linalg"
)

// Cell is an entry of a matrix with its value.
type Cell struct {
	I, J int
	V    float64
}

// Hide hides a fraction of the observed entries of x (rounded, at least
// one and at least one left), drawn uniformly by rng: it returns the
// masked input of the others and the hidden cells, in row order.
func Hide(x *linalg.CSR, fraction float64, rng *rand.Rand) (*linalg.CSR, []Cell, error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("completion: fraction %g is not in (0, 1)", fraction)
	}
	nnz := x.NNZ()
	if nnz < 2 {
		return nil, nil, fmt.Errorf("completion: %d observed entries; hiding needs at least 2", nnz)
	}
	nh := min(max(int(math.Round(fraction*float64(nnz))), 1), nnz-1)
	hide := make([]bool, nnz)
	for _, p := range rng.Perm(nnz)[:nh] {
		hide[p] = true
	}
	r, c := x.Dims()
	var rows, cols []int
	var vals []float64
	hidden := make([]Cell, 0, nh)
	p := 0
	x.Each(func(i, j int, v float64) {
		if hide[p] {
			hidden = append(hidden, Cell{i, j, v})
		} else {
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, v)
		}
		p++
	})
	train, err := linalg.NewCSRFromTriplets(r, c, rows, cols, vals, true)
	if err != nil {
		return nil, nil, fmt.Errorf("completion: %w", err)
	}
	return train, hidden, nil
}

// Predict returns the true values of the cells and their predictions by
// at, for metric.RMSE and metric.MAE.
func Predict(cells []Cell, at func(i, j int) float64) (truth, pred []float64) {
	truth, pred = make([]float64, len(cells)), make([]float64, len(cells))
	for k, c := range cells {
		truth[k], pred[k] = c.V, at(c.I, c.J)
	}
	return truth, pred
}
