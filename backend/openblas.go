//go:build linux && (amd64 || arm64)

package backend

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/ebitengine/purego"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// libNames are the names tried, in order, to load OpenBLAS: first through the
// dynamic loader's search (LD_LIBRARY_PATH, then the ld.so cache), then in
// places where it is installed but may be missing from that search.
var libNames = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/local/lib/libopenblas.so.0",
	"/opt/OpenBLAS/lib/libopenblas.so.0",
}

// Products smaller than these sizes, in multiply-adds, stay in gonum, which
// computes them faster than the fixed cost of a call to OpenBLAS.
const (
	minGemm = 1 << 13 // m·n·k
	minSyrk = 1 << 13 // n·n·k
	minGemv = 1 << 15 // m·n
)

// cblasRowMajor, cblasTrans and cblasUplo are CBLAS's codes for row-major
// storage and for gonum's transpose and triangle flags.
const cblasRowMajor = 101

var (
	cblasTrans = map[blas.Transpose]int32{blas.NoTrans: 111, blas.Trans: 112, blas.ConjTrans: 113}
	cblasUplo  = map[blas.Uplo]int32{blas.Upper: 121, blas.Lower: 122}
)

// openBLAS is gonum's BLAS with Dgemm, Dsyrk, Dgemv and Sgemm computed by
// OpenBLAS's CBLAS interface. Calls it does not hand over, small ones and
// those with invalid arguments, go to gonum, which also panics on the
// invalid ones, so OpenBLAS never sees out-of-range sizes or slices.
type openBLAS struct {
	gonum.Implementation

	desc  string // library name and build configuration
	dgemm func(order, tA, tB, m, n, k int32, alpha float64, a []float64, lda int32, b []float64, ldb int32, beta float64, c []float64, ldc int32)
	dsyrk func(order, ul, t, n, k int32, alpha float64, a []float64, lda int32, beta float64, c []float64, ldc int32)
	dgemv func(order, t, m, n int32, alpha float64, a []float64, lda int32, x []float64, incX int32, beta float64, y []float64, incY int32)
	sgemm func(order, tA, tB, m, n, k int32, alpha float32, a []float32, lda int32, b []float32, ldb int32, beta float32, c []float32, ldc int32)
}

// loadOpenBLAS returns OpenBLAS, loaded by its first call, and its
// description.
func loadOpenBLAS() (implementation, string, error) {
	o, err := openOnce()
	if err != nil {
		return nil, "", err
	}
	return o, o.desc, nil
}

var openOnce = sync.OnceValues(func() (*openBLAS, error) {
	var first error
	for _, name := range libNames {
		o, err := open(name)
		if err == nil {
			return o, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("backend: cannot load OpenBLAS (%v); install it, e.g. with apt-get install libopenblas0", first)
})

// open loads the OpenBLAS library called name.
func open(name string) (*openBLAS, error) {
	h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, err
	}
	o := &openBLAS{}
	var config func() string
	for _, f := range []struct {
		sym string
		ptr any
	}{
		{"cblas_dgemm", &o.dgemm},
		{"cblas_dsyrk", &o.dsyrk},
		{"cblas_dgemv", &o.dgemv},
		{"cblas_sgemm", &o.sgemm},
		{"openblas_get_config", &config},
	} {
		addr, err := purego.Dlsym(h, f.sym)
		if err != nil {
			purego.Dlclose(h)
			return nil, err
		}
		purego.RegisterFunc(f.ptr, addr)
	}
	o.desc = name + ": " + config()
	if strings.Contains(o.desc, "USE64BITINT") {
		purego.Dlclose(h)
		return nil, fmt.Errorf("%s has 64-bit integers, want 32", name)
	}
	return o, nil
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C.
func (o *openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, okA := cblasTrans[tA]
	tb, okB := cblasTrans[tB]
	if !okA || !okB || m*n*k < minGemm || !gemmHolds(fits[float64], tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		o.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	o.dgemm(cblasRowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, a, int32(lda), b, int32(ldb), beta, c, int32(ldc))
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in float32.
func (o *openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, okA := cblasTrans[tA]
	tb, okB := cblasTrans[tB]
	if !okA || !okB || m*n*k < minGemm || !gemmHolds(fits[float32], tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		o.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	o.sgemm(cblasRowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, a, int32(lda), b, int32(ldb), beta, c, int32(ldc))
}

// Dsyrk computes the ul triangle of C = alpha·A·Aᵀ + beta·C, or of
// C = alpha·Aᵀ·A + beta·C if tA is not blas.NoTrans.
func (o *openBLAS) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	u, okU := cblasUplo[ul]
	t, okT := cblasTrans[tA]
	ar, ac := stored(tA, n, k)
	if !okU || !okT || n*n*k < minSyrk || !fits(a, ar, ac, lda) || !fits(c, n, n, ldc) {
		o.Implementation.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	o.dsyrk(cblasRowMajor, u, t, int32(n), int32(k), alpha, a, int32(lda), beta, c, int32(ldc))
}

// Dgemv computes y = alpha·A·x + beta·y, or y = alpha·Aᵀ·x + beta·y if tA
// is not blas.NoTrans.
func (o *openBLAS) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	t, ok := cblasTrans[tA]
	lx, ly := n, m
	if tA != blas.NoTrans {
		lx, ly = m, n
	}
	if !ok || m*n < minGemv || !fits(a, m, n, lda) || !fitsVec(x, lx, incX) || !fitsVec(y, ly, incY) {
		o.Implementation.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	o.dgemv(cblasRowMajor, t, int32(m), int32(n), alpha, a, int32(lda), x, int32(incX), beta, y, int32(incY))
}

// fits reports whether s holds a rows×cols matrix with row stride ld, and
// whether these sizes fit in OpenBLAS's 32-bit integers.
func fits[T scalar](s []T, rows, cols, ld int) bool {
	return holds(s, rows, cols, ld) && rows <= math.MaxInt32 && ld <= math.MaxInt32
}

// fitsVec reports whether s holds a vector of n elements with increment
// inc, and whether these sizes fit in OpenBLAS's 32-bit integers.
func fitsVec(s []float64, n, inc int) bool {
	if inc < 0 {
		inc = -inc
	}
	return n > 0 && n <= math.MaxInt32 && inc > 0 && inc <= math.MaxInt32 && len(s) >= 1+(n-1)*inc
}
