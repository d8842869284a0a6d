package backend

import "golang.org/x/sys/cpu"

// asmKernels are the assembly micro-kernels this CPU runs, by name.
var asmKernels = func() map[string]microKernel[float64] {
	ks := map[string]microKernel[float64]{}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks["avx2"] = microKernel[float64]{mr: 6, nr: 8, fn: kernel6x8, fma: true}
	}
	if cpu.X86.HasAVX512F {
		ks["avx512"] = microKernel[float64]{mr: 12, nr: 8, fn: kernel12x8, fma: true}
	}
	return ks
}()

// defaultKernel returns the AVX-512 micro-kernel if the CPU has it, the
// AVX2+FMA one if it has those, and otherwise none, so that gonum computes
// the products: on amd64, whose 16 vector registers are too few for
// goKernel's 16 accumulators, gonum's SSE2 assembly was faster on most of
// BenchmarkGemm's products.
func defaultKernel() microKernel[float64] {
	if k, ok := asmKernels["avx512"]; ok {
		return k
	}
	return asmKernels["avx2"]
}

// kernel6x8 checks the slices' bounds and calls dgemm6x8.
func kernel6x8(k int, a []float64, rsA, csA int, b []float64, rsB int, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[(k-1)*rsB+7], c[5*ldc+7]
	dgemm6x8(k, &a[0], rsA, csA, &b[0], rsB, &c[0], ldc, alpha, beta, loadC(beta))
}

// defaultKernel32 returns the float32 micro-kernel: the AVX2+FMA one if
// the CPU has those (also on CPUs with AVX-512, for which there is no
// float32 kernel yet), and otherwise none, so that gonum computes the
// products, as for float64 (goKernel32 ran at a third of gonum's Sgemm on
// BenchmarkSgemm's products).
func defaultKernel32() microKernel[float32] {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return microKernel[float32]{mr: 6, nr: 16, fn: kernel6x16, fma: true}
	}
	return microKernel[float32]{}
}

// kernel6x16 checks the slices' bounds and calls sgemm6x16.
func kernel6x16(k int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, alpha, beta float32) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[(k-1)*rsB+15], c[5*ldc+15]
	sgemm6x16(k, &a[0], rsA, csA, &b[0], rsB, &c[0], ldc, alpha, beta, loadC(beta))
}

// kernel12x8 checks the slices' bounds and calls dgemm12x8.
func kernel12x8(k int, a []float64, rsA, csA int, b []float64, rsB int, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[11*rsA+(k-1)*csA], b[(k-1)*rsB+7], c[11*ldc+7]
	dgemm12x8(k, &a[0], rsA, csA, &b[0], rsB, &c[0], ldc, alpha, beta, loadC(beta))
}

// loadC returns the assembly kernels' load argument: whether to read C.
func loadC[T scalar](beta T) int {
	if beta == 0 {
		return 0
	}
	return 1
}

// dgemm6x8 is microKernel's fn for k ≥ 1 and a 6×8 block, with AVX2 and
// FMA, reading C only if load is not 0.
//
//go:noescape
func dgemm6x8(k int, a *float64, rsA, csA int, b *float64, rsB int, c *float64, ldc int, alpha, beta float64, load int)

// dgemm12x8 is microKernel's fn for k ≥ 1 and a 12×8 block, with AVX-512,
// reading C only if load is not 0.
//
//go:noescape
func dgemm12x8(k int, a *float64, rsA, csA int, b *float64, rsB int, c *float64, ldc int, alpha, beta float64, load int)

// sgemm6x16 is the float32 microKernel's fn for k ≥ 1 and a 6×16 block,
// with AVX2 and FMA, reading C only if load is not 0.
//
//go:noescape
func sgemm6x16(k int, a *float32, rsA, csA int, b *float32, rsB int, c *float32, ldc int, alpha, beta float32, load int)
