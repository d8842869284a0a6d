package dataio

import (
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// readMTX reads a MatrixMarket file: coordinate matrices give a CSR
// matrix, array matrices a dense one. It refuses, by check, a size line
// that declares more than the process may hold before reading further.
func readMTX(r io.Reader, name string, check memCheck, nan bool) (linalg.Matrix, error) {
	l, err := newLineScanner(r, name)
	if err != nil {
		return nil, err
	}
	if !l.scan() {
		if err := l.err(); err != nil {
			return nil, err
		}
		return nil, inputErr(name, 0, "no data")
	}
	banner := strings.Fields(strings.ToLower(l.text))
	if len(banner) != 5 || banner[0] != "%%matrixmarket" || banner[1] != "matrix" {
		return nil, l.errorf("not a MatrixMarket file: want %q", "%%MatrixMarket matrix <format> <field> <symmetry>")
	}
	layout, field, sym := banner[2], banner[3], banner[4]
	switch {
	case layout != "coordinate" && layout != "array":
		return nil, l.errorf("unsupported format %q; want coordinate or array", layout)
	case field != "real" && field != "double" && field != "integer" && (field != "pattern" || layout != "coordinate"):
		return nil, l.errorf("unsupported field %q", field)
	case sym != "general" && sym != "symmetric" && sym != "skew-symmetric":
		return nil, l.errorf("unsupported symmetry %q", sym)
	}

	if !l.next() {
		if err := l.err(); err != nil {
			return nil, err
		}
		return nil, inputErr(name, 0, "no size line")
	}
	size := strings.Fields(l.text)
	want := 2
	if layout == "coordinate" {
		want = 3
	}
	if len(size) != want {
		return nil, l.errorf("size line has %d fields, want %d", len(size), want)
	}
	var dims [3]int
	for k, f := range size {
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > maxDim {
			return nil, l.errorf("bad size %q", f)
		}
		dims[k] = d
	}
	rows, cols, nnz := dims[0], dims[1], dims[2]
	if rows == 0 || cols == 0 {
		return nil, l.errorf("matrix of size %d x %d is empty", rows, cols)
	}
	if sym != "general" && rows != cols {
		return nil, l.errorf("%s matrix of size %d x %d is not square", sym, rows, cols)
	}
	sign := 1.0
	if sym == "skew-symmetric" {
		sign = -1
	}
	if err := check(mtxBytes(layout, sym, rows, cols, nnz), "storing it"); err != nil {
		if layout == "array" {
			return nil, memErr(name, l.line, err, "size line declares %d x %d", rows, cols)
		}
		return nil, memErr(name, l.line, err, "size line declares %d x %d with %d entries", rows, cols, nnz)
	}

	value := func(f string) (float64, error) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsInf(v, 0) || !nan && math.IsNaN(v) {
			return 0, l.errorf("value %q is not a finite number%s", f, missingHint(err == nil && math.IsNaN(v)))
		}
		return v, nil
	}

	if layout == "array" {
		// Values come in column-major order; a symmetric matrix stores its
		// lower triangle only, a skew-symmetric one without the diagonal.
		n := rows * cols
		switch sym {
		case "symmetric":
			n = rows * (rows + 1) / 2
		case "skew-symmetric":
			n = rows * (rows - 1) / 2
		}
		var vals []float64
		for l.next() {
			for _, f := range strings.Fields(l.text) {
				v, err := value(f)
				if err != nil {
					return nil, err
				}
				if len(vals) == n {
					return nil, l.errorf("more than the %d values of a %s %d x %d matrix", n, sym, rows, cols)
				}
				vals = append(vals, v)
			}
		}
		if err := l.err(); err != nil {
			return nil, err
		}
		if len(vals) != n {
			return nil, inputErr(name, 0, "found %d values, want %d", len(vals), n)
		}
		m := mat.NewDense(rows, cols, nil)
		k := 0
		for j := 0; j < cols; j++ {
			i0 := 0
			switch sym {
			case "symmetric":
				i0 = j
			case "skew-symmetric":
				i0 = j + 1
			}
			for i := i0; i < rows; i++ {
				m.Set(i, j, vals[k])
				if sym != "general" {
					m.Set(j, i, sign*vals[k])
				}
				k++
			}
		}
		return linalg.NewDense(m), nil
	}

	var ri, ci []int
	var vs []float64
	want = 3
	if field == "pattern" {
		want = 2
	}
	count := 0
	for l.next() {
		f := strings.Fields(l.text)
		if len(f) != want {
			return nil, l.errorf("entry has %d fields, want %d", len(f), want)
		}
		if count++; count > nnz {
			return nil, l.errorf("more than the %d entries given on the size line", nnz)
		}
		i, err1 := strconv.Atoi(f[0])
		j, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil || i < 1 || i > rows || j < 1 || j > cols {
			return nil, l.errorf("index (%s, %s) is out of range for size %d x %d", f[0], f[1], rows, cols)
		}
		v := 1.0
		if want == 3 {
			var err error
			if v, err = value(f[2]); err != nil {
				return nil, err
			}
		}
		ri, ci, vs = append(ri, i-1), append(ci, j-1), append(vs, v)
		if sym != "general" && i != j {
			ri, ci, vs = append(ri, j-1), append(ci, i-1), append(vs, sign*v)
		}
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	if count < nnz {
		return nil, inputErr(name, 0, "found %d entries, want %d", count, nnz)
	}
	m, err := linalg.NewCSRFromTriplets(rows, cols, ri, ci, vs, false)
	if err != nil {
		return nil, inputErr(name, 0, "%v", err)
	}
	if i, j, v, ok := overflowed(m); ok {
		return nil, inputErr(name, 0, "the entries at (%d, %d) sum to %v", i+1, j+1, v)
	}
	return m, nil
}

// mtxBytes returns about how many bytes readMTX allocates for a matrix of
// the given size line. An array keeps the values it reads, 8 bytes each,
// then the dense matrix, 8 bytes an entry. A coordinate matrix keeps each
// entry it reads (nnz at most; an off-diagonal entry of a symmetric matrix
// twice) as a row, a column and a value, 24 bytes; building the CSR matrix
// then takes 16 bytes an entry for its indices and values and three arrays
// of rows+1 ints, 24 bytes a row, for counts and row pointers.
func mtxBytes(layout, sym string, rows, cols, nnz int) uint64 {
	if layout == "array" {
		return satMul(2*uint64(rows)*uint64(cols), 8)
	}
	entries := uint64(nnz)
	if sym != "general" {
		entries *= 2
	}
	return 24*uint64(rows+1) + 40*entries
}
