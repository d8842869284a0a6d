package model

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// Helpers shared by the tests of the deep models.

// deepSharedDir is the shared data directory (../shared/data from the
// repository root).
var deepSharedDir = filepath.Join("..", "..", "shared", "data")

// deepGraph returns an embedded graph and its classes.
func deepGraph(t *testing.T, name string) (*linalg.CSR, []int) {
	t.Helper()
	g, lab, err := datasets.Graph(name)
	if err != nil {
		t.Fatal(err)
	}
	return g.Adj, lab.Values
}

// deepSharedGraph reads dir/edges and dir/labels from the shared data as
// an undirected 0-1 graph without self-loops, skipping the test when the
// shared data is absent.
func deepSharedGraph(t *testing.T, dir, edges, labels string) (*linalg.CSR, []int) {
	t.Helper()
	path := filepath.Join(deepSharedDir, dir, edges)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data absent: %v", err)
	}
	g, err := dataio.ReadEdgeList(path, dataio.EdgeOptions{Duplicates: "one"})
	if err != nil {
		t.Fatal(err)
	}
	lab, err := dataio.ReadNodeLabels(filepath.Join(deepSharedDir, dir, labels), g)
	if err != nil {
		t.Fatal(err)
	}
	return g.Adj, lab.Values
}

// deepTable returns an embedded table and its classes.
func deepTable(t *testing.T, name string) (linalg.Matrix, []int) {
	t.Helper()
	tab, lab, err := datasets.Table(name)
	if err != nil {
		t.Fatal(err)
	}
	return tab.X, lab.Values
}

// slowDeep skips the slow checks unless DEEPNMF_SLOW=1 and not -short.
func slowDeep(t *testing.T) {
	t.Helper()
	if testing.Short() || os.Getenv("DEEPNMF_SLOW") != "1" {
		t.Skip("slow: set DEEPNMF_SLOW=1 (and drop -short) to run")
	}
}

// deepCheckNonneg fails if a named factor has a negative or non-finite entry.
func deepCheckNonneg(t *testing.T, res *Result, names ...string) {
	t.Helper()
	for _, name := range names {
		f := res.Factor(Name(name))
		if f == nil {
			t.Fatalf("no factor %s", name)
		}
		if st := linalg.NewDense(f).Stats(); !st.Finite || st.Min < 0 {
			t.Errorf("factor %s: min %g, finite %v", name, st.Min, st.Finite)
		}
	}
}

// deepCheckMonotone fails if the history rises by more than a relative
// 1e-10 between consecutive points.
func deepCheckMonotone(t *testing.T, name string, h []solve.Point) {
	t.Helper()
	for i := 1; i < len(h); i++ {
		if h[i].Objective > h[i-1].Objective*(1+1e-10)+1e-12 {
			t.Errorf("%s: objective rose at iteration %d: %.15g -> %.15g", name, h[i].Iter, h[i-1].Objective, h[i].Objective)
			return
		}
	}
	if len(h) < 2 || h[len(h)-1].Objective >= h[0].Objective {
		t.Errorf("%s: objective did not decrease: %v", name, h)
	}
}

// deepWithProcs runs fn with GOMAXPROCS set to n.
func deepWithProcs(n int, fn func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	fn()
}

// deepMeanNMI fits newEst for seeds 0..seeds-1 and returns the mean and
// standard deviation of the NMI of the argmax (or k-means) assignments,
// logging the other scores.
func deepMeanNMI(t *testing.T, name string, newEst func(seed uint64) Estimator, x linalg.Matrix, truth []int, k, seeds int, kmeans bool, s solve.Settings) float64 {
	t.Helper()
	sc := seedScores(t, newEst, x, truth, k, seeds, kmeans, s)
	nmi, nsd := meanStd(sc, func(s metric.Scores) float64 { return s.NMI })
	acc, asd := meanStd(sc, func(s metric.Scores) float64 { return s.ACC })
	ari, rsd := meanStd(sc, func(s metric.Scores) float64 { return s.ARI })
	t.Logf("%s: %d seeds: NMI %.4f ± %.4f, ACC %.4f ± %.4f, ARI %.4f ± %.4f", name, seeds, nmi, nsd, acc, asd, ari, rsd)
	return nmi
}

// deepTwoBlocks returns a small random graph with two planted blocks.
func deepTwoBlocks(n int, pin, pout float64, seed uint64) *linalg.CSR {
	rng := initialize.NewRand(seed)
	var rows, cols []int
	var vals []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			p := pout
			if (i < n/2) == (j < n/2) {
				p = pin
			}
			if rng.Float64() < p {
				rows, cols, vals = append(rows, i, j), append(cols, j, i), append(vals, 1, 1)
			}
		}
	}
	a, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		panic(err)
	}
	return a
}

// deepRelDiff is ‖a − b‖_F / ‖a‖_F.
func deepRelDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / math.Max(mat.Norm(a, 2), 1e-300)
}

