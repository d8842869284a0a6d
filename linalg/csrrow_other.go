//go:build !amd64

package linalg

// rowKernels returns the Go CSR row kernels: there is no assembly kernel
// for this architecture.
func rowKernels() (unrolled, axpy rowKernel) { return rowUnrolled, rowAxpy }
