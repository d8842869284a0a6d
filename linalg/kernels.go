package linalg

import (
	"math"
	"runtime"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Eps is the default floor of denominators in multiplicative updates: the
// machine epsilon of float32, as scikit-learn uses.
const Eps = 1.1920928955078125e-07

// MulUpdate sets f = f ⊙ (num ⊘ max(den, eps))^gamma elementwise: the
// multiplicative update shared by every model. f, num and den must have
// the same shape. gamma = 1 skips the power, and gamma = 1/2, 1/4 or 1/8
// (the square-root, fourth-root and eighth-root rules of ONMF, semi-NMF and
// the asymmetric models) is taken by repeated math.Sqrt, several times
// faster than math.Pow, which otherwise dominates the cost of the update of
// a wide factor; the result can then differ from math.Pow's in the last bit.
func MulUpdate(f, num, den *mat.Dense, gamma, eps float64) {
	MulUpdateScaled(f, num, 1, den, gamma, eps)
}

// MulUpdateScaled is MulUpdate with the numerator s·num, for the rules
// whose numerator is a multiple of a product the model keeps anyway: no
// matrix for s·num. With s a power of two it gives MulUpdate's result on
// s·num to the bit.
func MulUpdateScaled(f, num *mat.Dense, s float64, den *mat.Dense, gamma, eps float64) {
	r, c := f.Dims()
	fr, nr, dr := f.RawMatrix(), num.RawMatrix(), den.RawMatrix()
	if nr.Rows != r || nr.Cols != c || dr.Rows != r || dr.Cols != c {
		panic(mat.ErrShape)
	}
	mulUpdate(of64(fr), of64(nr), of64(dr), s, gamma, eps)
}

// mulUpdate is MulUpdateScaled on matrices of T.
func mulUpdate[T scalar](f, num, den general[T], s, gamma, eps T) {
	r, c := f.rows, f.cols
	roots := rootsOf(float64(gamma))
	if inline(float64(r*c) * 4) {
		mulUpdateRows(f, num, den, s, gamma, eps, roots, 0, r)
		return
	}
	parallelRows(r, float64(r*c)*4, func(lo, hi int) { mulUpdateRows(f, num, den, s, gamma, eps, roots, lo, hi) })
}

// rootsOf returns the number of square roots that make the power gamma of
// MulUpdate, or -1 for math.Pow.
func rootsOf(gamma float64) int {
	switch gamma {
	case 1:
		return 0
	case 0.5:
		return 1
	case 0.25:
		return 2
	case 0.125:
		return 3
	}
	return -1
}

// mulUpdateRows is mulUpdate on rows lo..hi-1, with the power taken as
// roots square roots, or by math.Pow when roots < 0. For float32 the power
// is taken in float64 and rounded once.
func mulUpdateRows[T scalar](f, num, den general[T], s, gamma, eps T, roots, lo, hi int) {
	c := f.cols
	for i := lo; i < hi; i++ {
		fs := f.data[i*f.stride : i*f.stride+c]
		ns := num.data[i*num.stride : i*num.stride+c]
		ds := den.data[i*den.stride : i*den.stride+c]
		for j := range fs {
			q := s * ns[j] / max(ds[j], eps)
			if roots < 0 {
				q = T(math.Pow(float64(q), float64(gamma)))
			}
			for range roots {
				q = T(math.Sqrt(float64(q)))
			}
			fs[j] *= q
		}
	}
}

// ZeroBelow sets the entries of m smaller than thr to zero.
func ZeroBelow(m *mat.Dense, thr float64) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if v < thr {
				row[j] = 0
			}
		}
	}
}

// Dot returns Σ a_ij b_ij, the Frobenius inner product, summed in row order.
func Dot(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	if br, bc := b.Dims(); br != r || bc != c {
		panic(mat.ErrShape)
	}
	ad, bd := asDense(a), asDense(b)
	ar, brw := ad.RawMatrix(), bd.RawMatrix()
	var s float64
	for i := 0; i < r; i++ {
		as := ar.Data[i*ar.Stride : i*ar.Stride+c]
		bs := brw.Data[i*brw.Stride : i*brw.Stride+c]
		for j, v := range as {
			s += v * bs[j]
		}
	}
	return s
}

// AddScalar adds v to every entry of m.
func AddScalar(m *mat.Dense, v float64) {
	Map(m, func(_, _ int, x float64) float64 { return x + v })
}

// Map sets every entry m_ij to fn(i, j, m_ij), in place: what
// m.Apply(fn, m) computes, without the copy that gonum makes of an operand
// that is also the receiver.
func Map(m *mat.Dense, fn func(i, j int, v float64) float64) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			row[j] = fn(i, j, v)
		}
	}
}

