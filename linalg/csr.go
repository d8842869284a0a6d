package linalg

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
)

// CSR is a sparse matrix in compressed sparse row form: the column indices
// of row i are indices[indptr[i]:indptr[i+1]], sorted and unique, with their
// values in data at the same positions. A CSR is immutable once built.
type CSR struct {
	r, c    int
	indptr  []int
	indices []int
	data    []float64

	once      sync.Once
	t         *CSR
	statsOnce sync.Once
	stats     Stats
	// pat is the pattern record this matrix shares with those built from
	// it with other values, and local its reordered copy (locality.go).
	patOnce   sync.Once
	pat       *pattern
	localOnce sync.Once
	local     *CSR
	// An Apply result written again in place (Apply's dst) marks its
	// transpose and reordered copy stale, refreshed on their next use, and
	// keeps the Hᵀ that Apply forms.
	tStale, localStale bool
	ht                 *mat.Dense
	// f32 is the float32 form (float32.go), made once.
	f32Once sync.Once
	f32     *csr32
}

// NewCSR builds a CSR matrix from its three arrays, which it keeps. Column
// indices within a row may come in any order but must be unique and in
// range; it returns an error otherwise.
func NewCSR(r, c int, indptr, indices []int, data []float64) (*CSR, error) {
	if r < 0 || c < 0 {
		return nil, fmt.Errorf("csr: negative shape %dx%d", r, c)
	}
	if len(indptr) != r+1 || indptr[0] != 0 {
		return nil, fmt.Errorf("csr: indptr has length %d, want %d starting at 0", len(indptr), r+1)
	}
	if len(indices) != len(data) || indptr[r] != len(data) {
		return nil, fmt.Errorf("csr: %d indices and %d values, indptr ends at %d", len(indices), len(data), indptr[r])
	}
	m := &CSR{r: r, c: c, indptr: indptr, indices: indices, data: data}
	for i := 0; i < r; i++ {
		lo, hi := indptr[i], indptr[i+1]
		if lo > hi || hi > len(data) {
			return nil, fmt.Errorf("csr: indptr decreases at row %d", i)
		}
		// A rowSorter passed as a sort.Interface is allocated on the heap,
		// so only rows of two entries or more make one.
		if hi-lo > 1 {
			if row := (rowSorter{indices[lo:hi], data[lo:hi]}); !sort.IsSorted(row) {
				sort.Sort(row)
			}
		}
		for p := lo; p < hi; p++ {
			if j := indices[p]; j < 0 || j >= c {
				return nil, fmt.Errorf("csr: column index %d out of range [0,%d) in row %d", j, c, i)
			}
			if p > lo && indices[p] == indices[p-1] {
				return nil, fmt.Errorf("csr: duplicate entry (%d,%d)", i, indices[p])
			}
		}
	}
	return m, nil
}

type rowSorter struct {
	idx []int
	val []float64
}

func (s rowSorter) Len() int           { return len(s.idx) }
func (s rowSorter) Less(a, b int) bool { return s.idx[a] < s.idx[b] }
func (s rowSorter) Swap(a, b int) {
	s.idx[a], s.idx[b] = s.idx[b], s.idx[a]
	s.val[a], s.val[b] = s.val[b], s.val[a]
}

// WithValues returns the matrix with m's pattern and the given values, one
// per stored entry in m's order (the data of Raw). It keeps values and
// shares m's index arrays.
func (m *CSR) WithValues(values []float64) *CSR {
	if len(values) != len(m.data) {
		panic(fmt.Sprintf("linalg: %d values for %d stored entries", len(values), len(m.data)))
	}
	return m.sharing(values)
}

