package dataio

import (
	"fmt"
	"math"
	"math/bits"
)

// memCheck refuses an allocation of the given bytes, named by what, that
// exceeds the memory the process may use. The readers whose header declares
// a shape take one, memory.Check outside tests, and call it before
// allocating anything whose size the data do not bound.
type memCheck func(bytes uint64, what string) error

// memErr returns the error of check for an input whose header declares what
// format and args describe, as an InputError that unwraps to it.
func memErr(file string, line int, err error, format string, args ...any) error {
	return &InputError{File: file, Line: line, Msg: fmt.Sprintf(format, args...) + ": " + err.Error(), Err: err}
}

// satMul returns a·b, or the largest uint64 if that overflows.
func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}
