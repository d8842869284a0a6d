package model

import (
	"context"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
	"github.com/deepnmf/deepnmf/solve"
)

// TestAsymNMFObjectiveNonIncreasing checks the monotonicity Wang et al.
// prove for the 1/4-power H rule and the W rule, on a directed and an
// undirected graph, from both starts, and the nonnegativity of the
// factors.
func TestAsymNMFObjectiveNonIncreasing(t *testing.T) {
	dir, _ := randomDigraph(90, 3, 0.15, 0.02, 1)
	und, _, _ := testGraph(t, "football")
	for name, a := range map[string]*linalg.CSR{"directed": dir, "football": und} {
		for _, init := range []string{"random", "svd"} {
			res, err := (&AsymNMF{Rank: 3, Init: initialize.Method(init), Seed: 2}).Fit(context.Background(), a, solve.Settings{MaxIter: 300, CheckEvery: 1, Tol: new(0.0)})
			if err != nil {
				t.Fatal(err)
			}
			what := name + "/" + init
			checkNonIncreasing(t, what, res, 1e-12)
			checkNonnegative(t, what, res)
			h := res.History
			if h[len(h)-1].Objective >= h[0].Objective {
				t.Errorf("%s: objective did not decrease: %g -> %g", what, h[0].Objective, h[len(h)-1].Objective)
			}
		}
	}
}

// TestAsymNMFLoss checks the Gram-matrix objective against ‖A − HWHᵀ‖²
// formed densely.
func TestAsymNMFLoss(t *testing.T) {
	a, _ := randomDigraph(40, 2, 0.3, 0.05, 3)
	h, w, err := triStart(a, 2, initialize.Random, nil, nil, initialize.NewRand(4))
	if err != nil {
		t.Fatal(err)
	}
	tf := trifactor.New(a, h, w)
	if err := tf.Step(); err != nil {
		t.Fatal(err)
	}
	var hw, r mat.Dense
	hw.Mul(h, w)
	r.Mul(&hw, h.T())
	r.Sub(a.ToDense(), &r)
	want := mat.Norm(&r, 2)
	want *= want
	if got := tf.Loss(); relErr(got, want) > 1e-10 {
		t.Errorf("loss %.15g, want %.15g", got, want)
	}
}

func relErr(got, want float64) float64 {
	d := got - want
	return max(d, -d) / max(want, -want, 1e-300)
}

func TestAsymNMFReproducible(t *testing.T) {
	a, _ := randomDigraph(200, 4, 0.08, 0.008, 5)
	for _, init := range []string{"random", "svd"} {
		fit := func(procs int, x linalg.Matrix) *Result {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r, err := (&AsymNMF{Rank: 4, Init: initialize.Method(init), Seed: 6}).Fit(context.Background(), x, solve.Settings{MaxIter: 30, Tol: new(0.0)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		sp := fit(1, a)
		checkSameFactors(t, init, sp, fit(4, a))
		if d := relDiff(sp.Embedding, fit(2, linalg.NewDense(a.ToDense())).Embedding); d > 1e-10 {
			t.Errorf("%s: dense and sparse adjacency differ by %g", init, d)
		}
	}
}

func TestAsymNMFInvalid(t *testing.T) {
	a, _ := randomDigraph(20, 2, 0.3, 0.05, 7)
	rect := linalg.NewDense(mat.NewDense(4, 3, nil))
	neg := linalg.NewDense(mat.NewDense(3, 3, []float64{0, -1, 0, 1, 0, 1, 0, 1, 0}))
	cases := []struct {
		name string
		m    AsymNMF
		x    linalg.Matrix
	}{
		{"not square", AsymNMF{Rank: 2}, rect},
		{"negative", AsymNMF{Rank: 1}, neg},
		{"rank too large", AsymNMF{Rank: 20}, a},
		{"rank zero", AsymNMF{Rank: 0}, a},
		{"unknown init", AsymNMF{Rank: 2, Init: "nndsvda"}, a},
		{"H0 without W0", AsymNMF{Rank: 2, H0: mat.NewDense(20, 2, nil)}, a},
		{"bad W0", AsymNMF{Rank: 2, H0: mat.NewDense(20, 2, nil), W0: mat.NewDense(2, 3, nil)}, a},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), tc.x, solve.Settings{MaxIter: 2, Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestAsymNMFQuality pins floors a little below the mean NMI, argmax of
// H, over seeds 0-9 for the random start and one run for the SVD start,
// which does not depend on the seed (500 iterations, tol 1e-4). On
// WebKB (skipped with -short or without the data) it runs 500 iterations
// without a tolerance, 5 seeds, as the numpy re-run of REFERENCES.md §12,
// and requires the mean to be within 0.03 below that re-run's:
//
//	go test ./model -run TestAsymNMFQuality -v
func TestAsymNMFQuality(t *testing.T) {
	for _, c := range []struct {
		name, init string
		seeds      int
		floor      float64
	}{
		// From random starts about half the runs on karate and polbooks
		// end in a worse local minimum (higher objective) whose W is
		// off-diagonal: a hub/periphery split, not the communities.
		{"karate", "random", 10, 0.20}, {"football", "random", 10, 0.64}, {"polbooks", "random", 10, 0.27},
		{"karate", "svd", 1, 0.80}, {"football", "svd", 1, 0.69}, {"polbooks", "svd", 1, 0.57},
	} {
		a, truth, k := testGraph(t, c.name)
		sc := seedScores(t, func(seed uint64) Estimator { return &AsymNMF{Rank: k, Init: initialize.Method(c.init), Seed: seed} },
			a, truth, k, c.seeds, false, solve.Settings{MaxIter: 500, Tol: new(solve.DefaultTol)})
		if nmi := logScores(t, c.name+"/"+c.init, sc); nmi < c.floor {
			t.Errorf("%s/%s: mean NMI %.4f below the floor %.2f", c.name, c.init, nmi, c.floor)
		}
	}
	if testing.Short() {
		return
	}
	// REFERENCES.md §12: mean NMI over 5 seeds of a numpy AsNMF, random
	// start, 500 iterations; and DAsNMF's Table 2 AsNMF (rnd) row.
	for _, c := range []struct {
		name           string
		numpy, printed float64
	}{
		{"cornell", 0.1447, 0.1452}, {"texas", 0.2185, 0.1457}, {"washington", 0.1125, 0.1373}, {"wisconsin", 0.0782, 0.0680},
	} {
		a, truth, k := testWebKB(t, c.name)
		sc := seedScores(t, func(seed uint64) Estimator { return &AsymNMF{Rank: k, Seed: seed} },
			a, truth, k, 5, false, solve.Settings{MaxIter: 500, Tol: new(0.0)})
		nmi := logScores(t, c.name+"/random", sc)
		t.Logf("%s: numpy re-run %.4f, published %.4f", c.name, c.numpy, c.printed)
		if nmi < c.numpy-0.03 {
			t.Errorf("%s: mean NMI %.4f more than 0.03 below the re-run's %.4f", c.name, nmi, c.numpy)
		}
		sc = seedScores(t, func(seed uint64) Estimator { return &AsymNMF{Rank: k, Init: "svd"} },
			a, truth, k, 1, false, solve.Settings{MaxIter: 500, Tol: new(0.0)})
		logScores(t, c.name+"/svd", sc)
	}
}