// NewCSRFromTriplets builds an r x c CSR matrix from coordinate triplets.
// Duplicate coordinates are summed; entries that sum to zero are kept as
// stored zeros only if keepZeros is true. It returns an error for an index
// out of range or mismatched slice lengths.
func NewCSRFromTriplets(r, c int, rows, cols []int, vals []float64, keepZeros bool) (*CSR, error) {
	if r < 0 || c < 0 {
		return nil, fmt.Errorf("csr: negative shape %dx%d", r, c)
	}
	if len(rows) != len(cols) || len(rows) != len(vals) {
		return nil, fmt.Errorf("csr: %d rows, %d cols and %d values", len(rows), len(cols), len(vals))
	}
	count := make([]int, r+1)
	for k, i := range rows {
		if i < 0 || i >= r || cols[k] < 0 || cols[k] >= c {
			return nil, fmt.Errorf("csr: entry (%d,%d) out of range for %dx%d", i, cols[k], r, c)
		}
		count[i+1]++
	}
	for i := 0; i < r; i++ {
		count[i+1] += count[i]
	}
	indices := make([]int, len(rows))
	data := make([]float64, len(rows))
	next := append([]int(nil), count[:r]...)
	for k, i := range rows {
		indices[next[i]] = cols[k]
		data[next[i]] = vals[k]
		next[i]++
	}
	// Sort each row, then merge duplicates in place.
	indptr := make([]int, r+1)
	w := 0
	for i := 0; i < r; i++ {
		lo, hi := count[i], count[i+1]
		if hi-lo > 1 { // as in NewCSR, sorting allocates
			sort.Stable(rowSorter{indices[lo:hi], data[lo:hi]})
		}
		for p := lo; p < hi; p++ {
			if w > indptr[i] && indices[w-1] == indices[p] {
				data[w-1] += data[p]
				continue
			}
			indices[w], data[w] = indices[p], data[p]
			w++
		}
		if !keepZeros {
			k := indptr[i]
			for p := indptr[i]; p < w; p++ {
				if data[p] != 0 {
					indices[k], data[k] = indices[p], data[p]
					k++
				}
			}
			w = k
		}
		indptr[i+1] = w
	}
	return &CSR{r: r, c: c, indptr: indptr, indices: indices[:w:w], data: data[:w:w]}, nil
}

// CSRFromDense returns the nonzero entries of m as a CSR matrix.
func CSRFromDense(m mat.Matrix) *CSR {
	r, c := m.Dims()
	indptr := make([]int, r+1)
	var indices []int
	var data []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := m.At(i, j); v != 0 {
				indices = append(indices, j)
				data = append(data, v)
			}
		}
		indptr[i+1] = len(data)
	}
	return &CSR{r: r, c: c, indptr: indptr, indices: indices, data: data}
}

// Dims implements Matrix.
func (m *CSR) Dims() (int, int) { return m.r, m.c }

// NNZ implements Matrix.
func (m *CSR) NNZ() int { return len(m.data) }

// Row returns the column indices and values stored in row i. The slices
// alias the matrix and must not be modified.
func (m *CSR) Row(i int) (cols []int, vals []float64) {
	lo, hi := m.indptr[i], m.indptr[i+1]
	return m.indices[lo:hi], m.data[lo:hi]
}

// Raw returns the three CSR arrays. They alias the matrix and must not be
// modified.
func (m *CSR) Raw() (indptr, indices []int, data []float64) {
	return m.indptr, m.indices, m.data
}

// At implements Matrix.
func (m *CSR) At(i, j int) float64 {
	cols, vals := m.Row(i)
	if p := sort.SearchInts(cols, j); p < len(cols) && cols[p] == j {
		return vals[p]
	}
	return 0
}

// T returns the transpose as a CSR matrix, computed once and cached: m
// itself when m is symmetric (an undirected graph), so that no second copy,
// and no second reordering (locality.go), is kept; a matrix with a
// symmetric pattern and other values shares its pattern with its transpose.
func (m *CSR) T() *CSR {
	m.once.Do(func() {
		indptr := make([]int, m.c+1)
		for _, j := range m.indices {
			indptr[j+1]++
		}
		for j := 0; j < m.c; j++ {
			indptr[j+1] += indptr[j]
		}
		indices := make([]int, len(m.indices))
		data := make([]float64, len(m.data))
		next := append([]int(nil), indptr[:m.c]...)
		for i := 0; i < m.r; i++ {
			for p := m.indptr[i]; p < m.indptr[i+1]; p++ {
				j := m.indices[p]
				indices[next[j]] = i
				data[next[j]] = m.data[p]
				next[j]++
			}
		}
		pat := m.pattern().transposed()
		if m.r == m.c && slices.Equal(indptr, m.indptr) && slices.Equal(indices, m.indices) {
			if slices.Equal(data, m.data) {
				m.t = m
				return
			}
			indptr, indices, pat = m.indptr, m.indices, m.pattern()
		}
		m.t = &CSR{r: m.c, c: m.r, indptr: indptr, indices: indices, data: data, pat: pat}
		m.t.once.Do(func() { m.t.t = m })
	})
	if m.tStale {
		m.refreshT()
	}
	return m.t
}

