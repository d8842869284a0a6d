package backend

import "golang.org/x/sys/cpu"

// asmKernel returns the AVX2+FMA micro-kernel if the CPU has both, and
// goKernel otherwise.
func asmKernel() microKernel {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return avx2Kernel
	}
	return goKernel
}

// avx2Kernel is the assembly micro-kernel, mr = 6 and nr = 8.
var avx2Kernel = microKernel{mr: 6, nr: 8, fn: kernel6x8, fma: true}

// kernel6x8 checks the slices' bounds and calls dgemm6x8.
func kernel6x8(k int, a []float64, rsA, csA int, b, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[8*k-1], c[5*ldc+7]
	load := 0
	if beta != 0 {
		load = 1
	}
	dgemm6x8(k, &a[0], rsA, csA, &b[0], &c[0], ldc, alpha, beta, load)
}

// dgemm6x8 is microKernel's fn for k ≥ 1 and a 6×8 block, reading C only if
// load is not 0.
//
//go:noescape
func dgemm6x8(k int, a *float64, rsA, csA int, b, c *float64, ldc int, alpha, beta float64, load int)
