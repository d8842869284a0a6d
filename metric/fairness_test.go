package metric

import (
	"math"
	"testing"
)

func TestGroupBalance(t *testing.T) {
	pred := []int{0, 0, 0, 0, 1, 1, 1, 3, 3}
	groups := []int{7, 7, 8, 8, 7, 7, 8, 7, 7}
	per, mean := GroupBalance(pred, groups)
	want := []float64{1, 0.5, math.NaN(), 0}
	for c, w := range want {
		if !(per[c] == w || math.IsNaN(w) && math.IsNaN(per[c])) {
			t.Errorf("cluster %d: balance %g, want %g", c, per[c], w)
		}
	}
	if mean != 0.5 {
		t.Errorf("mean balance %g, want 0.5", mean)
	}
}