// refreshT writes m's values, overwritten in place since its transpose was
// made, into the transpose: in place through the pattern's transposition
// (a transpose that was m itself, when m was symmetric, becomes a matrix of
// its own with m's pattern).
func (m *CSR) refreshT() {
	m.tStale = false
	if m.t == m {
		t := &CSR{r: m.c, c: m.r, indptr: m.indptr, indices: m.indices, data: make([]float64, len(m.data)), pat: m.pattern()}
		t.once.Do(func() { t.t = m })
		m.t = t
	}
	for q, p := range m.pattern().transposeSource(m.c, m.t.indptr, m.indptr, m.indices) {
		m.t.data[q] = m.data[p]
	}
	m.t.valuesChanged()
}

// valuesChanged records that m's values were overwritten in place: its
// statistics are recomputed, its transpose and reordered copy refreshed,
// and its float32 form made anew, on their next use.
func (m *CSR) valuesChanged() {
	m.statsOnce = sync.Once{}
	m.tStale = m.t != nil
	m.localStale = m.local != nil
	m.f32Once, m.f32 = sync.Once{}, nil
}

// ToDense returns the matrix as a dense one.
func (m *CSR) ToDense() *mat.Dense {
	d := mat.NewDense(m.r, m.c, nil)
	m.Each(func(i, j int, v float64) { d.Set(i, j, v) })
	return d
}

// Mul implements Matrix: dst = X·B, parallel over blocks of rows. For a B
// larger than the cache, it goes through a reordered copy of X when one
// improves locality (locality.go).
func (m *CSR) Mul(dst *mat.Dense, b mat.Matrix) {
	br, k := b.Dims()
	if br != m.c {
		panic(mat.ErrShape)
	}
	if dr, dc := dst.Dims(); dr != m.r || dc != k {
		panic(mat.ErrShape)
	}
	bd := asDense(b)
	braw, draw := bd.RawMatrix(), dst.RawMatrix()
	if 8*br*k >= localMin {
		if y := m.localForm(); y != nil {
			m.mulLocal(y, draw, braw)
			return
		}
	}
	m.mulRows(draw, braw.Data, braw.Stride, k, nil)
}

// mulRows sets dst to m·B, parallel over blocks of rows, for B's k columns
// held in b with row stride ldb; row i of the product goes to row at[i] of
// dst, or to row i when at is nil.
func (m *CSR) mulRows(dst blas64.General, b []float64, ldb, k int, at []int) {
	row := rowUnrolledK
	if k > maxUnrolledK {
		row = rowAxpyK
	}
	m.arrays().mulRows(row, dst.Data, dst.Stride, b, ldb, k, at)
}

// arrays returns m's three arrays.
func (m *CSR) arrays() csrArrays[float64] { return csrArrays[float64]{m.indptr, m.indices, m.data} }

// csrArrays are the arrays of a CSR matrix with values of type T: a CSR's
// own, or those of its float32 form (float32.go), whose products are this
// one code.
type csrArrays[T scalar] struct {
	indptr, indices []int
	data            []T
}

// rowKernel sets out = Σ_p vals[p]·B_{cols[p]} for B stored row-major in b
// with the given stride.
type rowKernel[T scalar] func(out []T, cols []int, vals, b []T, stride int)

// mulRows sets dst (row stride ldd) to X·B with the row kernel row,
// parallel over blocks of rows, for B's k columns held in b with row
// stride ldb; row i of the product goes to row at[i] of dst, or to row i
// when at is nil.
func (x csrArrays[T]) mulRows(row rowKernel[T], dst []T, ldd int, b []T, ldb, k int, at []int) {
	r := len(x.indptr) - 1
	work := 2 * float64(len(x.data)*k)
	if inline(work) {
		x.mulRange(row, dst, ldd, b, ldb, k, at, 0, r)
		return
	}
	parallelRows(r, work, func(lo, hi int) { x.mulRange(row, dst, ldd, b, ldb, k, at, lo, hi) })
}

