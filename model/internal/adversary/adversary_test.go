package adversary

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// best returns the c in [0, cmax] on a fine grid that maximizes f.
func best(f func(c float64) float64, cmax float64) float64 {
	arg, top := 0.0, math.Inf(-1)
	for i := 0; i <= 100000; i++ {
		c := cmax * float64(i) / 100000
		if v := f(c); v > top {
			arg, top = c, v
		}
	}
	return arg
}

// TestScales checks each closed-form scale against a grid search of the
// adversary's objective along the residual, d‖(1+c)m‖² − price(c·m).
func TestScales(t *testing.T) {
	const cmax = 5
	for _, d := range []float64{0.3, 1, 2.5} {
		for _, lambda := range []float64{0.5, 1.5, 4, 20} {
			for _, norm := range []float64{0.1, 1, 3} {
				fro := func(c float64) float64 { return d*(1+c)*(1+c)*norm*norm - lambda*c*c*norm*norm }
				if got, want := FrobeniusScale(d, lambda, cmax), best(fro, cmax); math.Abs(got-want) > 1e-3 {
					t.Errorf("Frobenius d=%g λ=%g: scale %g, grid maximum at %g", d, lambda, got, want)
				}
				l21 := func(c float64) float64 { return d*(1+c)*(1+c)*norm*norm - lambda*c*norm }
				if got, want := L21Scale(d, norm, lambda, cmax), best(l21, cmax); math.Abs(got-want) > 1e-3 {
					t.Errorf("ℓ2,1 d=%g λ=%g ‖m‖=%g: scale %g, grid maximum at %g", d, lambda, norm, got, want)
				}
			}
		}
	}
}

// TestTarget checks the perturbed target on a sparse A: A's pattern, A +
// max(cM, −A) there, nonnegative, with the perturbation's norms.
func TestTarget(t *testing.T) {
	ad := mat.NewDense(3, 3, []float64{
		1, 0, 2,
		0, 0, 3,
		4, 0.5, 0,
	})
	a := linalg.CSRFromDense(ad)
	l := mat.NewDense(3, 1, []float64{1, 2, 0.5})
	r := mat.NewDense(3, 1, []float64{1, 0.5, 1})
	var w Work
	m := w.Residual(a, l, r)
	if m.NNZ() != a.NNZ() {
		t.Fatalf("residual stores %d entries, A %d", m.NNZ(), a.NNZ())
	}
	m.Each(func(i, j int, v float64) {
		if want := ad.At(i, j) - l.At(i, 0)*r.At(j, 0); math.Abs(v-want) > 1e-15 {
			t.Errorf("M(%d,%d) = %g, want %g", i, j, v, want)
		}
	})
	tgt, cols, rows := w.Target(a, m, func(i, _ int) float64 { return float64(i + 1) })
	wantCols, wantRows := make([]float64, 3), make([]float64, 3)
	tgt.Each(func(i, j int, v float64) {
		rij := max(float64(i+1)*m.At(i, j), -ad.At(i, j))
		if math.Abs(v-(ad.At(i, j)+rij)) > 1e-15 || v < 0 {
			t.Errorf("target (%d,%d) = %g, want %g ≥ 0", i, j, v, ad.At(i, j)+rij)
		}
		wantCols[j] += rij * rij
		wantRows[i] += rij * rij
	})
	for j := range 3 {
		if math.Abs(cols[j]-math.Sqrt(wantCols[j])) > 1e-15 || math.Abs(rows[j]-math.Sqrt(wantRows[j])) > 1e-15 {
			t.Errorf("norms %v %v, want the roots of %v %v", cols, rows, wantCols, wantRows)
		}
	}
}
