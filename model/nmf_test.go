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

// randomData returns a nonnegative n x d matrix with a planted rank-k
// structure plus noise, and about the given fraction of exact zeros.
func randomData(n, d, k int, zeros float64, seed uint64) *mat.Dense {
	rng := initialize.NewRand(seed)
	w := initialize.RandomDense(n, k, 1, rng)
	h := initialize.RandomDense(k, d, 1, rng)
	x := mat.NewDense(n, d, nil)
	x.Mul(w, h)
	x.Apply(func(_, _ int, v float64) float64 {
		if rng.Float64() < zeros {
			return 0
		}
		return v + 0.1*rng.Float64()
	}, x)
	return x
}

var losses = []struct {
	name string
	nmf  NMF
	pos  bool // needs strictly positive data
}{
	{"frobenius", NMF{Solver: SolverMU}, false},
	{"kl", NMF{Loss: "kl", Solver: SolverMU}, false},
	{"is", NMF{Loss: "is", Solver: SolverMU}, true},
	{"beta0.5", NMF{Loss: "beta", Beta: new(0.5), Solver: SolverMU}, false},
	{"beta1.5", NMF{Loss: "beta", Beta: new(1.5), Solver: SolverMU}, false},
	{"beta3", NMF{Loss: "beta", Beta: new(3.0), Solver: SolverMU}, false},
	{"frobenius-l1l2", NMF{AlphaW: 0.01, AlphaH: new(0.01), L1Ratio: 0.5, Solver: SolverMU}, false},
	{"kl-l2", NMF{Loss: "kl", AlphaW: 0.01, AlphaH: new(0.01), Solver: SolverMU}, false},
}

// TestMUObjectiveNonIncreasing checks the majorization-minimization
// property of the multiplicative updates on dense and sparse inputs.
func TestMUObjectiveNonIncreasing(t *testing.T) {
	for _, tc := range losses {
		for _, sparse := range []bool{false, true} {
			zeros := 0.3
			if tc.pos {
				zeros, sparse = 0, false
			}
			xd := randomData(40, 30, 4, zeros, 1)
			var x linalg.Matrix = linalg.NewDense(xd)
			if sparse {
				x = linalg.CSRFromDense(xd)
			}
			m := tc.nmf
			m.Rank, m.Init, m.Seed = 4, "random", 3
			res, err := m.Fit(context.Background(), x, solve.Settings{MaxIter: 300, CheckEvery: 1, Tol: new(0.0)})
			if err != nil {
				t.Fatalf("%s sparse=%v: %v", tc.name, sparse, err)
			}
			h := res.History
			for i := 1; i < len(h); i++ {
				if h[i].Objective > h[i-1].Objective*(1+1e-12)+1e-12 {
					t.Errorf("%s sparse=%v: objective rose at iteration %d: %.15g -> %.15g",
						tc.name, sparse, h[i].Iter, h[i-1].Objective, h[i].Objective)
					break
				}
			}
			if h[len(h)-1].Objective >= h[0].Objective*0.5 {
				t.Errorf("%s sparse=%v: objective barely moved: %g -> %g", tc.name, sparse, h[0].Objective, h[len(h)-1].Objective)
			}
			for _, f := range res.Factors {
				if min := mat.Min(f.M); min < 0 {
					t.Errorf("%s: factor %s has negative entry %g", tc.name, f.Name, min)
				}
			}
		}
	}
}

// TestSparseMatchesDense checks that a CSR input gives the same iterates as
// the same matrix stored densely.
func TestSparseMatchesDense(t *testing.T) {
	xd := randomData(50, 35, 5, 0.5, 2)
	for _, tc := range losses {
		if tc.pos {
			continue
		}
		for _, solver := range []string{"mu", "cd"} {
			m := tc.nmf
			if solver == "cd" && m.Loss != "" {
				continue
			}
			m.Rank, m.Solver, m.Init, m.Seed = 5, Solver(solver), "nndsvda", 7
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
					t.Errorf("%s/%s: factor %s differs between dense and sparse by %g", tc.name, solver, f.Name, d)
				}
			}
		}
	}
}

// TestReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestReproducible(t *testing.T) {
	xd := randomData(300, 200, 6, 0.4, 4)
	fit := func(procs int, sparse bool, init, solver string) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var x linalg.Matrix = linalg.NewDense(xd)
		if sparse {
			x = linalg.CSRFromDense(xd)
		}
		m := NMF{Rank: 6, Init: initialize.Method(init), Solver: Solver(solver), Seed: 11, Shuffle: true}
		r, err := m.Fit(context.Background(), x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, init := range []string{"random", "nndsvdar"} {
		for _, solver := range []string{"mu", "cd"} {
			for _, sparse := range []bool{false, true} {
				a, b := fit(1, sparse, init, solver), fit(4, sparse, init, solver)
				for i, f := range a.Factors {
					if !mat.Equal(f.M, b.Factors[i].M) {
						t.Errorf("%s/%s sparse=%v: factor %s differs between GOMAXPROCS 1 and 4", init, solver, sparse, f.Name)
					}
				}
			}
		}
	}
}

// TestKKT checks the first-order optimality conditions at convergence:
// min(F, ∇F) ≈ 0 elementwise for the Frobenius loss.
func TestKKT(t *testing.T) {
	xd := randomData(60, 40, 4, 0, 5)
	for _, solver := range []string{"mu", "cd"} {
		m := NMF{Rank: 4, Solver: Solver(solver), Seed: 1}
		res, err := m.Fit(context.Background(), linalg.NewDense(xd), solve.Settings{MaxIter: 5000, Tol: new(1e-10)})
		if err != nil {
			t.Fatal(err)
		}
		w, h := res.Factor("W"), res.Factor("H")
		var r, gw, gh mat.Dense
		r.Mul(w, h)
		r.Sub(&r, xd) // WH − X
		gw.Mul(&r, h.T())
		gh.Mul(w.T(), &r)
		kkt := func(f, g *mat.Dense) float64 {
			var s float64
			f.Apply(func(i, j int, v float64) float64 { s = math.Max(s, math.Abs(math.Min(v, g.At(i, j)))); return v }, f)
			return s
		}
		scale := mat.Norm(xd, 2) * mat.Norm(xd, 2)
		if res := max(kkt(w, &gw), kkt(h, &gh)) / scale; res > 1e-5 {
			t.Errorf("%s: KKT residual %g relative to ‖X‖² too large", solver, res)
		}
	}
}

// TestInvalid checks the errors of bad configurations and inputs.
func TestInvalid(t *testing.T) {
	ok := randomData(10, 8, 2, 0.2, 1)
	neg, nan := badData(ok)
	cases := []struct {
		name string
		m    NMF
		x    *mat.Dense
	}{
		{"negative", NMF{Rank: 2, Solver: SolverMU}, neg},
		{"nan", NMF{Rank: 2, Solver: SolverMU}, nan},
		{"rank too large", NMF{Rank: 8, Solver: SolverMU}, ok},
		{"rank zero", NMF{Rank: 0, Solver: SolverMU}, ok},
		{"is with zeros", NMF{Rank: 2, Loss: "is", Solver: SolverMU}, ok},
		{"cd with kl", NMF{Rank: 2, Loss: "kl", Solver: "cd"}, ok},
		{"unknown loss", NMF{Rank: 2, Loss: "huber", Solver: SolverMU}, ok},
		{"unknown init", NMF{Rank: 2, Init: "svd", Solver: SolverMU}, ok},
		{"bad W0", NMF{Rank: 2, W0: mat.NewDense(3, 2, nil), H0: mat.NewDense(2, 8, nil), Solver: SolverMU}, ok},
	}
	for _, tc := range cases {
		_, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{Tol: new(0.0)})
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func relDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / math.Max(mat.Norm(a, 2), 1e-300)
}

func initFactors(x linalg.Matrix, k int, method string) (*mat.Dense, *mat.Dense, error) {
	return initialize.Factors(x, k, initialize.Method(method), initialize.NewRand(0))
}

// badData returns copies of x with a negative entry and with a NaN, for
// the invalid-input tests of every model.
func badData(x *mat.Dense) (neg, nan *mat.Dense) {
	neg, nan = mat.DenseCopyOf(x), mat.DenseCopyOf(x)
	neg.Set(0, 0, -1)
	nan.Set(1, 1, math.NaN())
	return neg, nan
}
