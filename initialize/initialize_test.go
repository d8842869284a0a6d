package initialize

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func testMatrix() *linalg.Dense {
	rng := NewRand(7)
	return linalg.NewDense(RandomDense(40, 25, 1, rng))
}

func TestDefault(t *testing.T) {
	if Default(10, 8, 5) != NNDSVDA || Default(10, 8, 9) != Random {
		t.Error("Default does not follow scikit-learn's rule")
	}
}

func TestFactors(t *testing.T) {
	x := testMatrix()
	mean := linalg.Mean(x)
	for _, method := range []Method{"", Random, NNDSVD, NNDSVDA, NNDSVDAR} {
		w, h, err := Factors(x, 4, method, NewRand(1))
		if err != nil {
			t.Fatalf("%q: %v", method, err)
		}
		if r, c := w.Dims(); r != 40 || c != 4 {
			t.Errorf("%q: W is %dx%d", method, r, c)
		}
		if r, c := h.Dims(); r != 4 || c != 25 {
			t.Errorf("%q: H is %dx%d", method, r, c)
		}
		if mat.Min(w) < 0 || mat.Min(h) < 0 {
			t.Errorf("%q: negative entries", method)
		}
		switch method {
		case NNDSVDA, "":
			// Zeros are filled with mean(X).
			if mat.Min(w) == 0 || mat.Min(h) == 0 {
				t.Errorf("%q left zeros", method)
			}
		case Random:
			// |N(0,1)|·sqrt(mean/k) has mean sqrt(2/π)·sqrt(mean/k).
			want := math.Sqrt(2/math.Pi) * math.Sqrt(mean/4)
			if got := mat.Sum(w) / 160; math.Abs(got-want) > 0.3*want {
				t.Errorf("random: mean entry %g, want about %g", got, want)
			}
		}
		w2, h2, _ := Factors(x, 4, method, NewRand(1))
		if !mat.Equal(w, w2) || !mat.Equal(h, h2) {
			t.Errorf("%q: not reproducible from the seed", method)
		}
	}
	// NNDSVD of a rank-1 nonnegative matrix reproduces it.
	u := mat.NewDense(6, 1, []float64{1, 2, 3, 4, 5, 6})
	v := mat.NewDense(1, 5, []float64{1, 0.5, 2, 1, 3})
	var x1 mat.Dense
	x1.Mul(u, v)
	w, h, err := Factors(linalg.NewDense(&x1), 1, NNDSVD, NewRand(0))
	if err != nil {
		t.Fatal(err)
	}
	var wh mat.Dense
	wh.Mul(w, h)
	if !mat.EqualApprox(&wh, &x1, 1e-10) {
		t.Error("nndsvd of a rank-1 matrix does not reproduce it")
	}
	if _, _, err := Factors(x, 4, "svd", NewRand(0)); err == nil {
		t.Error("unknown method: no error")
	}
}
