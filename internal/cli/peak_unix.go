//go:build linux || darwin

package cli

import (
	"os"
	"runtime"
	"syscall"
)

// peakMB returns the peak resident memory of a finished process in MB, or
// 0 when the system does not report it.
func peakMB(ps *os.ProcessState) float64 {
	u, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(u.Maxrss) / (1 << 20) // bytes
	}
	return float64(u.Maxrss) / (1 << 10) // KiB
}
