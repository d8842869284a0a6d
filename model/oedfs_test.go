package model

import (
	"context"
	"math"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// plantedFeatures returns n samples in k classes (sample i in class i mod
// k) with inf informative features, feature j high (U(0,1) + 2) in class
// j mod k and U(0,1) elsewhere, followed by noise features U(0,3) that
// ignore the class: wider, and with a larger mean, than the informative
// ones.
func plantedFeatures(n, k, inf, noise int, seed uint64) (*mat.Dense, []int) {
	rng := initialize.NewRand(seed)
	x := mat.NewDense(n, inf+noise, nil)
	truth := make([]int, n)
	for i := range n {
		truth[i] = i % k
		for j := range inf + noise {
			v := rng.Float64()
			switch {
			case j >= inf:
				v *= 3
			case j%k == truth[i]:
				v += 2
			}
			x.Set(i, j, v)
		}
	}
	return x, truth
}

// TestOEDFSPlantedFeatures checks the feature ranking with the default
// settings: the 6 informative features rank above the 14 noise features
// for every seed, and clustering on them recovers the classes.
func TestOEDFSPlantedFeatures(t *testing.T) {
	for seed := range uint64(5) {
		xd, truth := plantedFeatures(150, 3, 6, 14, seed)
		est, err := New("oedfs", Config{Rank: 3, Seed: seed, Params: nil})
		if err != nil {
			t.Fatal(err)
		}
		x := linalg.NewDense(xd)
		res, err := est.Fit(context.Background(), x, solve.Settings{Tol: new(0.0)})
		if err != nil {
			t.Fatal(err)
		}
		checkNonnegative(t, "planted", res)
		rank := RankFeatures(res.Factor("W"))
		top := slices.Clone(rank[:6])
		slices.Sort(top)
		if !slices.Equal(top, []int{0, 1, 2, 3, 4, 5}) {
			t.Errorf("seed %d: ranking %v, want the informative features 0-5 first", seed, rank)
		}
		sel, err := SelectFeatures(x, rank[:6])
		if err != nil {
			t.Fatal(err)
		}
		noise, _ := SelectFeatures(x, rank[14:])
		good, _, _ := cluster.KMeans{K: 3, Seed: seed}.Fit(sel)
		bad, _, _ := cluster.KMeans{K: 3, Seed: seed}.Fit(noise)
		if g, b := metric.NMI(truth, good, metric.Sqrt), metric.NMI(truth, bad, metric.Sqrt); g < 0.9 || b > 0.1 {
			t.Errorf("seed %d: k-means NMI %.3f on the top 6 features, %.3f on the last 6", seed, g, b)
		}
	}
}

// TestRankFeatures checks the scores, the order and the ties.
func TestRankFeatures(t *testing.T) {
	w := mat.NewDense(5, 2, []float64{
		3, 4, // 5
		0, 0, // 0
		1, 0, // 1
		0, 5, // 5
		6, 8, // 10
	})
	if got, want := FeatureScores(w), []float64{5, 0, 1, 5, 10}; !slices.Equal(got, want) {
		t.Errorf("FeatureScores = %v, want %v", got, want)
	}
	if got, want := RankFeatures(w), []int{4, 0, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("RankFeatures = %v, want %v", got, want)
	}
}

// TestSelectFeatures checks the selected columns, dense and sparse, a
// repeated feature and the range check.
func TestSelectFeatures(t *testing.T) {
	xd := randomData(6, 5, 2, 0.4, 1)
	for _, x := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		sel, err := SelectFeatures(x, []int{4, 1, 4})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			if sel.At(i, 0) != xd.At(i, 4) || sel.At(i, 1) != xd.At(i, 1) || sel.At(i, 2) != xd.At(i, 4) {
				t.Fatalf("row %d: got %v", i, mat.Row(nil, i, sel))
			}
		}
		if _, err := SelectFeatures(x, []int{5}); err == nil {
			t.Error("feature 5 of 5: no error")
		}
	}
}

// TestOEDFSBehaviour checks what holds without a monotonicity guarantee
// for V's update: nonnegative factors, a lower objective at the end than
// at the start, and W's update alone a majorization-minimization step.
func TestOEDFSBehaviour(t *testing.T) {
	iris, _, _ := testTable(t, "iris")
	data := randomData(60, 30, 3, 0.3, 1)
	inputs := []struct {
		name string
		x    linalg.Matrix
	}{{"iris", iris}, {"data/dense", linalg.NewDense(data)}, {"data/sparse", linalg.CSRFromDense(data)}}
	for _, in := range inputs {
		for _, init := range []string{"", "nndsvda"} {
			m := OEDFS{Rank: 3, Lambda: new(10.0), Gamma: new(0.3), Init: initialize.Method(init), Seed: 1}
			res, err := m.Fit(context.Background(), in.x, solve.Settings{MaxIter: 200, Tol: new(0.0)})
			if err != nil {
				t.Fatal(err)
			}
			what := in.name + "/" + init
			checkNonnegative(t, what, res)
			if h := res.History; !(h[len(h)-1].Objective < h[0].Objective) {
				t.Errorf("%s: objective %g -> %g", what, h[0].Objective, h[len(h)-1].Objective)
			}
			// W's step from the fitted point, V fixed.
			v := linalg.Transpose(res.Factor("H"))
			run := &oedfsRun{x: in.x, v: v, w: mat.DenseCopyOf(res.Factor("W")), lambda: 10, gamma: 0.3 * math.Sqrt(in.x.Stats().SquaredNorm/30)}
			if in.name == "iris" {
				run.gamma = 0.3 * math.Sqrt(in.x.Stats().SquaredNorm/4)
			}
			prev := run.Objective()
			for it := range 50 {
				run.scratch()
				run.stepW()
				obj := run.Objective()
				if obj > prev*(1+1e-12) {
					t.Errorf("%s: W step %d raised the objective %.15g -> %.15g", what, it, prev, obj)
					break
				}
				prev = obj
			}
		}
	}
}

// TestOEDFSReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestOEDFSReproducible(t *testing.T) {
	xd, _ := plantedFeatures(200, 4, 8, 20, 3)
	fit := func(procs int, init string) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m := OEDFS{Rank: 4, Lambda: new(10.0), Gamma: new(0.3), Init: initialize.Method(init), Seed: 7}
		r, err := m.Fit(context.Background(), linalg.NewDense(xd), solve.Settings{MaxIter: 30, Tol: new(0.0)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, init := range []string{"", "random"} {
		checkSameFactors(t, "oedfs/"+init, fit(1, init), fit(4, init))
	}
}

// TestOEDFSInvalid checks the errors of bad inputs and settings.
func TestOEDFSInvalid(t *testing.T) {
	ok := randomData(12, 9, 2, 0.2, 1)
	neg, _ := badData(ok)
	cases := []struct {
		name string
		m    OEDFS
		x    *mat.Dense
	}{
		{"negative", OEDFS{Rank: 2, Lambda: new(0.0), Gamma: new(0.0)}, neg},
		{"rank too large", OEDFS{Rank: 9, Lambda: new(0.0), Gamma: new(0.0)}, ok},
		{"negative lambda", OEDFS{Rank: 2, Lambda: new(-1.0), Gamma: new(0.0)}, ok},
		{"infinite gamma", OEDFS{Rank: 2, Gamma: new(math.Inf(1)), Lambda: new(0.0)}, ok},
		{"unknown weight", OEDFS{Rank: 2, Lambda: new(1.0), Weight: "gauss", Gamma: new(0.0)}, ok},
		{"too many neighbors", OEDFS{Rank: 2, Lambda: new(1.0), Neighbors: 12, Gamma: new(0.0)}, ok},
		{"unknown init", OEDFS{Rank: 2, Init: "svd", Lambda: new(0.0), Gamma: new(0.0)}, ok},
		{"graph of the wrong size", OEDFS{Rank: 2, Lambda: new(1.0), Graph: linalg.CSRFromDense(mat.NewDense(3, 3, nil)), Gamma: new(0.0)}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	est, err := New("oedfs", Config{Rank: 2, Params: nil})
	if err != nil {
		t.Fatal(err)
	}
	if m := resolved[OEDFS](t, est); *m.Lambda != 10 || *m.Gamma != 0.3 || m.Weight != "heat" || m.Neighbors != 5 {
		t.Errorf("registry defaults: got %+v", m)
	}
}

// TestOEDFSQuality pins floors a little below the means measured over
// seeds 0-4 (defaults, 200 iterations, tol 1e-4): normalized k-means on the
// embedding V, and on digits k-means on the 32 top-ranked pixels (all 64
// give 0.743, 32 random ones about 0.66). -short skips digits:
//
//	go test ./model -run TestOEDFSQuality -v
func TestOEDFSQuality(t *testing.T) {
	for _, c := range []struct {
		data            string
		floor, selFloor float64
		top             int
	}{{"iris", 0.79, 0, 0}, {"digits", 0.84, 0.72, 32}} {
		if testing.Short() && c.data == "digits" {
			continue
		}
		x, truth, k := testTable(t, c.data)
		s, err := sampleKNN(x, "heat", 5) // built once for the seeds
		if err != nil {
			t.Fatal(err)
		}
		var sel []metric.Scores
		sc := seedScores(t, func(seed uint64) Estimator {
			return &oedfsWithSelection{OEDFS{Rank: k, Lambda: new(10.0), Gamma: new(0.3), Graph: s, Seed: seed}, c.top, truth, &sel}
		}, x, truth, k, 5, true, solve.Settings{Tol: new(solve.DefaultTol)})
		if nmi := logScores(t, c.data+"/embedding", sc); nmi < c.floor {
			t.Errorf("%s: mean NMI %.4f below the floor %.2f", c.data, nmi, c.floor)
		}
		if c.top > 0 {
			if nmi := logScores(t, c.data+"/selected features", sel); nmi < c.selFloor {
				t.Errorf("%s: mean NMI %.4f on the top %d features below the floor %.2f", c.data, nmi, c.top, c.selFloor)
			}
		}
	}
}

// oedfsWithSelection fits OEDFS and also scores k-means on the top
// features of each fit, seeded like the fit.
type oedfsWithSelection struct {
	OEDFS
	top   int
	truth []int
	out   *[]metric.Scores
}

func (o *oedfsWithSelection) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	res, err := o.OEDFS.Fit(ctx, x, s)
	if err != nil || o.top == 0 {
		return res, err
	}
	sel, err := SelectFeatures(x, RankFeatures(res.Factor("W"))[:o.top])
	if err != nil {
		return nil, err
	}
	pred, _, err := cluster.KMeans{K: o.Rank, Seed: o.Seed}.Fit(sel)
	if err != nil {
		return nil, err
	}
	*o.out = append(*o.out, metric.Cluster(o.truth, pred))
	return res, nil
}
