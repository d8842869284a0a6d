package metric

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestAUCSklearn checks AUC against scikit-learn's roc_auc_score
// (testdata/metric/gen_ranking.py), ties included.
func TestAUCSklearn(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "metric", "ranking.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		AUC []struct {
			Name     string
			Pos, Neg []float64
			AUC      float64
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.AUC {
		if got := AUC(c.Pos, c.Neg); math.Abs(got-c.AUC) > 1e-12 {
			t.Errorf("%s: AUC %v, scikit-learn %v", c.Name, got, c.AUC)
		}
	}
}

func TestAUCSmall(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		want     float64
	}{
		{[]float64{3, 4}, []float64{1, 2}, 1},
		{[]float64{1, 2}, []float64{3, 4}, 0},
		{[]float64{1}, []float64{1}, 0.5},
		{[]float64{2, 1}, []float64{1, 0}, 0.875}, // (1 + 1 + 1 + ½)/4
	} {
		if got := AUC(c.pos, c.neg); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.pos, c.neg, got, c.want)
		}
	}
	if !math.IsNaN(AUC(nil, []float64{1})) || !math.IsNaN(AUC([]float64{math.NaN()}, []float64{1})) {
		t.Error("AUC of an empty set or a NaN score is not NaN")
	}
}

func TestPrecision(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		k        int
		want     float64
	}{
		{[]float64{3, 4}, []float64{1, 2}, 2, 1},
		{[]float64{3, 1}, []float64{4, 2}, 2, 0.5},
		// The cut falls in a tie of one positive and one negative: half of
		// the one place left goes to the positive.
		{[]float64{5, 2}, []float64{2, 0}, 2, 0.75},
		{[]float64{1, 1}, []float64{1, 1}, 2, 0.5},
	} {
		if got := Precision(c.pos, c.neg, c.k); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Precision(%v, %v, %d) = %v, want %v", c.pos, c.neg, c.k, got, c.want)
		}
	}
	if !math.IsNaN(Precision([]float64{1}, nil, 2)) {
		t.Error("k beyond the scores is not NaN")
	}
}

func TestErrors(t *testing.T) {
	truth, pred := []float64{1, 2, 3, 4}, []float64{1, 0, 3, 5}
	if got := RMSE(truth, pred); math.Abs(got-math.Sqrt(5.0/4)) > 1e-15 {
		t.Errorf("RMSE %v, want sqrt(5/4)", got)
	}
	if got := MAE(truth, pred); got != 0.75 {
		t.Errorf("MAE %v, want 0.75", got)
	}
	if !math.IsNaN(RMSE(nil, nil)) || !math.IsNaN(MAE(nil, nil)) {
		t.Error("errors of nothing are not NaN")
	}
}
