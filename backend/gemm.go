package backend

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// pureGo is gonum's BLAS with Dgemm and Dsyrk computed by a blocked,
// goroutine-parallel matrix product: the pure-Go backend, pure in that it needs no C
// (its amd64 micro-kernel is Go assembly).
//
// It is written here because no maintained Go library has a fast pure-Go
// GEMM: gonum's Dgemm splits C into 64×64 blocks and computes each with
// vector dot products and axpys, without packing or register blocking, and
// reaches a fraction of the machine's floating-point rate.
//
// The product follows the Goto/BLIS scheme. op(B) is cut into blocks of kc
// rows and nc columns, each packed into panels nr columns wide, stored row
// after row. A micro-kernel multiplies mr rows of op(A) by one B panel,
// mr×nr entries of C kept in registers over the kc-long sum. op(A) is not
// packed: the kernel reads its mr rows where they are stored, with their
// strides (only a last panel of fewer than mr rows is copied, padded with
// zeros), which saves a copy of A that costs as much as the arithmetic when
// C has few columns, as X·Hᵀ has in NMF. The kernel runs down mc rows of
// op(A) for each B panel, then moves to the next panel. The amd64 kernels
// are 12×8 with AVX-512 (twelve 8-wide accumulators) and 6×8 with AVX2 and
// FMA (twelve 4-wide ones). With kc = 256 a B panel (16 KiB) stays in the
// 32-48 KiB L1 cache while the kernel runs down the rows, and the mc = 240
// rows' kc columns (480 KiB) stay in a 1 MiB L2; a packed B block (kc×nc,
// at most 4 MiB) is meant for the shared L3. These sizes were chosen for
// the AMD EPYC (Zen 5) the benchmarks ran on and suit any recent x86 core.
// On other architectures a pure-Go 4×4 kernel computes the same blocks; on
// amd64 CPUs without AVX2 and FMA, gonum computes the products.
//
// Sgemm, for the float32 solvers, runs the same code (generic over the
// element type) with a float32 micro-kernel: 6×16 with AVX2 and FMA (the
// 6×8 float64 kernel's registers holding twice the entries), also on
// AVX-512 CPUs for now; the pure-Go 4×4 one on other architectures; gonum
// on amd64 CPUs without AVX2 and FMA.
//
// C is split into up to 2·GOMAXPROCS bands of rows or of columns, at least minTask multiply-adds each, which goroutines
// take in turn; each packs the part of B it needs. Bands are cut at
// multiples of mr rows or nr columns, and every entry of C is summed in
// the same order (kc-blocks in turn, each summed by the kernel from its
// first term), so the result does not depend on GOMAXPROCS or on which
// goroutine computed which band.
//
// Calls that are small (under minPureGemm multiply-adds), have alpha = 0 or
// k = 0, or have invalid arguments, and all calls where there is no kernel,
// go to gonum, which also panics on the
// invalid ones.
type pureGo struct {
	gonum.Implementation
}

// Block sizes of the product, in entries; mc and nc are multiples of both
// kernels' mr and nr.
const (
	kc = 256
	mc = 240
	nc = 2048
)

// minPureGemm is the size of a product, in multiply-adds m·n·k, under which
// gonum's Dgemm is as fast as packing.
const minPureGemm = 1 << 12

// microKernel computes the mr×nr block C = alpha·A·B + beta·C, with A(i,p)
// at a[i*rsA+p*csA], B(p,j) at b[p*rsB+j] and C's rows ldc apart. If beta
// is 0, C is only written. The entry C(i,j) is computed as
// alpha·s + beta·C(i,j), s the sum of A(i,p)·B(p,j) in increasing p, with
// the last addition fused (math.FMA) where the kernel uses FMA.
type microKernel[T scalar] struct {
	mr, nr int
	fn     func(k int, a []T, rsA, csA int, b []T, rsB int, c []T, ldc int, alpha, beta T)
	fma    bool // whether fn rounds alpha·s + beta·c as math.FMA(alpha, s, beta·c)
}

