package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/completion"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// hidden returns a planted low-rank n x d matrix in [0, 1] with a
// fraction of its cells hidden: the masked training input and the hidden
// cells.
func hidden(n, d, k int, fraction float64, seed uint64) (*linalg.CSR, []completion.Cell) {
	x := randomData(n, d, k, 0, seed)
	x.Scale(1/mat.Max(x), x)
	train, cells, err := completion.Hide(linalg.CSRFromDense(x), fraction, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		panic(err)
	}
	return train, cells
}

// denseSweep is one sweep of EADNMF's learner written out densely in the
// papers' orientation (M = Xᵀ, d x n, mask J), from the reference code's
// formulas: U_i ← U_i ⊙ Pᵀ(J⊙T)D Vᵀ Qᵀ / (Pᵀ(J⊙(PU_iQV))D Vᵀ Qᵀ + ridge·U_i),
// then V ← V ⊙ Ψᵀ(J⊙T)D / (Ψᵀ(J⊙ΨV)D + ridge·V), with the weights of the
// current residual before each update.
func denseSweep(t, j *mat.Dense, us []*mat.Dense, v *mat.Dense, loss robustLoss, ridge float64) {
	weights := func(psi *mat.Dense) (*mat.Dense, *mat.Dense) {
		var xh mat.Dense
		xh.Mul(psi, v)
		xh.MulElem(&xh, j)
		var res mat.Dense
		res.Sub(t, &xh)
		res.MulElem(&res, j)
		_, n := t.Dims()
		dd := mat.NewDiagDense(n, nil)
		for c := range n {
			dd.SetDiag(c, loss.weight(mat.Norm(res.ColView(c), 2)))
		}
		var jt mat.Dense
		jt.MulElem(j, t)
		var num, den mat.Dense
		num.Mul(&jt, dd)
		den.Mul(&xh, dd)
		return &num, &den
	}
	prod := func(ms []*mat.Dense, m int) *mat.Dense {
		out := mat.NewDense(m, m, nil)
		for i := range m {
			out.Set(i, i, 1)
		}
		for _, u := range ms {
			var t mat.Dense
			t.Mul(out, u)
			out = &t
		}
		return out
	}
	m, _ := t.Dims()
	for i := range us {
		_, ri := us[i].Dims()
		p := prod(us[:i], m)    // Ψ_{i−1}, m x r_{i−1}
		q := prod(us[i+1:], ri) // Φ_{i+1}, r_i x k
		num, den := weights(prod(us, m))
		a := linalg.Product(linalg.Product(linalg.Product(p.T(), num), v.T()), q.T())
		b := linalg.Product(linalg.Product(linalg.Product(p.T(), den), v.T()), q.T())
		var reg mat.Dense
		reg.Scale(ridge, us[i])
		b.Add(b, &reg)
		linalg.MulUpdate(us[i], a, b, 1, linalg.Eps)
	}
	psi := prod(us, m)
	num, den := weights(psi)
	var a, b, reg mat.Dense
	a.Mul(psi.T(), num)
	b.Mul(psi.T(), den)
	reg.Scale(ridge, v)
	b.Add(&b, &reg)
	linalg.MulUpdate(v, &a, &b, 1, linalg.Eps)
}

// TestEADNMFSweep checks the learner's sweep on the observed cells against
// the dense formulas of the reference code, for each loss, with 30% of the
// cells unknown (products in dense form when OpenBLAS is loaded) and 80%
// (sparse products; linalg.ForProducts).
func TestEADNMFSweep(t *testing.T) {
	for _, fraction := range []float64{0.3, 0.8} {
		testSweep(t, fraction)
	}
}

