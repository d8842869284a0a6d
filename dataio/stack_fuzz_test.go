package dataio

import (
	"bufio"
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// FuzzReadNPYStack feeds arbitrary bytes to the reader of 3-D .npy
// stacks: it must not panic, and must return an error or at least one
// matrix, all of one nonempty shape, with finite values.
func FuzzReadNPYStack(f *testing.F) {
	f.Add(npyBytes("<f8", "(2, 2, 2)", []float64{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(npyBytes("<i4", "(1, 3)", []int32{-1, 0, 7}))
	f.Add(npyBytes("<f8", "(2000000000, 2000000000, 2)", []float64{1}))
	f.Add(npyBytes("<f8", "(1, 1, 1)", []float64{math.NaN()}))
	fortran := npyBytes("<f4", "(2, 1, 3)", []float32{1, 2, 3, 4, 5, 6})
	f.Add(bytes.Replace(fortran, []byte("False"), []byte("True "), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		mats, err := readNPYStack(bufio.NewReader(bytes.NewReader(data)), int64(len(data)), "x.npy", limitTo(fuzzMem))
		if err != nil {
			return
		}
		if len(mats) == 0 {
			t.Fatal("no matrices and no error")
		}
		r, c := mats[0].Dims()
		for s, m := range mats {
			if mr, mc := m.Dims(); mr != r || mc != c || r == 0 || c == 0 {
				t.Fatalf("matrix %d is %dx%d, matrix 0 %dx%d", s, mr, mc, r, c)
			}
			for i := range r {
				if k := slices.IndexFunc(m.RawRowView(i), refused(false)); k >= 0 {
					t.Fatalf("matrix %d: entry (%d, %d) is %v", s, i, k, m.At(i, k))
				}
			}
		}
	})
}

// TestStackShapeTooLarge checks that a stack whose header declares more
// than the memory limit is refused before it is allocated.
func TestStackShapeTooLarge(t *testing.T) {
	b := npyBytes("<f8", "(2, 2, 5)", make([]float64, 20))
	var err error
	if n := allocated(func() {
		_, err = readNPYStack(bufio.NewReader(bytes.NewReader(b)), int64(len(b)), "x.npy", limitTo(100))
	}); n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}
	if err == nil || !strings.Contains(err.Error(), "x.npy: header declares shape [2 2 5]: storing it needs 160 bytes") {
		t.Errorf("error %v", err)
	}
}