// scalar is the element type of a product: the product's code is written
// once for float64 (Dgemm, Dsyrk) and float32 (Sgemm).
type scalar interface{ float32 | float64 }

// kernel is the micro-kernel in use (defaultKernel): an assembly one where
// the CPU has it, goKernel on other architectures, or none (fn nil), which
// leaves the products to gonum. Tests switch it.
var kernel = defaultKernel()

// goKernel is the pure-Go micro-kernel.
var goKernel = microKernel[float64]{mr: 4, nr: 4, fn: kernel4x4[float64]}

// kernel32 is the micro-kernel of Sgemm (defaultKernel32): the AVX2 one
// where the CPU has it, goKernel32 otherwise. Tests switch it.
var kernel32 = defaultKernel32()

// goKernel32 is the pure-Go float32 micro-kernel.
var goKernel32 = microKernel[float32]{mr: 4, nr: 4, fn: kernel4x4[float32]}

// holds reports whether s holds a rows×cols matrix with row stride ld and
// rows, cols > 0.
func holds[T scalar](s []T, rows, cols, ld int) bool {
	return rows > 0 && cols > 0 && ld >= cols && len(s) >= ld*(rows-1)+cols
}

// stored returns the shape in which an operand is stored whose op(·) is
// rows x cols: transposed, it is stored cols x rows.
func stored(t blas.Transpose, rows, cols int) (int, int) {
	if t != blas.NoTrans {
		return cols, rows
	}
	return rows, cols
}

