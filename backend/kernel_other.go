//go:build !amd64

package backend

// asmKernels is empty: there is no assembly kernel for this architecture.
var asmKernels map[string]microKernel[float64]

// defaultKernel returns goKernel: there is no assembly kernel for this
// architecture.
func defaultKernel() microKernel[float64] { return goKernel }

// defaultKernel32 returns goKernel32: there is no assembly kernel for this
// architecture.
func defaultKernel32() microKernel[float32] { return goKernel32 }
