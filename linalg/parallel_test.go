package linalg_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestParallel(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 4, 8} {
		withProcs(procs, func() {
			for _, n := range []int{0, 1, 2, 7, 64, 100, 1001} {
				for _, size := range []int{1, 2, 3, 7, 64, 1000, 5000} {
					counts := make([]atomic.Int32, n)
					var workers atomic.Int32
					var mu sync.Mutex
					blocks := map[int]int{}
					linalg.Parallel(n, size, func() func(lo, hi int) {
						workers.Add(1)
						return func(lo, hi int) {
							mu.Lock()
							blocks[lo] = hi
							mu.Unlock()
							for i := lo; i < hi; i++ {
								counts[i].Add(1)
							}
						}
					})
					for i := range counts {
						if c := counts[i].Load(); c != 1 {
							t.Fatalf("procs=%d n=%d size=%d: index %d covered %d times", procs, n, size, i, c)
						}
					}
					nb := (n + size - 1) / size
					if len(blocks) != nb {
						t.Errorf("procs=%d n=%d size=%d: %d blocks, want %d", procs, n, size, len(blocks), nb)
					}
					for lo, hi := range blocks {
						if lo%size != 0 || hi != min(lo+size, n) {
							t.Errorf("procs=%d n=%d size=%d: block [%d,%d)", procs, n, size, lo, hi)
						}
					}
					if w := int(workers.Load()); w < 1 || w > max(1, min(procs, nb)) {
						t.Errorf("procs=%d n=%d size=%d: worker called %d times", procs, n, size, w)
					}
				}
			}
		})
	}
}

// TestParallelScratch: each goroutine's function may own scratch space.
func TestParallelScratch(t *testing.T) {
	withProcs(4, func() {
		out := make([]int, 1000)
		linalg.Parallel(1000, 10, func() func(lo, hi int) {
			scratch := make([]int, 10) // owned by one goroutine
			return func(lo, hi int) {
				for i := lo; i < hi; i++ {
					scratch[i-lo] = i * i
				}
				copy(out[lo:hi], scratch[:hi-lo])
			}
		})
		for i, v := range out {
			if v != i*i {
				t.Fatalf("out[%d] = %d", i, v)
			}
		}
	})
}