func testSweep(t *testing.T, fraction float64) {
	train, _ := hidden(30, 20, 3, fraction, 1)
	n, d := train.Dims()
	dense := train.ToDense()
	jmask := mat.NewDense(n, d, nil)
	train.Each(func(i, j int, _ float64) { jmask.Set(i, j, 1) })
	for _, name := range []RobustLoss{LossElastic, LossFro, LossL21, LossCorrentropy} {
		loss := robust(name, 2, 0.5)
		rng := initialize.NewRand(4)
		u1, u2 := initialize.RandomDense(d, 6, 1, rng), initialize.RandomDense(6, 3, 1, rng)
		h := initialize.RandomDense(n, 3, 1, rng)
		// The reference's orientation: M = Xᵀ, V = Hᵀ.
		us := []*mat.Dense{mat.DenseCopyOf(u1), mat.DenseCopyOf(u2)}
		v := linalg.Transpose(h)
		r := newElasticRun(train, []deep.Layer{{U: u1, H: initialize.RandomDense(n, 6, 1, rng)}, {U: u2, H: h}}, loss, 0.5)
		for range 3 {
			if err := r.Step(); err != nil {
				t.Fatal(err)
			}
			denseSweep(linalg.Transpose(dense), linalg.Transpose(jmask), us, v, loss, 0.5)
		}
		for i, u := range us {
			if diff := relDiff(u, r.U[i]); diff > 1e-10 {
				t.Errorf("%s, %g unknown: U%d differs from the dense formulas by %g", name, fraction, i+1, diff)
			}
		}
		if diff := relDiff(v.T(), r.Top()); diff > 1e-10 {
			t.Errorf("%s, %g unknown: H differs from the dense formulas by %g", name, fraction, diff)
		}
	}
}

// TestEADNMFMonotone checks that the objective does not increase between
// two moves of the adversary, for each loss, and that the schedule runs
// outer loops of inner iterations.
func TestEADNMFMonotone(t *testing.T) {
	train, _ := hidden(40, 30, 3, 0.4, 2)
	for _, loss := range []string{"elastic", "fro", "l21", "correntropy"} {
		m := EADNMF{Layers: []int{10, 4}, Loss: RobustLoss(loss), Outer: new(3), Inner: 20, InnerTol: new(0.0),
			PreIter: new(30), Masked: true, Seed: 1}
		res, err := m.Fit(context.Background(), train, solve.Settings{CheckEvery: 1})
		if err != nil {
			t.Fatalf("%s: %v", loss, err)
		}
		if res.Iterations != 60 || res.Reason != solve.Finished {
			t.Errorf("%s: %d iterations (%s), want 60 (finished)", loss, res.Iterations, res.Reason)
		}
		h := res.History
		for i := 2; i < len(h); i++ {
			if h[i].Iter%20 == 1 {
				continue // the adversary moved before this iteration
			}
			if h[i].Objective > h[i-1].Objective*(1+1e-12)+1e-12 {
				t.Fatalf("%s: objective rose at iteration %d: %.15g -> %.15g", loss, h[i].Iter, h[i-1].Objective, h[i].Objective)
			}
		}
		for l, pre := range res.Pretrain {
			for i := 1; i < len(pre.History); i++ {
				if pre.History[i].Objective > pre.History[i-1].Objective*(1+1e-12)+1e-12 {
					t.Fatalf("%s: pre-training of layer %d: objective rose at iteration %d", loss, l+1, pre.History[i].Iter)
				}
			}
		}
		for _, f := range res.Factors {
			if mat.Min(f.M) < 0 {
				t.Errorf("%s: factor %s is negative", loss, f.Name)
			}
		}
	}
}

// TestEADNMFCompletes checks that EADNMF predicts the hidden cells of a
// planted low-rank matrix, and that a seed fixes its result. The rows are
// short (40 cells) and fitted closely, so the elastic weights are near
// their largest, (1+δ)/δ, where λ = 2 would scale the perturbation to
// three times the residual; λ = 10 keeps it below a fifth of it
// (docs/models/eadnmf.md), and a light ridge suits values in [0, 1].
func TestEADNMFCompletes(t *testing.T) {
	train, cells := hidden(60, 40, 3, 0.3, 3)
	fit := func(seed uint64) (*Result, float64) {
		m := EADNMF{Layers: []int{8, 3}, Lambda: new(10.0), Ridge: new(0.01), Masked: true, Seed: seed}
		res, err := m.Fit(context.Background(), train, solve.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		truth, pred := completion.Predict(cells, res.Approx.At)
		return res, metric.RMSE(truth, pred)
	}
	a, rmse := fit(1)
	b, again := fit(1)
	if rmse != again || relDiff(a.Approx.L, b.Approx.L) != 0 {
		t.Errorf("the same seed gave RMSE %g and %g", rmse, again)
	}
	t.Logf("hidden-cell RMSE %.4f", rmse)
	// The values are in [0, 1]; masked NMF of rank 3 has a hidden-cell
	// RMSE of 0.0045 on these data.
	if !(rmse < 0.01) {
		t.Errorf("hidden-cell RMSE %g, want below 0.01", rmse)
	}
}

// TestEADNMFInvalid checks the refusals.
func TestEADNMFInvalid(t *testing.T) {
	train, _ := hidden(20, 10, 2, 0.3, 4)
	neg := mat.NewDense(5, 4, nil)
	neg.Set(1, 1, -1)
	for _, tc := range []struct {
		name string
		m    EADNMF
		x    linalg.Matrix
	}{
		{"increasing layers", EADNMF{Layers: []int{3, 5}, Masked: true}, train},
		{"layer too wide", EADNMF{Layers: []int{10}, Masked: true}, train},
		{"negative", EADNMF{Layers: []int{2}}, linalg.NewDense(neg)},
		{"nothing observed", EADNMF{Layers: []int{2}, Masked: true}, mustCSR(linalg.NewCSRFromTriplets(5, 4, nil, nil, nil, true))},
		{"negative lambda", EADNMF{Layers: []int{2}, Lambda: new(-1.0), Masked: true}, train},
	} {
		_, err := tc.m.Fit(context.Background(), tc.x, solve.Settings{})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want ErrInvalid", tc.name, err)
		}
	}
}

