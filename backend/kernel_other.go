//go:build !amd64

package backend

// asmKernels is empty: there is no assembly kernel for this architecture.
var asmKernels map[string]microKernel

// defaultKernel returns goKernel: there is no assembly kernel for this
// architecture.
func defaultKernel() microKernel { return goKernel }
