package model

import (
	"context"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

var onmfVariants = []struct {
	name string
	m    ONMF
}{
	{"orth=h", ONMF{Orth: "h"}},
	{"orth=w", ONMF{Orth: "w"}},
	{"orth=both", ONMF{Orth: "both", Tri: new(true)}},
	{"orth=h tri", ONMF{Orth: "h", Tri: new(true)}},
}

// TestONMFDecreasesAndStaysNonnegative checks the documented behaviour of
// the orthogonal rules, which minimize a Lagrangian rather than the plain
// objective and so guarantee no monotone decrease: from every start the
// objective falls, to within 25% of what unconstrained NMF reaches on the
// same data (planted rank-4 data: the constraints cost little), and every
// factor stays nonnegative.
func TestONMFDecreasesAndStaysNonnegative(t *testing.T) {
	x := linalg.NewDense(randomData(60, 30, 4, 0.2, 1))
	s := solve.Settings{MaxIter: 300, CheckEvery: 1, Tol: new(0.0)}
	nmf, err := (&NMF{Rank: 4, Solver: SolverMU}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	half := x.Stats().SquaredNorm / 2
	for _, v := range onmfVariants {
		for _, init := range []string{"kmeans", "random", "nndsvda"} {
			m := v.m
			m.Rank, m.Init, m.Seed = 4, initialize.Method(init), 3
			res, err := m.Fit(context.Background(), x, s)
			if err != nil {
				t.Fatalf("%s/%s: %v", v.name, init, err)
			}
			checkNonnegative(t, v.name+"/"+init, res)
			h := res.History
			first, last := h[0].Objective, h[len(h)-1].Objective
			t.Logf("%s/%s: objective/½‖X‖² %.4f -> %.4f (nmf %.4f)", v.name, init, first/half, last/half, nmf.Objective/half)
			if last >= first || last > 1.25*nmf.Objective {
				t.Errorf("%s/%s: objective %g -> %g (nmf %g)", v.name, init, first, last, nmf.Objective)
			}
			if res.HasFactor(S) != (m.Tri != nil && *m.Tri) {
				t.Errorf("%s: factor S present = %v", v.name, res.HasFactor(S))
			}
		}
	}
}

// TestONMFOrthogonalDigits checks that the orthogonal factor becomes
// nearly orthogonal on digits, far more than plain NMF's, and that this
// makes the argmax read-out of H a clustering: from the same nndsvda start,
// the root mean square cosine between the columns of H falls to 0.069
// (NMF's W: 0.42), and argmax NMI is 0.643 (NMF: 0.453).
func TestONMFOrthogonalDigits(t *testing.T) {
	if testing.Short() {
		t.Skip("digits in -short mode")
	}
	x, truth, k := dmDigits(t)
	s := solve.Settings{Tol: new(solve.DefaultTol)}
	on, err := (&ONMF{Rank: k, Init: "nndsvda"}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	nm, err := (&NMF{Rank: k, Solver: SolverMU}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	cosON, cosNMF := dmCosOffdiag(on.Factor("H")), dmCosOffdiag(nm.Factor("W"))
	nmiON := metric.Cluster(truth, cluster.Argmax(on.Embedding)).NMI
	nmiNMF := metric.Cluster(truth, cluster.Argmax(nm.Embedding)).NMI
	t.Logf("digits, nndsvda: column cosine of H %.4f (nmf W %.4f); argmax NMI %.4f (nmf %.4f)", cosON, cosNMF, nmiON, nmiNMF)
	if cosON > 0.1 || cosON > cosNMF/3 {
		t.Errorf("H is not nearly orthogonal: column cosine %.4f (nmf %.4f)", cosON, cosNMF)
	}
	dmFloor(t, "onmf nndsvda argmax", nmiON, 0.62)
}

// TestONMFOrthogonalW checks that orth=w makes the rows of W nearly
// orthogonal, far more than NMF's H, on iris and on planted data, and that
// orth=both does on planted data (on iris, whose 4 features are split
// among 3 rows, the slower tri-factorization stops at a row cosine of 0.54
// against NMF's 0.76).
func TestONMFOrthogonalW(t *testing.T) {
	iris, _, _ := dmIris(t)
	planted := linalg.NewDense(randomData(120, 40, 4, 0.3, 2))
	for _, tc := range []struct {
		name  string
		x     linalg.Matrix
		k     int
		orths []string
	}{{"iris", iris, 3, []string{"w"}}, {"planted", planted, 4, []string{"w", "both"}}} {
		nm, err := (&NMF{Rank: tc.k, Solver: SolverMU}).Fit(context.Background(), tc.x, solve.Settings{Tol: new(solve.DefaultTol)})
		if err != nil {
			t.Fatal(err)
		}
		base := dmCosOffdiag(nm.Factor("H").T())
		for _, orth := range tc.orths {
			res, err := (&ONMF{Rank: tc.k, Orth: Orth(orth), Tri: new(orth == "both")}).Fit(context.Background(), tc.x, solve.Settings{Tol: new(solve.DefaultTol)})
			if err != nil {
				t.Fatal(err)
			}
			c := dmCosOffdiag(res.Factor("W").T())
			t.Logf("%s orth=%s: row cosine of W %.4f (nmf H %.4f)", tc.name, orth, c, base)
			if c > base/2 {
				t.Errorf("%s orth=%s: rows of W not nearly orthogonal: cosine %.4f, nmf %.4f", tc.name, orth, c, base)
			}
		}
	}
}

// TestONMFSparseMatchesDense checks that a CSR input gives the iterates of
// the same matrix stored densely (from nndsvda: the k-means start
// clusters a sparse input through its SVD scores instead).
func TestONMFSparseMatchesDense(t *testing.T) {
	xd := randomData(50, 35, 4, 0.5, 2)
	for _, v := range onmfVariants {
		m := v.m
		m.Rank, m.Init = 4, "nndsvda"
		s := solve.Settings{MaxIter: 30, Tol: new(0.0)}
		a, err := m.Fit(context.Background(), linalg.NewDense(xd), s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Fit(context.Background(), linalg.CSRFromDense(xd), s)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range a.Factors {
			if d := relDiff(f.M, b.Factors[i].M); d > 1e-9 {
				t.Errorf("%s: factor %s differs between dense and sparse by %g", v.name, f.Name, d)
			}
		}
		m.Init = "kmeans"
		if _, err := m.Fit(context.Background(), linalg.CSRFromDense(xd), s); err != nil {
			t.Errorf("%s: sparse k-means start: %v", v.name, err)
		}
	}
}

// TestONMFReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestONMFReproducible(t *testing.T) {
	x := linalg.NewDense(randomData(300, 60, 5, 0.4, 4))
	for _, v := range onmfVariants {
		for _, init := range []string{"kmeans", "random"} {
			fit := func(procs int) *Result {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				m := v.m
				m.Rank, m.Init, m.Seed = 5, initialize.Method(init), 9
				r, err := m.Fit(context.Background(), x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			checkSameFactors(t, v.name+"/"+init, fit(1), fit(4))
		}
	}
}

func TestONMFInvalid(t *testing.T) {
	ok := randomData(10, 8, 2, 0.2, 1)
	neg, nan := badData(ok)
	cases := []struct {
		name string
		m    ONMF
		x    *mat.Dense
	}{
		{"negative", ONMF{Rank: 2}, neg},
		{"nan", ONMF{Rank: 2}, nan},
		{"rank zero", ONMF{Rank: 0}, ok},
		{"rank too large", ONMF{Rank: 8}, ok},
		{"unknown orth", ONMF{Rank: 2, Orth: "g"}, ok},
		{"both without tri", ONMF{Rank: 2, Orth: "both", Tri: new(false)}, ok},
		{"unknown init", ONMF{Rank: 2, Init: "svd"}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{Tol: new(0.0)}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, kv := range [][]string{{"orth=g"}, {"tri=maybe"}, {"orth=both", "tri=false", "rule=x"}} {
		if _, err := New("onmf", Config{Rank: 2, Params: kv}); err == nil {
			t.Errorf("params %v accepted", kv)
		}
	}
	e, err := New("onmf", Config{Rank: 2, Params: []string{"orth=both"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Fit(context.Background(), linalg.NewDense(randomData(20, 10, 2, 0, 1)), solve.Settings{MaxIter: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !res.HasFactor(S) {
		t.Errorf("orth=both does not select the tri-factorization")
	}
}

// TestONMFQuality pins the clustering quality (mean NMI over seeds 0-4,
// default settings and start) a little below the measured means given in
// docs/models/onmf.md.
func TestONMFQuality(t *testing.T) {
	for _, v := range []struct {
		name  string
		m     ONMF
		cases []dmQualityCase
	}{
		{"onmf", ONMF{}, []dmQualityCase{
			{name: "iris", data: dmIris, argmaxMin: 0.74, kmeansMin: 0.74},
			{name: "digits", data: dmDigits, argmaxMin: 0.69, kmeansMin: 0.70, long: true},
		}},
		{"onmf orth=both", ONMF{Orth: "both", Tri: new(true)}, []dmQualityCase{
			{name: "iris", data: dmIris, argmaxMin: 0.74, kmeansMin: 0.74},
		}},
	} {
		dmQuality(t, v.name, func(k int, seed uint64) Estimator {
			m := v.m
			m.Rank, m.Seed = k, seed
			return &m
		}, v.cases)
	}
}
