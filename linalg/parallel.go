package linalg

import (
	"runtime"
	"sync"
)

// parallelRows calls fn on disjoint row ranges [lo, hi) covering [0, n),
// running them on up to GOMAXPROCS goroutines. work is the approximate cost
// of the whole call in flops; small calls run inline. fn must write only to
// rows in its range, so results do not depend on the number of goroutines.
func parallelRows(n int, work float64, fn func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p > n {
		p = n
	}
	if p <= 1 || work < 1<<16 {
		fn(0, n)
		return
	}
	// A few chunks per worker balance rows of uneven cost.
	chunks := 4 * p
	if chunks > n {
		chunks = n
	}
	size := (n + chunks - 1) / chunks
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for lo := 0; lo < n; lo += size {
		next <- lo
	}
	close(next)
	for w := 0; w < p; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				fn(lo, min(lo+size, n))
			}
		}()
	}
	wg.Wait()
}