// mulRange computes rows lo..hi-1 of mulRows' product.
func (x csrArrays[T]) mulRange(row rowKernel[T], dst []T, ldd int, b []T, ldb, k int, at []int, lo, hi int) {
	for i := lo; i < hi; i++ {
		out := i
		if at != nil {
			out = at[i]
		}
		s, e := x.indptr[i], x.indptr[i+1]
		row(dst[out*ldd:out*ldd+k], x.indices[s:e], x.data[s:e], b, ldb)
	}
}

// rowUnrolledK and rowAxpyK are the kernels mulRows runs (rowKernels).
var rowUnrolledK, rowAxpyK = rowKernels()

// rowAxpy sets out = Σ_p vals[p]·B_{cols[p]} for B stored row-major with the
// given stride, by gonum's assembly axpy, one stored entry at a time.
func rowAxpy(out []float64, cols []int, vals []float64, b []float64, stride int) {
	k := len(out)
	clear(out)
	for p, j := range cols {
		floats.AddScaled(out, vals[p], b[j*stride:j*stride+k])
	}
}

// rowUnrolled computes what rowAxpy does in plain Go, four stored entries
// at a time, so that out is loaded and stored once for four rows of B.
func rowUnrolled[T scalar](out []T, cols []int, vals []T, b []T, stride int) {
	k := len(out)
	clear(out)
	p := 0
	for ; p+4 <= len(cols); p += 4 {
		v0, v1, v2, v3 := vals[p], vals[p+1], vals[p+2], vals[p+3]
		b0 := b[cols[p]*stride:][:k]
		b1 := b[cols[p+1]*stride:][:k]
		b2 := b[cols[p+2]*stride:][:k]
		b3 := b[cols[p+3]*stride:][:k]
		for c := range out {
			out[c] += v0*b0[c] + v1*b1[c] + v2*b2[c] + v3*b3[c]
		}
	}
	for ; p < len(cols); p++ {
		v, bj := vals[p], b[cols[p]*stride:][:k]
		for c := range out {
			out[c] += v * bj[c]
		}
	}
}

// maxUnrolledK is the widest B that CSR.Mul multiplies with rowUnrolled;
// wider ones go through rowAxpy, whose call per stored entry costs more
// than its vector code gains on narrow rows (BenchmarkCSRRow, one thread:
// rowUnrolled is 1.3-1.4x faster at k = 7, within 10% at k = 22 to 42,
// and rowAxpy 1.1-1.2x faster at k = 64).
const maxUnrolledK = 48

// TMul implements Matrix: dst = Xᵀ·B through the cached transpose.
func (m *CSR) TMul(dst *mat.Dense, b mat.Matrix) { m.T().Mul(dst, b) }

// asDense returns b as a row-major *mat.Dense, copying only if needed.
func asDense(b mat.Matrix) *mat.Dense {
	if d, ok := b.(*mat.Dense); ok {
		return d
	}
	return mat.DenseCopyOf(b)
}

// Stats implements Matrix. Min and Max include the implicit zeros when the
// matrix has any.
func (m *CSR) Stats() Stats {
	m.statsOnce.Do(func() {
		s := Stats{Min: math.Inf(1), Max: math.Inf(-1), Finite: true}
		for _, v := range m.data {
			s.add(v)
		}
		if len(m.data) < m.r*m.c {
			s.Min, s.Max = min(s.Min, 0), max(s.Max, 0)
		}
		m.stats = s
	})
	return m.stats
}

// Each implements Matrix, visiting stored entries in row order.
func (m *CSR) Each(fn func(i, j int, v float64)) {
	for i := 0; i < m.r; i++ {
		for p := m.indptr[i]; p < m.indptr[i+1]; p++ {
			fn(i, m.indices[p], m.data[p])
		}
	}
}

