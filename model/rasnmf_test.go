package model

import (
	"context"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestRAsNMFSimilarity checks the implicit products with S against S
// formed densely as the reference acosine_similarity.m does.
func TestRAsNMFSimilarity(t *testing.T) {
	a, _ := randomDigraph(30, 2, 0.3, 0.05, 1)
	ad := a.ToDense()
	n, _ := ad.Dims()
	var aat mat.Dense
	aat.Mul(ad, ad.T())
	const alpha = 0.3
	s := mat.NewDense(n, n, nil)
	for u := 0; u < n; u++ {
		du := mat.Sum(ad.RowView(u))
		for v := 0; v < n; v++ {
			dv := mat.Sum(ad.RowView(v))
			if du > 0 && dv > 0 {
				s.Set(u, v, aat.At(u, v)/(math.Pow(du, alpha)*math.Pow(dv, 1-alpha)))
			}
		}
	}
	h, w, err := triStart(a, 2, initialize.Random, nil, nil, initialize.NewRand(2))
	if err != nil {
		t.Fatal(err)
	}
	r := newRASRun(a, h, w, 1, alpha, false)
	r.refresh()
	var sh, sth mat.Dense
	sh.Mul(s, h)
	sth.Mul(s.T(), h)
	if d := relDiff(r.sh, &sh); d > 1e-12 {
		t.Errorf("S·H off by %g", d)
	}
	if d := relDiff(r.sth, &sth); d > 1e-12 {
		t.Errorf("Sᵀ·H off by %g", d)
	}
	for u := 0; u < n; u++ {
		if want := mat.Sum(s.RowView(u)); math.Abs(r.ds[u]-want) > 1e-12*max(1, want) {
			t.Fatalf("D_%d = %g, want %g", u, r.ds[u], want)
		}
	}
}

// TestRAsNMFObjective checks the documented behaviour of both rules: W
// is the least-squares W for the current H, H stays nonnegative, and the
// objective decreases at every iteration on a directed and an undirected
// graph (observed, not proven: neither 1/8-power rule comes with a
// monotonicity proof).
func TestRAsNMFObjective(t *testing.T) {
	dir, _ := randomDigraph(90, 3, 0.15, 0.02, 3)
	und, _, _ := testGraph(t, "polbooks")
	for name, a := range map[string]*linalg.CSR{"directed": dir, "polbooks": und} {
		for _, rule := range []string{"reference", "gradient"} {
			for _, lambda := range []float64{0, 400} {
				m := &RAsNMF{Rank: 3, Lambda: new(lambda), Alpha: new(0.49), Rule: Rule(rule)}
				res, err := m.Fit(context.Background(), a, solve.Settings{MaxIter: 100, CheckEvery: 1, Tol: new(0.0)})
				if err != nil {
					t.Fatal(err)
				}
				what := name + "/" + rule
				checkNonIncreasing(t, what, res, 1e-10)
				checkNonnegative(t, what, res, "W")
			}
		}
	}
	// The last W is G⁺HᵀAHG⁺ for the H it was solved from: check the normal
	// equations G W G = HᵀAH after one step from a known H.
	h, w, _ := triStart(dir, 3, initialize.SVD, nil, nil, initialize.NewRand(0))
	r := newRASRun(dir, h, w, 0, 0.49, false)
	r.refresh()
	hah, g := mat.DenseCopyOf(r.hah), mat.DenseCopyOf(r.g)
	if err := r.Step(); err != nil {
		t.Fatal(err)
	}
	var gw, gwg mat.Dense
	gw.Mul(g, r.w)
	gwg.Mul(&gw, g)
	if d := relDiff(&gwg, hah); d > 1e-8 {
		t.Errorf("closed-form W: ‖GWG − HᵀAH‖/‖HᵀAH‖ = %g", d)
	}
}

func TestRAsNMFReproducible(t *testing.T) {
	a, _ := randomDigraph(200, 4, 0.08, 0.008, 5)
	for _, init := range []string{"svd", "random"} {
		fit := func(procs int, x linalg.Matrix) *Result {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r, err := (&RAsNMF{Rank: 4, Lambda: new(400.0), Alpha: new(0.49), Init: initialize.Method(init), Seed: 6}).Fit(context.Background(), x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		sp := fit(1, a)
		checkSameFactors(t, init, sp, fit(4, a))
		if d := relDiff(sp.Embedding, fit(2, linalg.NewDense(a.ToDense())).Embedding); d > 1e-9 {
			t.Errorf("%s: dense and sparse adjacency differ by %g", init, d)
		}
	}
}

func TestRAsNMFInvalid(t *testing.T) {
	a, _ := randomDigraph(20, 2, 0.3, 0.05, 7)
	rect := linalg.NewDense(mat.NewDense(4, 3, nil))
	cases := []struct {
		name string
		m    RAsNMF
		x    linalg.Matrix
	}{
		{"not square", RAsNMF{Rank: 2, Lambda: new(0.0), Alpha: new(0.0)}, rect},
		{"rank too large", RAsNMF{Rank: 20, Lambda: new(0.0), Alpha: new(0.0)}, a},
		{"negative lambda", RAsNMF{Rank: 2, Lambda: new(-1.0), Alpha: new(0.0)}, a},
		{"alpha above 1", RAsNMF{Rank: 2, Alpha: new(1.5), Lambda: new(0.0)}, a},
		{"alpha NaN", RAsNMF{Rank: 2, Alpha: new(math.NaN()), Lambda: new(0.0)}, a},
		{"unknown rule", RAsNMF{Rank: 2, Rule: "newton", Lambda: new(0.0), Alpha: new(0.0)}, a},
		{"unknown init", RAsNMF{Rank: 2, Init: "nndsvd", Lambda: new(0.0), Alpha: new(0.0)}, a},
		{"bad H0", RAsNMF{Rank: 2, H0: mat.NewDense(20, 3, nil), Lambda: new(0.0), Alpha: new(0.0)}, a},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), tc.x, solve.Settings{MaxIter: 2, Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := New("rasnmf", Config{Rank: 2, Params: []string{"rule=newton"}}); err == nil {
		t.Error("rule=newton: no error from New")
	}
}

// TestRAsNMFQuality pins floors a little below the NMI on the small graphs
// (defaults: SVD start, which does not depend on the seed, λ = 400,
// α = 0.49, 200 iterations, tol 1e-4; argmax of the column-normalized H),
// and checks that the reference rule with the reference code's settings
// (the same, but 50 iterations and no tolerance) reproduces the RAsNMF
// NMI printed in DAsNMF's Table 2 on WebKB:
//
//	go test ./model -run TestRAsNMFQuality -v
func TestRAsNMFQuality(t *testing.T) {
	for _, c := range []struct {
		name, rule, init string
		seeds            int
		floor            float64
	}{
		{"karate", "reference", "svd", 1, 0.80}, {"football", "reference", "svd", 1, 0.74}, {"polbooks", "reference", "svd", 1, 0.45},
		{"karate", "gradient", "svd", 1, 0.80}, {"football", "gradient", "svd", 1, 0.79}, {"polbooks", "gradient", "svd", 1, 0.54},
		// Random starts do worse under the strong regularizer (λ = 400).
		{"karate", "reference", "random", 5, 0.45}, {"football", "reference", "random", 5, 0.39}, {"polbooks", "reference", "random", 5, 0.22},
	} {
		a, truth, k := testGraph(t, c.name)
		sc := seedScores(t, func(seed uint64) Estimator {
			return &RAsNMF{Rank: k, Lambda: new(400.0), Alpha: new(0.49), Rule: Rule(c.rule), Init: initialize.Method(c.init), Seed: seed}
		}, a, truth, k, c.seeds, false, solve.Settings{Tol: new(solve.DefaultTol)})
		if nmi := logScores(t, c.name+"/"+c.rule+"/"+c.init, sc); nmi < c.floor {
			t.Errorf("%s/%s/%s: NMI %.4f below the floor %.2f", c.name, c.rule, c.init, nmi, c.floor)
		}
	}
	for _, c := range []struct {
		name      string
		published float64
	}{{"cornell", 0.1350}, {"texas", 0.3050}, {"washington", 0.2190}, {"wisconsin", 0.0730}} {
		a, truth, k := testWebKB(t, c.name)
		for _, rule := range []string{"reference", "gradient"} {
			sc := seedScores(t, func(uint64) Estimator {
				return &RAsNMF{Rank: k, Lambda: new(400.0), Alpha: new(0.49), Rule: Rule(rule)}
			},
				a, truth, k, 1, false, solve.Settings{MaxIter: 50, Tol: new(0.0)})
			nmi := logScores(t, c.name+"/"+rule, sc)
			if rule == "reference" && math.Abs(nmi-c.published) > 0.005 {
				t.Errorf("%s: NMI %.4f, published %.4f", c.name, nmi, c.published)
			}
		}
	}
}