func fitDeep(t *testing.T, e Estimator, x linalg.Matrix, s solve.Settings) *Result {
	t.Helper()
	res, err := e.Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDeepInterrupted checks that a cancelled context stops every deep
// model at once, without an error, with the factors reached (here the
// starting ones) and the reason Interrupted.
func TestDeepInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, _ := deepGraph(t, "karate")
	x := linalg.NewDense(randomData(40, 12, 3, 0, 1))
	cases := []struct {
		name string
		e    Estimator
		x    linalg.Matrix
	}{
		{"danmf", &DANMF{Layers: []int{8, 2}, Lambda: new(1.0), PreIter: new(100), PreTol: new(0.0)}, a},
		{"dnmf", &DNMF{Layers: []int{6, 3}, PreIter: new(100), PreTol: new(0.0)}, x},
		{"deepseminmf", &DeepSemiNMF{Layers: []int{6, 3}, PreIter: new(100), Normalize: new(false), PreTol: new(0.0)}, x},
		{"danmf-crfr", &DANMFCRFR{Layers: []int{6, 3}, Lambda2: new(1.0), Neighbors: 3, T: 1, PreIter: new(100), Lambda1: new(0.0)}, x},
	}
	for _, tc := range cases {
		res, err := tc.e.Fit(ctx, tc.x, solve.Settings{MaxIter: 100, Tol: new(0.0)})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if res.Reason != solve.Interrupted || res.Iterations != 0 {
			t.Errorf("%s: reason %s after %d iterations, want interrupted at once", tc.name, res.Reason, res.Iterations)
		}
		for _, p := range res.Pretrain {
			if p.Reason != solve.Interrupted || p.Iterations != 0 {
				t.Errorf("%s: pre-training %s after %d iterations", tc.name, p.Reason, p.Iterations)
			}
		}
		if res.Embedding == nil || len(res.Factors) == 0 {
			t.Errorf("%s: no factors after interruption", tc.name)
		}
	}
}

// testRun returns a run for calling the parts of a model's fit directly:
// a session with the default settings and the generator of seed.
func testRun(t *testing.T, seed uint64) *run {
	t.Helper()
	se, err := solve.NewSession(context.Background(), solve.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return &run{Session: se, seed: seed, rng: initialize.NewRand(seed)}
}

// aeLayers pre-trains the layers of x as DANMF does (preIter iterations
// each, no tolerance) from the generator of seed.
func aeLayers(t *testing.T, x linalg.Matrix, layers []int, seed uint64, preIter int) []deep.Layer {
	t.Helper()
	r := testRun(t, seed)
	ls, err := r.pretrainLayers(x, layers, func(_ int, z linalg.Matrix, size int) (layerFit, error) {
		return aeLayer(z, size, r, danmfEps, preIter, 0), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// resolved returns a copy of the configuration e (a *T) with its defaults
// filled in, as Fit sees it.
func resolved[T any](t *testing.T, e Estimator) *T {
	t.Helper()
	c := *any(e).(*T)
	if err := resolve(&c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// deepModels returns one small configuration of every layered model and
// its input, with pre_iter set to pre.
func deepModels(t *testing.T, pre int) []struct {
	name string
	e    Estimator
	x    linalg.Matrix
} {
	a, _ := deepGraph(t, "karate")
	x := linalg.NewDense(randomData(40, 12, 3, 0, 1))
	return []struct {
		name string
		e    Estimator
		x    linalg.Matrix
	}{
		{"danmf", &DANMF{Layers: []int{8, 2}, PreIter: new(pre)}, a},
		{"dnmf", &DNMF{Layers: []int{6, 3}, PreIter: new(pre)}, x},
		{"deepseminmf", &DeepSemiNMF{Layers: []int{6, 3}, PreIter: new(pre)}, x},
		{"danmf-crfr", &DANMFCRFR{Layers: []int{6, 3}, Neighbors: 3, PreIter: new(pre)}, x},
		{"dsymnmf", &DSymNMF{Layers: []int{8, 2}, PreIter: new(pre)}, a},
		{"dasnmf", &DAsNMF{Layers: []int{8, 2}, PreIter: new(pre)}, a},
		{"masnmf", &MAsNMF{Layers: []int{8, 2}}, a},
	}
}

// TestDeepNoPretraining checks that pre_iter 0 means the same in every
// deep model: each layer keeps its start, with a report of no iterations.
func TestDeepNoPretraining(t *testing.T) {
	for _, tc := range deepModels(t, 0) {
		if tc.name == "masnmf" {
			continue // its layers are the model: no separate pre-training
		}
		res, err := tc.e.Fit(context.Background(), tc.x, solve.Settings{MaxIter: 5})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(res.Pretrain) != 2 {
			t.Errorf("%s: %d pre-training reports, want 2", tc.name, len(res.Pretrain))
		}
		for i, p := range res.Pretrain {
			if p.Iterations != 0 {
				t.Errorf("%s: layer %d pre-trained %d iterations with pre_iter 0", tc.name, i+1, p.Iterations)
			}
		}
	}
}

// TestDeepPretrainingUnderSettings checks that pre-training is a phase of
// the caller's run: the progress callback sees every layer's pre-training
// labelled, and a time limit spent in pre-training stops the later phases
// before their first step.
func TestDeepPretrainingUnderSettings(t *testing.T) {
	for _, tc := range deepModels(t, 50) {
		phases := map[string]bool{}
		s := solve.Settings{MaxIter: 5, Progress: func(p solve.Point) { phases[p.Phase] = true }}
		if _, err := tc.e.Fit(context.Background(), tc.x, s); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !phases["pre-training layer 1"] || !phases["pre-training layer 2"] {
			t.Errorf("%s: progress saw the phases %v", tc.name, phases)
		}
		res, err := tc.e.Fit(context.Background(), tc.x, solve.Settings{TimeLimit: time.Nanosecond})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Reason != solve.TimeLimit || res.Iterations != 0 {
			t.Errorf("%s: %s after %d iterations, want the time limit before any", tc.name, res.Reason, res.Iterations)
		}
		for i, p := range res.Pretrain {
			if p.Reason != solve.TimeLimit || p.Iterations != 0 {
				t.Errorf("%s: pre-training layer %d: %s after %d iterations", tc.name, i+1, p.Reason, p.Iterations)
			}
		}
	}
}
