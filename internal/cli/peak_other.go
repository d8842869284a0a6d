//go:build !(linux || darwin)

package cli

import "os"

// peakMB returns 0: this system's process usage has no peak memory that
// the bench reads.
func peakMB(*os.ProcessState) float64 { return 0 }
