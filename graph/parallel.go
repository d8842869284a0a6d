package graph

import (
	"runtime"
	"sync"
)

// parallel calls the functions made by worker on the consecutive blocks
// [lo, hi) of size rows (the last may be shorter) that cover [0, n). Each
// goroutine calls worker once, so the function it returns may own scratch
// space. The blocks do not depend on GOMAXPROCS, only their scheduling does.
func parallel(n, size int, worker func() func(lo, hi int)) {
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
