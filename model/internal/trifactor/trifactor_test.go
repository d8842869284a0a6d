package trifactor

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

// digraph returns a random directed graph with two planted groups.
func digraph(n int, seed uint64) *linalg.CSR {
	rng := rand.New(rand.NewPCG(seed, 1))
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			p := 0.05
			if i%2 == j%2 {
				p = 0.4
			}
			if i != j && rng.Float64() < p {
				a.Set(i, j, 1)
			}
		}
	}
	return linalg.CSRFromDense(a)
}

// TestFactorization checks the Gram-matrix loss against ‖A − HWHᵀ‖² formed
// densely, the monotone decrease the multiplicative rules guarantee, and
// ScaleH's optimal scale.
func TestFactorization(t *testing.T) {
	a := digraph(40, 1)
	h, w := initialize.TriRandom(a, 2, initialize.NewRand(2))
	f := New(a, h, w)
	prev := f.Objective()
	for range 60 {
		if err := f.Step(); err != nil {
			t.Fatal(err)
		}
		if o := f.Objective(); o > prev*(1+1e-12) {
			t.Fatalf("objective rose from %g to %g", prev, o)
		}
		prev = f.Objective()
	}
	r := linalg.Product(linalg.Product(f.H, f.W), f.H.T())
	r.Sub(a.ToDense(), r)
	if want := linalg.Dot(r, r); math.Abs(f.Loss()-want) > 1e-10*want {
		t.Errorf("loss %g, want %g", f.Loss(), want)
	}
	f.H.Scale(3, f.H)
	f.Changed()
	before := f.Loss()
	f.ScaleH()
	if after := f.Loss(); after > before || after > prev*(1+1e-9) {
		t.Errorf("ScaleH: loss %g -> %g (fitted %g)", before, after, prev)
	}
}

// TestGraph checks the graph of the deep asymmetric models: A_S adds ηS,
// C has A's pattern, and a graph of self-loops only is refused.
func TestGraph(t *testing.T) {
	a := digraph(30, 3)
	g, err := NewGraph(a, GraphOptions{Eta: 0.3, Influence: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.AS.NNZ() < a.NNZ() || g.C.NNZ() != a.NNZ() || len(g.D) != 30 {
		t.Errorf("A_S %d entries, C %d, A %d, D %d", g.AS.NNZ(), g.C.NNZ(), a.NNZ(), len(g.D))
	}
	psi := initialize.Uniform(30, 2, 1, initialize.NewRand(1))
	var lv mat.Dense
	c := g.C.ToDense()
	lv.Mul(c, psi)
	want := -linalg.Dot(psi, &lv)
	for i := range 30 {
		row := psi.RawRowView(i)
		want += g.D[i] * (row[0]*row[0] + row[1]*row[1])
	}
	if got := g.Regularizer(psi, mat.NewDense(30, 2, nil)); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("regularizer %g, want %g", got, want)
	}
	loops := linalg.CSRFromDense(mat.NewDiagDense(4, []float64{1, 1, 1, 1}))
	if _, err := NewGraph(loops, GraphOptions{}); err == nil || !strings.Contains(err.Error(), "no edges") {
		t.Errorf("self-loops only: %v", err)
	}
}

func TestEmbedding(t *testing.T) {
	psi := mat.NewDense(3, 2, []float64{3, 0, 4, 1, 0, 0})
	cols := Embedding(psi, "psi")
	if n := linalg.ColNorms(cols); math.Abs(n[0]-1) > 1e-15 || math.Abs(n[1]-1) > 1e-15 {
		t.Errorf("psi read-out: column norms %v", n)
	}
	rows := Embedding(psi, "kmeans")
	if n := linalg.RowNorms(rows); math.Abs(n[0]-1) > 1e-15 || math.Abs(n[1]-1) > 1e-15 || n[2] != 0 {
		t.Errorf("kmeans read-out: row norms %v", n)
	}
	if !mat.Equal(Embedding(psi, "raw"), psi) {
		t.Error("raw read-out changed Ψ")
	}
}
