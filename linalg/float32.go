package linalg

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// Float32. The float32 solvers (model.NMF with Float32) keep their factors
// and scratch as blas32.General, gonum's float32 dense matrix: gonum's mat
// has no float32 Dense, and blas32.Gemm runs on the backend's Sgemm
// (OpenBLAS's, or the pure-Go blocked one), so no float32 matrix type is
// written here. Their input is a Matrix32, the float32 form of a Dense or
// a CSR, whose sparse products are CSR's own kernels (csrArrays, generic
// over the element type) on float32 values sharing the CSR's pattern,
// transpose and reordering (locality.go).

// Matrix32 is an input matrix rounded to float32, for the float32 solvers:
// the two products of the Frobenius updates. dst and B are row-major
// blas32.General matrices; the products panic on mismatched shapes, as
// Matrix's do.
type Matrix32 interface {
	// Dims returns the number of rows and columns.
	Dims() (r, c int)
	// Mul sets dst = X·B. dst must be r x k and B c x k.
	Mul(dst, b blas32.General)
	// TMul sets dst = Xᵀ·B. dst must be c x k and B r x k.
	TMul(dst, b blas32.General)
}

// ToFloat32 returns x rounded to float32: a dense copy of a *Dense, or the
// float32 values of a *CSR on its pattern. The form is made on the first
// call and cached with x, as its transpose is, so that fits of several
// seeds share it. It returns an error for other implementations of Matrix.
func ToFloat32(x Matrix) (Matrix32, error) {
	switch x := x.(type) {
	case *Dense:
		x.f32Once.Do(func() { x.f32 = &dense32{m: General32(x.m)} })
		return x.f32, nil
	case *CSR:
		return x.float32Form(), nil
	}
	return nil, fmt.Errorf("linalg: no float32 form of a %T input", x)
}

// General32 returns m rounded to float32, in a new matrix.
func General32(m *mat.Dense) blas32.General {
	raw := m.RawMatrix()
	g := blas32.General{Rows: raw.Rows, Cols: raw.Cols, Stride: raw.Cols, Data: make([]float32, raw.Rows*raw.Cols)}
	for i := range raw.Rows {
		round32(g.Data[i*g.Stride:(i+1)*g.Stride], raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols])
	}
	return g
}

// Dense64 returns g in float64, in a new matrix.
func Dense64(g blas32.General) *mat.Dense {
	m := mat.NewDense(g.Rows, g.Cols, nil)
	raw := m.RawMatrix()
	for i := range g.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+g.Cols]
		for j, v := range g.Data[i*g.Stride : i*g.Stride+g.Cols] {
			row[j] = float64(v)
		}
	}
	return m
}

// round32 sets dst to src rounded to float32.
func round32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// Transpose32To sets dst = mᵀ, for dst sized c x r.
func Transpose32To(dst, m blas32.General) {
	if dst.Rows != m.Cols || dst.Cols != m.Rows {
		panic(mat.ErrShape)
	}
	transposeInto(dst.Data, dst.Stride, m.Data, m.Stride, m.Rows, m.Cols)
}

// MulUpdate32 is MulUpdate in float32 with gamma = 1 (the Frobenius
// rule): f = f ⊙ num ⊘ max(den, eps).
func MulUpdate32(f, num, den blas32.General, eps float32) {
	r, c := f.Rows, f.Cols
	if num.Rows != r || num.Cols != c || den.Rows != r || den.Cols != c {
		panic(mat.ErrShape)
	}
	mulUpdate(of32(f), of32(num), of32(den), 1, 1, eps)
}

func of32(g blas32.General) general[float32] {
	return general[float32]{g.Rows, g.Cols, g.Stride, g.Data}
}

// CoordinateDescent32 is CoordinateDescent in float32, the violation
// summed in float64.
func CoordinateDescent32(f, gram, cross blas32.General, perm []int) float64 {
	return coordinateDescent(of32(f), of32(gram), of32(cross), perm)
}

// dense32 is a Dense's float32 form. It caches Xᵀ on first use, as Dense
// does: a product with a transposed left operand is slower.
type dense32 struct {
	m    blas32.General
	once sync.Once
	t    blas32.General
}

func (d *dense32) Dims() (int, int) { return d.m.Rows, d.m.Cols }

func (d *dense32) Mul(dst, b blas32.General) {
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, d.m, b, 0, dst)
}

func (d *dense32) TMul(dst, b blas32.General) {
	d.once.Do(func() {
		d.t = blas32.General{Rows: d.m.Cols, Cols: d.m.Rows, Stride: d.m.Rows, Data: make([]float32, len(d.m.Data))}
		Transpose32To(d.t, d.m)
	})
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, d.t, b, 0, dst)
}

// csr32 is a CSR's float32 form: its values rounded, on x's pattern, with
// its reordered values made when first needed.
type csr32 struct {
	x         *CSR
	data      []float32
	localOnce sync.Once
	local     []float32 // the values in the order of x's pattern (locality.go)
}

// float32Form returns m's float32 form, made once.
func (m *CSR) float32Form() *csr32 {
	m.f32Once.Do(func() {
		m.f32 = &csr32{x: m, data: make([]float32, len(m.data))}
		round32(m.f32.data, m.data)
	})
	return m.f32
}

func (m *csr32) Dims() (int, int) { return m.x.Dims() }

// Mul sets dst = X·B, as CSR.Mul does: through the reordered copy for a B
// larger than the cache, when X has one. rowUnrolled computes every row:
// CSR.Mul's axpy for wide B is gonum's float64 assembly.
func (m *csr32) Mul(dst, b blas32.General) {
	if b.Rows != m.x.c || dst.Rows != m.x.r || dst.Cols != b.Cols {
		panic(mat.ErrShape)
	}
	k := b.Cols
	if 4*b.Rows*k >= localMin {
		if o := m.x.order(); o != nil {
			m.localOnce.Do(func() {
				m.local = make([]float32, len(o.src))
				for q, s := range o.src {
					m.local[q] = m.data[s]
				}
			})
			mulLocal(o, csrArrays[float32]{o.indptr, o.indices, m.local}, rowUnrolled[float32], dst.Data, dst.Stride, b.Data, b.Stride, k)
			return
		}
	}
	csrArrays[float32]{m.x.indptr, m.x.indices, m.data}.mulRows(rowUnrolled[float32], dst.Data, dst.Stride, b.Data, b.Stride, k, nil)
}

// TMul sets dst = Xᵀ·B through the float32 form of X's cached transpose:
// m itself when X is symmetric (CSR.T).
func (m *csr32) TMul(dst, b blas32.General) {
	m.x.T().float32Form().Mul(dst, b)
}
