package linalg

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ScaleRows sets dst = diag(s)·m: row i of m times s_i. It is the product
// with a diagonal matrix (a degree matrix D, or D^p) that gonum's Mul
// would do entry by entry. dst must have the shape of m and may be m.
func ScaleRows(dst, m *mat.Dense, s []float64) {
	r, c := m.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c || len(s) != r {
		panic(mat.ErrShape)
	}
	mr, dr := m.RawMatrix(), dst.RawMatrix()
	for i := 0; i < r; i++ {
		ms := mr.Data[i*mr.Stride : i*mr.Stride+c]
		ds := dr.Data[i*dr.Stride : i*dr.Stride+c]
		for j, v := range ms {
			ds[j] = s[i] * v
		}
	}
}

// ScaleCols sets m = m·diag(s) in place: column j of m times s_j.
func ScaleCols(m *mat.Dense, s []float64) {
	r, c := m.Dims()
	if len(s) != c {
		panic(mat.ErrShape)
	}
	raw := m.RawMatrix()
	for i := 0; i < r; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j := range row {
			row[j] *= s[j]
		}
	}
}

// ColNorms returns the Euclidean norms of the columns of m.
func ColNorms(m mat.Matrix) []float64 {
	r, c := m.Dims()
	norms := make([]float64, c)
	ColNormsTo(norms, m, make([]float64, r))
	return norms
}

// ColNormsTo sets norms to the Euclidean norms of the columns of m, with
// col (one entry per row of m) as scratch: ColNorms without allocating.
func ColNormsTo(norms []float64, m mat.Matrix, col []float64) {
	for j := range norms {
		norms[j] = floats.Norm(mat.Col(col, j, m), 2)
	}
}

// RowNorms returns the Euclidean norms of the rows of m.
func RowNorms(m *mat.Dense) []float64 {
	r, _ := m.Dims()
	out := make([]float64, r)
	RowNormsTo(out, m)
	return out
}

// RowNormsTo sets out (one entry per row of m) to the Euclidean norms of
// the rows of m.
func RowNormsTo(out []float64, m *mat.Dense) {
	if r, _ := m.Dims(); len(out) != r {
		panic(mat.ErrShape)
	}
	for i := range out {
		out[i] = floats.Norm(m.RawRowView(i), 2)
	}
}

// UnitColumns scales the columns of m to unit Euclidean norm in place and
// returns their norms before, with 1 for a zero column (left as it is):
// m·diag(norms) is the matrix given.
func UnitColumns(m *mat.Dense) []float64 {
	r, c := m.Dims()
	norms := make([]float64, c)
	UnitColumnsTo(norms, m, make([]float64, max(r, c)))
	return norms
}

// UnitColumnsTo is UnitColumns with the norms written to norms (one per
// column of m) and scratch (max(r, c) entries for m r x c) as its
// workspace.
func UnitColumnsTo(norms []float64, m *mat.Dense, scratch []float64) {
	r, c := m.Dims()
	ColNormsTo(norms, m, scratch[:r])
	inv := scratch[:c]
	for j, v := range norms {
		if v > 0 {
			inv[j] = 1 / v
		} else {
			norms[j], inv[j] = 1, 1
		}
	}
	ScaleCols(m, inv)
}

// Gram returns aᵀa.
func Gram(a mat.Matrix) *mat.Dense {
	_, k := a.Dims()
	g := mat.NewDense(k, k, nil)
	if d, ok := a.(*mat.Dense); ok {
		GramTo(g, d)
		return g
	}
	g.Mul(a.T(), a)
	return g
}

// GramTo sets dst = aᵀa, for a n x k, by a symmetric rank-k update: half
// the arithmetic of the general product dst.Mul(a.T(), a), which gonum does
// not specialize. An empty dst is sized k x k; dst must not share a's
// storage.
func GramTo(dst, a *mat.Dense) {
	n, k := a.Dims()
	if dst.IsEmpty() {
		dst.ReuseAs(k, k)
	}
	if r, c := dst.Dims(); r != k || c != k {
		panic(fmt.Sprintf("linalg: Gram of a %dx%d matrix into %dx%d", n, k, r, c))
	}
	d := dst.RawMatrix()
	blas64.Syrk(blas.Trans, 1, a.RawMatrix(), 0, blas64.Symmetric{N: k, Stride: d.Stride, Data: d.Data, Uplo: blas.Upper})
	for i := 1; i < k; i++ {
		row := d.Data[i*d.Stride:]
		for j := range i {
			row[j] = d.Data[j*d.Stride+i]
		}
	}
}

