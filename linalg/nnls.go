package linalg

import (
	"math"
	"runtime"
	"sync/atomic"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// NNLS solves the nonnegative least-squares problems
//
//	min_{x ≥ 0} ½ xᵀ G x − cᵢᵀ x,  one for each row cᵢ of cross,
//
// the normal-equation form of min_{x ≥ 0} ‖B x − b‖² with G = BᵀB and
// c = Bᵀb, and writes each solution into the same row of x. gram is the
// k x k matrix G, symmetric positive definite (positive semidefinite works
// when the reduced systems stay nonsingular), cross is r x k and x is
// r x k. On entry x holds a warm start: the entries of a row that are
// positive form its first passive set. These are the subproblems of
// alternating nonnegative least squares, such as the ANLS algorithm of
// SymNMF.
//
// Each row is solved by block principal pivoting (Kim and Park, "Fast
// nonnegative matrix factorization: an active-set-like method and
// comparisons", SIAM J. Sci. Comput. 33(6), 2011, Algorithm 1, the
// single right-hand side version): it exchanges every infeasible variable
// between the passive and the active set at once, and falls back to
// exchanging only the infeasible variable of largest index (Júdice and
// Pires' backup rule) when three full exchanges in a row have not reduced
// the number of infeasible variables, which makes it terminate. The
// reduced systems are solved by Cholesky factorization, or by LU where
// that fails. Rows are independent and run in parallel; the result does
// not depend on GOMAXPROCS. A row whose pivoting has not finished after
// 10k + 50 exchanges (which exact arithmetic rules out) keeps its last
// iterate clipped at zero. gram must not share storage with x.
//
// NNLS allocates its scratch on every call; a solver that calls it every
// iteration keeps an NNLSScratch and calls its Solve instead.
func NNLS(x, gram, cross *mat.Dense) {
	var s NNLSScratch
	s.Solve(x, gram, cross)
}

// NNLSScratch holds the scratch space of NNLS's goroutines (O(k²) each),
// allocated on first use and reused by every later call of Solve: with
// one goroutine (GOMAXPROCS = 1, or a single block of rows) a call
// allocates nothing unless a reduced system needs the LU fallback. The
// zero value is ready to use; an NNLSScratch is not safe for concurrent
// calls of Solve.
type NNLSScratch struct {
	ws   []*bpp
	next atomic.Int32
}

// Solve is NNLS(x, gram, cross) with s's scratch. Its result is NNLS's,
// to the bit: a row's solution depends only on its start, gram and its
// row of cross, never on the scratch's past.
func (s *NNLSScratch) Solve(x, gram, cross *mat.Dense) {
	r, k := x.Dims()
	if gr, gc := gram.Dims(); gr != k || gc != k {
		panic(mat.ErrShape)
	}
	if cr, cc := cross.Dims(); cr != r || cc != k {
		panic(mat.ErrShape)
	}
	if r == 0 || k == 0 {
		return
	}
	xr, gr, cr := x.RawMatrix(), gram.RawMatrix(), cross.RawMatrix()
	size := max(1, min(64, r))
	nb := (r + size - 1) / size
	p := min(runtime.GOMAXPROCS(0), nb)
	// Every goroutine that Parallel starts (p of them) takes its own bpp,
	// numbered by s.next.
	if len(s.ws) > 0 && s.ws[0].k != k {
		s.ws = s.ws[:0]
	}
	for len(s.ws) < max(p, 1) {
		s.ws = append(s.ws, newBPP(k))
	}
	if p <= 1 {
		// Parallel would run the blocks in order on this goroutine too;
		// calling the rows directly spares the closures it takes.
		s.ws[0].rows(gr, xr, cr, 0, r)
		return
	}
	s.next.Store(0)
	Parallel(r, size, func() func(lo, hi int) {
		w := s.ws[s.next.Add(1)-1]
		return func(lo, hi int) { w.rows(gr, xr, cr, lo, hi) }
	})
}

// bpp is the scratch space of one goroutine of NNLS.
type bpp struct {
	k       int
	passive []bool
	y       []float64
	idx     []int
	sub     []float64 // G restricted to the passive set, row-major
	rhs     []float64
}

func newBPP(k int) *bpp {
	return &bpp{
		k:       k,
		passive: make([]bool, k),
		y:       make([]float64, k),
		idx:     make([]int, 0, k),
		sub:     make([]float64, k*k),
		rhs:     make([]float64, k),
	}
}

// rows solves the problems of rows lo..hi-1.
func (s *bpp) rows(g, x, c blas64.General, lo, hi int) {
	k := s.k
	for i := lo; i < hi; i++ {
		s.solve(g, x.Data[i*x.Stride:i*x.Stride+k], c.Data[i*c.Stride:i*c.Stride+k])
	}
}

// solve overwrites x with the solution for the right-hand side c, starting
// from the passive set {j : x_j > 0}.
func (s *bpp) solve(g blas64.General, x, c []float64) {
	k := len(x)
	var scale float64
	for j := range c {
		s.passive[j] = x[j] > 0
		scale = max(scale, math.Abs(c[j]))
	}
	if scale == 0 {
		for j := range x {
			x[j] = 0
		}
		return
	}
	// Entries within tol of zero count as zero, as the reference MATLAB
	// code (nnlsm_blockpivot) does with an absolute 1e-12, here relative to
	// the right-hand side.
	tol := 1e-12 * scale
	best, budget := k+1, 3
	for it := 0; it < 10*k+50; it++ {
		s.subsolve(g, x, c)
		infeasible, last := 0, -1
		for j := range x {
			if s.passive[j] && x[j] < -tol || !s.passive[j] && s.y[j] < -tol {
				infeasible++
				last = j
			}
		}
		if infeasible == 0 {
			break
		}
		switch {
		case infeasible < best:
			best, budget = infeasible, 3
			s.flipInfeasible(x, tol)
		case budget >= 1:
			budget--
			s.flipInfeasible(x, tol)
		default:
			s.passive[last] = !s.passive[last]
		}
	}
	for j := range x {
		if !s.passive[j] || x[j] < 0 {
			x[j] = 0
		}
	}
}

// flipInfeasible moves every infeasible variable to the other set.
func (s *bpp) flipInfeasible(x []float64, tol float64) {
	for j := range x {
		if s.passive[j] && x[j] < -tol || !s.passive[j] && s.y[j] < -tol {
			s.passive[j] = !s.passive[j]
		}
	}
}

// subsolve sets x_F = G_FF⁻¹ c_F and x = 0 off the passive set F, and the
// dual y = G x − c off F (zero on F).
func (s *bpp) subsolve(g blas64.General, x, c []float64) {
	k := len(x)
	s.idx = s.idx[:0]
	for j := 0; j < k; j++ {
		if s.passive[j] {
			s.idx = append(s.idx, j)
		}
	}
	m := len(s.idx)
	for j := range x {
		x[j] = 0
	}
	if m > 0 {
		for a, ja := range s.idx {
			for b, jb := range s.idx {
				s.sub[a*m+b] = g.Data[ja*g.Stride+jb]
			}
			s.rhs[a] = c[ja]
		}
		if !choleskySolve(s.sub[:m*m], s.rhs[:m]) {
			s.luSolve(g, c, m)
		}
		for a, ja := range s.idx {
			x[ja] = s.rhs[a]
		}
	}
	for j := 0; j < k; j++ {
		if s.passive[j] {
			s.y[j] = 0
			continue
		}
		v := -c[j]
		row := g.Data[j*g.Stride : j*g.Stride+k]
		for _, jb := range s.idx {
			v += row[jb] * x[jb]
		}
		s.y[j] = v
	}
}

// luSolve solves the reduced system by LU into s.rhs, after a failed
// Cholesky factorization; a singular system gives the zero solution.
func (s *bpp) luSolve(g blas64.General, c []float64, m int) {
	sub := mat.NewDense(m, m, nil)
	rhs := mat.NewVecDense(m, nil)
	for a, ja := range s.idx {
		for b, jb := range s.idx {
			sub.Set(a, b, g.Data[ja*g.Stride+jb])
		}
		rhs.SetVec(a, c[ja])
	}
	var lu mat.LU
	lu.Factorize(sub)
	sol := mat.NewVecDense(m, s.rhs[:m])
	if err := lu.SolveVecTo(sol, false, rhs); err != nil {
		sol.Zero()
	}
}

// choleskySolve overwrites the symmetric positive definite m x m matrix a
// (row-major) with its Cholesky factor and b with the solution of a x = b.
// It returns false, leaving a and b spoiled, if a is not numerically
// positive definite. The reduced systems are at most k x k, so this plain
// loop beats a BLAS call and allocates nothing.
func choleskySolve(a, b []float64) bool {
	m := len(b)
	for j := 0; j < m; j++ {
		d := a[j*m+j]
		for p := 0; p < j; p++ {
			d -= a[j*m+p] * a[j*m+p]
		}
		if !(d > 1e-14*a[j*m+j]) || d <= 0 {
			return false
		}
		d = math.Sqrt(d)
		a[j*m+j] = d
		for i := j + 1; i < m; i++ {
			v := a[i*m+j]
			for p := 0; p < j; p++ {
				v -= a[i*m+p] * a[j*m+p]
			}
			a[i*m+j] = v / d
		}
	}
	for i := 0; i < m; i++ { // L y = b
		v := b[i]
		for p := 0; p < i; p++ {
			v -= a[i*m+p] * b[p]
		}
		b[i] = v / a[i*m+i]
	}
	for i := m - 1; i >= 0; i-- { // Lᵀ x = y
		v := b[i]
		for p := i + 1; p < m; p++ {
			v -= a[p*m+i] * b[p]
		}
		b[i] = v / a[i*m+i]
	}
	return true
}

// ProjectedGradientNorm returns the Frobenius norm of the projected
// gradient of a function of a nonnegative matrix f with gradient g: the
// norm over the entries with g_ij < 0 or f_ij > 0, the first-order
// optimality measure of Lin (Neural Computation 2007) that the SymNMF and
// ANLS reference codes stop on.
func ProjectedGradientNorm(f, g *mat.Dense) float64 {
	r, c := f.Dims()
	if gr, gc := g.Dims(); gr != r || gc != c {
		panic(mat.ErrShape)
	}
	fr, grw := f.RawMatrix(), g.RawMatrix()
	var s float64
	for i := 0; i < r; i++ {
		fs := fr.Data[i*fr.Stride : i*fr.Stride+c]
		gs := grw.Data[i*grw.Stride : i*grw.Stride+c]
		for j, v := range gs {
			if v < 0 || fs[j] > 0 {
				s += v * v
			}
		}
	}
	return math.Sqrt(s)
}
