package linalg

import "golang.org/x/sys/cpu"

// rowKernels returns the CSR row kernels of mulRows: the AVX2 ones
// when the CPU has it, else the Go ones. Each computes exactly what its Go
// kernel computes, bit for bit (TestRowKernelsUsed), several times faster
// on rows of B that are in cache (BenchmarkCSRRow).
func rowKernels() (unrolled, axpy rowKernel[float64]) {
	if !cpu.X86.HasAVX2 {
		return rowUnrolled[float64], rowAxpy
	}
	return rowUnrolledAsm, rowAxpyAsm
}

// rowUnrolledAsm is rowUnrolled through csrRowAVX2.
func rowUnrolledAsm(out []float64, cols []int, vals []float64, b []float64, stride int) {
	rowAsm(out, cols, vals, b, stride, 1)
}

// rowAxpyAsm is rowAxpy through csrRowAVX2.
func rowAxpyAsm(out []float64, cols []int, vals []float64, b []float64, stride int) {
	rowAsm(out, cols, vals, b, stride, 0)
}

// rowAsm computes the columns of out in panels of 32, 16, 8 and 4 by
// csrRowAVX2, and the last len(out) mod 4 by its masked path. It checks
// once that every row of B it reads lies in b, since the assembly does not.
func rowAsm(out []float64, cols []int, vals []float64, b []float64, stride, grouped int) {
	k := len(out)
	if len(cols) == 0 {
		clear(out)
		return
	}
	_ = vals[len(cols)-1]
	top := 0
	for _, j := range cols {
		top = max(top, j)
	}
	_ = b[top*stride+k-1]
	c := 0
	for _, nv := range [...]int{8, 4, 2, 1} {
		for ; k-c >= 4*nv; c += 4 * nv {
			csrRowAVX2(nv, &out[c], &cols[0], &vals[0], len(cols), &b[c], stride, grouped, nil)
		}
	}
	if c < k {
		csrRowAVX2(0, &out[c], &cols[0], &vals[0], len(cols), &b[c], stride, grouped, &tailMasks[k-c])
	}
}

// tailMasks[r] is the AVX2 mask of the first r of 4 columns.
var tailMasks = [4][4]int64{{}, {-1}, {-1, -1}, {-1, -1, -1}}

// csrRowAVX2 sets out[0:4·nv] (nv = 1, 2, 4 or 8; for nv = 0, the columns
// of mask among the first 4) to Σ_p vals[p] · b[cols[p]·stride:][:4·nv]
// over the n stored entries, in rowUnrolled's order when grouped is 1 and
// rowAxpy's when 0 (csrrow_amd64.s).
//
//go:noescape
func csrRowAVX2(nv int, out *float64, cols *int, vals *float64, n int, b *float64, stride int, grouped int, mask *[4]int64)
