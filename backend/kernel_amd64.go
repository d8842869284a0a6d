package backend

import "golang.org/x/sys/cpu"

// defaultKernel returns the AVX2+FMA micro-kernel if the CPU has both,
// and otherwise none, so that gonum computes the products: its SSE2
// assembly is faster than goKernel on amd64, which has too few registers
// for it (2.3-3.4 against 3.5-8 GFLOP/s in BenchmarkGemm).
func defaultKernel() microKernel {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return avx2Kernel
	}
	return microKernel{}
}

// avx2Kernel is the assembly micro-kernel, mr = 6 and nr = 8.
var avx2Kernel = microKernel{mr: 6, nr: 8, fn: kernel6x8, fma: true}

// kernel6x8 checks the slices' bounds and calls dgemm6x8.
func kernel6x8(k int, a []float64, rsA, csA int, b []float64, rsB int, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[(k-1)*rsB+7], c[5*ldc+7]
	load := 0
	if beta != 0 {
		load = 1
	}
	dgemm6x8(k, &a[0], rsA, csA, &b[0], rsB, &c[0], ldc, alpha, beta, load)
}

// dgemm6x8 is microKernel's fn for k ≥ 1 and a 6×8 block, reading C only if
// load is not 0.
//
//go:noescape
func dgemm6x8(k int, a *float64, rsA, csA int, b *float64, rsB int, c *float64, ldc int, alpha, beta float64, load int)