// gemmHolds reports whether a, b and c hold op(A) (m x k), op(B) (k x n)
// and C (m x n), each checked by check (holds, or OpenBLAS's fits) in the
// shape in which it is stored.
func gemmHolds[T scalar](check func(s []T, rows, cols, ld int) bool, tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) bool {
	ar, ac := stored(tA, m, k)
	br, bc := stored(tB, k, n)
	return check(a, ar, ac, lda) && check(b, br, bc, ldb) && check(c, m, n, ldc)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C.
func (p pureGo) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if kernel.fn == nil || !validTrans(tA) || !validTrans(tB) || alpha == 0 || m*n*k < minPureGemm ||
		!gemmHolds(holds[float64], tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		p.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(kernel, blas.All, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in float32, with the same
// blocked product as Dgemm and kernel32.
func (p pureGo) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if kernel32.fn == nil || !validTrans(tA) || !validTrans(tB) || alpha == 0 || m*n*k < minPureGemm ||
		!gemmHolds(holds[float32], tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		p.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm(kernel32, blas.All, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dsyrk computes the ul triangle of C = alpha·A·Aᵀ + beta·C, or of
// C = alpha·Aᵀ·A + beta·C if tA is not blas.NoTrans, with gemm: a product
// for the triangle's part right of (Upper) or left of (Lower) each band of
// syrkBand rows, and one into a scratch block for the band's diagonal
// block, in which gemm skips the kernel's blocks outside the triangle.
func (p pureGo) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	ar, ac := stored(tA, n, k)
	if (ul != blas.Upper && ul != blas.Lower) || !validTrans(tA) || !holds(a, ar, ac, lda) || !holds(c, n, n, ldc) {
		p.Implementation.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	if kernel.fn == nil || alpha == 0 || n*n*k < minPureGemm {
		if beta == 0 && tA != blas.NoTrans && ul == blas.Lower {
			// gonum (v0.17) multiplies this triangle by beta rather than
			// zeroing it, so NaNs in C would stay.
			for i := range n {
				clear(c[i*ldc : i*ldc+i+1])
			}
		}
		p.Implementation.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	trans := tA != blas.NoTrans
	// op(A)'s row i starts at a[row(i)]; C = op(A)·op(A)ᵀ is gemm's product
	// with op(B) = op(A)ᵀ, transposed as op(A) is not.
	row := func(i int) int {
		if trans {
			return i
		}
		return i * lda
	}
	dbuf := getBuf[float64](min(n, syrkBand) * min(n, syrkBand))
	defer bufPool[float64]().Put(dbuf)
	diag := *dbuf
	for i := 0; i < n; i += syrkBand {
		nb := min(syrkBand, n-i)
		if ul == blas.Upper && i+nb < n {
			gemm(kernel, blas.All, trans, !trans, nb, n-i-nb, k, alpha, a[row(i):], lda, a[row(i+nb):], lda, beta, c[i*ldc+i+nb:], ldc)
		}
		if ul == blas.Lower && i > 0 {
			gemm(kernel, blas.All, trans, !trans, nb, i, k, alpha, a[row(i):], lda, a, lda, beta, c[i*ldc:], ldc)
		}
		d := diag[:nb*nb]
		gemm(kernel, ul, trans, !trans, nb, nb, k, alpha, a[row(i):], lda, a[row(i):], lda, 0, d, nb)
		for r := range nb {
			lo, hi := r, nb // the row's columns in the triangle
			if ul == blas.Lower {
				lo, hi = 0, r+1
			}
			cr := c[(i+r)*ldc+i:]
			for j := lo; j < hi; j++ {
				if beta == 0 {
					cr[j] = d[r*nb+j]
				} else {
					cr[j] = d[r*nb+j] + beta*cr[j]
				}
			}
		}
	}
}

// syrkBand is the number of rows of C in each of Dsyrk's bands, a multiple
// of both kernels' mr and nr.
const syrkBand = 120

// validTrans reports whether t is one of BLAS's three transpose flags.
func validTrans(t blas.Transpose) bool {
	return t == blas.NoTrans || t == blas.Trans || t == blas.ConjTrans
}

// bufPools recycle block's buffers, of float64s and of float32s.
var bufPools [2]sync.Pool

// bufPool returns the pool of buffers of T.
func bufPool[T scalar]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &bufPools[1]
	}
	return &bufPools[0]
}

// getBuf returns a buffer of n Ts from bufPool, or a new one.
func getBuf[T scalar](n int) *[]T {
	if p, ok := bufPool[T]().Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]T, n)
	return &s
}

// gemm computes C = alpha·op(A)·op(B) + beta·C with the micro-kernel kn,
// for valid arguments with m, n, k > 0; transA and transB say whether op
// transposes. If tri is blas.Upper (blas.Lower), it computes only the
// kernel's blocks that hold an entry C(i,j) with i ≤ j (i ≥ j), and
// leaves the others unspecified; blas.All computes all.
//
// It splits C into bands of rows or of columns, each computed by block on
// one goroutine: bands of rows pack each column of B once per band, bands
// of columns read each row of A once per band, so C is cut into bands of
// rows only if it has more than 2 rows per column.
func gemm[T scalar](kn microKernel[T], tri blas.Uplo, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tasks := min(2*runtime.GOMAXPROCS(0), m*n*k/minTask)
	rows, cols := m, n
	if tasks > 1 && m > 2*n {
		rows = min(m, ceilTo(ceilDiv(m, tasks), kn.mr))
	} else if tasks > 1 {
		cols = min(n, ceilTo(ceilDiv(n, tasks), kn.nr))
	}
	tm, tn := ceilDiv(m, rows), ceilDiv(n, cols)
	parallel(runtime.GOMAXPROCS(0), tm*tn, func(t int) {
		i0, j0 := t/tn*rows, t%tn*cols
		ai, bj := i0*lda, j0 // where op(A)'s row i0 and op(B)'s column j0 start
		if transA {
			ai = i0
		}
		if transB {
			bj = j0 * ldb
		}
		block(kn, tri, i0, j0, transA, transB, min(rows, m-i0), min(cols, n-j0), k, alpha, a[ai:], lda, b[bj:], ldb, beta, c[i0*ldc+j0:], ldc)
	})
}

// maxInPlaceB is the most rows of C for which block reads op(B) where it
// is stored, if it is not transposed, rather than packing it: with so few
// rows each packed entry would serve too few multiply-adds to repay its copy.
const maxInPlaceB = 64

// minTask is the least work, in multiply-adds, worth a goroutine of its own.
const minTask = 1 << 19

func ceilDiv(x, y int) int { return (x + y - 1) / y }

// ceilTo returns x rounded up to a multiple of y.
func ceilTo(x, y int) int { return ceilDiv(x, y) * y }

// parallel calls f(0), …, f(tasks-1), on up to workers goroutines, and
// returns when all have returned.
func parallel(workers, tasks int, f func(int)) {
	workers = min(workers, tasks)
	if workers <= 1 {
		for t := range tasks {
			f(t)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for t := int(next.Add(1) - 1); t < tasks; t = int(next.Add(1) - 1) {
				f(t)
			}
		})
	}
	wg.Wait()
}

// block computes C = alpha·op(A)·op(B) + beta·C as gemm does, on the
// calling goroutine, for the part of gemm's C whose first entry is
// C(r0,c0).
func block[T scalar](kn microKernel[T], tri blas.Uplo, r0, c0 int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	nr := kn.nr
	// One buffer, from the pool rather than the stack, where the kernel's
	// arguments would escape: the packed B block, the last panel of A if it
	// has fewer than mr rows, and a scratch block for C's edges.
	bsize := min(k, kc) * ceilTo(min(n, nc), nr)
	buf := getBuf[T](bsize + kn.mr*min(k, kc) + kn.mr*nr)
	defer bufPool[T]().Put(buf)
	bp, ep, tmp := (*buf)[:bsize], (*buf)[bsize:bsize+kn.mr*min(k, kc)], (*buf)[bsize+kn.mr*min(k, kc):]
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		panels := ceilDiv(nb, nr)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			be := beta
			if pc > 0 {
				be = 1
			}
			bpack := bp[:kb*panels*nr]
			var bsrc []T // op(B)'s block where it is stored, if read there
			if !transB && m <= maxInPlaceB {
				bsrc = b[pc*ldb+jc:]
			}
			for q := range panels {
				if cols := min(nr, n-jc-q*nr); bsrc == nil || cols < nr {
					packB(bpack[q*kb*nr:(q+1)*kb*nr], transB, b, ldb, pc, kb, jc+q*nr, cols, nr)
				}
			}
			if last := m % kn.mr; last != 0 {
				packA(ep[:kn.mr*kb], transA, a, lda, m-last, last, pc, kb, kn.mr)
			}
			for ic := 0; ic < m; ic += mc {
				macro(kn, tri, r0, c0+jc, transA, ic, min(mc, m-ic), m, pc, kb, a, lda, ep[:kn.mr*kb], tmp, bpack, bsrc, ldb, nb, alpha, be, c[jc:], ldc)
			}
		}
	}
}

