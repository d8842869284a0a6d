package dataio

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// The .npy reader is written here rather than taken from npyio, whose
// reader panics on some malformed headers, accepts truncated data without
// an error and decodes one element per call.

// maxDim bounds each dimension of an input matrix.
const maxDim = math.MaxInt32

// npyHeader is the parsed header of a .npy array.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
	size    int // bytes per element
	decode  func(b []byte) float64
	length  int64 // bytes of header, magic included
}

var (
	npyDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	npyFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// readNPYHeader reads the header of a .npy array from r. It leaves decode
// nil for string dtypes and fails for other non-numeric ones.
func readNPYHeader(r io.Reader, name string) (*npyHeader, error) {
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		if err != nil && !isEOF(err) {
			return nil, readErr(name, 0, err)
		}
		return nil, inputErr(name, 0, "not a .npy file")
	}
	h := &npyHeader{length: 10}
	var n int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, readErr(name, 0, err)
		}
		n = int(binary.LittleEndian.Uint16(pre[8:]))
	case 2, 3:
		h.length = 12
		if _, err := io.ReadFull(r, pre[8:12]); err != nil {
			return nil, readErr(name, 0, err)
		}
		n = int(binary.LittleEndian.Uint32(pre[8:]))
	default:
		return nil, inputErr(name, 0, "unsupported .npy version %d.%d", pre[6], pre[7])
	}
	if n > 1<<20 {
		return nil, inputErr(name, 0, "malformed .npy header: %d bytes long", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, readErr(name, 0, err)
	}
	h.length += int64(n)
	dict := string(buf)
	descr, fortran, shape := npyDescr.FindStringSubmatch(dict), npyFortran.FindStringSubmatch(dict), npyShape.FindStringSubmatch(dict)
	if descr == nil || fortran == nil || shape == nil {
		return nil, inputErr(name, 0, "malformed .npy header %q", strings.TrimSpace(dict))
	}
	h.descr, h.fortran = descr[1], fortran[1] == "True"
	for _, f := range strings.Split(shape[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || d > maxDim {
			return nil, inputErr(name, 0, "malformed .npy header: bad dimension %q", f)
		}
		h.shape = append(h.shape, d)
	}
	if len(h.descr) > 2 && (h.descr[1] == 'S' || h.descr[1] == 'U') {
		return h, nil
	}
	h.size, h.decode = decoder(h.descr)
	if h.decode == nil {
		return nil, inputErr(name, 0, "unsupported dtype %q", h.descr)
	}
	return h, nil
}

// decoder returns the element size and decoding function of a numeric
// NumPy dtype such as "<f8", or a nil function if it is not supported.
func decoder(descr string) (int, func([]byte) float64) {
	if len(descr) != 3 {
		return 0, nil
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch descr[0] {
	case '>':
		bo = binary.BigEndian
	case '<', '|', '=':
	default:
		return 0, nil
	}
	switch descr[1:] {
	case "f8":
		return 8, func(b []byte) float64 { return math.Float64frombits(bo.Uint64(b)) }
	case "f4":
		return 4, func(b []byte) float64 { return float64(math.Float32frombits(bo.Uint32(b))) }
	case "i8":
		return 8, func(b []byte) float64 { return float64(int64(bo.Uint64(b))) }
	case "i4":
		return 4, func(b []byte) float64 { return float64(int32(bo.Uint32(b))) }
	case "i2":
		return 2, func(b []byte) float64 { return float64(int16(bo.Uint16(b))) }
	case "i1":
		return 1, func(b []byte) float64 { return float64(int8(b[0])) }
	case "u8":
		return 8, func(b []byte) float64 { return float64(bo.Uint64(b)) }
	case "u4":
		return 4, func(b []byte) float64 { return float64(bo.Uint32(b)) }
	case "u2":
		return 2, func(b []byte) float64 { return float64(bo.Uint16(b)) }
	case "u1", "b1":
		return 1, func(b []byte) float64 { return float64(b[0]) }
	}
	return 0, nil
}

// elems returns the number of elements of the array, after checking that
// the avail bytes that follow the header hold them.
func (h *npyHeader) elems(avail int64, name string) (int, error) {
	n := 1
	for _, d := range h.shape {
		if d != 0 && n > math.MaxInt/d {
			return 0, inputErr(name, 0, "array of shape %v is too large", h.shape)
		}
		n *= d
	}
	if need := float64(n) * float64(h.size); need > float64(avail) {
		return 0, inputErr(name, 0, "truncated: shape %v needs %.0f bytes of data, found %d", h.shape, need, max(avail, 0))
	}
	return n, nil
}

// values reads the n elements that follow the header, in storage order.
func (h *npyHeader) values(r io.Reader, n int, name string) ([]float64, error) {
	// Grow the result as data arrive rather than trusting the header.
	vals := make([]float64, 0, min(n, 1<<20))
	buf := make([]byte, h.size*min(n, 1<<13))
	for len(vals) < n {
		b := buf[:h.size*min(n-len(vals), len(buf)/h.size)]
		if _, err := io.ReadFull(r, b); err != nil {
			if isEOF(err) {
				return nil, inputErr(name, 0, "truncated: data end after %d of %d values", len(vals), n)
			}
			return nil, readErr(name, 0, err)
		}
		for ; len(b) > 0; b = b[h.size:] {
			vals = append(vals, h.decode(b))
		}
	}
	return vals, nil
}

// readNPY reads a 2-D .npy array of size bytes from r, refusing by check
// a shape larger than the process may hold.
func readNPY(r io.Reader, size int64, name string, check memCheck, nan bool) (linalg.Matrix, error) {
	h, err := readNPYHeader(r, name)
	if err != nil {
		return nil, err
	}
	if h.decode == nil {
		return nil, inputErr(name, 0, "unsupported dtype %q", h.descr)
	}
	if len(h.shape) != 2 {
		return nil, inputErr(name, 0, "array has %d dimensions, want 2 (samples x features)", len(h.shape))
	}
	rows, cols := h.shape[0], h.shape[1]
	if rows == 0 || cols == 0 {
		return nil, inputErr(name, 0, "array of shape (%d, %d) is empty", rows, cols)
	}
	n, err := h.elems(size-h.length, name)
	if err != nil {
		return nil, err
	}
	// The values take 8 bytes each, and the copy in row-major order of a
	// Fortran-order array as much again.
	perValue := uint64(8)
	if h.fortran {
		perValue = 16
	}
	if err := check(satMul(uint64(n), perValue), "storing it"); err != nil {
		return nil, memErr(name, 0, err, "header declares shape %v", h.shape)
	}
	vals, err := h.values(r, n, name)
	if err != nil {
		return nil, err
	}
	if k := slices.IndexFunc(vals, refused(nan)); k >= 0 {
		i, j := k/cols, k%cols
		if h.fortran {
			i, j = k%rows, k/rows
		}
		return nil, inputErr(name, 0, "entry (%d, %d) is %v%s", i, j, vals[k], missingHint(math.IsNaN(vals[k])))
	}
	if h.fortran {
		return linalg.NewDense(linalg.Transpose(mat.NewDense(cols, rows, vals))), nil
	}
	return linalg.NewDense(mat.NewDense(rows, cols, vals)), nil
}

// refused returns the test of the values a reader refuses: infinities,
// and NaN unless nan (unknown cells) is set.
func refused(nan bool) func(v float64) bool {
	return func(v float64) bool { return math.IsInf(v, 0) || !nan && math.IsNaN(v) }
}

func isEOF(err error) bool { return err == io.EOF || err == io.ErrUnexpectedEOF }

// readNPZ reads an .npz archive of size bytes holding either a SciPy
// sparse matrix in CSR or CSC format or a single 2-D array, refusing by
// check a shape larger than the process may hold.
func readNPZ(ra io.ReaderAt, size int64, name string, check memCheck, nan bool) (linalg.Matrix, error) {
	zr, err := zip.NewReader(ra, size)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, err
	} else if err != nil {
		return nil, inputErr(name, 0, "not an .npz file: %v", err)
	}
	entries := make(map[string]*zip.File)
	var keys []string
	for _, f := range zr.File {
		key := strings.TrimSuffix(f.Name, ".npy")
		entries[key] = f
		keys = append(keys, key)
	}
	if len(zr.File) == 1 {
		f := zr.File[0]
		rc, err := f.Open()
		if err != nil {
			return nil, inputErr(name, 0, "%s: %v", f.Name, err)
		}
		defer rc.Close()
		return readNPY(bufio.NewReader(rc), int64(f.UncompressedSize64), name+"/"+f.Name, check, nan)
	}
	for _, k := range []string{"data", "indices", "indptr", "shape"} {
		if entries[k] == nil {
			return nil, inputErr(name, 0, "holds arrays %v; want one array or a SciPy sparse matrix (data, indices, indptr, shape)", keys)
		}
	}
	arr := func(key string) ([]float64, error) { return npzArray(entries[key], name, check) }

	format := "csr"
	if f := entries["format"]; f != nil {
		if format, err = npzString(f, name); err != nil {
			return nil, err
		}
	}
	if format != "csr" && format != "csc" {
		return nil, inputErr(name, 0, "sparse format %q is not supported; want csr or csc", format)
	}
	shape, err := arr("shape")
	if err != nil {
		return nil, err
	}
	if len(shape) != 2 {
		return nil, inputErr(name, 0, "shape has %d entries, want 2", len(shape))
	}
	r, rok := toInt(shape[0], maxDim)
	c, cok := toInt(shape[1], maxDim)
	if !rok || !cok || r == 0 || c == 0 {
		return nil, inputErr(name, 0, "bad shape (%v, %v)", shape[0], shape[1])
	}
	data, err := arr("data")
	if err != nil {
		return nil, err
	}
	if k := slices.IndexFunc(data, refused(nan)); k >= 0 {
		return nil, inputErr(name, 0, "data[%d] is %v%s", k, data[k], missingHint(math.IsNaN(data[k])))
	}
	indices, err := arr("indices")
	if err != nil {
		return nil, err
	}
	indptr, err := arr("indptr")
	if err != nil {
		return nil, err
	}
	major, minor := r, c // CSR: rows index indptr and columns go in indices
	if format == "csc" {
		major, minor = c, r
	}
	if len(indptr) != major+1 || len(indices) != len(data) {
		return nil, inputErr(name, 0, "%d indptr, %d indices and %d data entries do not fit shape (%d, %d)", len(indptr), len(indices), len(data), r, c)
	}
	// The coordinates of the entries take 16 bytes each, the CSR matrix
	// 16 more, and building it three arrays of r+1 ints. In CSC format
	// nothing in the data bounds r.
	if err := check(24*uint64(r+1)+32*uint64(len(data)), "building the matrix"); err != nil {
		return nil, memErr(name, 0, err, "shape (%d, %d) with %d entries", r, c, len(data))
	}
	outer := make([]int, len(data))
	inner := make([]int, len(data))
	prev := 0
	for i, p := range indptr {
		end, ok := toInt(p, len(data))
		if !ok || end < prev || (i == 0 && end != 0) || (i == major && end != len(data)) {
			return nil, inputErr(name, 0, "indptr[%d] = %v is out of order", i, p)
		}
		for k := prev; k < end; k++ {
			outer[k] = i - 1
		}
		prev = end
	}
	for k, v := range indices {
		var ok bool
		if inner[k], ok = toInt(v, minor-1); !ok {
			return nil, inputErr(name, 0, "indices[%d] = %v is out of range [0, %d)", k, v, minor)
		}
	}
	rows, cols := outer, inner
	if format == "csc" {
		rows, cols = inner, outer
	}
	m, err := linalg.NewCSRFromTriplets(r, c, rows, cols, data, false)
	if err != nil {
		return nil, inputErr(name, 0, "%v", err)
	}
	if i, j, v, ok := overflowed(m); ok {
		return nil, inputErr(name, 0, "the entries at (%d, %d) sum to %v", i, j, v)
	}
	return m, nil
}

// toInt converts v to an int if it is an integer in [0, hi].
func toInt(v float64, hi int) (int, bool) {
	if v != math.Trunc(v) || v < 0 || v > float64(hi) {
		return 0, false
	}
	return int(v), true
}

// npzArray reads the numeric array f of the archive name, refusing by
// check a shape larger than the process may hold.
func npzArray(f *zip.File, name string, check memCheck) ([]float64, error) {
	ename := name + "/" + f.Name
	rc, err := f.Open()
	if err != nil {
		return nil, inputErr(ename, 0, "%v", err)
	}
	defer rc.Close()
	r := bufio.NewReader(rc)
	h, err := readNPYHeader(r, ename)
	if err != nil {
		return nil, err
	}
	if h.decode == nil {
		return nil, inputErr(ename, 0, "unsupported dtype %q", h.descr)
	}
	n, err := h.elems(int64(f.UncompressedSize64)-h.length, ename)
	if err != nil {
		return nil, err
	}
	if err := check(satMul(uint64(n), 8), "storing it"); err != nil {
		return nil, memErr(ename, 0, err, "header declares shape %v", h.shape)
	}
	return h.values(r, n, ename)
}

// npzString reads the string scalar f of the archive name, such as the
// format of a SciPy sparse matrix. Only ASCII is supported: NumPy stores
// "U" strings as UTF-32, whose zero bytes are dropped.
func npzString(f *zip.File, name string) (string, error) {
	ename := name + "/" + f.Name
	rc, err := f.Open()
	if err != nil {
		return "", inputErr(ename, 0, "%v", err)
	}
	defer rc.Close()
	h, err := readNPYHeader(rc, ename)
	if err != nil {
		return "", err
	}
	if h.decode != nil {
		return "", inputErr(ename, 0, "dtype %q is not a string", h.descr)
	}
	b, err := io.ReadAll(io.LimitReader(rc, 256))
	if err != nil {
		return "", readErr(ename, 0, err)
	}
	return strings.ReplaceAll(string(b), "\x00", ""), nil
}
