package backend

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// kernels returns the micro-kernels this machine runs, by name: the
// assembly ones the CPU has and the pure-Go one.
func kernels() map[string]microKernel[float64] {
	ks := map[string]microKernel[float64]{"go": goKernel}
	maps.Copy(ks, asmKernels)
	return ks
}

// routes returns kernels and, as "none", no kernel: gonum's products.
func routes() map[string]microKernel[float64] {
	ks := kernels()
	ks["none"] = microKernel[float64]{}
	return ks
}

// useKernel makes the pure-Go backend use kn until the end of the test.
func useKernel(tb testing.TB, kn microKernel[float64]) {
	prev := kernel
	kernel = kn
	tb.Cleanup(func() { kernel = prev })
}

// gemmCase is one product C = alpha·op(A)·op(B) + beta·C, with row strides
// pad entries longer than the rows.
type gemmCase struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float64
	pad         int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("%c%c/%dx%dx%d/alpha=%v/beta=%v/pad=%d", g.tA, g.tB, g.m, g.n, g.k, g.alpha, g.beta, g.pad)
}

// operands returns random A, B and C for g, with their strides, C's
// entries NaN if beta is 0.
func (g gemmCase) operands(rnd *rand.Rand) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	fill := func(rows, cols int) ([]float64, int) {
		ld := cols + g.pad
		s := make([]float64, max(0, (rows-1)*ld+cols))
		for i := range s {
			s[i] = 2*rnd.Float64() - 1
		}
		return s, max(ld, 1)
	}
	if g.tA == blas.NoTrans {
		a, lda = fill(g.m, g.k)
	} else {
		a, lda = fill(g.k, g.m)
	}
	if g.tB == blas.NoTrans {
		b, ldb = fill(g.k, g.n)
	} else {
		b, ldb = fill(g.n, g.k)
	}
	c, ldc = fill(g.m, g.n)
	if g.beta == 0 {
		for i := range c {
			c[i] = math.NaN()
		}
	}
	return
}

// naive returns C = alpha·op(A)·op(B) + beta·C, computed entry by entry,
// and for each entry a bound on its rounding error's size.
func (g gemmCase) naive(a []float64, lda int, b []float64, ldb int, c []float64, ldc int) (want, tol []float64) {
	want, tol = slices.Clone(c), make([]float64, len(c))
	for i := range g.m {
		for j := range g.n {
			var s, abs float64
			for p := range g.k {
				var x, y float64
				if g.tA == blas.NoTrans {
					x = a[i*lda+p]
				} else {
					x = a[p*lda+i]
				}
				if g.tB == blas.NoTrans {
					y = b[p*ldb+j]
				} else {
					y = b[j*ldb+p]
				}
				s += x * y
				abs += math.Abs(x * y)
			}
			w, t := g.alpha*s, math.Abs(g.alpha)*abs
			if g.beta != 0 {
				w += g.beta * c[i*ldc+j]
				t += math.Abs(g.beta * c[i*ldc+j])
			}
			want[i*ldc+j], tol[i*ldc+j] = w, 1e-14*float64(g.k+2)*t
		}
	}
	return want, tol
}

// check fails t unless got agrees with g's naive product to its rounding
// errors, or is the same (NaN for NaN), and leaves the entries between C's
// rows untouched.
func (g gemmCase) check(t *testing.T, got, want, tol []float64, ldc int) {
	t.Helper()
	for i := range g.m {
		for j := range ldc {
			x := i*ldc + j
			if x >= len(got) {
				break
			}
			if j >= g.n {
				if math.Float64bits(got[x]) != math.Float64bits(want[x]) {
					t.Fatalf("%v: padding (%d,%d) changed to %v", g, i, j, got[x])
				}
				continue
			}
			if math.Float64bits(got[x]) != math.Float64bits(want[x]) && !(math.Abs(got[x]-want[x]) <= tol[x]) {
				t.Fatalf("%v: C(%d,%d) = %v, want %v ± %v", g, i, j, got[x], want[x], tol[x])
			}
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

func TestGemm(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	shapes := [][3]int{
		{1, 1, 1}, {1, 300, 40}, {300, 1, 40}, {1, 1, 900}, {5, 7, 3}, {6, 8, 256}, {7, 9, 257},
		{13, 17, 600}, {50, 50, 300}, {241, 33, 70}, {37, 2100, 20}, {250, 10, 520}, {10, 64, 700},
	}
	for name, kn := range kernels() {
		for _, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {2.5, 0}, {1, -1}} {
						for _, pad := range []int{0, 3} {
							g := gemmCase{tA, tB, s[0], s[1], s[2], ab[0], ab[1], pad}
							a, lda, b, ldb, c, ldc := g.operands(rnd)
							want, tol := g.naive(a, lda, b, ldb, c, ldc)
							gemm(kn, blas.All, tA == blas.Trans, tB == blas.Trans, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
							t.Run(name, func(t *testing.T) { g.check(t, c, want, tol, ldc) })
						}
					}
				}
			}
		}
	}
}