// Scale multiplies m by f in place: what m.Scale(f, m) computes, without
// the copy that gonum makes of an operand that is also the receiver.
func Scale(m *mat.Dense, f float64) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		floats.Scale(f, raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols])
	}
}

// AddScaled sets dst = dst + alpha·a.
func AddScaled(dst *mat.Dense, alpha float64, a *mat.Dense) {
	d, ar := dst.RawMatrix(), a.RawMatrix()
	if ar.Rows != d.Rows || ar.Cols != d.Cols {
		panic(mat.ErrShape)
	}
	for i := 0; i < d.Rows; i++ {
		floats.AddScaled(d.Data[i*d.Stride:i*d.Stride+d.Cols], alpha, ar.Data[i*ar.Stride:i*ar.Stride+ar.Cols])
	}
}

// ColSums returns the sums of the columns of m.
func ColSums(m mat.Matrix) []float64 {
	_, c := m.Dims()
	s := make([]float64, c)
	ColSumsTo(s, m)
	return s
}

// ColSumsTo sets s (of m's number of columns) to the sums of the columns of
// m, as ColSums does.
func ColSumsTo(s []float64, m mat.Matrix) {
	r, c := m.Dims()
	if len(s) != c {
		panic(mat.ErrShape)
	}
	clear(s)
	for i := 0; i < r; i++ {
		for j := range s {
			s[j] += m.At(i, j)
		}
	}
}

// powBlock is the number of rows of W·H formed at once by the blockwise
// kernels below, which never hold all of W·H.
const powBlock = 256

// PowScratch holds what PowMulT, TPowMul and PowSum form besides their
// result (a block of rows of W·H, and the views of their operands), so
// that the calls of an iteration that pass the same one allocate nothing.
// The zero value is ready to use; a PowScratch is not safe for concurrent
// use.
type PowScratch struct {
	buf              *mat.Dense // powBlock x d
	part             *mat.Dense // k x d, TPowMul's product of a block
	pb, rowsW, rowsD mat.Dense  // views
}

// rowsView sets v to rows lo..hi-1 of m and returns it: m.Slice without
// the allocation.
func rowsView(v, m *mat.Dense, lo, hi int) *mat.Dense {
	raw := m.RawMatrix()
	raw.Data = raw.Data[lo*raw.Stride : (hi-1)*raw.Stride+raw.Cols]
	raw.Rows = hi - lo
	v.SetRawMatrix(raw)
	return v
}

// eachPowBlock calls fn(lo, hi, P) for consecutive row blocks of
// P = max(W·H, floor)^p, with P holding rows lo..hi-1. It runs serially so
// that accumulations in fn are deterministic; the products inside use BLAS.
func eachPowBlock(w, h *mat.Dense, p, floor float64, s *PowScratch, fn func(lo, hi int, pb *mat.Dense)) {
	n, _ := w.Dims()
	_, d := h.Dims()
	if rows := min(powBlock, max(n, 1)); s.buf == nil || s.buf.RawMatrix().Rows != rows || s.buf.RawMatrix().Cols != d {
		s.buf = mat.NewDense(rows, d, nil)
	}
	for lo := 0; lo < n; lo += powBlock {
		hi := min(lo+powBlock, n)
		pb := rowsView(&s.pb, s.buf, 0, hi-lo)
		pb.Mul(rowsView(&s.rowsW, w, lo, hi), h)
		raw := pb.RawMatrix()
		for i := 0; i < raw.Rows; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+d]
			for j, v := range row {
				row[j] = math.Pow(max(v, floor), p)
			}
		}
		fn(lo, hi, pb)
	}
}

// PowMulT sets dst = max(W·H, floor)^p · Hᵀ (n x k), forming W·H one block
// of rows at a time in s.
func PowMulT(dst, w, h *mat.Dense, p, floor float64, s *PowScratch) {
	eachPowBlock(w, h, p, floor, s, func(lo, hi int, pb *mat.Dense) {
		MulABt(rowsView(&s.rowsD, dst, lo, hi), pb, h)
	})
}

// TPowMul sets dst = Wᵀ · max(W·H, floor)^p (k x d), forming W·H one block
// of rows at a time in s.
func TPowMul(dst, w, h *mat.Dense, p, floor float64, s *PowScratch) {
	_, k := w.Dims()
	_, d := h.Dims()
	if s.part == nil || s.part.RawMatrix().Rows != k || s.part.RawMatrix().Cols != d {
		s.part = mat.NewDense(k, d, nil)
	}
	dst.Zero()
	eachPowBlock(w, h, p, floor, s, func(lo, hi int, pb *mat.Dense) {
		MulAtB(s.part, rowsView(&s.rowsW, w, lo, hi), pb)
		AddScaled(dst, 1, s.part)
	})
}

