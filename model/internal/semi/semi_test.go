package semi

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// TestRun checks semi-NMF on data of both signs: W stays nonnegative, the
// objective never rises (the paper's Theorem 1), and H is the
// least-squares solution for W (the residual is orthogonal to W).
func TestRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(25, 8, nil)
	for i := range 25 {
		for j := range 8 {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	w := mat.NewDense(25, 3, nil)
	for i := range 25 {
		for j := range 3 {
			w.Set(i, j, rng.Float64())
		}
	}
	r, err := New(linalg.NewDense(x), w)
	if err != nil {
		t.Fatal(err)
	}
	prev := r.Objective()
	for range 40 {
		if err := r.Step(); err != nil {
			t.Fatal(err)
		}
		if o := r.Objective(); o > prev*(1+1e-12) {
			t.Fatalf("objective rose from %g to %g", prev, o)
		}
		prev = r.Objective()
	}
	if mat.Min(r.W) < 0 {
		t.Error("W has a negative entry")
	}
	var res, g mat.Dense
	res.Mul(r.W, r.H)
	res.Sub(x, &res)
	g.Mul(r.W.T(), &res)
	if n := mat.Norm(&g, math.Inf(1)); n > 1e-9*mat.Norm(x, 2) {
		t.Errorf("Wᵀ(X − WH) = %g: H is not the least-squares solution", n)
	}
}