// TestDgemm checks the calls Dgemm routes: to gonum (small, alpha = 0,
// k = 0, no kernel) or to gemm, against gonum.
func TestDgemm(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 14))
	var ref gonum.Implementation
	for name, kn := range routes() {
		useKernel(t, kn)
		for _, g := range []gemmCase{
			{blas.NoTrans, blas.NoTrans, 3, 4, 5, 1, 0, 0},
			{blas.NoTrans, blas.NoTrans, 60, 70, 0, 1, 2, 1},
			{blas.NoTrans, blas.NoTrans, 60, 70, 0, 1, 0, 1},
			{blas.Trans, blas.NoTrans, 60, 70, 80, 0, 3, 0},
			{blas.Trans, blas.NoTrans, 60, 70, 80, 0, 0, 0},
			{blas.ConjTrans, blas.ConjTrans, 60, 70, 80, 1.5, 0.5, 2},
			{blas.NoTrans, blas.Trans, 100, 1, 90, 1, 0, 0},
			{blas.NoTrans, blas.Trans, 2000, 50, 700, 1, 0, 0},
		} {
			a, lda, b, ldb, c, ldc := g.operands(rnd)
			want, tol := g.naive(a, lda, b, ldb, c, ldc)
			refC := slices.Clone(c)
			pureGo{}.Dgemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			ref.Dgemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, refC, ldc)
			t.Run(name, func(t *testing.T) {
				g.check(t, c, want, tol, ldc)
				g.check(t, refC, want, tol, ldc)
			})
		}
	}
}

// TestGemmDeterministic checks that the product is the same, bit for bit,
// whatever the number of goroutines computing it.
func TestGemmDeterministic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(15, 16))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for name, kn := range kernels() {
		for _, g := range []gemmCase{
			{blas.NoTrans, blas.Trans, 733, 51, 1100, 1, 0, 1},
			{blas.Trans, blas.NoTrans, 47, 2500, 300, 0.5, 2, 0},
			{blas.NoTrans, blas.NoTrans, 500, 300, 520, 1, 1, 0},
		} {
			a, lda, b, ldb, c, ldc := g.operands(rnd)
			var first []float64
			for _, procs := range []int{1, 2, 4} {
				runtime.GOMAXPROCS(procs)
				got := slices.Clone(c)
				gemm(kn, blas.All, g.tA == blas.Trans, g.tB == blas.Trans, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, got, ldc)
				if first == nil {
					first = got
				} else if !slices.EqualFunc(got, first, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
					t.Errorf("%s %v: GOMAXPROCS %d gives a different product than 1", name, g, procs)
				}
			}
		}
	}
}

// TestGemmBadArgs checks that invalid arguments panic, as gonum's do.
func TestGemmBadArgs(t *testing.T) {
	const n = 100
	s, short := make([]float64, n*n), make([]float64, n*n-1)
	var impl pureGo
	for name, f := range map[string]func(){
		"short a":  func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, short, n, s, n, 0, s, n) },
		"short b":  func() { impl.Dgemm(blas.NoTrans, blas.Trans, n, n, n, 1, s, n, short, n, 0, s, n) },
		"short c":  func() { impl.Dgemm(blas.NoTrans, blas.Trans, n, n, n, 1, s, n, s, n, 0, short, n) },
		"bad lda":  func() { impl.Dgemm(blas.Trans, blas.NoTrans, n, n, n, 1, s, n-1, s, n, 0, s, n) },
		"neg dims": func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, -n, -n, n, 1, s, n, s, n, 0, s, n) },
		"bad t":    func() { impl.Dgemm('X', blas.NoTrans, n, n, n, 1, s, n, s, n, 0, s, n) },
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

