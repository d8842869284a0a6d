package dataio_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
)

func TestReadMTX(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		sparse        bool
		want          [][]float64
	}{
		{"coordinate real", "%%MatrixMarket matrix coordinate real general\n% comment\n\n2 3 3\n1 2 1.5\n2 1 -2\n2 3 3e0\n",
			true, [][]float64{{0, 1.5, 0}, {-2, 0, 3}}},
		{"coordinate integer duplicates", "%%MatrixMarket matrix coordinate integer general\n1 2 2\n1 2 1\n1 2 4\n",
			true, [][]float64{{0, 5}}},
		{"coordinate pattern symmetric", "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 3\n2 1\n3 1\n3 3\n",
			true, [][]float64{{0, 1, 1}, {1, 0, 0}, {1, 0, 1}}},
		{"coordinate skew", "%%matrixmarket MATRIX Coordinate Real Skew-Symmetric\n2 2 1\n2 1 4\n",
			true, [][]float64{{0, -4}, {4, 0}}},
		{"array general", "%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n5\n3\n6\n",
			false, [][]float64{{1, 2, 3}, {4, 5, 6}}},
		{"array symmetric", "%%MatrixMarket matrix array integer symmetric\n2 2\n1\n2\n3\n",
			false, [][]float64{{1, 2}, {2, 3}}},
		{"array skew", "%%MatrixMarket matrix array real skew-symmetric\n2 2\n5\n",
			false, [][]float64{{0, -5}, {5, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := dataio.ReadMatrix(writeFile(t, "m.mtx", []byte(tc.content)), dataio.MatrixOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tab.X.(*linalg.CSR); ok != tc.sparse {
				t.Errorf("X is %T", tab.X)
			}
			if got := rows(tab.X); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadMTXErrors(t *testing.T) {
	const coo = "%%MatrixMarket matrix coordinate real general\n"
	for _, tc := range []struct{ content, want string }{
		{"", "m.mtx: no data"},
		{"1 2 3\n", "m.mtx:1: not a MatrixMarket file"},
		{"%%MatrixMarket matrix coordinate complex general\n", `m.mtx:1: unsupported field "complex"`},
		{"%%MatrixMarket matrix array pattern general\n", `m.mtx:1: unsupported field "pattern"`},
		{"%%MatrixMarket matrix coordinate real hermitian\n", `m.mtx:1: unsupported symmetry "hermitian"`},
		{"%%MatrixMarket matrix sparse real general\n", `m.mtx:1: unsupported format "sparse"`},
		{coo, "m.mtx: no size line"},
		{coo + "2 2\n", "m.mtx:2: size line has 2 fields, want 3"},
		{coo + "2 -2 1\n", `m.mtx:2: bad size "-2"`},
		{coo + "0 2 0\n", "m.mtx:2: matrix of size 0 x 2 is empty"},
		{"%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", "m.mtx:2: symmetric matrix of size 2 x 3 is not square"},
		{coo + "2 2 1\n3 1 1\n", "m.mtx:3: index (3, 1) is out of range for size 2 x 2"},
		{coo + "2 2 1\n0 1 1\n", "m.mtx:3: index (0, 1) is out of range"},
		{coo + "2 2 1\n1 1 x\n", `m.mtx:3: value "x" is not a finite number`},
		{coo + "2 2 1\n1 1 NaN\n", `m.mtx:3: value "NaN" is not a finite number`},
		{coo + "2 2 1\n1 1\n", "m.mtx:3: entry has 2 fields, want 3"},
		{coo + "2 2 1\n1 1 1\n2 2 2\n", "m.mtx:4: more than the 1 entries given on the size line"},
		{coo + "2 2 2\n1 1 1\n", "m.mtx: found 1 entries, want 2"},
		{coo + "2 2 2\n2 1 -1e308\n2 1 -1e308\n", "m.mtx: the entries at (2, 1) sum to -Inf"},
		{"%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", "m.mtx: found 3 values, want 4"},
		{"%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3 4\n", "m.mtx:5: more than the 3 values of a symmetric 2 x 2 matrix"},
		{"%%MatrixMarket matrix array real general\n1 1\ninf\n", `m.mtx:3: value "inf" is not a finite number`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := dataio.ReadMatrix(writeFile(t, "m.mtx", []byte(tc.content)), dataio.MatrixOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
