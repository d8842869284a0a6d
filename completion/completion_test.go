package completion

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

func TestHide(t *testing.T) {
	nan := math.NaN()
	x := linalg.ObservedNaN(linalg.NewDense(mat.NewDense(4, 5, []float64{
		1, 2, nan, 0, 5,
		6, nan, 8, 9, 0,
		1, 1, 1, nan, 1,
		0, 3, 4, 5, 6,
	})))
	train, hidden, err := Hide(x, 0.25, initialize.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) != 4 || train.NNZ() != 13 { // 17 observed, round(0.25·17) = 4
		t.Fatalf("%d hidden, %d left, want 4 and 13", len(hidden), train.NNZ())
	}
	for _, c := range hidden {
		if x.At(c.I, c.J) != c.V {
			t.Errorf("hidden cell %+v does not hold the observed value", c)
		}
		for _, k := range func() []int { cs, _ := train.Row(c.I); return cs }() {
			if k == c.J {
				t.Errorf("hidden cell %+v is still observed", c)
			}
		}
	}
	again, _, _ := Hide(x, 0.25, initialize.NewRand(1))
	if !mat.Equal(again.ToDense(), train.ToDense()) {
		t.Error("the same seed hid other cells")
	}
	truth, pred := Predict(hidden, func(i, j int) float64 { return 0 })
	if len(truth) != 4 || pred[0] != 0 || truth[0] != hidden[0].V {
		t.Errorf("Predict: %v, %v", truth, pred)
	}
	if _, _, err := Hide(x, 1, initialize.NewRand(1)); err == nil {
		t.Error("hiding everything: no error")
	}
}
