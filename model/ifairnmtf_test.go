package model

import (
	"context"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// fairSBM returns the conditioned stochastic block model of the iFairNMTF
// reference code (gen_kleindessner): n nodes in k planted clusters of
// equal size, each split equally into h groups, and an undirected edge
// with probability p (same cluster, same group), q (other cluster, same
// group), r (same cluster, other group) or s (neither), p ≥ q ≥ r ≥ s.
// With q > r the groups are the stronger structure, so a clustering
// blind to fairness finds them; the planted clusters are balanced.
func fairSBM(n, k, h int, p, q, r, s float64, seed uint64) (a *linalg.CSR, clusters, groups []int) {
	rng := initialize.NewRand(seed)
	clusters, groups = make([]int, n), make([]int, n)
	for i := range n {
		clusters[i] = i * k / n
		groups[i] = (i % (n / k)) * h / (n / k)
	}
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		for v := u + 1; v < n; v++ {
			sc, sg := clusters[u] == clusters[v], groups[u] == groups[v]
			prob := s
			switch {
			case sc && sg:
				prob = p
			case sg:
				prob = q
			case sc:
				prob = r
			}
			if rng.Float64() < prob {
				rows, cols, vals = append(rows, u, v), append(cols, v, u), append(vals, 1, 1)
			}
		}
	}
	a, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		panic(err)
	}
	return a, clusters, groups
}

// randomGroups returns a seeded random binary attribute for n nodes.
func randomGroups(n int, seed uint64) []int {
	rng := initialize.NewRand(seed)
	g := make([]int, n)
	for i := range g {
		g[i] = rng.IntN(2)
	}
	return g
}

// TestFairGraph checks the factored products with R_S, R_D and L against
// the dense matrices of the reference code (compute_RS, compute_RD and
// joint_Laplacian), with unequal groups and a group of one node.
func TestFairGraph(t *testing.T) {
	groups := []int{5, 5, 7, 9, 7, 5, 7, 7, 5, 5, 11}
	n, k := len(groups), 3
	rs, rd := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
	for i := range n {
		var same, other float64
		for j := range n {
			if groups[j] != groups[i] {
				other++
			} else if j != i {
				same++
			}
		}
		for j := range n {
			switch {
			case groups[j] != groups[i]:
				rd.Set(i, j, 1/other)
			case j != i:
				rs.Set(i, j, 1/same)
			}
		}
	}
	l := mat.NewDense(n, n, nil)
	l.Sub(rs, rd)
	for i := range n {
		l.Set(i, i, -mat.Sum(l.RowView(i))) // diag(rowsum(R_D − R_S))
	}
	f, err := newFairGraph(groups, n)
	if err != nil {
		t.Fatal(err)
	}
	h := initialize.Uniform(n, k, 1, initialize.NewRand(1))
	sym := func(r *mat.Dense) *mat.Dense {
		var s, out mat.Dense
		s.Add(r, r.T())
		out.Mul(&s, h)
		return &out
	}
	got := mat.NewDense(n, k, nil)
	f.symS(got, h)
	if d := relDiff(got, sym(rs)); d > 1e-13 {
		t.Errorf("(R_S + R_Sᵀ)H off by %g", d)
	}
	f.symD(got, h)
	if d := relDiff(got, sym(rd)); d > 1e-13 {
		t.Errorf("(R_D + R_Dᵀ)H off by %g", d)
	}
	var lh mat.Dense
	lh.Mul(l, h)
	if got, want := f.trace(h), linalg.Dot(h, &lh); math.Abs(got-want) > 1e-12*max(1, math.Abs(want)) {
		t.Errorf("Tr(HᵀLH) = %g, want %g", got, want)
	}
	// The regularizer's terms: den − num = λ·½(L + Lᵀ)H, its half-gradient.
	run := &fairRun{fair: f, lambda: 2}
	num, den := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	run.regularize(num, den, h)
	var diff, sum, want mat.Dense
	diff.Sub(den, num)
	sum.Add(l, l.T())
	want.Mul(&sum, h) // 2·½(L + Lᵀ)H
	if d := relDiff(&diff, &want); d > 1e-13 {
		t.Errorf("regularizer gradient off by %g", d)
	}
	if mat.Min(num) < 0 || mat.Min(den) < 0 {
		t.Error("regularizer terms are not nonnegative")
	}
}

// TestIFairNMTFObjective checks the documented behaviour: without the
// regularizer the updates are AsymNMF's and the objective does not rise;
// with it H's columns are rescaled to unit norm each iteration (which
// leaves HWHᵀ alone but moves Tr(HᵀLH)), so the objective may rise at
// some iterations but stays finite and ends well below where it started.
func TestIFairNMTFObjective(t *testing.T) {
	a, _, groups := fairSBM(120, 2, 2, 0.3, 0.2, 0.15, 0.05, 1)
	for _, lambda := range []float64{0, 100, 1000} {
		res, err := (&IFairNMTF{Rank: 2, Lambda: new(lambda), Groups: groups, Seed: 1}).Fit(context.Background(), a, solve.Settings{MaxIter: 200, CheckEvery: 1, Tol: new(0.0)})
		if err != nil {
			t.Fatal(err)
		}
		checkNonnegative(t, "ifairnmtf", res)
		h := res.History
		if lambda == 0 {
			checkNonIncreasing(t, "λ = 0", res, 1e-12)
		} else {
			for j := 0; j < 2; j++ {
				if v := mat.Norm(res.Factor("H").ColView(j), 2); math.Abs(v-1) > 1e-12 {
					t.Errorf("λ = %g: column %d of H has norm %g", lambda, j, v)
				}
			}
		}
		if last := h[len(h)-1].Objective; last > 0.95*h[0].Objective {
			t.Errorf("λ = %g: objective %g -> %g", lambda, h[0].Objective, last)
		}
	}
}

