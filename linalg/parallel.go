package linalg

import (
	"runtime"
	"sync"
)

// Parallel calls the functions made by worker on the consecutive blocks
// [lo, hi) of size rows (the last may be shorter) that cover [0, n), on up
// to GOMAXPROCS goroutines. Each goroutine calls worker once, so the
// function it returns may own scratch space. The blocks do not depend on
// GOMAXPROCS, only their scheduling does: a function that writes only to
// its own rows gives the same result whatever the number of goroutines.
// It panics if size < 1.
func Parallel(n, size int, worker func() func(lo, hi int)) {
	if size < 1 {
		panic("linalg: Parallel block size must be positive")
	}
	nb := (n + size - 1) / size
	p := min(runtime.GOMAXPROCS(0), nb)
	if p <= 1 {
		fn := worker()
		for lo := 0; lo < n; lo += size {
			fn(lo, min(lo+size, n))
		}
		return
	}
	next := make(chan int, nb)
	for lo := 0; lo < n; lo += size {
		next <- lo
	}
	close(next)
	var wg sync.WaitGroup
	for range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := worker()
			for lo := range next {
				fn(lo, min(lo+size, n))
			}
		}()
	}
	wg.Wait()
}

// parallelRows runs fn over row blocks of [0, n) with Parallel; work is the
// approximate cost of the whole call in flops, and calls that run inline
// (see inline) make one block.
func parallelRows(n int, work float64, fn func(lo, hi int)) {
	if n == 0 {
		return
	}
	if inline(work) {
		fn(0, n)
		return
	}
	// About four blocks per core balance rows of uneven cost.
	size := max(1, n/(4*runtime.GOMAXPROCS(0)))
	Parallel(n, size, func() func(lo, hi int) { return fn })
}

// inline reports whether a row kernel costing work flops runs on the
// calling goroutine: small ones, where starting goroutines costs more than
// it saves, and every one when GOMAXPROCS is 1. The kernels of an
// iteration's hot loop test it first and call their row function directly,
// since the closure handed to parallelRows escapes to the heap: so an
// iteration allocates nothing when its kernels run inline, and only a few
// small objects per kernel (closure, channel, goroutines) otherwise.
func inline(work float64) bool {
	return work < 1<<16 || runtime.GOMAXPROCS(0) == 1
}
