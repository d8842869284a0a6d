package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestDNMFMatchesReference checks DNMF's fine-tuning sweeps against the
// multilayer NMF updates written out literally on dense matrices.
func TestDNMFMatchesReference(t *testing.T) {
	xd := randomData(40, 30, 4, 0.3, 1)
	x := linalg.CSRFromDense(xd)
	tr := testRun(t, 2)
	ls, err := tr.pretrainLayers(x, []int{12, 6, 3}, func(_ int, in linalg.Matrix, size int) (layerFit, error) {
		return (&NMF{Rank: size, Init: "random"}).asLayer(in, tr.rng.Uint64(), solve.Settings{MaxIter: 20, Tol: new(0.0), CheckEvery: 10})
	})
	if err != nil {
		t.Fatal(err)
	}
	m := linalg.Transpose(xd) // the paper's X, one sample per column
	w := make([]*mat.Dense, 3)
	for i, l := range ls {
		w[i] = mat.DenseCopyOf(l.U)
	}
	h := linalg.Transpose(ls[2].H)
	prod := func(ms ...mat.Matrix) *mat.Dense {
		out := mat.DenseCopyOf(ms[0])
		for _, f := range ms[1:] {
			var t mat.Dense
			t.Mul(out, f)
			out = &t
		}
		return out
	}
	eye := mat.NewDense(3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
	upd := func(f, num, den *mat.Dense) {
		f.Apply(func(i, j int, v float64) float64 { return v * num.At(i, j) / math.Max(den.At(i, j), linalg.Eps) }, f)
	}
	for range 4 {
		phi := []*mat.Dense{prod(w[0], w[1], w[2]), prod(w[1], w[2]), w[2], eye}
		phi[2] = mat.DenseCopyOf(w[2])
		for i := 0; i < 3; i++ {
			var psiPrev *mat.Dense
			switch i {
			case 1:
				psiPrev = w[0]
			case 2:
				psiPrev = prod(w[0], w[1])
			}
			after := phi[i+1]
			var num, den *mat.Dense
			if psiPrev == nil {
				num = prod(m, h.T(), after.T())
				den = prod(w[i], after, h, h.T(), after.T())
			} else {
				num = prod(psiPrev.T(), m, h.T(), after.T())
				den = prod(psiPrev.T(), psiPrev, w[i], after, h, h.T(), after.T())
			}
			upd(w[i], num, den)
		}
		psi := prod(w[0], w[1], w[2])
		upd(h, prod(psi.T(), m), prod(psi.T(), psi, h))
	}
	run := newDNMFRun(x, ls)
	for range 4 {
		if err := run.Step(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range w {
		if d := deepRelDiff(w[i], run.U[i]); d > 1e-10 {
			t.Errorf("W%d differs from the reference by %g", i+1, d)
		}
	}
	if d := deepRelDiff(h.T(), run.Top()); d > 1e-10 {
		t.Errorf("H differs from the reference by %g", d)
	}
	var r mat.Dense
	r.Mul(prod(w[0], w[1], w[2]), h)
	r.Sub(m, &r)
	if want, got := math.Pow(mat.Norm(&r, 2), 2), run.Objective(); math.Abs(got-want) > 1e-9*want {
		t.Errorf("objective %g, want ‖X − WH‖² = %g", got, want)
	}
}

// TestDNMFProperties checks nonnegativity, the non-increasing objective on
// dense and sparse inputs, the agreement of the two, and the shapes.
func TestDNMFProperties(t *testing.T) {
	xd := randomData(60, 40, 5, 0.4, 3)
	var res [2]*Result
	for i, x := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		m := &DNMF{Layers: []int{20, 10, 5}, Init: "random", PreIter: new(50), PreTol: new(1e-4), Seed: 4}
		res[i] = fitDeep(t, m, x, solve.Settings{MaxIter: 100, Tol: new(0.0), CheckEvery: 1})
		deepCheckNonneg(t, res[i], "W1", "W2", "W3", "H1", "H2", "H3", "Psi3")
		deepCheckMonotone(t, "dnmf", res[i].History)
		if len(res[i].Pretrain) != 3 {
			t.Errorf("%d pre-training reports, want 3", len(res[i].Pretrain))
		}
		for name, want := range map[string][2]int{"W1": {40, 20}, "W2": {20, 10}, "W3": {10, 5}, "H3": {60, 5}, "Psi3": {40, 5}} {
			if r, c := res[i].Factor(Name(name)).Dims(); r != want[0] || c != want[1] {
				t.Errorf("%s is %dx%d, want %v", name, r, c, want)
			}
		}
	}
	if d := deepRelDiff(res[0].Embedding, res[1].Embedding); d > 1e-9 {
		t.Errorf("dense and sparse inputs differ by %g", d)
	}
}

// TestDNMFReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is.
func TestDNMFReproducible(t *testing.T) {
	x := linalg.CSRFromDense(randomData(300, 120, 6, 0.5, 5))
	fit := func(procs int, seed uint64) (res *Result) {
		deepWithProcs(procs, func() {
			res = fitDeep(t, &DNMF{Layers: []int{30, 6}, Init: "random", PreIter: new(20), Seed: seed, PreTol: new(0.0)}, x, solve.Settings{MaxIter: 20, Tol: new(0.0)})
		})
		return res
	}
	r := fit(1, 3)
	checkSameFactors(t, "GOMAXPROCS 1 vs 4", r, fit(4, 3))
	if mat.Equal(r.Factor("W1"), fit(2, 4).Factor("W1")) {
		t.Error("seeds 3 and 4 gave the same W1")
	}
}

// TestDNMFInvalid checks the errors of bad configurations and inputs.
func TestDNMFInvalid(t *testing.T) {
	ok := randomData(20, 10, 2, 0.2, 1)
	neg, _ := badData(ok)
	cases := []struct {
		name string
		m    DNMF
		x    *mat.Dense
	}{
		{"negative", DNMF{Layers: []int{4, 2}, PreIter: new(10), PreTol: new(0.0)}, neg},
		{"increasing layers", DNMF{Layers: []int{4, 6}, PreIter: new(10), PreTol: new(0.0)}, ok},
		{"layer too wide", DNMF{Layers: []int{10}, PreIter: new(10), PreTol: new(0.0)}, ok},
		{"negative pre_iter", DNMF{Layers: []int{4, 2}, PreIter: new(-1), PreTol: new(0.0)}, ok},
		{"unknown init", DNMF{Layers: []int{4, 2}, PreIter: new(10), Init: "svd", PreTol: new(0.0)}, ok},
	}
	for _, tc := range cases {
		if _, err := tc.m.Fit(context.Background(), linalg.NewDense(tc.x), solve.Settings{MaxIter: 5, Tol: new(0.0)}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := New("dnmf", Config{Rank: 3, Layers: []int{8, 2}}); err == nil {
		t.Error("rank 3 with top layer 2: no error")
	}
}

// TestDNMFQuality pins floors a little below the mean NMI of k-means on
// the embedding (normalized rows), measured over 5 seeds.
func TestDNMFQuality(t *testing.T) {
	s := solve.Settings{MaxIter: 500, Tol: new(1e-4)}
	cases := []struct {
		name   string
		layers []int
		k      int
		floor  float64
	}{
		{"iris", []int{3}, 3, 0.60},
		{"digits", []int{20, 10}, 10, 0.67},
	}
	for _, tc := range cases {
		x, truth := deepTable(t, tc.name)
		nmi := deepMeanNMI(t, "dnmf "+tc.name, func(seed uint64) Estimator {
			return &DNMF{Layers: tc.layers, PreIter: new(500), PreTol: new(1e-4), Seed: seed}
		}, x, truth, tc.k, 5, true, s)
		if nmi < tc.floor {
			t.Errorf("%s: mean NMI %.4f below the floor %.2f", tc.name, nmi, tc.floor)
		}
	}
}
