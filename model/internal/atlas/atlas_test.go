package atlas

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/trifactor"
)

// stack returns n random symmetric m x m matrices with entries in
// [lo, lo+1).
func stack(n, m int, lo float64, seed uint64) []*mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]*mat.Dense, n)
	for i := range out {
		a := mat.NewDense(m, m, nil)
		for p := range m {
			for q := p; q < m; q++ {
				v := lo + rng.Float64()
				a.Set(p, q, v)
				a.Set(q, p, v)
			}
		}
		out[i] = a
	}
	return out
}

// dense returns Σ_l ‖A_l − HW_lHᵀ‖² formed densely.
func dense(f *Factorization) float64 {
	var s float64
	for l, a := range f.A {
		r := linalg.Product(linalg.Product(f.H, f.W[l]), f.H.T())
		r.Sub(a, r)
		s += linalg.Dot(r, r)
	}
	return s
}

func start(t *testing.T, a []*mat.Dense, k int, free bool, seed uint64) *Factorization {
	t.Helper()
	m, _ := a[0].Dims()
	f, err := New(a, initialize.Uniform(m, k, 1, initialize.NewRand(seed)), free)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestObjective checks the Gram-matrix objective against the dense one.
func TestObjective(t *testing.T) {
	for _, free := range []bool{true, false} {
		lo := -0.5
		if !free {
			lo = 0
		}
		f := start(t, stack(3, 12, lo, 1), 3, free, 2)
		if got, want := f.Objective(), dense(f); math.Abs(got-want) > 1e-10*want {
			t.Errorf("free %v: objective %g, dense %g", free, got, want)
		}
	}
}

// TestGradients checks that 4(Quad + Quart − Num) of HParts is the gradient of the
// objective with respect to H and 2(den − num) of WParts that with
// respect to W_l, by central finite differences, on a mixed-sign stack
// with mixed-sign W and on a nonnegative one with nonnegative W.
func TestGradients(t *testing.T) {
	for _, free := range []bool{true, false} {
		lo := -0.5
		if !free {
			lo = 0
		}
		f := start(t, stack(3, 8, lo, 3), 3, free, 4)
		if free {
			// Away from the least-squares W, where its gradient vanishes.
			for _, w := range f.W {
				w.Set(0, 1, w.At(0, 1)+0.3)
				w.Set(1, 0, w.At(1, 0)+0.3)
			}
		}
		check := func(name string, x, num, den *mat.Dense, scale float64) {
			t.Helper()
			grad := mat.NewDense(x.RawMatrix().Rows, x.RawMatrix().Cols, nil)
			grad.Sub(den, num)
			grad.Scale(scale, grad)
			r, c := x.Dims()
			for i := range r {
				for j := range c {
					v := x.At(i, j)
					h := 1e-6 * max(1, math.Abs(v))
					x.Set(i, j, v+h)
					up := f.Objective()
					x.Set(i, j, v-h)
					down := f.Objective()
					x.Set(i, j, v)
					fd := (up - down) / (2 * h)
					if math.Abs(grad.At(i, j)-fd) > 1e-6*max(1, math.Abs(fd)) {
						t.Fatalf("free %v: %s(%d,%d): gradient %.10g, finite difference %.10g", free, name, i, j, grad.At(i, j), fd)
					}
				}
			}
		}
		p := f.HParts(f.H)
		den := mat.DenseCopyOf(p.Quad)
		den.Add(den, p.Quart)
		check("H", f.H, mat.DenseCopyOf(p.Num), den, 4)
		for l := range f.W {
			f.g.Mul(f.H.T(), f.H)
			num, den := f.WParts(l)
			check("W", f.W[l], mat.DenseCopyOf(num), mat.DenseCopyOf(den), 2)
		}
	}
}

// TestMonotone checks that no step increases the objective, with free W
// on a mixed-sign stack and nonnegative W on a nonnegative one, and that
// H stays nonnegative.
func TestMonotone(t *testing.T) {
	for _, free := range []bool{true, false} {
		lo := -0.6
		if !free {
			lo = 0
		}
		f := start(t, stack(4, 20, lo, 5), 4, free, 6)
		prev := f.Objective()
		for it := range 200 {
			if err := f.Step(); err != nil {
				t.Fatal(err)
			}
			obj := f.Objective()
			if obj > prev*(1+1e-12) {
				t.Fatalf("free %v: objective rose at iteration %d: %.15g -> %.15g", free, it+1, prev, obj)
			}
			prev = obj
		}
		if v := mat.Min(f.H); v < 0 {
			t.Errorf("free %v: H has a negative entry %g", free, v)
		}
		if !free {
			for _, w := range f.W {
				if v := mat.Min(w); v < 0 {
					t.Errorf("W has a negative entry %g", v)
				}
			}
		}
	}
}

// TestLeastSquaresW checks that a free W_l is the minimizer given H: the
// gradient 2(GW_lG − HᵀA_lH) vanishes.
func TestLeastSquaresW(t *testing.T) {
	f := start(t, stack(2, 15, -0.5, 7), 3, true, 8)
	for l := range f.W {
		num, den := f.WParts(l)
		var d mat.Dense
		d.Sub(den, num)
		if v := mat.Norm(&d, math.Inf(1)); v > 1e-10*mat.Norm(num, math.Inf(1)) {
			t.Errorf("W_%d: gradient of size %g at the least-squares value", l, v)
		}
	}
}

// TestOneNonnegativeMatrix checks that on one nonnegative matrix with
// nonnegative W the step is that of asymmetric NMF (package trifactor).
func TestOneNonnegativeMatrix(t *testing.T) {
	a := stack(1, 16, 0, 9)
	f := start(t, a, 3, false, 10)
	tf := trifactor.New(linalg.NewDense(a[0]), mat.DenseCopyOf(f.H), mat.DenseCopyOf(f.W[0]))
	for range 5 {
		if err := f.Step(); err != nil {
			t.Fatal(err)
		}
		if err := tf.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var d mat.Dense
	d.Sub(f.H, tf.H)
	if v := mat.Norm(&d, math.Inf(1)); v > 1e-10 {
		t.Errorf("H differs from asymmetric NMF's by %g", v)
	}
	var e mat.Dense
	e.Sub(f.W[0], tf.W)
	if v := mat.Norm(&e, math.Inf(1)); v > 1e-10 {
		t.Errorf("W differs from asymmetric NMF's by %g", v)
	}
}

// TestSignedNeedsFree checks that nonnegative W refuse a signed stack.
func TestSignedNeedsFree(t *testing.T) {
	a := stack(1, 5, -0.5, 11)
	if _, err := New(a, initialize.Uniform(5, 2, 1, initialize.NewRand(1)), false); err == nil {
		t.Error("nonnegative W accepted a signed stack")
	}
}
