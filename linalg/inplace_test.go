package linalg_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// TestInPlaceHelpers checks the allocation-free forms against gonum's
// allocating ones: MulAtB, MulABt, AddMul, AddScaled, Scale, TransposeTo,
// ColNormsTo and Scratch.
func TestInPlaceHelpers(t *testing.T) {
	rng := newRNG(11)
	a, b := randDense(rng, 37, 5, -1, 1), randDense(rng, 37, 6, -1, 1)
	c := randDense(rng, 6, 5, -1, 1)
	check := func(name string, got, want mat.Matrix) {
		t.Helper()
		if !mat.EqualApprox(got, want, 1e-12) {
			t.Errorf("%s: got %v, want %v", name, mat.Formatted(got), mat.Formatted(want))
		}
	}
	var want mat.Dense
	got := mat.NewDense(5, 6, nil)
	linalg.MulAtB(got, a, b)
	want.Mul(a.T(), b)
	check("MulAtB", got, &want)
	var empty mat.Dense
	linalg.MulAtB(&empty, a, b)
	check("MulAtB into an empty matrix", &empty, &want)

	got = mat.NewDense(37, 6, nil)
	linalg.MulABt(got, a, c)
	want.Reset()
	want.Mul(a, c.T())
	check("MulABt", got, &want)

	acc := mat.DenseCopyOf(b)
	ct := linalg.Transpose(c)
	linalg.AddMul(acc, a, ct)
	want.Reset()
	want.Mul(a, ct)
	want.Add(&want, b)
	check("AddMul", acc, &want)

	acc = mat.DenseCopyOf(a)
	linalg.AddScaled(acc, -2.5, a)
	want.Reset()
	want.Scale(-1.5, a)
	check("AddScaled", acc, &want)

	acc = mat.DenseCopyOf(a)
	linalg.Scale(acc, 3)
	want.Reset()
	want.Scale(3, a)
	check("Scale", acc, &want)

	tr := mat.NewDense(5, 37, nil)
	linalg.TransposeTo(tr, a)
	check("TransposeTo", tr, a.T())

	norms := make([]float64, 5)
	linalg.ColNormsTo(norms, a, make([]float64, 37))
	for j, v := range linalg.ColNorms(a) {
		if norms[j] != v {
			t.Errorf("ColNormsTo[%d] = %v, want %v", j, norms[j], v)
		}
	}

	var s linalg.Scratch
	m1, m2, m3 := s.Get(0, 3, 4), s.Get(1, 3, 4), s.Get(0, 4, 3)
	if s.Get(0, 3, 4) != m1 {
		t.Error("Scratch.Get returned a new matrix for a slot and shape it had")
	}
	if r, c := m3.Dims(); r != 4 || c != 3 {
		t.Errorf("Scratch.Get(0, 4, 3) is %dx%d", r, c)
	}
	m1.Set(0, 0, 1)
	if m2.At(0, 0) != 0 || m3.At(0, 0) != 0 {
		t.Error("Scratch matrices of different slots or shapes share storage")
	}
}

// TestCoordinateDescentProcs checks that a coordinate-descent sweep large
// enough to run in parallel gives the same factor and violation, to the
// bit, on one goroutine (inline) and on several.
func TestCoordinateDescentProcs(t *testing.T) {
	rng := newRNG(5)
	const r, k = 3000, 12
	g := randDense(rng, 40, k, 0, 1)
	var gram mat.Dense
	gram.Mul(g.T(), g)
	cross := randDense(rng, r, k, 0, 3)
	start := randDense(rng, r, k, 0, 1)
	perm := []int{3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10}
	sweep := func(procs int) (*mat.Dense, float64) {
		f := mat.DenseCopyOf(start)
		var v float64
		withProcs(procs, func() { v = linalg.CoordinateDescent(f, &gram, cross, perm) })
		return f, v
	}
	f1, v1 := sweep(1)
	for _, p := range []int{2, 3} {
		fp, vp := sweep(p)
		if !mat.Equal(f1, fp) || v1 != vp {
			t.Errorf("GOMAXPROCS %d: violation %v, factor equal %v; GOMAXPROCS 1: %v", p, vp, mat.Equal(f1, fp), v1)
		}
	}
}

// TestApplyInto checks Apply into an earlier result: the same bits as a
// fresh Apply in the values, statistics, products and transpose products
// (the cached transpose refreshed, including one that was the matrix
// itself while its values were symmetric), no allocation once the
// transpose exists, and a panic for a dst of another pattern or shape.
func TestApplyInto(t *testing.T) {
	rng := newRNG(17)
	sym := randSparseDense(rng, 30, 30, 0.2)
	sym.Add(sym, sym.T())
	inputs := map[string]linalg.Matrix{
		"csr":           linalg.CSRFromDense(randSparseDense(rng, 30, 20, 0.2)),
		"symmetric csr": linalg.CSRFromDense(sym),
		"dense":         linalg.NewDense(randDense(rng, 30, 20, 0, 1)),
	}
	keep := func(x, _ float64) float64 { return x } // symmetric on sym
	f := func(x, wh float64) float64 { return x / wh }
	for name, x := range inputs {
		n, d := x.Dims()
		w1, h1 := randDense(rng, n, 3, 0.1, 1), randDense(rng, 3, d, 0.1, 1)
		w2, h2 := randDense(rng, n, 3, 0.1, 1), randDense(rng, 3, d, 0.1, 1)
		b, bt := randDense(rng, d, 2, 0, 1), randDense(rng, n, 2, 0, 1)
		got, want := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
		gotT, wantT := mat.NewDense(d, 2, nil), mat.NewDense(d, 2, nil)

		dst := x.Apply(nil, w1, h1, keep)
		dst.TMul(gotT, bt) // caches the transpose of the first values
		_ = dst.Stats()
		if out := x.Apply(dst, w2, h2, f); out != dst {
			t.Fatalf("%s: Apply returned a new matrix, not dst", name)
		}
		fresh := x.Apply(nil, w2, h2, f)
		if g, w := dst.Stats(), fresh.Stats(); g != w {
			t.Errorf("%s: Stats %+v, want %+v", name, g, w)
		}
		dst.Mul(got, b)
		fresh.Mul(want, b)
		assertIdentical(t, name+" Mul", got, want)
		dst.TMul(gotT, bt)
		fresh.TMul(wantT, bt)
		assertIdentical(t, name+" TMul", gotT, wantT)

		withProcs(1, func() {
			if a := testing.AllocsPerRun(5, func() {
				x.Apply(dst, w1, h1, f)
				dst.TMul(gotT, bt)
			}); a != 0 {
				t.Errorf("%s: Apply into dst and TMul allocate %v times", name, a)
			}
		})
		other := linalg.Matrix(linalg.NewDense(mat.NewDense(n+1, d, nil)))
		if _, ok := x.(*linalg.CSR); ok {
			other = linalg.CSRFromDense(randSparseDense(rng, n, d, 0.5))
		}
		mustPanic(t, name+" dst of another pattern", func() { x.Apply(other, w1, h1, f) })
		mustPanic(t, name+" dst x", func() { x.Apply(x, w1, h1, f) })
	}
}
