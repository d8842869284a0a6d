package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
	"github.com/deepnmf/deepnmf/solve"
)

// refDANMFSweeps runs sweeps of DANMF.m's fine-tuning loop literally, on a
// dense A with A·Aᵀ formed, from the given U_i and Vp (k x n), and returns
// them. It is the reference the fast updates are checked against.
func refDANMFSweeps(a *mat.Dense, u []*mat.Dense, vp *mat.Dense, lambda float64, sweeps int) ([]*mat.Dense, *mat.Dense) {
	n, _ := a.Dims()
	p := len(u)
	for i := range u {
		u[i] = mat.DenseCopyOf(u[i])
	}
	vp = mat.DenseCopyOf(vp)
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		d.Set(i, i, mat.Sum(a.RowView(i)))
	}
	var aat mat.Dense
	aat.Mul(a, a.T())
	mul := func(ms ...mat.Matrix) *mat.Dense {
		out := mat.DenseCopyOf(ms[0])
		for _, m := range ms[1:] {
			var t mat.Dense
			t.Mul(out, m)
			out = &t
		}
		return out
	}
	update := func(f, num, den *mat.Dense) {
		f.Apply(func(i, j int, v float64) float64 { return v * num.At(i, j) / math.Max(den.At(i, j), 1e-10) }, f)
	}
	for range sweeps {
		k, _ := vp.Dims()
		q := make([]*mat.Dense, p+1)
		q[p] = mat.NewDense(k, k, nil)
		for i := 0; i < k; i++ {
			q[p].Set(i, i, 1)
		}
		for i := p - 1; i >= 1; i-- {
			q[i] = mul(u[i], q[i+1])
		}
		vvt := mul(vp, vp.T())
		var pp *mat.Dense
		for i := 0; i < p; i++ {
			var r, ru mat.Dense
			if i == 0 {
				r.Add(mul(u[0], q[1], vvt, q[1].T()), mul(&aat, u[0], q[1], q[1].T()))
				ru.Scale(2, mul(a, vp.T(), q[1].T()))
			} else {
				r.Add(mul(pp.T(), pp, u[i], q[i+1], vvt, q[i+1].T()), mul(pp.T(), &aat, pp, u[i], q[i+1], q[i+1].T()))
				ru.Scale(2, mul(pp.T(), a, vp.T(), q[i+1].T()))
			}
			update(u[i], &ru, &r)
			if i == 0 {
				pp = mat.DenseCopyOf(u[0])
			} else {
				pp = mul(pp, u[i])
			}
		}
		var vu, vd mat.Dense
		vu.Scale(2, mul(pp.T(), a))
		var t mat.Dense
		t.Scale(lambda, mul(vp, a))
		vu.Add(&vu, &t)
		vd.Add(mul(pp.T(), pp, vp), vp)
		t.Scale(lambda, mul(vp, d))
		vd.Add(&vd, &t)
		update(vp, &vu, &vd)
	}
	return u, vp
}

