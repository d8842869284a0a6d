package dataio

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/deepnmf/deepnmf/linalg"
)

// The fuzz targets feed arbitrary bytes to every reader. A reader must not
// panic, and must return either an error or a result that keeps its
// promises: a nonempty matrix of finite values whose CSR arrays are valid,
// labels in range, a square adjacency matrix of positive finite weights.
// The readers that take a memCheck get a limit of fuzzMem, so that a
// declared shape cannot exhaust the machine's memory.

const fuzzMem = 64 << 20

// checkMatrix fails the test unless m is a nonempty matrix of finite values,
// dense or CSR with valid arrays.
func checkMatrix(t *testing.T, m linalg.Matrix) {
	t.Helper()
	r, c := m.Dims()
	if r <= 0 || c <= 0 {
		t.Fatalf("empty %dx%d matrix", r, c)
	}
	switch x := m.(type) {
	case *linalg.Dense:
		if rr, cc := x.Raw().Dims(); rr != r || cc != c {
			t.Fatalf("Dims %dx%d, data %dx%d", r, c, rr, cc)
		}
		for i := range r {
			if k := slices.IndexFunc(x.Raw().RawRowView(i), refused(false)); k >= 0 {
				t.Fatalf("entry (%d, %d) is %v", i, k, x.At(i, k))
			}
		}
	case *linalg.CSR:
		checkCSR(t, x)
	default:
		t.Fatalf("matrix of type %T", m)
	}
}

// checkCSR fails the test unless the arrays of m are those of a valid CSR
// matrix of finite values.
func checkCSR(t *testing.T, m *linalg.CSR) {
	t.Helper()
	r, c := m.Dims()
	indptr, indices, data := m.Raw()
	if len(indptr) != r+1 || indptr[0] != 0 || indptr[r] != len(indices) || len(indices) != len(data) {
		t.Fatalf("%dx%d CSR: %d row pointers from %d to %d, %d indices, %d values", r, c, len(indptr), indptr[0], indptr[len(indptr)-1], len(indices), len(data))
	}
	for i := range r {
		if indptr[i] > indptr[i+1] {
			t.Fatalf("row pointers decrease at row %d", i)
		}
		for p := indptr[i]; p < indptr[i+1]; p++ {
			if j := indices[p]; j < 0 || j >= c || (p > indptr[i] && j <= indices[p-1]) {
				t.Fatalf("row %d: columns %v are not increasing in [0, %d)", i, indices[indptr[i]:indptr[i+1]], c)
			}
			if refused(false)(data[p]) {
				t.Fatalf("entry (%d, %d) is %v", i, indices[p], data[p])
			}
		}
	}
}

// checkLabels fails the test unless lab has n values, each a class index
// or -1, and distinct class names.
func checkLabels(t *testing.T, lab *Labels, n int) {
	t.Helper()
	if len(lab.Values) != n {
		t.Fatalf("%d values, want %d", len(lab.Values), n)
	}
	for i, v := range lab.Values {
		if v < -1 || v >= len(lab.Names) {
			t.Fatalf("value %d is %d, with %d classes", i, v, len(lab.Names))
		}
	}
	seen := make(map[string]bool)
	for _, name := range lab.Names {
		if name == "" || seen[name] {
			t.Fatalf("class names %q are not distinct and nonempty", lab.Names)
		}
		seen[name] = true
	}
}

