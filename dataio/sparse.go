package dataio

import (
	"math"

	"github.com/deepnmf/deepnmf/linalg"
)

// overflowed returns an entry of m that is infinite, as duplicate entries
// of finite values summed into it can be, if there is one.
func overflowed(m *linalg.CSR) (i, j int, v float64, found bool) {
	r, _ := m.Dims()
	for i := range r {
		cols, vals := m.Row(i)
		for p, v := range vals {
			if math.IsInf(v, 0) {
				return i, cols[p], v, true
			}
		}
	}
	return 0, 0, 0, false
}