// TestDANMFMatchesReference checks the fine-tuning sweeps, computed with
// sparse products and the N/D projections of deep.go, against a literal
// dense port of DANMF.m from the same pre-trained start.
func TestDANMFMatchesReference(t *testing.T) {
	a := deepTwoBlocks(40, 0.4, 0.05, 3)
	ad := a.ToDense()
	for _, layers := range [][]int{{12, 6, 2}, {8, 2}, {3}} {
		ls := aeLayers(t, a, layers, 1, 20)
		u := make([]*mat.Dense, len(ls))
		for i, l := range ls {
			u[i] = mat.DenseCopyOf(l.U)
		}
		vp := linalg.Transpose(ls[len(ls)-1].H)
		wantU, wantV := refDANMFSweeps(ad, u, vp, 0.7, 5)
		run := newDANMFRun(a, ls, a, 0.7, false)
		for range 5 {
			if err := run.Step(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range wantU {
			if d := deepRelDiff(wantU[i], run.U[i]); d > 1e-10 {
				t.Errorf("layers %v: U%d differs from DANMF.m by %g", layers, i+1, d)
			}
		}
		if d := deepRelDiff(wantV.T(), run.Top()); d > 1e-10 {
			t.Errorf("layers %v: Vp differs from DANMF.m by %g", layers, d)
		}
		// The objective is DANMF.m's cost.
		psi := run.Product()
		var r1, r2, lv mat.Dense
		r1.Mul(psi, wantV)
		r1.Sub(ad, &r1)
		r2.Mul(psi.T(), ad)
		r2.Sub(wantV, &r2)
		lap := mat.NewDense(40, 40, nil)
		for i := 0; i < 40; i++ {
			lap.Set(i, i, mat.Sum(ad.RowView(i)))
		}
		lap.Sub(lap, ad)
		lv.Mul(wantV, lap)
		var tr float64
		for i := range wantV.RawMatrix().Rows {
			tr += mat.Dot(lv.RowView(i), wantV.RowView(i))
		}
		want := math.Pow(mat.Norm(&r1, 2), 2) + math.Pow(mat.Norm(&r2, 2), 2) + 0.7*tr
		if got := run.Objective(); math.Abs(got-want) > 1e-9*want {
			t.Errorf("layers %v: objective %.12g, DANMF.m cost %.12g", layers, got, want)
		}
	}
}

// TestShallowAEMatchesReference checks the pre-training steps against
// ShallowNMF.m's updates on a dense matrix, and the stopping value.
func TestShallowAEMatchesReference(t *testing.T) {
	xd := randomData(30, 20, 3, 0.3, 2) // n x m; Z = xᵀ
	rng := initialize.NewRand(4)
	u0, h0 := initialize.Uniform(20, 4, 1, rng), initialize.Uniform(30, 4, 1, rng)
	z := linalg.Transpose(xd)
	u, v := mat.DenseCopyOf(u0), linalg.Transpose(h0)
	for range 7 {
		var num, den, vvt, ztu, zztu mat.Dense
		num.Mul(z, v.T())
		num.Scale(2, &num)
		vvt.Mul(v, v.T())
		den.Mul(u, &vvt)
		ztu.Mul(z.T(), u)
		zztu.Mul(z, &ztu)
		den.Add(&den, &zztu)
		u.Apply(func(i, j int, x float64) float64 { return x * num.At(i, j) / math.Max(den.At(i, j), 1e-10) }, u)
		var vn, vd, utu mat.Dense
		vn.Mul(u.T(), z)
		vn.Scale(2, &vn)
		utu.Mul(u.T(), u)
		vd.Mul(&utu, v)
		vd.Add(&vd, v)
		v.Apply(func(i, j int, x float64) float64 { return x * vn.At(i, j) / math.Max(vd.At(i, j), 1e-10) }, v)
	}
	for _, x := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		run := encdec.Layer{AE: encdec.NewAE(x, mat.DenseCopyOf(u0), mat.DenseCopyOf(h0), danmfEps)}
		for range 7 {
			if err := run.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if d := deepRelDiff(u, run.W); d > 1e-11 {
			t.Errorf("%T: U differs from ShallowNMF.m by %g", x, d)
		}
		if d := deepRelDiff(v.T(), run.V); d > 1e-11 {
			t.Errorf("%T: V differs from ShallowNMF.m by %g", x, d)
		}
		var r1, r2 mat.Dense
		r1.Mul(u, v)
		r1.Sub(z, &r1)
		r2.Mul(u.T(), z)
		r2.Sub(v, &r2)
		want := mat.Norm(&r1, 2) + mat.Norm(&r2, 2)
		if got, rule := run.Monitor(); math.Abs(got-want) > 1e-8*want || rule != solve.AbsoluteChange {
			t.Errorf("%T: monitor %g (%v), want ‖Z−UV‖+‖V−UᵀZ‖ = %g", x, got, rule, want)
		}
	}
}

// TestDANMFProperties checks nonnegativity, the non-increasing objective
// (every update is a majorization-minimization step), the shapes and
// names of the result and the pre-training histories.
func TestDANMFProperties(t *testing.T) {
	a, _ := deepGraph(t, "football")
	for _, lambda := range []float64{0, 1} {
		m := &DANMF{Layers: []int{32, 16, 12}, Lambda: new(lambda), PreIter: new(100), PreTol: new(5e-4), Seed: 2}
		res := fitDeep(t, m, a, solve.Settings{MaxIter: 100, Tol: new(0.0)})
		deepCheckNonneg(t, res, "U1", "U2", "U3", "V1", "V2", "V3", "Psi3")
		deepCheckMonotone(t, "danmf", res.History)
		if len(res.History) != 101 {
			t.Errorf("history has %d points, want every iteration (101)", len(res.History))
		}
		if len(res.Pretrain) != 3 {
			t.Fatalf("%d pre-training reports, want 3", len(res.Pretrain))
		}
		for i, p := range res.Pretrain {
			deepCheckMonotone(t, "pre-training", p.History)
			if p.Iterations == 0 {
				t.Errorf("layer %d: no pre-training iterations", i+1)
			}
		}
		if r, c := res.Embedding.Dims(); r != 115 || c != 12 {
			t.Errorf("embedding %dx%d, want 115x12", r, c)
		}
		for name, want := range map[string][2]int{"U1": {115, 32}, "U2": {32, 16}, "U3": {16, 12}, "V1": {115, 32}, "V3": {115, 12}, "Psi2": {115, 16}, "Psi3": {115, 12}} {
			if r, c := res.Factor(Name(name)).Dims(); r != want[0] || c != want[1] {
				t.Errorf("%s is %dx%d, want %v", name, r, c, want)
			}
		}
		if res.Embedding != res.Factor("V3") {
			t.Error("readout vp: the embedding is not Vpᵀ")
		}
		var psi2, psi3 mat.Dense
		psi2.Mul(res.Factor("U1"), res.Factor("U2"))
		psi3.Mul(&psi2, res.Factor("U3"))
		if d := deepRelDiff(&psi3, res.Factor("Psi3")); d > 1e-12 {
			t.Errorf("Psi3 is not U1U2U3: %g", d)
		}
	}
	// update_vi fine-tunes the lower V_i too, and the objective still
	// decreases (they do not enter it).
	m := &DANMF{Layers: []int{32, 12}, Lambda: new(1.0), PreIter: new(50), UpdateVi: true, Readout: "psi", Seed: 1, PreTol: new(0.0)}
	res := fitDeep(t, m, a, solve.Settings{MaxIter: 30, Tol: new(0.0)})
	deepCheckNonneg(t, res, "V1")
	deepCheckMonotone(t, "danmf update_vi", res.History)
	if res.Embedding != res.Factor("Psi2") {
		t.Error("readout psi: the embedding is not Ψ")
	}
	m.Readout = "kmeans"
	if res := fitDeep(t, m, a, solve.Settings{MaxIter: 3, Tol: new(0.0)}); res.Embedding != res.Factor("V2") {
		t.Error("readout kmeans: the embedding is not Vpᵀ")
	}
}

// TestDANMFStopping checks the official rule: |Δ sqrt(cost)| ≤ tol, tested
// every iteration by default.
func TestDANMFStopping(t *testing.T) {
	a, _ := deepGraph(t, "karate")
	m := &DANMF{Layers: []int{8, 2}, Lambda: new(1.0), PreIter: new(500), PreTol: new(5e-4), Seed: 3}
	res := fitDeep(t, m, a, solve.Settings{Tol: new(5e-4)})
	if !res.Converged || res.Reason != solve.Tolerance {
		t.Fatalf("did not converge: %s after %d iterations", res.Reason, res.Iterations)
	}
	h := res.History
	n := len(h)
	if n != res.Iterations+1 {
		t.Fatalf("%d history points for %d iterations: not tested every iteration", n, res.Iterations)
	}
	last := math.Abs(math.Sqrt(h[n-1].Objective) - math.Sqrt(h[n-2].Objective))
	prev := math.Abs(math.Sqrt(h[n-2].Objective) - math.Sqrt(h[n-3].Objective))
	if last > 5e-4 || prev <= 5e-4 {
		t.Errorf("stopped with |Δ sqrt(cost)| = %g after %g", last, prev)
	}
}

// TestDANMFReproducible checks that a seed fixes the result bit for bit,
// whatever GOMAXPROCS is, and that seeds differ.
func TestDANMFReproducible(t *testing.T) {
	a := deepTwoBlocks(300, 0.05, 0.01, 5)
	fit := func(procs int, seed uint64) (res *Result) {
		deepWithProcs(procs, func() {
			res = fitDeep(t, &DANMF{Layers: []int{64, 16, 2}, Lambda: new(1.0), PreIter: new(30), Seed: seed, PreTol: new(0.0)}, a, solve.Settings{MaxIter: 20, Tol: new(0.0)})
		})
		return res
	}
	r1 := fit(1, 7)
	checkSameFactors(t, "GOMAXPROCS 1 vs 4", r1, fit(4, 7))
	checkSameFactors(t, "same seed twice", r1, fit(2, 7))
	if mat.Equal(r1.Factor("U1"), fit(2, 8).Factor("U1")) {
		t.Error("seeds 7 and 8 gave the same U1")
	}
}

// TestDANMFInputs checks that a dense adjacency matrix, a directed one and
// one with self-loops give the result of the undirected CSR graph, and
// that a data matrix is factorized without the graph term.
func TestDANMFInputs(t *testing.T) {
	a, _ := deepGraph(t, "karate")
	m := &DANMF{Layers: []int{8, 2}, Lambda: new(1.0), PreIter: new(50), Seed: 1, PreTol: new(0.0)}
	s := solve.Settings{MaxIter: 20, Tol: new(0.0)}
	want := fitDeep(t, m, a, s)
	// Dense storage of the same graph.
	if d := deepRelDiff(want.Embedding, fitDeep(t, m, linalg.NewDense(a.ToDense()), s).Embedding); d > 1e-10 {
		t.Errorf("dense adjacency: embedding differs by %g", d)
	}
	// One direction of each edge, plus self-loops: symmetrized, loops dropped.
	ad := a.ToDense()
	for i := 0; i < 34; i++ {
		for j := 0; j < i; j++ {
			ad.Set(i, j, 0)
		}
		ad.Set(i, i, 1)
	}
	if d := deepRelDiff(want.Embedding, fitDeep(t, m, linalg.CSRFromDense(ad), s).Embedding); d > 1e-10 {
		t.Errorf("directed input with self-loops: embedding differs by %g", d)
	}
	// Data input.
	x := linalg.NewDense(randomData(40, 12, 3, 0.2, 1))
	dm := &DANMF{Layers: []int{6, 3}, Input: "data", PreIter: new(50), Seed: 1, Lambda: new(0.0), PreTol: new(0.0)}
	res := fitDeep(t, dm, x, solve.Settings{MaxIter: 50, Tol: new(0.0)})
	deepCheckMonotone(t, "danmf data", res.History)
	deepCheckNonneg(t, res, "U1", "U2", "V2")
	if r, c := res.Embedding.Dims(); r != 40 || c != 3 {
		t.Errorf("data embedding %dx%d, want 40x3", r, c)
	}
	if r, c := res.Factor("U1").Dims(); r != 12 || c != 6 {
		t.Errorf("data U1 %dx%d, want 12x6", r, c)
	}
}

// TestDANMFInvalid checks the errors of bad configurations and inputs.
func TestDANMFInvalid(t *testing.T) {
	a, _ := deepGraph(t, "karate")
	ad := a.ToDense()
	neg := mat.DenseCopyOf(ad)
	neg.Set(0, 1, -1)
	nan := mat.DenseCopyOf(ad)
	nan.Set(0, 1, math.NaN())
	x := linalg.NewDense(randomData(20, 8, 2, 0, 1))
	cases := []struct {
		name string
		m    DANMF
		x    linalg.Matrix
	}{
		{"negative", DANMF{Layers: []int{2}, Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, linalg.NewDense(neg)},
		{"nan", DANMF{Layers: []int{2}, Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, linalg.NewDense(nan)},
		{"no layers", DANMF{Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"zero layer", DANMF{Layers: []int{0, 2}, Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"top too large", DANMF{Layers: []int{34}, Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"negative lambda", DANMF{Layers: []int{2}, Lambda: new(-1.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"data with lambda", DANMF{Layers: []int{2}, Lambda: new(1.0), PreIter: new(0), PreTol: new(0.0)}, x},
		{"psi on data", DANMF{Layers: []int{2}, Readout: "psi", Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, x},
		{"unknown readout", DANMF{Layers: []int{2}, Readout: "rows", Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"graph not square", DANMF{Layers: []int{2}, Input: "graph", Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, x},
		{"unknown input", DANMF{Layers: []int{2}, Input: "table", Lambda: new(0.0), PreIter: new(0), PreTol: new(0.0)}, a},
		{"negative pre_iter", DANMF{Layers: []int{2}, PreIter: new(-1), Lambda: new(0.0), PreTol: new(0.0)}, a},
	}
	for _, tc := range cases {
		_, err := tc.m.Fit(context.Background(), tc.x, solve.Settings{MaxIter: 5, Tol: new(0.0)})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
	for _, c := range []Config{
		{Rank: 3, Layers: []int{8, 2}},
		{Layers: []int{8, 2}, Init: "random"},
		{Layers: []int{8, 2}, Params: []string{"readout=rows"}},
	} {
		if _, err := New("danmf", c); !errors.Is(err, ErrInvalid) {
			t.Errorf("config %+v: err = %v, want ErrInvalid", c, err)
		}
	}
}

// TestDANMFQuality pins floors a little below the mean NMI (argmax over the
// columns of Vp, the paper's read-out) measured over 5 seeds with the
// official settings (λ = 1, pre-training 500 iterations, fine-tuning to
// |Δ sqrt(cost)| ≤ 5e-4).
func TestDANMFQuality(t *testing.T) {
	lfr, lfrTruth := deepSharedGraph(t, "lfr", "n250_mu0.1_seed10_edges.txt", "n250_mu0.1_seed10_labels.txt")
	s := solve.Settings{Tol: new(5e-4)}
	cases := []struct {
		name   string
		layers []int
		floor  float64
	}{
		{"karate", []int{16, 8, 2}, 0.83},
		{"football", []int{64, 32, 12}, 0.74},
		{"polbooks", []int{64, 16, 3}, 0.54},
		{"lfr250", []int{32, 8, 3}, 0.45},
	}
	for _, tc := range cases {
		if testing.Short() && (tc.name == "football" || tc.name == "polbooks") {
			continue
		}
		var a *linalg.CSR
		var truth []int
		if tc.name == "lfr250" {
			a, truth = lfr, lfrTruth
		} else {
			a, truth = deepGraph(t, tc.name)
		}
		k := tc.layers[len(tc.layers)-1]
		nmi := deepMeanNMI(t, "danmf "+tc.name, func(seed uint64) Estimator {
			return &DANMF{Layers: tc.layers, Lambda: new(1.0), PreIter: new(500), PreTol: new(5e-4), Seed: seed}
		}, a, truth, k, 5, false, s)
		if nmi < tc.floor {
			t.Errorf("%s: mean NMI %.4f below the floor %.2f", tc.name, nmi, tc.floor)
		}
	}
}

// TestDANMFCoraEmail checks the paper-scale targets (REFERENCES §12–13):
// Cora (2708-256-64-7, λ = 1) and Email (1005-256-128-42, λ = 0.01),
// undirected 0-1 graphs without self-loops, argmax over the columns of Vp.
// Slow: DEEPNMF_SLOW=1.
func TestDANMFCoraEmail(t *testing.T) {
	slowDeep(t)
	s := solve.Settings{MaxIter: 1000, Tol: new(5e-4)}
	cora, coraTruth := deepSharedGraph(t, "cora", "edges.txt", "labels.txt")
	nmi := deepMeanNMI(t, "danmf cora", func(seed uint64) Estimator {
		return &DANMF{Layers: []int{256, 64, 7}, Lambda: new(1.0), PreIter: new(500), PreTol: new(5e-4), Seed: seed}
	}, cora, coraTruth, 7, 5, false, s)
	if nmi < 0.37 {
		t.Errorf("cora: mean NMI %.4f below 0.37 (published 0.4114)", nmi)
	}
	email, emailTruth := deepSharedGraph(t, "email-Eu-core", "edges.txt", "labels.txt")
	nmi = deepMeanNMI(t, "danmf email", func(seed uint64) Estimator {
		return &DANMF{Layers: []int{256, 128, 42}, Lambda: new(0.01), PreIter: new(500), PreTol: new(5e-4), Seed: seed}
	}, email, emailTruth, 42, 5, false, s)
	if nmi < 0.66 {
		t.Errorf("email: mean NMI %.4f below 0.66 (published 0.6943)", nmi)
	}
}
