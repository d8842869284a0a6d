package cluster

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/deepnmf/deepnmf/metric"
	"gonum.org/v1/gonum/mat"
)

// blobs returns n rows in d dimensions from k Gaussian blobs of unit
// variance whose centers lie far apart, and the blob of each row.
func blobs(rng *rand.Rand, n, d, k int) (*mat.Dense, []int) {
	centers := make([][]float64, k)
	for c := range centers {
		centers[c] = make([]float64, d)
		for j := range centers[c] {
			centers[c][j] = 40 * rng.NormFloat64()
		}
	}
	x := mat.NewDense(n, d, nil)
	truth := make([]int, n)
	for i := range truth {
		truth[i] = i % k
		for j := 0; j < d; j++ {
			x.Set(i, j, centers[truth[i]][j]+rng.NormFloat64())
		}
	}
	return x, truth
}

func TestKMeansBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct{ n, d, k int }{
		{60, 2, 3}, {300, 5, 6}, {500, 3, 10}, {40, 4, 1},
	} {
		x, truth := blobs(rng, tc.n, tc.d, tc.k)
		labels, inertia, err := KMeans{K: tc.k, Seed: 7}.Fit(x)
		if err != nil {
			t.Fatal(err)
		}
		if ari := metric.ARI(truth, labels); ari != 1 {
			t.Errorf("%d blobs of %d points: ARI %v, want 1", tc.k, tc.n/tc.k, ari)
		}
		if want := directInertia(x, labels, tc.k); math.Abs(inertia-want) > 1e-9*want {
			t.Errorf("%d blobs: inertia %v, want %v", tc.k, inertia, want)
		}
	}
}

// directInertia returns the inertia of labels with the centers at the means.
func directInertia(x *mat.Dense, labels []int, k int) float64 {
	n, d := x.Dims()
	mean := mat.NewDense(k, d, nil)
	count := make([]float64, k)
	for i, c := range labels {
		count[c]++
		for j := 0; j < d; j++ {
			mean.Set(c, j, mean.At(c, j)+x.At(i, j))
		}
	}
	var s float64
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := x.At(i, j) - mean.At(labels[i], j)/count[labels[i]]
			s += v * v
		}
	}
	return s
}

func TestKMeansReproducible(t *testing.T) {
	// Overlapping blobs, so that seeds matter.
	rng := rand.New(rand.NewPCG(2, 2))
	x, _ := blobs(rng, 400, 3, 8)
	x.Scale(0.05, x)
	fit := func(seed uint64) ([]int, float64) {
		labels, inertia, err := KMeans{K: 8, Restarts: 3, Seed: seed}.Fit(x)
		if err != nil {
			t.Fatal(err)
		}
		return labels, inertia
	}
	l1, in1 := fit(42)
	procs := runtime.GOMAXPROCS(1)
	l2, in2 := fit(42)
	runtime.GOMAXPROCS(procs)
	if !slices.Equal(l1, l2) || in1 != in2 {
		t.Errorf("same seed, different results: inertia %v and %v", in1, in2)
	}
	differ := false
	for seed := uint64(43); seed < 48 && !differ; seed++ {
		l3, _ := fit(seed)
		differ = !slices.Equal(l1, l3)
	}
	if !differ {
		t.Error("five other seeds all gave the same labels")
	}
}

func TestKMeansNormalize(t *testing.T) {
	// Three directions in the positive quadrant, with norms spread over
	// three orders of magnitude: k-means splits by norm unless the rows
	// are normalized first.
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 90
	x := mat.NewDense(n, 2, nil)
	truth := make([]int, n)
	for i := range truth {
		truth[i] = i % 3
		angle := 0.1 + 0.65*float64(truth[i]) + 0.05*rng.NormFloat64()
		r := math.Pow(10, 3*rng.Float64())
		x.Set(i, 0, r*math.Cos(angle))
		x.Set(i, 1, r*math.Sin(angle))
	}
	labels, _, err := KMeans{K: 3, Seed: 1, Normalize: true}.Fit(x)
	if err != nil {
		t.Fatal(err)
	}
	if ari := metric.ARI(truth, labels); ari != 1 {
		t.Errorf("normalized: ARI %v, want 1", ari)
	}
	labels, _, err = KMeans{K: 3, Seed: 1}.Fit(x)
	if err != nil {
		t.Fatal(err)
	}
	if ari := metric.ARI(truth, labels); ari > 0.5 {
		t.Errorf("not normalized: ARI %v, want it poor", ari)
	}
	// A zero row is allowed, and the input is left alone.
	x.Set(0, 0, 0)
	x.Set(0, 1, 0)
	orig := mat.DenseCopyOf(x)
	if _, _, err := (KMeans{K: 3, Normalize: true}).Fit(x); err != nil {
		t.Errorf("zero row: %v", err)
	}
	if !mat.Equal(x, orig) {
		t.Error("Fit modified its input")
	}
}