func gzipBytes(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func FuzzReadTable(f *testing.F) {
	for _, s := range []string{
		"1,2,3\n4,5,6\n",
		"a,b,y\n1,2,x\n3,4,z\n",
		"# comment\n1\t2\n3\t4\n",
		"1 2 3\n% comment\n4 5 6\n",
		"\"1\",\"2\"\n\"3\",\"4\"\n",
		"1,2\n3\n",
		"1e400,2\n",
		"nan,1\n",
		"x,y\n",
	} {
		for format := range byte(3) {
			f.Add([]byte(s), format, "", "auto")
			f.Add([]byte(s), format, "-1", "no")
		}
	}
	f.Add(gzipBytes("a,b\n1,2\n"), byte(0), "b", "yes")
	f.Fuzz(func(t *testing.T, data []byte, format byte, label, header string) {
		opt := MatrixOptions{Format: [...]string{"csv", "tsv", "txt"}[format%3], Label: label, Header: header}
		tab, err := ParseTable(bytes.NewReader(data), "t", opt)
		if err != nil {
			return
		}
		checkMatrix(t, tab.X)
		r, c := tab.X.Dims()
		if tab.Labels != nil && len(tab.Labels) != r {
			t.Fatalf("%d labels for %d rows", len(tab.Labels), r)
		}
		if tab.ColumnNames != nil && len(tab.ColumnNames) != c {
			t.Fatalf("%d column names for %d columns", len(tab.ColumnNames), c)
		}
	})
}

func FuzzReadNPY(f *testing.F) {
	f.Add(npyBytes("<f8", "(2, 2)", []float64{1, 2, 3, 4}))
	f.Add(npyBytes("<i4", "(1, 3)", []int32{-1, 0, 7}))
	f.Add(npyBytes("|u1", "(3, 1)", []uint8{1, 2, 255}))
	f.Add(npyBytes(">f4", "(1, 1)", []uint32{math.Float32bits(1.5)}))
	f.Add(npyBytes("<f8", "(2000000000, 2000000000)", []float64{1}))
	f.Add(npyBytes("<f8", "(1, 1)", []float64{math.NaN()}))
	f.Add(npyBytes("|S3", "()", []byte("csr")))
	fortran := npyBytes("<f8", "(2, 3)", []float64{1, 2, 3, 4, 5, 6})
	f.Add(bytes.Replace(fortran, []byte("False"), []byte("True "), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readNPY(bufio.NewReader(bytes.NewReader(data)), int64(len(data)), "x.npy", limitTo(fuzzMem), false)
		if err == nil {
			checkMatrix(t, m)
		}
	})
}

func FuzzReadNPZ(f *testing.F) {
	csr := func(format string, shape []int64, indptr, indices []int32, data []float64) []byte {
		members := []any{
			"data.npy", npyBytes("<f8", "("+strconv.Itoa(len(data))+",)", data),
			"indices.npy", npyBytes("<i4", "("+strconv.Itoa(len(indices))+",)", indices),
			"indptr.npy", npyBytes("<i4", "("+strconv.Itoa(len(indptr))+",)", indptr),
			"shape.npy", npyBytes("<i8", "(2,)", shape),
		}
		if format != "" {
			members = append(members, "format.npy", npyBytes("|S3", "()", []byte(format)))
		}
		return zipBytes(members...)
	}
	f.Add(csr("csr", []int64{2, 3}, []int32{0, 1, 3}, []int32{1, 2, 0}, []float64{1, 3, 2}))
	f.Add(csr("csc", []int64{2, 3}, []int32{0, 1, 2, 3}, []int32{1, 0, 1}, []float64{2, 1, 3}))
	f.Add(csr("", []int64{2, 2}, []int32{0, 2, 2}, []int32{1, 1}, []float64{1, -1}))
	f.Add(csr("csc", []int64{2147483647, 1}, []int32{0, 0}, nil, nil))
	f.Add(zipBytes("arr_0.npy", npyBytes("<i8", "(2, 3)", []int64{0, 1, 0, 2, 0, 3})))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readNPZ(bytes.NewReader(data), int64(len(data)), "x.npz", limitTo(fuzzMem), false)
		if err == nil {
			checkMatrix(t, m)
		}
	})
}

// FuzzReadNPZArrays fuzzes the arrays of a SciPy sparse matrix rather than
// the archive, whose checksums leave FuzzReadNPZ few mutations that get past
// the zip reader.
func FuzzReadNPZArrays(f *testing.F) {
	f64 := func(v ...float64) []byte { return npyBytes("<f8", "("+strconv.Itoa(len(v))+",)", v) }
	i32 := func(v ...int32) []byte { return npyBytes("<i4", "("+strconv.Itoa(len(v))+",)", v) }
	i64 := func(v ...int64) []byte { return npyBytes("<i8", "("+strconv.Itoa(len(v))+",)", v) }
	f.Add(f64(1, 3, 2), i32(1, 2, 0), i32(0, 1, 3), i64(2, 3), []byte("csr"))
	f.Add(f64(2, 1, 3), i32(1, 0, 1), i32(0, 1, 2, 3), i64(2, 3), []byte("csc"))
	f.Add(f64(1e308, 1e308), i32(1, 1), i32(0, 0, 2), i64(2, 3), []byte(""))
	f.Add(f64(), i32(), i32(0, 0), i64(2147483647, 1), []byte("csc"))
	f.Add(f64(1, 2), i64(0, 1), f64(0, 2), f64(1, 2), []byte("csr"))
	f.Fuzz(func(t *testing.T, data, indices, indptr, shape, format []byte) {
		members := []any{"data.npy", data, "indices.npy", indices, "indptr.npy", indptr, "shape.npy", shape}
		if len(format) > 0 {
			members = append(members, "format.npy", npyBytes("|S3", "()", format))
		}
		z := zipBytes(members...)
		m, err := readNPZ(bytes.NewReader(z), int64(len(z)), "x.npz", limitTo(fuzzMem), false)
		if err == nil {
			checkMatrix(t, m)
		}
	})
}

