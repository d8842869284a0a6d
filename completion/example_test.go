package completion_test

import (
	"context"
	"fmt"
	"log"

	"github.com/deepnmf/deepnmf/completion"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// Hide 30% of the digits images' pixels, fit EADNMF to the rest and score
// its predictions of the hidden ones, as deepnmf complete does.
func Example() {
	t, _, err := datasets.Table("digits")
	if err != nil {
		log.Fatal(err)
	}
	x := linalg.DenseOf(t.X)
	x.Scale(1.0/16, x) // pixels in [0, 1]
	observed := linalg.ObservedNaN(linalg.NewDense(x))
	train, hidden, err := completion.Hide(observed, 0.3, initialize.NewRand(1))
	if err != nil {
		log.Fatal(err)
	}
	m := model.EADNMF{Layers: []int{32, 16}, PreIter: new(100), Outer: new(2), Inner: 20, Masked: true, Seed: 1}
	res, err := m.Fit(context.Background(), train, solve.Settings{})
	if err != nil {
		log.Fatal(err)
	}
	truth, pred := completion.Predict(hidden, res.Approx.At)
	fmt.Printf("%d hidden pixels, RMSE below 0.22: %v\n", len(hidden), metric.RMSE(truth, pred) < 0.22)
	// Output: 34502 hidden pixels, RMSE below 0.22: true
}
