//go:build !amd64

package backend

// asmKernel returns goKernel: there is no assembly kernel for this
// architecture.
func asmKernel() microKernel { return goKernel }
