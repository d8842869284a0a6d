package linalg

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Matrix is the input of a factorization, dense or sparse. Models use only
// these operations, so a sparse input is never densified unless a model's
// math needs every entry of a product (and its documentation says so).
type Matrix interface {
	// Dims returns the number of rows and columns.
	Dims() (r, c int)
	// At returns the entry at row i, column j.
	At(i, j int) float64
	// Mul sets dst = X·B. dst must be r x k and B c x k.
	Mul(dst *mat.Dense, b mat.Matrix)
	// TMul sets dst = Xᵀ·B. dst must be c x k and B r x k.
	TMul(dst *mat.Dense, b mat.Matrix)
	// Stats returns the sum, the squared Frobenius norm, the smallest and
	// the largest entry (implicit zeros of a sparse matrix included), and
	// whether every entry is finite.
	Stats() Stats
	// Apply returns the matrix with the same stored entries as X whose
	// entry (i, j) is f(X_ij, (W·H)_ij). For a sparse X only the stored
	// entries are computed, so W·H is never formed in full. dst is nil
	// for a new matrix, or an earlier Apply result of X (of a matrix of
	// X's kind, shape and sparsity pattern) that is overwritten and
	// returned: an iteration that applies again then allocates nothing.
	Apply(dst Matrix, w, h *mat.Dense, f func(x, wh float64) float64) Matrix
	// Each calls fn for every stored entry (every entry of a dense matrix).
	Each(fn func(i, j int, v float64))
	// NNZ returns the number of stored entries.
	NNZ() int
}

// Stats summarizes the entries of a Matrix.
type Stats struct {
	Sum, SquaredNorm float64
	Min, Max         float64
	Finite           bool
}

// Mean returns the mean over all r·c entries, stored or not.
func Mean(x Matrix) float64 {
	r, c := x.Dims()
	return x.Stats().Sum / float64(r*c)
}

// Dense wraps a *mat.Dense as a Matrix. It caches Xᵀ on first use: gonum's
// parallel GEMM is several times slower with a transposed left operand.
type Dense struct {
	m         *mat.Dense
	once      sync.Once
	t         *mat.Dense
	statsOnce sync.Once
	stats     Stats
	tStale    bool // t holds an earlier m (see Changed)
	f32Once   sync.Once
	f32       *dense32 // the float32 form (float32.go), made once
}

// NewDense wraps m. m must not be modified afterwards, unless Changed is
// called after each modification.
func NewDense(m *mat.Dense) *Dense { return &Dense{m: m} }

// Raw returns the wrapped matrix.
func (d *Dense) Raw() *mat.Dense { return d.m }

// Dims implements Matrix.
func (d *Dense) Dims() (int, int) { return d.m.Dims() }

// At implements Matrix.
func (d *Dense) At(i, j int) float64 { return d.m.At(i, j) }

// NNZ implements Matrix: every entry of a dense matrix counts.
func (d *Dense) NNZ() int { r, c := d.m.Dims(); return r * c }

// Mul implements Matrix.
func (d *Dense) Mul(dst *mat.Dense, b mat.Matrix) { dst.Mul(d.m, b) }

// TMul implements Matrix.
func (d *Dense) TMul(dst *mat.Dense, b mat.Matrix) {
	d.once.Do(func() { d.t = Transpose(d.m) })
	if d.tStale {
		d.tStale = false
		TransposeTo(d.t, d.m)
	}
	dst.Mul(d.t, b)
}

// Changed tells d that its wrapped matrix was modified in place: its
// statistics and cached transpose are computed again on their next use,
// into the transpose's storage, and its float32 form (ToFloat32) is made
// anew. Changed must not run concurrently with d's other methods.
func (d *Dense) Changed() {
	d.statsOnce = sync.Once{}
	d.tStale = d.t != nil
	d.f32Once, d.f32 = sync.Once{}, nil
}

// Stats implements Matrix.
func (d *Dense) Stats() Stats {
	d.statsOnce.Do(func() {
		s := Stats{Min: math.Inf(1), Max: math.Inf(-1), Finite: true}
		raw := d.m.RawMatrix()
		for i := 0; i < raw.Rows; i++ {
			for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
				s.add(v)
			}
		}
		d.stats = s
	})
	return d.stats
}

