package linalg_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// nnlsProblem returns G = BᵀB + shift·I (k x k) and C = rows of bᵀB (r x k)
// for random B (m x k) and right-hand sides b of either sign.
func nnlsProblem(r, k int, shift float64, seed uint64) (g, c *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := k + 5
	b := mat.NewDense(m, k, nil)
	rhs := mat.NewDense(m, r, nil)
	for _, d := range [][]float64{b.RawMatrix().Data, rhs.RawMatrix().Data} {
		for i := range d {
			d[i] = rng.NormFloat64()
		}
	}
	g = mat.NewDense(k, k, nil)
	g.Mul(b.T(), b)
	for i := 0; i < k; i++ {
		g.Set(i, i, g.At(i, i)+shift)
	}
	c = mat.NewDense(r, k, nil)
	c.Mul(rhs.T(), b)
	return g, c
}

// bruteNNLS solves one problem by trying every passive set and keeping
// the feasible solution of least objective.
func bruteNNLS(g *mat.Dense, c []float64) []float64 {
	k := len(c)
	best, bestObj := make([]float64, k), 0.0
	for set := 1; set < 1<<k; set++ {
		var idx []int
		for j := 0; j < k; j++ {
			if set&(1<<j) != 0 {
				idx = append(idx, j)
			}
		}
		sub := mat.NewDense(len(idx), len(idx), nil)
		rhs := mat.NewVecDense(len(idx), nil)
		for a, ja := range idx {
			for b, jb := range idx {
				sub.Set(a, b, g.At(ja, jb))
			}
			rhs.SetVec(a, c[ja])
		}
		var sol mat.VecDense
		if err := sol.SolveVec(sub, rhs); err != nil {
			continue
		}
		x := make([]float64, k)
		ok := true
		for a, ja := range idx {
			if sol.AtVec(a) < 0 {
				ok = false
			}
			x[ja] = sol.AtVec(a)
		}
		if !ok {
			continue
		}
		if obj := nnlsObjective(g, c, x); obj < bestObj {
			best, bestObj = x, obj
		}
	}
	return best
}

func nnlsObjective(g *mat.Dense, c, x []float64) float64 {
	xv := mat.NewVecDense(len(x), x)
	var gx mat.VecDense
	gx.MulVec(g, xv)
	return 0.5*mat.Dot(xv, &gx) - mat.Dot(xv, mat.NewVecDense(len(c), c))
}

func TestNNLSMatchesBruteForce(t *testing.T) {
	for _, k := range []int{1, 2, 3, 5, 7} {
		for _, shift := range []float64{0, 0.5} {
			g, c := nnlsProblem(40, k, shift, uint64(10*k+1))
			x := mat.NewDense(40, k, nil)
			linalg.NNLS(x, g, c)
			for i := 0; i < 40; i++ {
				want := bruteNNLS(g, c.RawRowView(i))
				for j, v := range x.RawRowView(i) {
					if math.Abs(v-want[j]) > 1e-9*(1+math.Abs(want[j])) {
						t.Fatalf("k=%d shift=%g row %d: got %v, want %v", k, shift, i, x.RawRowView(i), want)
					}
				}
			}
		}
	}
}

// TestNNLSKKT checks the optimality conditions x ≥ 0, y = Gx − c ≥ 0 and
// x ⊙ y = 0 on larger problems, from cold and from warm starts.
func TestNNLSKKT(t *testing.T) {
	k, r := 20, 300
	g, c := nnlsProblem(r, k, 0.1, 3)
	rng := rand.New(rand.NewPCG(4, 4))
	for _, warm := range []bool{false, true} {
		x := mat.NewDense(r, k, nil)
		if warm {
			raw := x.RawMatrix().Data
			for i := range raw {
				raw[i] = max(0, rng.NormFloat64())
			}
		}
		linalg.NNLS(x, g, c)
		var y mat.Dense
		y.Mul(x, g)
		y.Sub(&y, c)
		scale := mat.Norm(c, math.Inf(1))
		for i := 0; i < r; i++ {
			for j := 0; j < k; j++ {
				xv, yv := x.At(i, j), y.At(i, j)
				if xv < 0 || yv < -1e-9*scale || math.Abs(xv*yv) > 1e-9*scale {
					t.Fatalf("warm=%v: KKT fails at (%d,%d): x=%g y=%g", warm, i, j, xv, yv)
				}
			}
		}
	}
}

func TestNNLSDeterministic(t *testing.T) {
	g, c := nnlsProblem(500, 8, 0.2, 5)
	solve := func(procs int) *mat.Dense {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		x := mat.NewDense(500, 8, nil)
		linalg.NNLS(x, g, c)
		return x
	}
	if !mat.Equal(solve(1), solve(4)) {
		t.Error("NNLS depends on GOMAXPROCS")
	}
}

// TestNNLSScratch checks that NNLSScratch.Solve, reused over calls of
// different shapes and numbers of goroutines, gives NNLS's result to the
// bit, and that a call on one goroutine allocates nothing.
func TestNNLSScratch(t *testing.T) {
	var s linalg.NNLSScratch
	for _, tc := range []struct{ r, k, procs int }{{500, 8, 4}, {500, 8, 1}, {70, 5, 2}, {500, 8, 3}} {
		g, c := nnlsProblem(tc.r, tc.k, 0.2, uint64(tc.r+tc.k))
		want := mat.NewDense(tc.r, tc.k, nil)
		linalg.NNLS(want, g, c)
		got := mat.NewDense(tc.r, tc.k, nil)
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			s.Solve(got, g, c)
		}()
		if !mat.Equal(got, want) {
			t.Errorf("%d x %d on %d goroutines: Solve differs from NNLS", tc.r, tc.k, tc.procs)
		}
	}
	g, c := nnlsProblem(200, 6, 0.2, 9)
	x := mat.NewDense(200, 6, nil)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if n := testing.AllocsPerRun(5, func() { x.Zero(); s.Solve(x, g, c) }); n != 0 {
		t.Errorf("Solve on one goroutine: %v allocations per call, want 0", n)
	}
}

func TestNNLSZeroAndShape(t *testing.T) {
	g, _ := nnlsProblem(1, 3, 0, 6)
	x := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	linalg.NNLS(x, g, mat.NewDense(2, 3, nil))
	if mat.Max(x) != 0 || mat.Min(x) != 0 {
		t.Errorf("zero right-hand side gave %v", mat.Formatted(x))
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on a shape mismatch")
		}
	}()
	linalg.NNLS(x, g, mat.NewDense(3, 3, nil))
}

func TestProjectedGradientNorm(t *testing.T) {
	f := mat.NewDense(2, 2, []float64{0, 1, 0, 2})
	g := mat.NewDense(2, 2, []float64{3, -1, -2, 4})
	// (0,0): f = 0 and g > 0 is optimal and left out; the others count.
	if got, want := linalg.ProjectedGradientNorm(f, g), math.Sqrt(1+4+16); math.Abs(got-want) > 1e-15 {
		t.Errorf("got %g, want %g", got, want)
	}
}
