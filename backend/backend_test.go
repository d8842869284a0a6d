package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// useBackend installs the named backend until the end of the test, skipping
// the test if it is openblas and OpenBLAS cannot be loaded.
func useBackend(tb testing.TB, name string) {
	tb.Helper()
	if err := Use(name); err != nil {
		if name == "openblas" {
			tb.Skipf("skipping OpenBLAS: %v", err)
		}
		tb.Fatal(err)
	}
	tb.Cleanup(func() { Use("gonum") })
}

// random returns an r×c matrix with entries in [0.1, 1.1). If view is true
// it is a slice of a larger matrix, so its stride exceeds c.
func random(rnd *rand.Rand, r, c int, view bool) *mat.Dense {
	pr, pc := 0, 0
	if view {
		pr, pc = 2, 3
	}
	m := mat.NewDense(r+pr, c+pc, nil)
	for i := range r + pr {
		for j := range c + pc {
			m.Set(i, j, 0.1+rnd.Float64())
		}
	}
	return m.Slice(pr/2, pr/2+r, pc/2, pc/2+c).(*mat.Dense)
}

// nanDense returns an r×c matrix of NaNs, a slice of a larger one if view is
// true, to check that products overwrite their destination.
func nanDense(r, c int, view bool) *mat.Dense {
	m := random(rand.New(rand.NewPCG(0, 0)), r, c, view)
	for i := range r {
		for j := range c {
			m.Set(i, j, math.NaN())
		}
	}
	return m
}

// checkClose fails tb unless got and want, whose entries are positive, agree
// to a relative tolerance of 1e-12 in every entry.
func checkClose(tb testing.TB, got, want mat.Matrix) {
	tb.Helper()
	r, c := want.Dims()
	if gr, gc := got.Dims(); gr != r || gc != c {
		tb.Fatalf("got %dx%d, want %dx%d", gr, gc, r, c)
	}
	for i := range r {
		for j := range c {
			g, w := got.At(i, j), want.At(i, j)
			if !(math.Abs(g-w) <= 1e-12*math.Abs(w)) {
				tb.Fatalf("entry (%d,%d) = %v, want %v", i, j, g, w)
			}
		}
	}
}

// product returns the matrix computed by f under each backend, gonum first.
func product(t *testing.T, f func() mat.Matrix) (gonum, openblas mat.Matrix) {
	t.Helper()
	useBackend(t, "gonum")
	g := mat.DenseCopyOf(f())
	useBackend(t, "openblas")
	return g, f()
}

func TestMul(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ m, k, n int }{
		{1, 1, 1}, {3, 5, 7}, {20, 20, 20}, {37, 53, 29}, {129, 67, 211},
		{300, 1, 250}, {1, 400, 300}, {250, 300, 1}, {501, 2, 3},
	} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, view := range []bool{false, true} {
					name := fmt.Sprintf("%dx%dx%d/tA=%t/tB=%t/view=%t", s.m, s.k, s.n, tA, tB, view)
					t.Run(name, func(t *testing.T) {
						var a, b mat.Matrix = random(rnd, s.m, s.k, view), random(rnd, s.k, s.n, view)
						if tA {
							a = mat.DenseCopyOf(a.T()).T()
						}
						if tB {
							b = mat.DenseCopyOf(b.T()).T()
						}
						if view {
							// Copies are contiguous; take strided views again.
							a, b = restride(a), restride(b)
						}
						g, o := product(t, func() mat.Matrix {
							c := nanDense(s.m, s.n, view)
							c.Mul(a, b)
							return c
						})
						checkClose(t, o, g)
					})
				}
			}
		}
	}
}

// restride returns a copy of m, or of the matrix m transposes, stored with a
// stride larger than its number of columns, transposed as m is.
func restride(m mat.Matrix) mat.Matrix {
	if t, ok := m.(mat.Transpose); ok {
		return restride(t.Matrix).T()
	}
	r, c := m.Dims()
	v := random(rand.New(rand.NewPCG(0, 0)), r, c, true)
	v.Copy(m)
	return v
}

