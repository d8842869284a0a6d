package initialize

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestUniform(t *testing.T) {
	a, b := Uniform(3, 4, 2, NewRand(7)), Uniform(3, 4, 2, NewRand(7))
	if !mat.Equal(a, b) {
		t.Error("same seed, different draws")
	}
	if mat.Min(a) < 0 || mat.Max(a) >= 2 {
		t.Errorf("entries outside [0, 2): %v", mat.Formatted(a))
	}
}

func TestKMeansIndicator(t *testing.T) {
	// Two well-separated groups of rows, and of columns.
	x := mat.NewDense(6, 4, []float64{
		9, 9, 0, 0,
		8, 9, 0, 0,
		9, 8, 0, 0,
		0, 0, 9, 9,
		0, 0, 8, 9,
		0, 0, 9, 8,
	})
	for _, in := range []linalg.Matrix{linalg.NewDense(x), linalg.CSRFromDense(x)} {
		g, err := KMeansIndicator(in, 2, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if r, c := g.Dims(); r != 6 || c != 2 {
			t.Fatalf("indicator is %dx%d", r, c)
		}
		for i := range 6 {
			row := g.RawRowView(i)
			hi, lo := max(row[0], row[1]), min(row[0], row[1])
			if hi != 1.2 || lo != 0.2 {
				t.Errorf("row %d = %v, want one 1.2 and one 0.2", i, row)
			}
			if same := row[0] == g.At(0, 0); same != (i < 3) {
				t.Errorf("row %d in the wrong cluster: %v", i, mat.Formatted(g))
			}
		}
		f, err := KMeansIndicator(in, 2, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := f.Dims(); r != 4 {
			t.Errorf("feature indicator has %d rows, want 4", r)
		}
	}
	if _, err := KMeansIndicator(linalg.NewDense(mat.NewDense(3, 2, nil)), 2, 1, false); err == nil {
		t.Error("no error for fewer distinct rows than clusters")
	}
}

func TestTriStarts(t *testing.T) {
	a := linalg.CSRFromDense(mat.NewDense(5, 5, []float64{
		0, 1, 1, 0, 0,
		1, 0, 1, 0, 0,
		1, 1, 0, 0, 0,
		0, 0, 0, 0, 1,
		0, 0, 0, 1, 0,
	}))
	h, w := TriRandom(a, 2, NewRand(1))
	if r, c := h.Dims(); r != 5 || c != 2 || mat.Min(h) < 0 || mat.Min(w) < 0 {
		t.Errorf("random start: H %dx%d, min %g, %g", r, c, mat.Min(h), mat.Min(w))
	}
	h, w, err := TriSVD(a, 2, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	mean := linalg.Mean(a)
	if mat.Min(h) < mean || mat.Min(w) < mean {
		t.Errorf("SVD start below the floor mean(A) = %g: %g, %g", mean, mat.Min(h), mat.Min(w))
	}
	hd, wd, err := TriSVDDense(linalg.NewDense(linalg.DenseOf(a)), 2, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if fh := 0.01 / math.Sqrt(5); mat.Min(hd) < fh || mat.Min(wd) <= 0 {
		t.Errorf("dense SVD start: min H %g (floor %g), min W %g", mat.Min(hd), fh, mat.Min(wd))
	}
}
