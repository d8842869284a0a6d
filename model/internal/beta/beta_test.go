package beta

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func random(r, c int, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, 0.1+rng.Float64())
		}
	}
	return m
}

// direct is D_β(X | WH) summed entry by entry.
func direct(x, w, h *mat.Dense, b float64) float64 {
	var wh mat.Dense
	wh.Mul(w, h)
	r, c := x.Dims()
	var s float64
	for i := range r {
		for j := range c {
			v, y := x.At(i, j), wh.At(i, j)
			switch b {
			case 2:
				s += (v - y) * (v - y) / 2
			case 1:
				s += v*math.Log(v/y) - v + y
			case 0:
				s += v/y - math.Log(v/y) - 1
			default:
				s += (math.Pow(v, b) + (b-1)*math.Pow(y, b) - b*v*math.Pow(y, b-1)) / (b * (b - 1))
			}
		}
	}
	return s
}

func TestDivergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, w, h := random(7, 5, rng), random(7, 2, rng), random(2, 5, rng)
	for _, b := range []float64{2, 1, 0, 0.5, 1.5, 3} {
		want := direct(x, w, h, b)
		for _, in := range []linalg.Matrix{linalg.NewDense(x), linalg.CSRFromDense(x)} {
			got := Divergence(in, w, h, b)
			if math.Abs(got-want) > 1e-10*max(1, math.Abs(want)) {
				t.Errorf("β = %g, %T: %.12g, want %.12g", b, in, got, want)
			}
			// A Work gives the same bits on each call, its scratch reused.
			wk := NewWork(b)
			for range 2 {
				if again := wk.Divergence(in, w, h); again != got {
					t.Errorf("β = %g, %T: Work's divergence %.17g, want %.17g", b, in, again, got)
				}
			}
		}
	}
}

// TestGradW checks den − num against finite differences of D_β in W.
func TestGradW(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, w, h := random(6, 4, rng), random(6, 2, rng), random(2, 4, rng)
	ht := linalg.Transpose(h)
	for _, b := range []float64{2, 1, 1.5, 0.5} {
		num, den := mat.NewDense(6, 2, nil), mat.NewDense(6, 2, nil)
		NewWork(b).GradW(num, den, mat.NewDense(2, 2, nil), linalg.NewDense(x), w, h, ht)
		for i := range 6 {
			for j := range 2 {
				v := w.At(i, j)
				const e = 1e-6
				w.Set(i, j, v+e)
				up := Divergence(linalg.NewDense(x), w, h, b)
				w.Set(i, j, v-e)
				down := Divergence(linalg.NewDense(x), w, h, b)
				w.Set(i, j, v)
				fd := (up - down) / (2 * e)
				if got := den.At(i, j) - num.At(i, j); math.Abs(got-fd) > 1e-5*max(1, math.Abs(fd)) {
					t.Fatalf("β = %g (%d,%d): den − num %.8g, finite difference %.8g", b, i, j, got, fd)
				}
			}
		}
	}
}

func TestGamma(t *testing.T) {
	for b, want := range map[float64]float64{0: 0.5, 0.5: 1 / 1.5, 1: 1, 2: 1, 3: 0.5} {
		if got := Gamma(b); math.Abs(got-want) > 1e-15 {
			t.Errorf("Gamma(%g) = %g, want %g", b, got, want)
		}
	}
}

// TestMasked checks the masked divergence against a sum over the observed
// cells, and its gradients in W and H against finite differences.
func TestMasked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x, w, h := random(6, 5, rng), random(6, 2, rng), random(2, 5, rng)
	hidden := mat.NewDense(6, 5, nil)
	hidden.Copy(x)
	for i := range 6 {
		hidden.Set(i, (i*3)%5, math.NaN())
		hidden.Set(i, (i*3+2)%5, math.NaN())
	}
	mx := linalg.ObservedNaN(linalg.NewDense(hidden))
	div := func(b float64) float64 {
		var wh mat.Dense
		wh.Mul(w, h)
		var s float64
		mx.Each(func(i, j int, v float64) {
			one := mat.NewDense(1, 1, []float64{v})
			s += direct(one, mat.NewDense(1, 1, []float64{wh.At(i, j)}), mat.NewDense(1, 1, []float64{1}), b)
		})
		return s
	}
	ht := linalg.Transpose(h)
	for _, b := range []float64{2, 1, 1.5, 0.5, 0} {
		wk := NewWork(b) // one for every call: its results are rewritten in place
		if got, want := wk.MaskedDivergence(mx, w, h), div(b); math.Abs(got-want) > 1e-10*max(1, want) {
			t.Errorf("β = %g: masked divergence %.12g, want %.12g", b, got, want)
		}
		numW, denW := mat.NewDense(6, 2, nil), mat.NewDense(6, 2, nil)
		wk.MaskedGradW(numW, denW, mx, w, h, ht)
		numH, denH := mat.NewDense(5, 2, nil), mat.NewDense(5, 2, nil)
		wk.MaskedGradHT(numH, denH, mx, w, h)
		fd := func(m *mat.Dense, i, j int) float64 {
			v := m.At(i, j)
			const e = 1e-6
			m.Set(i, j, v+e)
			up := wk.MaskedDivergence(mx, w, h)
			m.Set(i, j, v-e)
			down := wk.MaskedDivergence(mx, w, h)
			m.Set(i, j, v)
			return (up - down) / (2 * e)
		}
		for i := range 6 {
			for j := range 2 {
				if got, want := denW.At(i, j)-numW.At(i, j), fd(w, i, j); math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
					t.Fatalf("β = %g W(%d,%d): den − num %.8g, finite difference %.8g", b, i, j, got, want)
				}
			}
		}
		for j := range 5 {
			for k := range 2 {
				if got, want := denH.At(j, k)-numH.At(j, k), fd(h, k, j); math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
					t.Fatalf("β = %g H(%d,%d): den − num %.8g, finite difference %.8g", b, k, j, got, want)
				}
			}
		}
	}
}
