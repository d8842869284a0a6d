package linalg

import "testing"

// TestTestSizes pins the internal thresholds that the shapes of the
// external tests are chosen against: n = 600 is not a multiple of the
// blocks of the Pow kernels, the 600x700 SVD test takes the randomized
// path, and the small ones the exact path.
func TestTestSizes(t *testing.T) {
	if 600%powBlock == 0 || 600 < powBlock {
		t.Errorf("powBlock = %d: n = 600 no longer spans a partial block", powBlock)
	}
	if min(600, 700) <= exactSVDMax && 600*700 <= exactSVDEntries {
		t.Errorf("exactSVDMax = %d: a 600x700 input no longer takes the randomized path", exactSVDMax)
	}
	if min(40, 30) > exactSVDMax {
		t.Errorf("exactSVDMax = %d: a 40x30 input no longer takes the exact path", exactSVDMax)
	}
}

// TestParallelRowsInline: small calls run inline as one block, large ones
// cover [0, n) in blocks.
func TestParallelRows(t *testing.T) {
	calls := 0
	parallelRows(10, 100, func(lo, hi int) {
		calls++
		if lo != 0 || hi != 10 {
			t.Errorf("inline block [%d,%d)", lo, hi)
		}
	})
	if calls != 1 {
		t.Errorf("small call ran %d blocks, want 1", calls)
	}
	parallelRows(0, 1e9, func(lo, hi int) { t.Errorf("n = 0 ran block [%d,%d)", lo, hi) })
	seen := make([]int32, 1000)
	parallelRows(1000, 1e9, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			seen[i]++ // blocks are disjoint, so no race
		}
	})
	for i, s := range seen {
		if s != 1 {
			t.Fatalf("row %d visited %d times", i, s)
		}
	}
}
