//go:build !amd64

package backend

// defaultKernel returns goKernel: there is no assembly kernel for this
// architecture.
func defaultKernel() microKernel { return goKernel }