// macro computes C = alpha·op(A)·op(B) + beta·C for rows ic to ic+mb-1
// of c, whose first n columns a block of B (kb rows) covers, and columns
// pc to pc+kb-1 of op(A), read where it is stored except for its last
// rows, fewer than mr, which edge holds packed; tmp holds an mr×nr block.
// The block of B is packed
// in bp, or if bsrc is not nil read from bsrc, rows ldb apart, except for
// a last panel of fewer than nr columns, packed in bp. The first entry of c
// is C(r0,c0) of gemm's C, which tri refers to.
func macro[T scalar](kn microKernel[T], tri blas.Uplo, r0, c0 int, transA bool, ic, mb, m, pc, kb int, a []T, lda int, edge, tmp, bp, bsrc []T, ldb, n int, alpha, beta T, c []T, ldc int) {
	mr, nr := kn.mr, kn.nr
	rs, cs := lda, 1 // strides of op(A)'s rows and columns in a
	if transA {
		rs, cs = 1, lda
	}
	for j := 0; j < n; j += nr {
		bq, brs := bp[j*kb:(j+nr)*kb], nr
		cols := min(nr, n-j)
		if bsrc != nil && cols == nr {
			bq, brs = bsrc[j:], ldb
		}
		for i := ic; i < ic+mb; i += mr {
			ai, ars, acs := a[i*rs+pc*cs:], rs, cs
			if (tri == blas.Upper && r0+i >= c0+j+nr) || (tri == blas.Lower && r0+i+mr <= c0+j) {
				continue // the block has no entry in the triangle
			}
			rows := min(mr, m-i)
			if rows < mr {
				ai, ars, acs = edge, 1, mr
			}
			if rows == mr && cols == nr {
				kn.fn(kb, ai, ars, acs, bq, brs, c[i*ldc+j:], ldc, alpha, beta)
				continue
			}
			kn.fn(kb, ai, ars, acs, bq, brs, tmp, nr, 1, 0)
			for r := range rows {
				cr := c[(i+r)*ldc+j : (i+r)*ldc+j+cols]
				for s := range cr {
					cr[s] = update(kn.fma, alpha, tmp[r*nr+s], beta, cr[s])
				}
			}
		}
	}
}