func TestMulVec(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct{ m, n int }{{1, 1}, {7, 5}, {300, 200}, {1, 40000}, {40000, 1}} {
		for _, trans := range []bool{false, true} {
			for _, view := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%d/trans=%t/view=%t", s.m, s.n, trans, view), func(t *testing.T) {
					var a mat.Matrix = random(rnd, s.m, s.n, view)
					lx, ly := s.n, s.m
					if trans {
						a = a.T()
						lx, ly = ly, lx
					}
					// A column of a matrix with two columns has increment 2.
					x := random(rnd, lx, 2, view).ColView(1)
					g, o := product(t, func() mat.Matrix {
						y := nanDense(ly, 2, view).ColView(0).(*mat.VecDense)
						y.MulVec(a, x)
						return y
					})
					checkClose(t, o, g)
				})
			}
		}
	}
}

func TestSymOuterK(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct{ n, k int }{{3, 2}, {100, 80}, {31, 400}} {
		for _, trans := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/trans=%t", s.n, s.k, trans), func(t *testing.T) {
				var x mat.Matrix = random(rnd, s.n, s.k, true)
				if trans {
					x = restride(mat.DenseCopyOf(x.T())).T()
				}
				g, o := product(t, func() mat.Matrix {
					var c mat.SymDense
					c.SymOuterK(1, x)
					return &c
				})
				checkClose(t, o, g)
			})
		}
	}
}

// TestBLAS calls OpenBLAS with arguments mat never uses: scaling factors and
// negative vector increments.
func TestBLAS(t *testing.T) {
	impl, _, err := loadOpenBLAS()
	if err != nil {
		t.Skipf("skipping OpenBLAS: %v", err)
	}
	var ref gonum.Implementation
	rnd := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = 0.1 + rnd.Float64()
		}
		return s
	}
	check := func(got, want []float64) {
		t.Helper()
		checkClose(t, mat.NewVecDense(len(got), got), mat.NewVecDense(len(want), want))
	}

	const m, n, k = 90, 110, 70
	a, b, c := fill(m*k), fill(k*n), fill(m*n)
	want := append([]float64(nil), c...)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 0.5, a, k, b, n, 2, c, n)
	ref.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 0.5, a, k, b, n, 2, want, n)
	check(c, want)

	for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
		c, want := fill(m*m), make([]float64, m*m)
		copy(want, c)
		impl.Dsyrk(ul, blas.NoTrans, m, k, 0.5, a, k, 2, c, m)
		ref.Dsyrk(ul, blas.NoTrans, m, k, 0.5, a, k, 2, want, m)
		check(c, want)
	}

	a = fill(m * n)
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, inc := range [][2]int{{1, 1}, {-2, 3}, {2, -1}, {-3, -2}} {
			x, y := fill(3*max(m, n)), fill(3*max(m, n))
			want := append([]float64(nil), y...)
			impl.Dgemv(tA, m, n, 0.5, a, n, x, inc[0], 2, y, inc[1])
			ref.Dgemv(tA, m, n, 0.5, a, n, x, inc[0], 2, want, inc[1])
			check(y, want)
		}
	}
}