func TestDsyrk(t *testing.T) {
	rnd := rand.New(rand.NewPCG(19, 20))
	for name, kn := range routes() {
		useKernel(t, kn)
		for _, s := range [][2]int{{3, 4}, {50, 300}, {121, 40}, {250, 7}, {7, 600}} {
			for _, tA := range transposes {
				for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
					for _, ab := range [][2]float64{{1, 0}, {-0.5, 2}, {2, 1}} {
						// C = op(A)·op(A)ᵀ is the product with op(B) = op(A)ᵀ.
						g := gemmCase{tA, blas.Trans, s[0], s[0], s[1], ab[0], ab[1], 2}
						if tA == blas.Trans {
							g.tB = blas.NoTrans
						}
						a, lda, _, _, c, ldc := g.operands(rnd)
						want, tol := g.naive(a, lda, a, lda, c, ldc)
						got := slices.Clone(c)
						pureGo{}.Dsyrk(ul, tA, g.n, g.k, g.alpha, a, lda, g.beta, got, ldc)
						for i := range g.n {
							for j := range g.n {
								if (ul == blas.Upper) != (j >= i) && i != j {
									want[i*ldc+j] = c[i*ldc+j] // outside the triangle: untouched
								}
							}
						}
						t.Run(fmt.Sprintf("%s/%c/%v", name, ul, g), func(t *testing.T) { g.check(t, got, want, tol, ldc) })
					}
				}
			}
		}
	}
}

func FuzzGemm(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(13), uint8(0), 1.0, 0.0, uint64(1))
	f.Add(uint8(1), uint8(40), uint8(3), uint8(3), -2.0, 0.5, uint64(2))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, alpha, beta float64, seed uint64) {
		if m == 0 || n == 0 || k == 0 || alpha == 0 || math.Abs(alpha) > 1e6 || math.Abs(beta) > 1e6 || math.IsNaN(alpha+beta) {
			return
		}
		g := gemmCase{blas.NoTrans, blas.NoTrans, int(m), int(n), int(k) * 3, alpha, beta, int(flags >> 2 & 3)}
		if flags&1 != 0 {
			g.tA = blas.Trans
		}
		if flags&2 != 0 {
			g.tB = blas.Trans
		}
		for name, kn := range kernels() {
			a, lda, b, ldb, c, ldc := g.operands(rand.New(rand.NewPCG(seed, 0)))
			want, tol := g.naive(a, lda, b, ldb, c, ldc)
			gemm(kn, blas.All, g.tA == blas.Trans, g.tB == blas.Trans, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			t.Run(name, func(t *testing.T) { g.check(t, c, want, tol, ldc) })
		}
	})
}