// Product returns a·b as a new matrix.
func Product(a, b mat.Matrix) *mat.Dense {
	r, _ := a.Dims()
	_, c := b.Dims()
	m := mat.NewDense(r, c, nil)
	m.Mul(a, b)
	return m
}

// OptimalScale returns the α ≥ 0 that minimizes ‖X − α·A·B‖_F,
// ⟨X, AB⟩/‖AB‖²_F = ⟨X·Bᵀ, A⟩ / ⟨AᵀA, BBᵀ⟩, or 1 when AB = 0; A·B is
// never formed. s, when not nil, holds its temporaries (in its slots 0 to
// 3), so that the calls of an iteration allocate nothing.
func OptimalScale(x Matrix, a, b *mat.Dense, s *Scratch) float64 {
	if s == nil {
		s = new(Scratch)
	}
	n, k := a.Dims()
	_, d := b.Dims()
	xbt := s.Get(0, n, k)
	MulBt(x, xbt, b, s.Get(1, d, k))
	bbt, ata := s.Get(2, k, k), s.Get(3, k, k)
	MulABt(bbt, b, b)
	GramTo(ata, a)
	den := Dot(ata, bbt)
	if den <= 0 {
		return 1
	}
	return max(Dot(xbt, a)/den, 0)
}

// MulBt sets dst = X·Bᵀ, as x.Mul(dst, b.T()) computes it (by one BLAS
// call for a dense X), without the allocations of the boxed transpose and
// of the copy of Bᵀ that a sparse X makes: bt, the shape of Bᵀ, is the
// scratch that holds it.
func MulBt(x Matrix, dst, b, bt *mat.Dense) {
	if xd, ok := x.(*Dense); ok {
		MulABt(dst, xd.m, b)
		return
	}
	TransposeTo(bt, b)
	x.Mul(dst, bt)
}

// MulAtB sets dst = aᵀ·b by one BLAS call: what dst.Mul(a.T(), b) does,
// without the allocation of the boxed transpose, for the products an
// iteration repeats. An empty dst is sized; dst must not share storage
// with a or b.
func MulAtB(dst, a, b *mat.Dense) {
	gemm(dst, blas.Trans, a, blas.NoTrans, b)
}

// MulABt sets dst = a·bᵀ as MulAtB does.
func MulABt(dst, a, b *mat.Dense) {
	gemm(dst, blas.NoTrans, a, blas.Trans, b)
}

// AddMul sets dst = dst + a·b, without the temporary that dst.Add(dst, ab)
// needs.
func AddMul(dst, a, b *mat.Dense) {
	gemmTo(dst, blas.NoTrans, a, blas.NoTrans, b, 1)
}

func gemm(dst *mat.Dense, ta blas.Transpose, a *mat.Dense, tb blas.Transpose, b *mat.Dense) {
	gemmTo(dst, ta, a, tb, b, 0)
}

// gemmTo sets dst = op(a)·op(b) + beta·dst.
func gemmTo(dst *mat.Dense, ta blas.Transpose, a *mat.Dense, tb blas.Transpose, b *mat.Dense, beta float64) {
	ar, br := a.RawMatrix(), b.RawMatrix()
	m, k := ar.Rows, ar.Cols
	if ta == blas.Trans {
		m, k = k, m
	}
	kb, n := br.Rows, br.Cols
	if tb == blas.Trans {
		kb, n = n, kb
	}
	if dst.IsEmpty() && beta == 0 {
		dst.ReuseAs(m, n)
	}
	if r, c := dst.Dims(); k != kb || r != m || c != n {
		panic(mat.ErrShape)
	}
	blas64.Gemm(ta, tb, 1, ar, br, beta, dst.RawMatrix())
}