// update returns alpha·s + beta·c as a micro-kernel computes it: only
// alpha·s if beta is 0, the addition fused if fma is true (the kernels
// with FMA are float64 ones, for which the conversions change nothing).
func update[T scalar](fma bool, alpha, s, beta, c T) T {
	switch {
	case beta == 0:
		return alpha * s
	case fma:
		return T(math.FMA(float64(alpha), float64(s), float64(beta*c)))
	default:
		return alpha*s + beta*c
	}
}

// packA packs rows i0 to i0+rows-1 (rows ≤ mr) and columns p0 to p0+kb-1
// of op(A) into dst, column after column, padded with zeros to mr rows.
func packA[T scalar](dst []T, trans bool, a []T, lda, i0, rows, p0, kb, mr int) {
	clear(dst)
	for r := range rows {
		for p := range kb {
			if trans {
				dst[p*mr+r] = a[(p0+p)*lda+i0+r]
			} else {
				dst[p*mr+r] = a[(i0+r)*lda+p0+p]
			}
		}
	}
}

// packB packs rows p0 to p0+kb-1 and columns j0 to j0+cols-1 of op(B) into
// dst as one panel of nr columns, stored row after row and padded with
// zeros.
func packB[T scalar](dst []T, trans bool, b []T, ldb, p0, kb, j0, cols, nr int) {
	switch {
	case !trans && cols == 8 && nr == 8: // the AVX2 kernel's full panels
		for p := range kb {
			*(*[8]T)(dst[p*8:]) = *(*[8]T)(b[(p0+p)*ldb+j0:])
		}
	case !trans: // op(B)(p,j) = b[p*ldb+j]: each row of the panel is contiguous in b
		for p := range kb {
			row := dst[p*nr : p*nr+nr]
			copy(row, b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+cols])
			clear(row[cols:])
		}
	default:
		for j := range cols {
			src := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
			for p, v := range src {
				dst[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := range kb {
				dst[p*nr+j] = 0
			}
		}
	}
}

// kernel4x4 is the pure-Go micro-kernel, mr = nr = 4.
func kernel4x4[T scalar](k int, a []T, rsA, csA int, b []T, rsB int, c []T, ldc int, alpha, beta T) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	a0, a1, a2, a3 := a[:(k-1)*csA+1], a[rsA:rsA+(k-1)*csA+1], a[2*rsA:2*rsA+(k-1)*csA+1], a[3*rsA:3*rsA+(k-1)*csA+1]
	for p := range k {
		x0, x1, x2, x3 := a0[p*csA], a1[p*csA], a2[p*csA], a3[p*csA]
		bp := b[p*rsB : p*rsB+4]
		y0, y1, y2, y3 := bp[0], bp[1], bp[2], bp[3]
		c00 += x0 * y0
		c01 += x0 * y1
		c02 += x0 * y2
		c03 += x0 * y3
		c10 += x1 * y0
		c11 += x1 * y1
		c12 += x1 * y2
		c13 += x1 * y3
		c20 += x2 * y0
		c21 += x2 * y1
		c22 += x2 * y2
		c23 += x2 * y3
		c30 += x3 * y0
		c31 += x3 * y1
		c32 += x3 * y2
		c33 += x3 * y3
	}
	for i, s := range [4][4]T{
		{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33},
	} {
		cr := c[i*ldc : i*ldc+4]
		for j := range cr {
			cr[j] = update(false, alpha, s[j], beta, cr[j])
		}
	}
}