// BenchmarkGemm times the products NMF's models make, with gonum's BLAS,
// the pure-Go backend (and its pure-Go kernel, if the CPU has the assembly
// one) and OpenBLAS, in GFLOP/s (2·m·n·k per product, half that for
// Dsyrk's triangle).
func BenchmarkGemm(b *testing.B) {
	type impl struct {
		name string
		impl blas.Float64
		kn   microKernel[float64] // the pure-Go backend's kernel
	}
	impls := []impl{{"gonum", gonum.Implementation{}, kernel}, {"purego", pureGo{}, kernel}}
	if kernel.fn != nil && kernel.mr != goKernel.mr {
		impls = append(impls, impl{"purego-gokernel", pureGo{}, goKernel})
	}
	if k, ok := asmKernels["avx2"]; ok && kernel.mr != k.mr {
		impls = append(impls, impl{"purego-avx2", pureGo{}, k})
	}
	if o, _, err := loadOpenBLAS(); err == nil {
		impls = append(impls, impl{"openblas", o, kernel})
	}
	rnd := rand.New(rand.NewPCG(17, 18))
	for _, s := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
		syrk    bool // Dsyrk's upper triangle of op(A)·op(B), op(B) = op(A)ᵀ
	}{
		{"X·Hᵀ_2000x5000_k50", blas.NoTrans, blas.Trans, 2000, 50, 5000, false},
		{"Wᵀ·X_2000x5000_k50", blas.Trans, blas.NoTrans, 50, 5000, 2000, false},
		{"Wᵀ·W_2000_k50", blas.Trans, blas.NoTrans, 50, 50, 2000, false},
		{"syrk_Wᵀ·W_2000_k50", blas.Trans, blas.NoTrans, 50, 50, 2000, true},
		{"X·Hᵀ_digits_k10", blas.NoTrans, blas.Trans, 1797, 10, 64, false},
		{"Wᵀ·X_digits_k10", blas.Trans, blas.NoTrans, 10, 64, 1797, false},
		{"syrk_Wᵀ·W_digits_k10", blas.Trans, blas.NoTrans, 10, 10, 1797, true},
		{"A·V_cora_k256", blas.NoTrans, blas.NoTrans, 2708, 256, 2708, false},
		{"V·M_cora_k256", blas.NoTrans, blas.NoTrans, 2708, 256, 256, false},
		{"Vᵀ·V_cora_k256", blas.Trans, blas.NoTrans, 256, 256, 2708, false},
		{"syrk_Vᵀ·V_cora_k256", blas.Trans, blas.NoTrans, 256, 256, 2708, true},
	} {
		g := gemmCase{s.tA, s.tB, s.m, s.n, s.k, 1, 0, 0}
		a, lda, bb, ldb, c, ldc := g.operands(rnd)
		flops := 2 * float64(s.m*s.n*s.k)
		if s.syrk {
			flops /= 2 // the triangle's
		}
		for _, im := range impls {
			b.Run(s.name+"/"+im.name, func(b *testing.B) {
				useKernel(b, im.kn)
				for b.Loop() {
					if s.syrk {
						im.impl.Dsyrk(blas.Upper, s.tA, s.n, s.k, 1, a, lda, 0, c, ldc)
					} else {
						im.impl.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmKernel times each micro-kernel alone, on one mr×256 panel
// of A and one 256×nr panel of B that stay in the L1 cache: the most the
// blocked product can reach per core.
func BenchmarkGemmKernel(b *testing.B) {
	const k = 256
	for name, kn := range kernels() {
		b.Run(name, func(b *testing.B) {
			a, bp, c := make([]float64, kn.mr*k), make([]float64, k*kn.nr), make([]float64, kn.mr*kn.nr)
			for i := range a {
				a[i] = 1e-3
			}
			for i := range bp {
				bp[i] = 1e-3
			}
			for b.Loop() {
				kn.fn(k, a, 1, kn.mr, bp, kn.nr, c, kn.nr, 1, 1)
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestSgemm checks the float32 product of each backend, the pure-Go one
// routed to its blocked product or to gonum's, against the float64 naive
// product of the same (float32) operands, to float32's rounding errors.
func TestSgemm(t *testing.T) {
	rnd := rand.New(rand.NewPCG(17, 18))
	impls := map[string]blas.Float32{"gonum": pureGo{}, "gonum-gokernel": pureGo{}}
	if o, _, err := loadOpenBLAS(); err == nil {
		impls["openblas"] = o
	}
	to32 := func(s []float64) []float32 {
		out := make([]float32, len(s))
		for i, v := range s {
			out[i] = float32(v)
		}
		return out
	}
	to64 := func(s []float32) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = float64(v)
		}
		return out
	}
	shapes := [][3]int{{3, 4, 5}, {5, 7, 3}, {13, 17, 600}, {241, 33, 70}, {37, 2100, 20}, {250, 10, 520}, {300, 50, 400}}
	for _, name := range slices.Sorted(maps.Keys(impls)) { // gonum-gokernel after gonum
		impl := impls[name]
		if name == "gonum-gokernel" {
			prev := kernel32
			kernel32 = goKernel32
			defer func() { kernel32 = prev }()
		}
		for _, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					for _, ab := range [][2]float64{{1, 0}, {-0.5, 2}} {
						g := gemmCase{tA, tB, s[0], s[1], s[2], ab[0], ab[1], 2}
						a, lda, b, ldb, c, ldc := g.operands(rnd)
						a32, b32, c32 := to32(a), to32(b), to32(c)
						want, tol := g.naive(to64(a32), lda, to64(b32), ldb, to64(c32), ldc)
						for i := range tol {
							tol[i] *= 1e7 // from 1e-14 to 1e-7 per term: float32's rounding
						}
						impl.Sgemm(tA, tB, g.m, g.n, g.k, float32(g.alpha), a32, lda, b32, ldb, float32(g.beta), c32, ldc)
						t.Run(name, func(t *testing.T) { g.check(t, to64(c32), want, tol, ldc) })
					}
				}
			}
		}
	}
}

// BenchmarkSgemm times NMF's two large float32 products with gonum's
// Sgemm, the pure-Go backend's and OpenBLAS's, in GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	impls := map[string]blas.Float32{"gonum": gonum.Implementation{}, "purego": pureGo{}}
	if o, _, err := loadOpenBLAS(); err == nil {
		impls["openblas"] = o
	}
	rnd := rand.New(rand.NewPCG(19, 20))
	for _, s := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"X·Hᵀ_2000x5000_k50", blas.NoTrans, blas.Trans, 2000, 50, 5000},
		{"Wᵀ·X_2000x5000_k50", blas.Trans, blas.NoTrans, 50, 5000, 2000},
	} {
		g := gemmCase{s.tA, s.tB, s.m, s.n, s.k, 1, 0, 0}
		a, lda, bb, ldb, c, ldc := g.operands(rnd)
		a32, b32, c32 := make([]float32, len(a)), make([]float32, len(bb)), make([]float32, len(c))
		for i, v := range a {
			a32[i] = float32(v)
		}
		for i, v := range bb {
			b32[i] = float32(v)
		}
		for _, name := range slices.Sorted(maps.Keys(impls)) {
			b.Run(s.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					impls[name].Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a32, lda, b32, ldb, 0, c32, ldc)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