func TestIFairNMTFReproducible(t *testing.T) {
	a, _, groups := fairSBM(200, 2, 2, 0.2, 0.1, 0.08, 0.02, 2)
	for _, init := range []string{"random", "svd"} {
		fit := func(procs int, x linalg.Matrix) *Result {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r, err := (&IFairNMTF{Rank: 2, Lambda: new(100.0), Groups: groups, Init: initialize.Method(init), Seed: 3}).Fit(context.Background(), x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
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

func TestIFairNMTFInvalid(t *testing.T) {
	a, _, groups := fairSBM(20, 2, 2, 0.5, 0.3, 0.2, 0.1, 3)
	cases := []struct {
		name string
		m    IFairNMTF
	}{
		{"no groups", IFairNMTF{Rank: 2, Lambda: new(1.0)}},
		{"short groups", IFairNMTF{Rank: 2, Lambda: new(1.0), Groups: groups[:10]}},
		{"one group", IFairNMTF{Rank: 2, Lambda: new(1.0), Groups: make([]int, 20)}},
		{"negative lambda", IFairNMTF{Rank: 2, Lambda: new(-1.0), Groups: groups}},
		{"rank too large", IFairNMTF{Rank: 20, Groups: groups, Lambda: new(0.0)}},
		{"unknown init", IFairNMTF{Rank: 2, Init: "nndsvd", Lambda: new(0.0)}},
		{"bad W0", IFairNMTF{Rank: 2, H0: mat.NewDense(20, 2, nil), W0: mat.NewDense(3, 3, nil), Lambda: new(0.0)}},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), a, solve.Settings{MaxIter: 2, Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := (&IFairNMTF{Rank: 1, Lambda: new(0.0)}).Fit(context.Background(), linalg.NewDense(mat.NewDense(3, 2, nil)), solve.Settings{Tol: new(0.0)}); err == nil {
		t.Error("non-square input: no error")
	}
}

// TestIFairNMTFQuality measures, over seeds 0-4 (argmax of H, 500
// iterations, tol 1e-4), on the conditioned SBM of the reference code
// (n = 200, 2 clusters × 2 groups, p, q, r, s = 0.3, 0.2, 0.15, 0.05),
// that λ = 0 finds the groups (balance 0) and λ = 1000 the planted
// balanced clusters; and on karate, football and polbooks with a random
// binary attribute, the NMI against the communities and the balance for
// λ = 0 and the default λ = 100, with floors a little below the means.
// Run go test ./model -run TestIFairNMTFQuality -v to see the numbers.
func TestIFairNMTFQuality(t *testing.T) {
	s := solve.Settings{MaxIter: 500, Tol: new(solve.DefaultTol)}
	const seeds = 5
	fit := func(a linalg.Matrix, truth, groups []int, k int, lambda float64) (nmi, bal float64) {
		var sc []metric.Scores
		var bals []float64
		for seed := range uint64(seeds) {
			res, err := (&IFairNMTF{Rank: k, Lambda: new(lambda), Groups: groups, Seed: seed}).Fit(context.Background(), a, s)
			if err != nil {
				t.Fatal(err)
			}
			pred := cluster.Argmax(res.Embedding)
			sc = append(sc, metric.Cluster(truth, pred))
			_, b := metric.GroupBalance(pred, groups)
			bals = append(bals, b)
			bal += b / seeds
		}
		var balSD float64
		for _, b := range bals {
			balSD += (b - bal) * (b - bal) / seeds
		}
		nmi, nmiSD := meanStd(sc, func(s metric.Scores) float64 { return s.NMI })
		acc, accSD := meanStd(sc, func(s metric.Scores) float64 { return s.ACC })
		ari, ariSD := meanStd(sc, func(s metric.Scores) float64 { return s.ARI })
		t.Logf("  λ = %g: NMI %.4f ± %.4f, ACC %.4f ± %.4f, ARI %.4f ± %.4f, balance %.4f ± %.4f",
			lambda, nmi, nmiSD, acc, accSD, ari, ariSD, bal, math.Sqrt(balSD))
		return nmi, bal
	}
	if !testing.Short() { // the SBM part takes most of the time
		a, clusters, groups := fairSBM(200, 2, 2, 0.3, 0.2, 0.15, 0.05, 1)
		t.Log("conditioned SBM, scores against the planted clusters:")
		if nmi, bal := fit(a, clusters, groups, 2, 0); nmi > 0.05 || bal > 0.05 {
			t.Errorf("λ = 0: NMI %.3f, balance %.3f; want the groups found", nmi, bal)
		}
		if nmi, bal := fit(a, clusters, groups, 2, 1000); nmi < 0.65 || bal < 0.88 {
			t.Errorf("λ = 1000: NMI %.3f, balance %.3f; want the planted clusters", nmi, bal)
		}
	}
	for _, c := range []struct {
		name                string
		floorNMI0, floorNMI float64
	}{{"karate", 0.80, 0.80}, {"football", 0.88, 0.75}, {"polbooks", 0.50, 0.49}} {
		a, truth, k := testGraph(t, c.name)
		n, _ := a.Dims()
		groups := randomGroups(n, 99)
		t.Logf("%s, random binary attribute:", c.name)
		nmi0, _ := fit(a, truth, groups, k, 0)
		nmi, _ := fit(a, truth, groups, k, 100)
		if nmi0 < c.floorNMI0 || nmi < c.floorNMI {
			t.Errorf("%s: NMI %.4f (λ = 0) and %.4f (λ = 100) below the floors", c.name, nmi0, nmi)
		}
	}
}
