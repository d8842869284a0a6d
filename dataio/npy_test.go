package dataio_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
)

// npyFile returns a version 1.0 .npy file with the given header fields
// and data, which binary.Write encodes in byte order bo.
func npyFile(t *testing.T, descr string, fortran bool, shape string, bo binary.ByteOrder, data any) []byte {
	t.Helper()
	order := "False"
	if fortran {
		order = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	dict += strings.Repeat(" ", 63-(10+len(dict))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	if data != nil {
		if err := binary.Write(&b, bo, data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestReadNPY(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	want := [][]float64{{1, 2, 3}, {4, 5, 6}}
	for _, tc := range []struct {
		descr   string
		fortran bool
		bo      binary.ByteOrder
		data    any
	}{
		{"<f8", false, le, []float64{1, 2, 3, 4, 5, 6}},
		{">f8", false, be, []float64{1, 2, 3, 4, 5, 6}},
		{"<f4", false, le, []float32{1, 2, 3, 4, 5, 6}},
		{"<f8", true, le, []float64{1, 4, 2, 5, 3, 6}},
		{"|u1", true, le, []uint8{1, 4, 2, 5, 3, 6}},
		{"|i1", false, le, []int8{1, 2, 3, 4, 5, 6}},
		{"<i2", false, le, []int16{1, 2, 3, 4, 5, 6}},
		{">i4", false, be, []int32{1, 2, 3, 4, 5, 6}},
		{"<i8", false, le, []int64{1, 2, 3, 4, 5, 6}},
		{"<u2", false, le, []uint16{1, 2, 3, 4, 5, 6}},
		{"<u4", true, le, []uint32{1, 4, 2, 5, 3, 6}},
		{"<u8", false, le, []uint64{1, 2, 3, 4, 5, 6}},
	} {
		t.Run(fmt.Sprint(tc.descr, tc.fortran), func(t *testing.T) {
			path := writeFile(t, "x.npy", npyFile(t, tc.descr, tc.fortran, "(2, 3)", tc.bo, tc.data))
			tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(tab.X); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	// Negative integers and bools.
	path := writeFile(t, "x.npy", npyFile(t, "<i2", false, "(1,2)", le, []int16{-7, 300}))
	if tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{}); err != nil || !reflect.DeepEqual(rows(tab.X), [][]float64{{-7, 300}}) {
		t.Errorf("int16: %v %v", tab, err)
	}
	path = writeFile(t, "x.npy", npyFile(t, "|b1", false, "(2,1)", le, []uint8{1, 0}))
	if tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{}); err != nil || !reflect.DeepEqual(rows(tab.X), [][]float64{{1}, {0}}) {
		t.Errorf("bool: %v %v", tab, err)
	}
}

func TestReadNPYErrors(t *testing.T) {
	le := binary.LittleEndian
	good := npyFile(t, "<f8", false, "(2, 2)", le, []float64{1, 2, 3, 4})
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"1-D", npyFile(t, "<f8", false, "(4,)", le, []float64{1, 2, 3, 4}), "x.npy: array has 1 dimensions, want 2"},
		{"3-D", npyFile(t, "<f8", false, "(1, 2, 2)", le, []float64{1, 2, 3, 4}), "x.npy: array has 3 dimensions, want 2"},
		{"complex", npyFile(t, "<c16", false, "(1, 1)", le, []float64{1, 2}), `x.npy: unsupported dtype "<c16"`},
		{"float16", npyFile(t, "<f2", false, "(1, 1)", le, []uint16{1}), `x.npy: unsupported dtype "<f2"`},
		{"strings", npyFile(t, "|S3", false, "(1, 1)", le, []byte("abc")), `x.npy: unsupported dtype "|S3"`},
		{"structured", npyFile(t, "[('a', '<f8')]", false, "(1, 1)", le, []float64{1}), "unsupported dtype"},
		{"NaN", npyFile(t, "<f8", false, "(2, 2)", le, []float64{1, 2, math.NaN(), 4}), "x.npy: entry (1, 0) is NaN"},
		{"Inf Fortran", npyFile(t, "<f4", true, "(2, 2)", le, []float32{1, 2, float32(math.Inf(1)), 4}), "x.npy: entry (0, 1) is +Inf"},
		{"zero rows", npyFile(t, "<f8", false, "(0, 3)", le, nil), "x.npy: array of shape (0, 3) is empty"},
		{"negative shape", npyFile(t, "<f8", false, "(-1, 3)", le, nil), `bad dimension "-1"`},
		{"huge shape", npyFile(t, "<f8", false, "(2000000000, 2000000000)", le, []float64{1}), "x.npy: truncated: shape [2000000000 2000000000] needs 32000000000000000000 bytes of data, found 8"},
		{"truncated data", good[:len(good)-3], "x.npy: truncated: shape [2 2] needs 32 bytes of data, found 29"},
		{"not npy", []byte("1,2\n3,4\n"), "x.npy: not a .npy file"},
		{"empty", nil, "x.npy: not a .npy file"},
		{"version", append([]byte("\x93NUMPY\x07\x00"), good[8:]...), "x.npy: unsupported .npy version 7.0"},
		{"header cut", good[:40], "x.npy: unexpected end of file"},
		{"no fortran key", []byte("\x93NUMPY\x01\x00\x1e\x00{'descr': '<f8', 'shape': (1,)}"), "malformed .npy header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataio.ReadMatrix(writeFile(t, "x.npy", tc.content), dataio.MatrixOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestTruncated reads every prefix of valid files, which must fail
// cleanly rather than panic or succeed.
func TestTruncated(t *testing.T) {
	le := binary.LittleEndian
	npz := npzFile(t, map[string][]byte{
		"data.npy":    npyFile(t, "<f8", false, "(2,)", le, []float64{1, 2}),
		"indices.npy": npyFile(t, "<i4", false, "(2,)", le, []int32{0, 1}),
		"indptr.npy":  npyFile(t, "<i4", false, "(3,)", le, []int32{0, 1, 2}),
		"shape.npy":   npyFile(t, "<i8", false, "(2,)", le, []int64{2, 2}),
	})
	for name, content := range map[string][]byte{
		"x.npy":    npyFile(t, "<f8", true, "(2, 2)", le, []float64{1, 2, 3, 4}),
		"x.npz":    npz,
		"x.mtx":    []byte("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.5\n2 2 2.5\n"),
		"x.csv.gz": gzipped(t, "1,2\n3,4\n"),
	} {
		dir := t.TempDir()
		for n := range len(content) - 1 {
			path := filepath.Join(dir, name)
			if err := writeFileAt(path, content[:n]); err != nil {
				t.Fatal(err)
			}
			if _, err := dataio.ReadMatrix(path, dataio.MatrixOptions{}); err == nil && name != "x.mtx" {
				t.Errorf("%s cut to %d bytes: no error", name, n)
			}
		}
	}
}

// npzFile returns a zip archive of the given members.
func npzFile(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// csrMembers returns the arrays of a SciPy sparse matrix.
func csrMembers(t *testing.T, format string, shape []int64, indptr, indices []int32, data []float64) map[string][]byte {
	le := binary.LittleEndian
	m := map[string][]byte{
		"data.npy":    npyFile(t, "<f8", false, fmt.Sprintf("(%d,)", len(data)), le, data),
		"indices.npy": npyFile(t, "<i4", false, fmt.Sprintf("(%d,)", len(indices)), le, indices),
		"indptr.npy":  npyFile(t, "<i4", false, fmt.Sprintf("(%d,)", len(indptr)), le, indptr),
		"shape.npy":   npyFile(t, "<i8", false, fmt.Sprintf("(%d,)", len(shape)), le, shape),
	}
	if format != "" {
		m["format.npy"] = npyFile(t, fmt.Sprintf("|S%d", len(format)), false, "()", le, []byte(format))
	}
	return m
}

func TestReadNPZ(t *testing.T) {
	// [[0 1 0]
	//  [2 0 3]]
	want := [][]float64{{0, 1, 0}, {2, 0, 3}}
	for _, tc := range []struct {
		name    string
		members map[string][]byte
		sparse  bool
	}{
		{"csr", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}), true},
		{"csr no format", csrMembers(t, "", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 0, 2}, []float64{1, 2, 3}), true},
		{"csr duplicates sum", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 4}, []int32{1, 0, 2, 2}, []float64{1, 2, 1, 2}), true},
		{"csc", csrMembers(t, "csc", []int64{2, 3}, []int32{0, 1, 2, 3}, []int32{1, 0, 1}, []float64{2, 1, 3}), true},
		{"unicode format", func() map[string][]byte {
			m := csrMembers(t, "", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 0, 2}, []float64{1, 2, 3})
			m["format.npy"] = npyFile(t, "<U3", false, "()", binary.LittleEndian, []uint32{'c', 's', 'r'})
			return m
		}(), true},
		{"dense", map[string][]byte{"arr_0.npy": npyFile(t, "<i8", false, "(2, 3)", binary.LittleEndian, []int64{0, 1, 0, 2, 0, 3})}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := dataio.ReadMatrix(writeFile(t, "x.npz", npzFile(t, tc.members)), dataio.MatrixOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tab.X.(*linalg.CSR); ok != tc.sparse {
				t.Errorf("X is %T", tab.X)
			}
			if got := rows(tab.X); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestReadNPZErrors(t *testing.T) {
	le := binary.LittleEndian
	for _, tc := range []struct {
		name    string
		members map[string][]byte
		want    string
	}{
		{"index out of range", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 3, 0}, []float64{1, 3, 2}),
			"x.npz: indices[1] = 3 is out of range [0, 3)"},
		{"negative index", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, -1, 0}, []float64{1, 3, 2}),
			"x.npz: indices[1] = -1 is out of range"},
		{"indptr decreasing", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 3, 1}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			"x.npz: indptr[2] = 1 is out of order"},
		{"indptr past end", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 9, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			"x.npz: indptr[1] = 9 is out of order"},
		{"indptr length", csrMembers(t, "csr", []int64{3, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			"do not fit shape (3, 3)"},
		{"indices length", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2}, []float64{1, 3, 2}),
			"3 indptr, 2 indices and 3 data entries"},
		{"negative shape", csrMembers(t, "csr", []int64{-2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			"x.npz: bad shape (-2, 3)"},
		{"zero shape", csrMembers(t, "csr", []int64{0, 3}, []int32{0}, nil, nil), "x.npz: bad shape (0, 3)"},
		{"shape length", csrMembers(t, "csr", []int64{2}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			"x.npz: shape has 1 entries, want 2"},
		{"NaN", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, math.NaN(), 2}),
			"x.npz: data[1] is NaN"},
		{"sum overflows", csrMembers(t, "csr", []int64{2, 3}, []int32{0, 0, 2}, []int32{1, 1}, []float64{1e308, 1e308}),
			"x.npz: the entries at (1, 1) sum to +Inf"},
		{"coo", csrMembers(t, "coo", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}),
			`x.npz: sparse format "coo" is not supported`},
		{"other arrays", map[string][]byte{
			"a.npy": npyFile(t, "<f8", false, "(1, 1)", le, []float64{1}),
			"b.npy": npyFile(t, "<f8", false, "(1, 1)", le, []float64{1}),
		}, "x.npz: holds arrays"},
		{"bad member", func() map[string][]byte {
			m := csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2})
			m["indices.npy"] = m["indices.npy"][:len(m["indices.npy"])-2]
			return m
		}(), "x.npz/indices.npy: truncated"},
		{"complex data", func() map[string][]byte {
			m := csrMembers(t, "csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, nil)
			m["data.npy"] = npyFile(t, "<c16", false, "(3,)", le, make([]float64, 6))
			return m
		}(), `x.npz/data.npy: unsupported dtype "<c16"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataio.ReadMatrix(writeFile(t, "x.npz", npzFile(t, tc.members)), dataio.MatrixOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	_, err := dataio.ReadMatrix(writeFile(t, "x.npz", []byte("not a zip")), dataio.MatrixOptions{})
	if err == nil || !strings.Contains(err.Error(), "x.npz: not an .npz file") {
		t.Errorf("error %v for a non-zip file", err)
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	m := mat.NewDense(3, 2, []float64{1.5, -2, 0, math.Pi, 1e-300, 7})
	for name, x := range map[string]mat.Matrix{"dense": m, "transposed": m.T()} {
		path := filepath.Join(t.TempDir(), "m.npy")
		if err := dataio.WriteNPY(path, x); err != nil {
			t.Fatal(err)
		}
		tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rows(tab.X); !reflect.DeepEqual(got, rows(x)) {
			t.Errorf("%s: read back %v, want %v", name, got, rows(x))
		}
	}
}
