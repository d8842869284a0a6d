package linalg_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// newRNG returns a deterministic generator for a test.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randDense returns an r x c matrix with entries uniform in [lo, hi).
func randDense(rng *rand.Rand, r, c int, lo, hi float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return m
}

// randSparseDense returns an r x c dense matrix whose entries are nonzero
// with probability density, with values in [-1, 1) (never exactly 0).
func randSparseDense(rng *rand.Rand, r, c int, density float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if rng.Float64() < density {
				v := 2*rng.Float64() - 1
				if v == 0 {
					v = 0.5
				}
				m.Set(i, j, v)
			}
		}
	}
	return m
}

// withProcs runs fn with runtime.GOMAXPROCS(n) and restores the old value.
func withProcs(n int, fn func()) {
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	fn()
}

// stridedCopy returns a view of a fresh matrix holding a copy of m whose
// stride exceeds its number of columns; the entries around the view are NaN.
func stridedCopy(m mat.Matrix) *mat.Dense {
	r, c := m.Dims()
	big := mat.NewDense(r+3, c+5, nil)
	fillDense(big, math.NaN())
	v := big.Slice(2, 2+r, 1, 1+c).(*mat.Dense)
	v.Copy(m)
	return v
}

func fillDense(m *mat.Dense, v float64) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] = v
		}
	}
}

// naiveMul returns a·b by the textbook triple loop.
func naiveMul(a, b mat.Matrix) *mat.Dense {
	r, n := a.Dims()
	_, c := b.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var s float64
			for l := 0; l < n; l++ {
				s += a.At(i, l) * b.At(l, j)
			}
			out.Set(i, j, s)
		}
	}
	return out
}

// assertClose fails unless got and want have the same shape and
// |got - want| ≤ tol·(1 + |want|) entrywise.
func assertClose(t *testing.T, name string, got, want mat.Matrix, tol float64) {
	t.Helper()
	gr, gc := got.Dims()
	wr, wc := want.Dims()
	if gr != wr || gc != wc {
		t.Fatalf("%s: shape %dx%d, want %dx%d", name, gr, gc, wr, wc)
	}
	bad := 0
	for i := 0; i < wr; i++ {
		for j := 0; j < wc; j++ {
			g, w := got.At(i, j), want.At(i, j)
			if !(math.Abs(g-w) <= tol*(1+math.Abs(w))) {
				if bad < 5 {
					t.Errorf("%s: (%d,%d) = %v, want %v", name, i, j, g, w)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d entries differ", name, bad)
	}
}

// assertIdentical fails unless got and want hold the same bits.
func assertIdentical(t *testing.T, name string, got, want mat.Matrix) {
	t.Helper()
	gr, gc := got.Dims()
	wr, wc := want.Dims()
	if gr != wr || gc != wc {
		t.Fatalf("%s: shape %dx%d, want %dx%d", name, gr, gc, wr, wc)
	}
	for i := 0; i < wr; i++ {
		for j := 0; j < wc; j++ {
			if g, w := got.At(i, j), want.At(i, j); math.Float64bits(g) != math.Float64bits(w) {
				t.Fatalf("%s: (%d,%d) = %v, want bit-identical %v", name, i, j, g, w)
			}
		}
	}
}

// mustPanic fails unless fn panics.
func mustPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: did not panic", name)
		}
	}()
	fn()
}