// PowSum returns Σ_ij max((W·H)_ij, floor)^p, forming W·H one block of rows
// at a time in s.
func PowSum(w, h *mat.Dense, p, floor float64, s *PowScratch) float64 {
	var sum float64
	eachPowBlock(w, h, p, floor, s, func(_, _ int, pb *mat.Dense) { sum += mat.Sum(pb) })
	return sum
}

// CoordinateDescent runs one sweep of the HALS / coordinate-descent update
// for min_{F ≥ 0} ½‖X − F·G‖² given gram = G·Gᵀ (k x k) and cross = X·Gᵀ
// (r x k), the penalties already folded into them. Each row of f is
// independent, so rows run in parallel; within a row the coordinates are
// visited in the order perm:
//
//	g = (F·gram)_it − cross_it,  F_it ← max(F_it − g / gram_tt, 0).
//
// It returns the ℓ1 norm of the projected gradient before each update
// (scikit-learn's violation), summed row by row in blocks of 64 rows and
// the blocks in order, however many goroutines ran them.
func CoordinateDescent(f, gram, cross *mat.Dense, perm []int) float64 {
	fr, gr, cr := f.RawMatrix(), gram.RawMatrix(), cross.RawMatrix()
	return coordinateDescent(of64(fr), of64(gr), of64(cr), perm)
}

// coordinateDescent is CoordinateDescent on f, gram and cross of T, the
// violation summed in float64.
func coordinateDescent[T scalar](f, gram, cross general[T], perm []int) float64 {
	r, k := f.rows, f.cols
	work := float64(r*k*k) * 2
	if inline(work) {
		return cdRows(f, gram, cross, perm, 0, r)
	}
	// The violation is summed over blocks of cdBlock rows, in order, on
	// either path, so that it does not depend on the number of goroutines.
	nb := (r + cdBlock - 1) / cdBlock
	viol := make([]float64, nb)
	size := cdBlock * max(1, nb/(4*runtime.GOMAXPROCS(0)))
	Parallel(r, size, func() func(lo, hi int) {
		return func(lo, hi int) {
			for b := lo; b < hi; b += cdBlock {
				viol[b/cdBlock] = cdBlockRows(f, gram, cross, perm, b, min(b+cdBlock, hi))
			}
		}
	})
	var s float64
	for _, v := range viol {
		s += v
	}
	return s
}

// cdBlock is the number of rows whose violations CoordinateDescent sums
// before adding them to the total.
const cdBlock = 64

// cdRows runs the coordinate-descent sweep on rows lo..hi-1, lo a multiple
// of cdBlock, and returns their violation summed as CoordinateDescent's
// parallel path sums it.
func cdRows[T scalar](f, gram, cross general[T], perm []int, lo, hi int) float64 {
	var s float64
	for b := lo; b < hi; b += cdBlock {
		s += cdBlockRows(f, gram, cross, perm, b, min(b+cdBlock, hi))
	}
	return s
}

// cdBlockRows runs the sweep on rows lo..hi-1 and returns their violation
// summed in row order.
func cdBlockRows[T scalar](f, gram, cross general[T], perm []int, lo, hi int) float64 {
	k := f.cols
	var s float64
	for i := lo; i < hi; i++ {
		fi := f.data[i*f.stride : i*f.stride+k]
		var v float64
		for _, t := range perm {
			gt := gram.data[t*gram.stride : t*gram.stride+k]
			grad := dotSmall(gt, fi) - cross.data[i*cross.stride+t]
			if fi[t] == 0 {
				v += math.Abs(float64(min(grad, 0)))
			} else {
				v += math.Abs(float64(grad))
			}
			if hess := gt[t]; hess != 0 {
				fi[t] = max(fi[t]-grad/hess, 0)
			}
		}
		s += v
	}
	return s
}

// dotSmall returns x·y for len(y) ≥ len(x): a plain loop for the short
// vectors of small ranks, where the call into the assembly kernel costs
// more than it saves (the coordinate-descent sweep makes one call per
// coordinate: a third of an iteration's time on digits at k = 10), and
// floats.Dot from 32 entries on; float32 vectors always take the loop.
func dotSmall[T scalar](x, y []T) T {
	if xs, ok := any(x).([]float64); ok && len(x) >= 32 {
		return T(floats.Dot(xs, any(y).([]float64)[:len(x)]))
	}
	y = y[:len(x)]
	var s T
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
