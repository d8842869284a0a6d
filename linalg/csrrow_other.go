//go:build !amd64

package linalg

// rowKernels returns the Go CSR row kernels: there is no assembly kernel
// for this architecture.
func rowKernels() (unrolled, axpy rowKernel[float64]) { return rowUnrolled[float64], rowAxpy }