func mustCSR(c *linalg.CSR, err error) *linalg.CSR {
	if err != nil {
		panic(err)
	}
	return c
}

// TestRobustWeights checks each loss's weight against the derivative of ρ
// in e², by finite differences.
func TestRobustWeights(t *testing.T) {
	for _, name := range []RobustLoss{LossElastic, LossFro, LossL21, LossCorrentropy} {
		loss := robust(name, 2, 0.7)
		for _, e := range []float64{0.05, 0.5, 1, 3} {
			const h = 1e-6
			s := e * e
			fd := (loss.rho(math.Sqrt(s+h)) - loss.rho(math.Sqrt(s-h))) / (2 * h)
			if got := loss.weight(e); math.Abs(got-fd) > 1e-6*max(1, fd) {
				t.Errorf("%s at e = %g: weight %.8g, dρ/d(e²) %.8g", name, e, got, fd)
			}
		}
	}
}

// TestEADNMFGradient checks each update's parts against finite
// differences of the objective: 2(den − num) is its gradient in U_l and in
// H, for every loss (the weights are dρ/d(e²), so the gradient of Σρ(e_j)
// is that of the weighted squares at the current weights).
func TestEADNMFGradient(t *testing.T) {
	for _, fraction := range []float64{0.3, 0.8} {
		testGradient(t, fraction)
	}
}

func testGradient(t *testing.T, fraction float64) {
	train, _ := hidden(12, 9, 2, fraction, 5)
	n, d := train.Dims()
	for _, name := range []RobustLoss{LossElastic, LossFro, LossL21, LossCorrentropy} {
		rng := initialize.NewRand(6)
		ls := []deep.Layer{{U: initialize.RandomDense(d, 4, 1, rng), H: initialize.RandomDense(n, 4, 1, rng)},
			{U: initialize.RandomDense(4, 2, 1, rng), H: initialize.RandomDense(n, 2, 1, rng)}}
		r := newElasticRun(train, ls, robust(name, 2, 0.5), 0.3)
		eval := func() float64 {
			for l := range r.P() {
				r.SetPsi(l)
			}
			r.reconstruct(r.Product())
			r.reweigh()
			return r.Objective()
		}
		check := func(what string, m, num, den *mat.Dense) {
			rows, cols := m.Dims()
			grad := mat.NewDense(rows, cols, nil)
			grad.Sub(den, num)
			grad.Scale(2, grad)
			for i := range rows {
				for j := range cols {
					v := m.At(i, j)
					const e = 1e-6
					m.Set(i, j, v+e)
					up := eval()
					m.Set(i, j, v-e)
					down := eval()
					m.Set(i, j, v)
					if fd := (up - down) / (2 * e); math.Abs(grad.At(i, j)-fd) > 1e-5*max(1, math.Abs(fd)) {
						t.Fatalf("%s %s(%d,%d): 2(den − num) %.8g, finite difference %.8g", name, what, i, j, grad.At(i, j), fd)
					}
				}
			}
			eval()
		}
		for l := range r.P() {
			eval()
			r.BeginSweep()
			num, den := r.partsU(l)
			check(fmt.Sprintf("U%d", l+1), r.U[l], mat.DenseCopyOf(num), mat.DenseCopyOf(den))
		}
		eval()
		num, den := r.partsH()
		check("H", r.Top(), mat.DenseCopyOf(num), mat.DenseCopyOf(den))
	}
}