func FuzzReadMTX(f *testing.F) {
	for _, s := range []string{
		"%%MatrixMarket matrix coordinate real general\n% comment\n2 3 3\n1 2 1.5\n2 1 -2\n2 3 3e0\n",
		"%%MatrixMarket matrix coordinate integer general\n1 2 2\n1 2 1\n1 2 -1\n",
		"%%MatrixMarket matrix coordinate pattern symmetric\n3 3 3\n2 1\n3 1\n3 3\n",
		"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 4\n",
		"%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n5\n3\n6\n",
		"%%MatrixMarket matrix array integer symmetric\n2 2\n1\n2\n3\n",
		"%%MatrixMarket matrix array real skew-symmetric\n1 1\n",
		"%%MatrixMarket matrix coordinate real general\n100000000 100000000 1\n1 1 1\n",
		"%%MatrixMarket matrix coordinate real general\n1 1 2\n1 1 1e308\n1 1 1e308\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(gzipBytes("%%MatrixMarket matrix array real general\n1 1\n7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readMTX(bytes.NewReader(data), "m.mtx", limitTo(fuzzMem), false)
		if err == nil {
			checkMatrix(t, m)
		}
	})
}

func FuzzReadEdgeList(f *testing.F) {
	for _, s := range []string{
		"a b\nb c\nc a\n",
		"# comment\n0 1 2.5\n1 2\n2 0 1e-3\n",
		"1 1\n1 2\n2 1\n",
		"x y 1e308\ny x 1e308\n",
		"u v w z\n",
		"a b -1\n",
	} {
		for opts := range byte(8) {
			f.Add([]byte(s), opts)
		}
	}
	f.Add(gzipBytes("a b\n"), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, opts byte) {
		opt := EdgeOptions{Directed: opts&1 != 0, Reverse: opts&2 != 0,
			SelfLoops: [...]string{"drop", "keep"}[opts>>2&1], Duplicates: [...]string{"sum", "max", "one", ""}[opts>>3&3]}
		g, err := ParseEdgeList(bytes.NewReader(data), "e", opt)
		if err != nil {
			return
		}
		checkCSR(t, g.Adj)
		r, c := g.Adj.Dims()
		if r != len(g.IDs) || c != r || r == 0 {
			t.Fatalf("%dx%d adjacency for %d nodes", r, c, len(g.IDs))
		}
		for i, id := range g.IDs {
			if k, ok := g.Index(id); !ok || k != i {
				t.Fatalf("node %d %q has index %d, %v", i, id, k, ok)
			}
		}
		g.Adj.Each(func(i, j int, w float64) {
			if !(w > 0) {
				t.Fatalf("edge (%d, %d) has weight %v", i, j, w)
			}
			if !opt.Directed && g.Adj.At(j, i) != w {
				t.Fatalf("undirected graph: (%d, %d) is %v, (%d, %d) is %v", i, j, w, j, i, g.Adj.At(j, i))
			}
		})
	})
}

func FuzzReadLabels(f *testing.F) {
	for _, s := range []string{"1\n2\n1\n", "# c\nb\na\n\nb\n", "10\n9\n-3\n", "x y\n", "%\n"} {
		f.Add([]byte(s))
	}
	f.Add(gzipBytes("0\n1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lab, err := parseLabels(bytes.NewReader(data), "l")
		if err == nil {
			checkLabels(t, lab, len(lab.Values))
			if len(lab.Values) == 0 || slices.Contains(lab.Values, -1) {
				t.Fatalf("values %v: want at least one, all known", lab.Values)
			}
		}
	})
}

func FuzzReadNodeLabels(f *testing.F) {
	for _, s := range []string{"a 1\nb 2\nc 1\n", "a x y\n", "a 1\na 2\n", "zz 1\n", "a\n", "c\t0\n"} {
		f.Add([]byte(s))
	}
	g, err := ParseEdgeList(strings.NewReader("a b\nb c\nc d\n"), "e", EdgeOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lab, err := ParseNodeLabels(bytes.NewReader(data), "l", g)
		if err == nil {
			checkLabels(t, lab, len(g.IDs))
		}
	})
}

func FuzzReadKeyedLabels(f *testing.F) {
	for _, s := range []string{"a 1\nb\t2\nc 1\n", "1\n2\n1\n", "0 Mr. Hi\n1 Officer\n", "a 1\n2\n", "a\tb c\n", "# x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, labels, err := parseKeyedLabels(bytes.NewReader(data), "l")
		if err != nil {
			return
		}
		if len(labels) == 0 || (ids != nil && len(ids) != len(labels)) {
			t.Fatalf("%d ids for %d labels", len(ids), len(labels))
		}
		for i, l := range labels {
			if l == "" || l != strings.TrimSpace(l) {
				t.Fatalf("label %d is %q", i, l)
			}
		}
		seen := make(map[string]bool)
		for i, id := range ids {
			if id == "" || strings.ContainsFunc(id, unicode.IsSpace) || seen[id] {
				t.Fatalf("id %d is %q: empty, spaced or a duplicate", i, id)
			}
			seen[id] = true
		}
	})
}
