// Package memory tells how much memory the process may use, so that code
// about to allocate an amount given by its input can refuse it first.
//
// A file header may declare a shape whose allocation is far larger than the
// file: a MatrixMarket header of 100000000 x 100000000 with one entry asks
// for gigabytes of row pointers. Under a memory limit (a container's
// cgroup, or GOMEMLIMIT) the allocation gets the process killed, or ends it
// with a runtime error and a stack trace that says nothing about the file.
// Checking the size against Limit before allocating turns that into an
// error that names the input and the amount.
package memory

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// ErrTooLarge is wrapped by the errors Check returns.
var ErrTooLarge = errors.New("too large for the memory this process may use")

// unlimited is what Limit returns when no limit can be read; a source that
// reports this much or more is taken to set no limit.
const unlimited = 1 << 62

// Files read by Limit.
const (
	cgroup2Max = "/sys/fs/cgroup/memory.max"
	cgroup1Max = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	memInfo    = "/proc/meminfo"
)

var limitOnce = sync.OnceValue(func() uint64 { return limitFrom(debug.SetMemoryLimit(-1), os.ReadFile) })

// Limit returns the number of bytes this process may use: the smallest of
// the Go runtime's memory limit (GOMEMLIMIT), the cgroup v2 and v1 memory
// limits and the machine's total memory, or 1<<62 if none can be read.
// It reads them on the first call only.
func Limit() uint64 { return limitOnce() }

// limitFrom computes Limit from the runtime's memory limit and the files
// that read returns.
func limitFrom(goLimit int64, read func(path string) ([]byte, error)) uint64 {
	lim := uint64(unlimited)
	if goLimit > 0 && goLimit != math.MaxInt64 {
		lim = min(lim, uint64(goLimit))
	}
	// cgroup v2 writes "max" for no limit; v1 writes a number near
	// math.MaxInt64 (9223372036854771712 with 4 KiB pages), which the
	// comparison with unlimited discards.
	for _, path := range []string{cgroup2Max, cgroup1Max} {
		if b, err := read(path); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
				lim = min(lim, v)
			}
		}
	}
	if b, err := read(memInfo); err == nil {
		if v, ok := memTotal(string(b)); ok {
			lim = min(lim, v)
		}
	}
	return lim
}

// memTotal returns the MemTotal line of /proc/meminfo in bytes.
func memTotal(meminfo string) (uint64, bool) {
	for line := range strings.Lines(meminfo) {
		rest, ok := strings.CutPrefix(line, "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil || kb == 0 || kb > unlimited/1024 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}

// Check returns an error wrapping ErrTooLarge if bytes exceed Limit; what
// names the allocation in the message, as in "reading x.npy".
func Check(bytes uint64, what string) error { return check(bytes, Limit(), what) }

// check is Check against the given limit.
func check(bytes, limit uint64, what string) error {
	if bytes <= limit {
		return nil
	}
	return &tooLargeError{what: what, bytes: bytes, limit: limit}
}

// tooLargeError is the error of check: what needs bytes, over limit.
type tooLargeError struct {
	what         string
	bytes, limit uint64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s needs about %s, more than the %s this process may use", e.what, formatBytes(e.bytes), formatBytes(e.limit))
}

func (e *tooLargeError) Unwrap() error { return ErrTooLarge }

// formatBytes writes a number of bytes with a decimal unit: "512 B", "8.4 MB",
// "800 MB", "2.4 GB". Amounts under 10 units keep one decimal.
func formatBytes(bytes uint64) string {
	if bytes < 1000 {
		return fmt.Sprintf("%d B", bytes)
	}
	v := float64(bytes)
	unit := 0
	for v >= 999.5 && unit < 6 {
		v /= 1000
		unit++
	}
	name := [...]string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}[unit]
	if v < 9.95 {
		return fmt.Sprintf("%.1f %s", v, name)
	}
	return fmt.Sprintf("%.0f %s", v, name)
}
