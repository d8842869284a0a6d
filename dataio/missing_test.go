package dataio_test

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
)

// TestMissing checks that MatrixOptions.Missing reads unknown cells as NaN
// in every format, that they are refused without it, and that infinities
// are refused either way.
func TestMissing(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		content []byte
		want    [][]float64 // with Missing; NaN where unknown
	}{
		{"a.csv", []byte("1,,3\nNA,5,nan\n"), [][]float64{{1, nan, 3}, {nan, 5, nan}}},
		{"b.csv", []byte(",2\n3,4\n"), [][]float64{{nan, 2}, {3, 4}}}, // an empty first field is no header
		{"c.tsv", []byte("1\tNaN\n2\t3\n"), [][]float64{{1, nan}, {2, 3}}},
		{"d.npy", npyFile(t, "<f8", false, "(2, 2)", binary.LittleEndian, []float64{1, nan, 3, 4}), [][]float64{{1, nan}, {3, 4}}},
		{"e.mtx", []byte("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n2 2 NaN\n"), [][]float64{{1, 0}, {0, nan}}},
	} {
		path := writeFile(t, tc.name, tc.content)
		// (Without Missing, b.csv's first line is a header.)
		if _, err := dataio.ReadMatrix(path, dataio.MatrixOptions{}); err == nil && tc.name != "b.csv" {
			t.Errorf("%s: unknown cells accepted without Missing", tc.name)
		}
		tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{Missing: true})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i, row := range tc.want {
			for j, w := range row {
				if got := tab.X.At(i, j); got != w && !(math.IsNaN(got) && math.IsNaN(w)) {
					t.Errorf("%s: (%d, %d) = %v, want %v", tc.name, i, j, got, w)
				}
			}
		}
		if strings.HasSuffix(tc.name, ".mtx") {
			// A sparse file stores its unknown cells: they are not read as
			// zeros of the pattern.
			if obs := linalg.ObservedNaN(tab.X); obs.NNZ() != 1 {
				t.Errorf("%s: %d observed cells, want 1", tc.name, obs.NNZ())
			}
		}
	}
	for _, name := range []string{"inf.csv", "inf.npy"} {
		content := []byte("1,inf\n")
		if strings.HasSuffix(name, ".npy") {
			content = npyFile(t, "<f8", false, "(1, 2)", binary.LittleEndian, []float64{1, math.Inf(1)})
		}
		if _, err := dataio.ReadMatrix(writeFile(t, name, content), dataio.MatrixOptions{Missing: true}); err == nil {
			t.Errorf("%s: infinity accepted", name)
		}
	}
}
