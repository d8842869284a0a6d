package linalg

import (
	"math"

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
// iterate clipped at zero.
func NNLS(x, gram, cross *mat.Dense) {
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
	xr, cr := x.RawMatrix(), cross.RawMatrix()
	g := mat.DenseCopyOf(gram)
	size := max(1, min(64, r))
	Parallel(r, size, func() func(lo, hi int) {
		s := newBPP(k)
		return func(lo, hi int) {
			for i := lo; i < hi; i++ {
				s.solve(g, xr.Data[i*xr.Stride:i*xr.Stride+k], cr.Data[i*cr.Stride:i*cr.Stride+k])
			}
		}
	})
}

// bpp is the scratch space of one goroutine of NNLS.
type bpp struct {
	passive []bool
	y       []float64
	idx     []int
	sub     []float64 // G restricted to the passive set, row-major
	rhs     []float64
	chol    mat.Cholesky
	lu      mat.LU
}

func newBPP(k int) *bpp {
	return &bpp{
		passive: make([]bool, k),
		y:       make([]float64, k),
		idx:     make([]int, 0, k),
		sub:     make([]float64, k*k),
		rhs:     make([]float64, k),
	}
}

// solve overwrites x with the solution for the right-hand side c, starting
// from the passive set {j : x_j > 0}.
func (s *bpp) solve(g *mat.Dense, x, c []float64) {
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
func (s *bpp) subsolve(g *mat.Dense, x, c []float64) {
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
		graw := g.RawMatrix()
		for a, ja := range s.idx {
			for b, jb := range s.idx {
				s.sub[a*m+b] = graw.Data[ja*graw.Stride+jb]
			}
			s.rhs[a] = c[ja]
		}
		sol := mat.NewVecDense(m, make([]float64, m))
		rhs := mat.NewVecDense(m, s.rhs[:m])
		if s.chol.Factorize(mat.NewSymDense(m, s.sub[:m*m])) {
			if err := s.chol.SolveVecTo(sol, rhs); err != nil {
				s.luSolve(sol, rhs, m)
			}
		} else {
			s.luSolve(sol, rhs, m)
		}
		for a, ja := range s.idx {
			x[ja] = sol.AtVec(a)
		}
	}
	graw := g.RawMatrix()
	for j := 0; j < k; j++ {
		if s.passive[j] {
			s.y[j] = 0
			continue
		}
		v := -c[j]
		row := graw.Data[j*graw.Stride : j*graw.Stride+k]
		for _, jb := range s.idx {
			v += row[jb] * x[jb]
		}
		s.y[j] = v
	}
}

// luSolve solves the reduced system by LU; a singular system leaves the
// zero solution.
func (s *bpp) luSolve(sol, rhs *mat.VecDense, m int) {
	s.lu.Factorize(mat.NewDense(m, m, s.sub[:m*m]))
	if err := s.lu.SolveVecTo(sol, false, rhs); err != nil {
		sol.Zero()
	}
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