// Apply implements Matrix, computing (W·H)_ij only at stored entries. A
// non-nil dst must be an earlier Apply result of a matrix with m's pattern
// (m itself, or one that shares its pattern); its values are overwritten
// and it is returned, its transpose and reordered copy refreshed on their
// next use, so that an iteration that applies again allocates nothing.
func (m *CSR) Apply(dst Matrix, w, h *mat.Dense, f func(x, wh float64) float64) Matrix {
	n, k := w.Dims()
	if hr, hc := h.Dims(); n != m.r || hr != k || hc != m.c {
		panic(mat.ErrShape)
	}
	var prev *CSR
	if dst != nil {
		d, ok := dst.(*CSR)
		if !ok {
			panic("linalg: Apply's dst is not an earlier result of a matrix with this pattern")
		}
		prev = d
	}
	out := m.result(prev)
	// Rows of Hᵀ are columns of H, contiguous.
	if out.ht == nil || out.ht.RawMatrix().Rows != m.c || out.ht.RawMatrix().Cols != k {
		out.ht = mat.NewDense(m.c, k, nil)
	}
	TransposeTo(out.ht, h)
	wr, hr := w.RawMatrix(), out.ht.RawMatrix()
	work := 2 * float64(len(m.data)*k)
	if inline(work) {
		m.applyRows(out.data, wr, hr, f, 0, m.r)
		return out
	}
	parallelRows(m.r, work, func(lo, hi int) { m.applyRows(out.data, wr, hr, f, lo, hi) })
	return out
}

// MapStored returns the matrix with m's pattern valued f(i, j, m_ij) at
// each stored entry, visited in row order. A non-nil dst must be an
// earlier result of MapStored or Apply on a matrix with m's pattern; it is
// overwritten and returned, as Apply's dst.
func (m *CSR) MapStored(dst *CSR, f func(i, j int, v float64) float64) *CSR {
	out := m.result(dst)
	for i := 0; i < m.r; i++ {
		for p := m.indptr[i]; p < m.indptr[i+1]; p++ {
			out.data[p] = f(i, m.indices[p], m.data[p])
		}
	}
	return out
}

// result returns the matrix that Apply or MapStored writes: a new one with
// m's pattern when prev is nil, else prev, checked to have m's pattern and
// marked as changed.
func (m *CSR) result(prev *CSR) *CSR {
	switch {
	case prev == nil:
		return m.sharing(make([]float64, len(m.data)))
	case prev == m || prev.pat != m.pattern() || len(prev.data) != len(m.data):
		panic("linalg: dst is not an earlier result of a matrix with this pattern")
	}
	prev.valuesChanged()
	return prev
}

// applyRows sets data[p] = f(x_p, (W·H)_p) for the stored entries p of
// rows lo..hi-1, given Hᵀ in ht.
func (m *CSR) applyRows(data []float64, w, ht blas64.General, f func(x, wh float64) float64, lo, hi int) {
	k := w.Cols
	for i := lo; i < hi; i++ {
		wi := w.Data[i*w.Stride : i*w.Stride+k]
		for p := m.indptr[i]; p < m.indptr[i+1]; p++ {
			off := m.indices[p] * ht.Stride
			data[p] = f(m.data[p], floats.Dot(wi, ht.Data[off:off+k]))
		}
	}
}

// ForProducts returns m in the form whose products with dense matrices are
// fastest: m itself, or a Dense copy when an optimized BLAS is installed
// (backend.Optimized), at least denseFill of m's entries are stored and the
// copy has at most maxDenseForm entries. A dense product does r·c/nnz times
// more arithmetic, but OpenBLAS does it several times faster than the
// sparse kernel, and gonum's BLAS does not (BenchmarkFilledCSR, with
// DEEPNMF_BACKEND=gonum for the latter). Models call this for the sparse
// matrices they build themselves and may fill, such as the two-hop
// similarities of the graph models, and never for their input.
func ForProducts(m *CSR) Matrix {
	if size := m.r * m.c; backend.Optimized() && size > 0 && size <= maxDenseForm && float64(len(m.data)) >= denseFill*float64(size) {
		return NewDense(m.ToDense())
	}
	return m
}

// denseFill and maxDenseForm bound ForProducts' dense form: the density
// above which a dense product was faster for every k measured, and a size
// (1 GiB of float64) above which the copy is not worth its memory.
const (
	denseFill    = 0.3
	maxDenseForm = 1 << 27
)