func TestKMeansExactDistinct(t *testing.T) {
	// K equal to the number of distinct rows, with duplicates: every
	// distinct row is its own cluster and the inertia is zero.
	x := mat.NewDense(7, 2, []float64{
		1, 1,
		5, 5,
		1, 1,
		9, 0,
		5, 5,
		9, 0,
		1, 1,
	})
	labels, inertia, err := KMeans{K: 3, Seed: 3}.Fit(x)
	if err != nil {
		t.Fatal(err)
	}
	if inertia != 0 || metric.ARI([]int{0, 1, 0, 2, 1, 2, 0}, labels) != 1 {
		t.Errorf("labels %v, inertia %v", labels, inertia)
	}
}

func TestKMeansErrors(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 0, 0, 1, 1})
	nan := mat.NewDense(3, 1, []float64{0, math.NaN(), 1})
	for _, tc := range []struct {
		name string
		km   KMeans
		x    mat.Matrix
	}{
		{"K zero", KMeans{}, x},
		{"K above rows", KMeans{K: 5}, x},
		{"K above distinct rows", KMeans{K: 3}, x},
		{"negative Restarts", KMeans{K: 2, Restarts: -1}, x},
		{"negative MaxIter", KMeans{K: 2, MaxIter: -1}, x},
		{"negative Tol", KMeans{K: 2, Tol: -1}, x},
		{"NaN Tol", KMeans{K: 2, Tol: math.NaN()}, x},
		{"NaN entry", KMeans{K: 2}, nan},
	} {
		if _, _, err := tc.km.Fit(tc.x); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestUpdateRelocatesEmpty(t *testing.T) {
	w, err := newLloyd(mat.NewDense(5, 1, []float64{0, 1, 2, 3, 10}), 3, false)
	if err != nil {
		t.Fatal(err)
	}
	// Centers at 0.5, 2.5 and 100, after centering by the mean 3.2 and
	// scaling by 2^-exp as newLloyd does: no row is nearest the third, and
	// 10 is the farthest from its center.
	s := math.Ldexp(1, -w.exp)
	w.centers = mat.NewDense(3, 1, []float64{(0.5 - 3.2) * s, (2.5 - 3.2) * s, 100 * s})
	w.labels = []int{-1, -1, -1, -1, -1}
	w.assign()
	if want := []int{0, 0, 1, 1, 1}; !slices.Equal(w.labels, want) {
		t.Fatalf("labels %v, want %v", w.labels, want)
	}
	w.update()
	if want := []int{0, 0, 1, 1, 2}; !slices.Equal(w.labels, want) {
		t.Errorf("labels after update %v, want %v", w.labels, want)
	}
	for c, want := range []float64{0.5, 2.5, 10} {
		if got := w.centers.At(c, 0)/s + 3.2; math.Abs(got-want) > 1e-12 {
			t.Errorf("center %d at %v, want %v", c, got, want)
		}
	}
}

// TestKMeansScaleInvariant clusters blobs scaled to the ends of the float64
// range: squared distances of entries near 1e160 overflow and those of
// entries near 1e-300 underflow, yet the labels must be those of the
// unscaled data.
func TestKMeansScaleInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x, truth := blobs(rng, 120, 3, 4)
	km := KMeans{K: 4, Seed: 9}
	want, inertia, err := km.Fit(x)
	if err != nil {
		t.Fatal(err)
	}
	if metric.ARI(truth, want) != 1 {
		t.Fatalf("unscaled: ARI %v", metric.ARI(truth, want))
	}
	for _, tc := range []struct {
		factor, inertia float64
	}{
		{1e160, math.Inf(1)},
		{1e-300, 0},
		{math.Ldexp(1, 100), math.Ldexp(inertia, 200)}, // exact: the same inertia, scaled
	} {
		var y mat.Dense
		y.Scale(tc.factor, x)
		for _, normalize := range []bool{false, true} {
			km.Normalize = normalize
			ref, refInertia, err := km.Fit(x)
			if err != nil {
				t.Fatal(err)
			}
			got, in, err := km.Fit(&y)
			if err != nil {
				t.Errorf("factor %g, normalize %v: %v", tc.factor, normalize, err)
				continue
			}
			if !slices.Equal(got, ref) {
				t.Errorf("factor %g, normalize %v: labels differ from the unscaled data's", tc.factor, normalize)
			}
			wantInertia := tc.inertia
			if normalize {
				wantInertia = refInertia // of unit rows, whatever the scale
			}
			if in != wantInertia && !(math.Abs(in-wantInertia) <= 1e-9*wantInertia) {
				t.Errorf("factor %g, normalize %v: inertia %v, want %v", tc.factor, normalize, in, wantInertia)
			}
		}
	}
}

// TestSeedGuards checks that seeding picks rows, and sampling returns an
// index in range, even where potentials and totals are not finite, as
// they would be for rows that newLloyd had not scaled.
func TestSeedGuards(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	w := &lloyd{x: mat.NewDense(3, 1, []float64{-1e200, 0, 1e200}), centers: mat.NewDense(2, 1, nil)}
	for range 20 {
		if err := w.seed(rng); err != nil {
			t.Fatal(err)
		}
	}
	for _, cum := range [][]float64{{0, 0, math.Inf(1)}, {1, math.NaN(), math.NaN()}, {math.Inf(1), math.Inf(1)}} {
		for range 20 {
			if i := sample(cum, rng); i < 0 || i >= len(cum) {
				t.Fatalf("sample(%v) = %d", cum, i)
			}
		}
	}
}
