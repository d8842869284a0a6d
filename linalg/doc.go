// Package linalg holds the matrix kernels of deepnmf: the input interface
// every model factorizes, a dense wrapper and a compressed sparse row (CSR)
// type that implement it, and the fused elementwise updates the solvers use.
//
// Dense products go through gonum's BLAS interface (blas64), so the
// backend package can swap gonum's pure-Go implementation for OpenBLAS at
// run time. Sparse products are written here by hand because gonum has no
// general sparse matrix and no maintained Go sparse library is available:
// CSR·B and CSRᵀ·B run in parallel over goroutines, one block of output rows
// per goroutine, so the result does not depend on GOMAXPROCS. CSRᵀ·B uses a
// cached transpose rather than a scatter, which keeps it deterministic.
//
// The float32 solvers use the same kernels in float32 (float32.go): the
// sparse products, the transpose and the multiplicative update are written
// once, generic over float32 and float64, and dense float32 products go
// through gonum's blas32 (Sgemm) and its blas32.General matrix.
//
// Nothing outside this package loops over matrix entries in a hot path.
package linalg