// TestBadArgs checks that invalid arguments panic, as gonum's do, rather than
// reach OpenBLAS.
func TestBadArgs(t *testing.T) {
	impl, _, err := loadOpenBLAS()
	if err != nil {
		t.Skipf("skipping OpenBLAS: %v", err)
	}
	const n = 100
	s, short := make([]float64, n*n), make([]float64, n*n-1)
	for name, f := range map[string]func(){
		"gemm short a":  func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, short, n, s, n, 0, s, n) },
		"gemm short c":  func() { impl.Dgemm(blas.NoTrans, blas.Trans, n, n, n, 1, s, n, s, n, 0, short, n) },
		"gemm bad lda":  func() { impl.Dgemm(blas.Trans, blas.NoTrans, n, n, n, 1, s, n-1, s, n, 0, s, n) },
		"gemm neg dims": func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, -n, -n, n, 1, s, n, s, n, 0, s, n) },
		"gemm bad t":    func() { impl.Dgemm('X', blas.NoTrans, n, n, n, 1, s, n, s, n, 0, s, n) },
		"syrk short c":  func() { impl.Dsyrk(blas.Upper, blas.NoTrans, n, n, 1, s, n, 0, short, n) },
		"syrk bad uplo": func() { impl.Dsyrk('X', blas.NoTrans, n, n, 1, s, n, 0, s, n) },
		"gemv short x":  func() { impl.Dgemv(blas.NoTrans, n, n, 1, s, n, s[:n-1], 1, 0, s, 1) },
		"gemv short y":  func() { impl.Dgemv(blas.Trans, n, n, 1, s, n, s, 1, 0, s[:2*n], -3) },
		"gemv zero inc": func() { impl.Dgemv(blas.NoTrans, n, n, 1, s, n, s, 0, 0, s, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestUse(t *testing.T) {
	t.Cleanup(func() { Use("gonum") })
	if err := Use("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf(`Use("nope") = %v, want an error naming it`, err)
	}
	if err := Use("auto"); err != nil {
		t.Errorf(`Use("auto") = %v`, err)
	}
	_, _, loadErr := loadOpenBLAS()
	want := map[string]string{"gonum": "gonum", "openblas": "openblas (libopenblas", "auto": "openblas (libopenblas"}
	if loadErr != nil {
		t.Logf("OpenBLAS not available: %v", loadErr)
		want["auto"] = "gonum"
		delete(want, "openblas")
		if err := Use("openblas"); err == nil || !strings.Contains(err.Error(), "install") {
			t.Errorf(`Use("openblas") = %v, want an error saying what to install`, err)
		}
	}
	for _, name := range []string{"gonum", "openblas", "gonum", "auto", "gonum", "openblas", "openblas", "nope"} {
		prev := Current()
		err := Use(name)
		if name == "nope" || want[name] == "" {
			if err == nil || Current() != prev {
				t.Errorf("Use(%q) = %v and switched from %q to %q", name, err, prev, Current())
			}
			continue
		}
		if err != nil || !strings.HasPrefix(Current(), want[name]) {
			t.Errorf("Use(%q) = %v, then Current() = %q, want %q…", name, err, Current(), want[name])
		}
		if _, ok := blas64.Implementation().(pureGo); ok != (want[name] == "gonum") {
			t.Errorf("after Use(%q): BLAS %T", name, blas64.Implementation())
		}
		if got := Optimized(); got != (want[name] != "gonum") {
			t.Errorf("after Use(%q): Optimized() = %v", name, got)
		}
		// The product still works after switching.
		a := mat.NewDense(40, 40, nil)
		for i := range 40 {
			a.Set(i, i, 2)
		}
		var c mat.Dense
		c.Mul(a, a)
		if c.At(3, 3) != 4 || c.At(3, 4) != 0 {
			t.Errorf("after Use(%q): wrong product", name)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Cleanup(func() { Use("gonum") })
	t.Setenv("DEEPNMF_BACKEND", "nope")
	if err := FromEnv(); err == nil || !strings.Contains(err.Error(), "DEEPNMF_BACKEND") {
		t.Errorf("FromEnv() = %v with DEEPNMF_BACKEND=nope", err)
	}
	t.Setenv("DEEPNMF_BACKEND", "gonum")
	if err := FromEnv(); err != nil || Current() != "gonum" {
		t.Errorf("FromEnv() = %v, Current() = %q with DEEPNMF_BACKEND=gonum", err, Current())
	}
	t.Setenv("DEEPNMF_BACKEND", "")
	if err := FromEnv(); err != nil {
		t.Errorf("FromEnv() = %v with DEEPNMF_BACKEND empty", err)
	}
	if _, _, err := loadOpenBLAS(); err == nil && !strings.HasPrefix(Current(), "openblas") {
		t.Errorf("Current() = %q with DEEPNMF_BACKEND empty, want openblas", Current())
	}
}

func BenchmarkMul(b *testing.B) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, s := range []struct{ m, k, n int }{{2000, 5000, 50}, {2000, 50, 5000}} {
		a, x := random(rnd, s.m, s.k, false), random(rnd, s.k, s.n, false)
		c := mat.NewDense(s.m, s.n, nil)
		for _, name := range []string{"gonum", "openblas"} {
			b.Run(fmt.Sprintf("%dx%d_%dx%d/%s", s.m, s.k, s.k, s.n, name), func(b *testing.B) {
				useBackend(b, name)
				for b.Loop() {
					c.Mul(a, x)
				}
			})
		}
	}
}
