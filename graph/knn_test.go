package graph

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// line returns the points xs on a line as an n x 1 matrix.
func line(xs ...float64) *mat.Dense { return mat.NewDense(len(xs), 1, xs) }

func TestKNNOnALine(t *testing.T) {
	// Nearest neighbours of 0, 1, 3, 6, 10: 1, 0, 1, 3, 6: a path.
	w, err := KNN(line(0, 1, 3, 6, 10), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "path", w, [][]float64{
		{0, 1, 0, 0, 0},
		{1, 0, 1, 0, 0},
		{0, 1, 0, 1, 0},
		{0, 0, 1, 0, 1},
		{0, 0, 0, 1, 0},
	}, 0)

	// The point at 2 is as far from 0 as from 4 and takes the smaller
	// index; 4 and 5 are each other's nearest. So 1 - 2 is no edge.
	x := line(0, 2, 4, 5)
	w, err = KNN(x, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "tie", w, [][]float64{{0, 1, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}}, 0)

	// Heat kernel: t = mean of 4, 4, 1, 1.
	w, err = KNN(x, 1, &KNNOptions{Weight: Heat})
	if err != nil {
		t.Fatal(err)
	}
	h4, h1 := math.Exp(-4/2.5), math.Exp(-1/2.5)
	same(t, "heat", w, [][]float64{{0, h4, 0, 0}, {h4, 0, 0, 0}, {0, 0, 0, h1}, {0, 0, h1, 0}}, 1e-15)

	// Self-tuning with σ the distance to the nearest neighbour: 2, 2, 1, 1.
	w, err = KNN(x, 1, &KNNOptions{Weight: SelfTuning, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := math.Exp(-1)
	same(t, "self-tuning", w, [][]float64{{0, e, 0, 0}, {e, 0, 0, 0}, {0, 0, 0, e}, {0, 0, e, 0}}, 1e-15)

	// Cosine of 2-d points (1,0), (1,1), (0,1), (-1,0) with 1 neighbour:
	// 0 ↔ 1, 2 → 1, 3 → 2 at cosine 0, which is dropped.
	x = mat.NewDense(4, 2, []float64{1, 0, 1, 1, 0, 1, -1, 0})
	w, err = KNN(x, 1, &KNNOptions{Weight: Cosine})
	if err != nil {
		t.Fatal(err)
	}
	c := 1 / math.Sqrt2
	same(t, "cosine", w, [][]float64{{0, c, 0, 0}, {c, 0, c, 0}, {0, c, 0, 0}, {0, 0, 0, 0}}, 1e-15)
}

func TestKNNFixture(t *testing.T) {
	f := loadFixture(t).KNN
	n := len(f.X)
	x := mat.NewDense(n, len(f.X[0]), nil)
	for i, row := range f.X {
		x.SetRow(i, row)
	}
	for _, tc := range []struct {
		name string
		k    int
		opts *KNNOptions
		want [][3]float64
	}{
		{"binary", 0, nil, f.Binary},
		{"binary, k = 3", 3, &KNNOptions{}, f.Binary3},
		{"heat", f.K, &KNNOptions{Weight: Heat}, f.Heat},
		{"heat, t given", 0, &KNNOptions{Weight: Heat, T: 0.5}, f.Heat05},
		{"heat, t = mean", 0, &KNNOptions{Weight: Heat, T: f.HeatT}, f.Heat},
		{"cosine", 0, &KNNOptions{Weight: Cosine}, f.Cosine},
		{"self-tuning", 0, &KNNOptions{Weight: SelfTuning}, f.SelfTuning},
	} {
		w, err := KNN(x, tc.k, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if w.NNZ() != len(tc.want) {
			t.Errorf("%s: %d edges, want %d", tc.name, w.NNZ(), len(tc.want))
		}
		same(t, tc.name, w, dense(n, tc.want), 1e-12)
		symmetric(t, tc.name, w)
		if tc.name == "self-tuning" {
			a, err := NormalizedAdjacency(w)
			if err != nil {
				t.Fatal(err)
			}
			same(t, "SymNMF similarity", a, dense(n, f.SymNMF), 1e-12)
			symmetric(t, "SymNMF similarity", a)
		}
	}
}

// identical fails unless a and b are stored identically.
func identical(t *testing.T, a, b *linalg.CSR) {
	t.Helper()
	ap, ai, ad := a.Raw()
	bp, bi, bd := b.Raw()
	if !slices.Equal(ap, bp) || !slices.Equal(ai, bi) || !slices.Equal(ad, bd) {
		t.Error("results differ")
	}
}

func TestKNNGOMAXPROCS(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 0))
	x := mat.NewDense(300, 20, nil)
	for i := range 300 {
		for j := range 20 {
			x.Set(i, j, rnd.NormFloat64())
		}
	}
	for _, wt := range []Weight{Binary, Heat, Cosine, SelfTuning} {
		opts := &KNNOptions{Weight: wt}
		prev := runtime.GOMAXPROCS(1)
		one, err := KNN(x, 10, opts)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(8)
		many, err := KNN(x, 10, opts)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		identical(t, one, many)
		symmetric(t, "KNN", one)
		one.Each(func(i, j int, v float64) {
			if !(v > 0 && v <= 1) || i == j {
				t.Errorf("weight %d: W_%d%d = %v", wt, i, j, v)
			}
		})
		if _, in := Degrees(one); slices.Min(in) < 1 {
			t.Errorf("weight %d: a point without neighbours", wt)
		}
	}
}

func TestKNNErrors(t *testing.T) {
	x := line(0, 1, 2)
	for _, tc := range []struct {
		name string
		x    mat.Matrix
		k    int
		opts *KNNOptions
	}{
		{"k = n", x, 3, nil},
		{"k < 0", x, -1, nil},
		{"one point", line(1), 0, nil},
		{"NaN", line(0, math.NaN(), 2), 1, nil},
		{"Inf", line(0, math.Inf(1), 2), 1, nil},
		{"t < 0", x, 1, &KNNOptions{Weight: Heat, T: -1}},
		{"scale = n", x, 1, &KNNOptions{Weight: SelfTuning, Scale: 3}},
		{"unknown weight", x, 1, &KNNOptions{Weight: SelfTuning + 1}},
	} {
		if _, err := KNN(tc.x, tc.k, tc.opts); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// k = 0 on 3 points: ⌊log₂ 3⌋ + 1 = 2 = n − 1, a complete graph.
	w, err := KNN(x, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.NNZ() != 6 {
		t.Errorf("default k on 3 points: %d edges, want 6", w.NNZ())
	}
}