func (s *Stats) add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.Finite = false
	}
	s.Sum += v
	s.SquaredNorm += v * v
	s.Min = min(s.Min, v)
	s.Max = max(s.Max, v)
}

// Each implements Matrix.
func (d *Dense) Each(fn func(i, j int, v float64)) {
	raw := d.m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			fn(i, j, v)
		}
	}
}

// Apply implements Matrix. For a dense X, W·H is formed in full. A
// non-nil dst must be a *Dense of X's shape other than d; it is
// overwritten (and Changed) and returned.
func (d *Dense) Apply(dst Matrix, w, h *mat.Dense, f func(x, wh float64) float64) Matrix {
	r, c := d.m.Dims()
	out, _ := dst.(*Dense)
	switch {
	case dst == nil:
		out = NewDense(mat.NewDense(r, c, nil))
	case out == nil || out == d || out.m.RawMatrix().Rows != r || out.m.RawMatrix().Cols != c:
		panic("linalg: Apply's dst is not an earlier result of a matrix of this shape")
	default:
		out.Changed()
	}
	out.m.Mul(w, h)
	xr, or := d.m.RawMatrix(), out.m.RawMatrix()
	work := float64(r*c) * 8
	if inline(work) {
		applyDenseRows(xr, or, f, 0, r)
		return out
	}
	parallelRows(r, work, func(lo, hi int) { applyDenseRows(xr, or, f, lo, hi) })
	return out
}

// applyDenseRows sets out_ij = f(x_ij, out_ij) on rows lo..hi-1.
func applyDenseRows(x, out blas64.General, f func(x, wh float64) float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		xs := x.Data[i*x.Stride : i*x.Stride+x.Cols]
		os := out.Data[i*out.Stride : i*out.Stride+x.Cols]
		for j, v := range xs {
			os[j] = f(v, os[j])
		}
	}
}

// scalar is the element type of a matrix: float64, or float32 for the
// float32 solvers (float32.go).
type scalar interface{ float32 | float64 }

// general is a row-major matrix of T, as blas64.General and blas32.General
// are, for the kernels written once for both.
type general[T scalar] struct {
	rows, cols, stride int
	data               []T
}

func of64(g blas64.General) general[float64] {
	return general[float64]{g.Rows, g.Cols, g.Stride, g.Data}
}

// Transpose returns a new dense matrix holding mᵀ.
func Transpose(m mat.Matrix) *mat.Dense {
	r, c := m.Dims()
	t := mat.NewDense(c, r, nil)
	if d, ok := m.(*mat.Dense); ok {
		TransposeTo(t, d)
		return t
	}
	t.Copy(m.T())
	return t
}

// TransposeTo sets dst = mᵀ, for dst sized c x r, without the allocation
// of dst.Copy(m.T()).
func TransposeTo(dst, m *mat.Dense) {
	mr, d := m.RawMatrix(), dst.RawMatrix()
	if d.Rows != mr.Cols || d.Cols != mr.Rows {
		panic(mat.ErrShape)
	}
	transposeInto(d.Data, d.Stride, mr.Data, mr.Stride, mr.Rows, mr.Cols)
}

// transposeInto sets dst (row stride ldd) to the transpose of the r x c
// matrix src (row stride lds).
func transposeInto[T scalar](dst []T, ldd int, src []T, lds, r, c int) {
	// Blocks of 32 x 32 keep both sides' lines in cache.
	const b = 32
	for i0 := 0; i0 < r; i0 += b {
		for j0 := 0; j0 < c; j0 += b {
			for i := i0; i < min(i0+b, r); i++ {
				row := src[i*lds:]
				for j := j0; j < min(j0+b, c); j++ {
					dst[j*ldd+i] = row[j]
				}
			}
		}
	}
}

// DenseOf returns the entries of x as a dense matrix: the wrapped matrix of
// a *Dense (shared, not to be modified), a new one otherwise. Models call
// it only where their mathematics needs every entry.
func DenseOf(x Matrix) *mat.Dense {
	if d, ok := x.(*Dense); ok {
		return d.m
	}
	if c, ok := x.(*CSR); ok {
		return c.ToDense()
	}
	r, c := x.Dims()
	out := mat.NewDense(r, c, nil)
	x.Each(func(i, j int, v float64) { out.Set(i, j, v) })
	return out
}
