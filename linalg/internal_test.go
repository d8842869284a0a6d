package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
)

// TestTestSizes pins the internal thresholds that the shapes of the
// external tests are chosen against: n = 600 is not a multiple of the
// blocks of the Pow kernels, the 600x700 SVD test takes the randomized
// path, and the small ones the exact path.
func TestTestSizes(t *testing.T) {
	if 600%powBlock == 0 || 600 < powBlock {
		t.Errorf("powBlock = %d: n = 600 no longer spans a partial block", powBlock)
	}
	if min(600, 700) <= exactSVDMax && 600*700 <= exactSVDEntries {
		t.Errorf("exactSVDMax = %d: a 600x700 input no longer takes the randomized path", exactSVDMax)
	}
	if min(40, 30) > exactSVDMax {
		t.Errorf("exactSVDMax = %d: a 40x30 input no longer takes the exact path", exactSVDMax)
	}
}

// TestParallelRowsInline: small calls run inline as one block, large ones
// cover [0, n) in blocks.
func TestParallelRows(t *testing.T) {
	calls := 0
	parallelRows(10, 100, func(lo, hi int) {
		calls++
		if lo != 0 || hi != 10 {
			t.Errorf("inline block [%d,%d)", lo, hi)
		}
	})
	if calls != 1 {
		t.Errorf("small call ran %d blocks, want 1", calls)
	}
	parallelRows(0, 1e9, func(lo, hi int) { t.Errorf("n = 0 ran block [%d,%d)", lo, hi) })
	seen := make([]int32, 1000)
	parallelRows(1000, 1e9, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			seen[i]++ // blocks are disjoint, so no race
		}
	})
	for i, s := range seen {
		if s != 1 {
			t.Fatalf("row %d visited %d times", i, s)
		}
	}
}

// TestOrthonormal checks CholeskyQR2 against modified Gram-Schmidt, which
// give the same Q up to rounding, and the fallback on a rank-deficient and
// an ill-conditioned input.
func TestOrthonormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const r, l = 300, 40
	m := mat.NewDense(r, l, nil)
	for i := range r {
		for j := range l {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	check := func(name string, q *mat.Dense, rank int) {
		t.Helper()
		var qtq mat.Dense
		qtq.Mul(q.T(), q)
		for i := range l {
			for j := range l {
				want := 0.0
				if i == j && i < rank {
					want = 1
				}
				if math.Abs(qtq.At(i, j)-want) > 1e-12 {
					t.Fatalf("%s: (QᵀQ)(%d,%d) = %v, want %v", name, i, j, qtq.At(i, j), want)
				}
			}
		}
	}
	q := orthonormal(m)
	check("random", q, l)
	if _, ok := cholQR(m); !ok {
		t.Fatalf("random: CholeskyQR refused a well-conditioned input")
	}
	gs := gramSchmidt(m)
	if !mat.EqualApprox(q, gs, 1e-10) {
		t.Errorf("random: CholeskyQR2 and Gram-Schmidt differ")
	}
	// Column 39 in the span of columns 0 and 1: the fallback (Gram-Schmidt
	// normalizes the rounding left of it into a last unit column).
	def := mat.DenseCopyOf(m)
	for i := range r {
		def.Set(i, l-1, m.At(i, 0)+2*m.At(i, 1))
	}
	if _, ok := cholQR(def); ok {
		t.Errorf("rank-deficient: CholeskyQR accepted it")
	}
	qd := orthonormal(def)
	check("rank-deficient", qd, l)
	// Full rank but cond ≈ 1e9: the fallback too.
	ill := mat.DenseCopyOf(m)
	for i := range r {
		ill.Set(i, l-1, m.At(i, 0)+1e-9*m.At(i, l-1))
	}
	if _, ok := cholQR(ill); ok {
		t.Errorf("ill-conditioned: CholeskyQR accepted it")
	}
	check("ill-conditioned", orthonormal(ill), l)
}

// BenchmarkOrthonormal compares CholeskyQR2 with Gram-Schmidt on the range
// finder of a 256-wide randomized SVD of Cora (2708 x 266), on the backend
// DEEPNMF_BACKEND names.
func BenchmarkOrthonormal(b *testing.B) {
	if err := backend.FromEnv(); err != nil {
		b.Fatal(err)
	}
	defer backend.Use("gonum")
	rng := rand.New(rand.NewPCG(7, 8))
	m := mat.NewDense(2708, 266, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	b.Run("cholesky-qr2", func(b *testing.B) {
		for b.Loop() {
			orthonormal(m)
		}
	})
	b.Run("gram-schmidt", func(b *testing.B) {
		for b.Loop() {
			gramSchmidt(m)
		}
	})
}

// BenchmarkCSRRow compares CSR.Mul's two row kernels in Go and as
// mulRows runs them (the assembly ones where the CPU has AVX-512), on both
// sides of maxUnrolledK, for X·B with X 20000 x 5000 at 0.5% density (B does not
// fit in cache at the larger k) and 3000 x 3000 at 1% (Cora's A_S has 1.1%).
func BenchmarkCSRRow(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range []struct{ r, c, perMille int }{{20000, 5000, 5}, {3000, 3000, 10}} {
		nnz := sh.r * sh.c / 1000 * sh.perMille
		rows, cols, vals := make([]int, nnz), make([]int, nnz), make([]float64, nnz)
		for p := range rows {
			rows[p], cols[p], vals[p] = rng.IntN(sh.r), rng.IntN(sh.c), rng.Float64()
		}
		x, err := NewCSRFromTriplets(sh.r, sh.c, rows, cols, vals, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []int{7, 22, 42, 64} {
			bm := make([]float64, sh.c*k)
			for i := range bm {
				bm[i] = rng.Float64()
			}
			out := make([]float64, k)
			for _, kern := range []struct {
				name string
				row  rowKernel[float64]
			}{{"unrolled", rowUnrolled[float64]}, {"axpy", rowAxpy}, {"unrolled-used", rowUnrolledK}, {"axpy-used", rowAxpyK}} {
				b.Run(fmt.Sprintf("%dx%d/k=%d/%s", sh.r, sh.c, k, kern.name), func(b *testing.B) {
					for b.Loop() {
						for i := range sh.r {
							s, e := x.indptr[i], x.indptr[i+1]
							kern.row(out, x.indices[s:e], x.data[s:e], bm, k)
						}
					}
					b.ReportMetric(2*float64(x.NNZ()*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestRowKernelsUsed checks that the row kernels mulRows runs (rowKernels:
// assembly where the CPU has it) compute exactly what the Go kernels
// compute, bit for bit, for widths across the assembly's panels and tail
// (1 to 140 columns), rows of 0 to 11 stored entries (both sides of the
// groups of four) and B with a stride wider than the product.
func TestRowKernelsUsed(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const rowsB = 50
	for _, kern := range []struct {
		name      string
		used, ref rowKernel[float64]
	}{{"unrolled", rowUnrolledK, rowUnrolled[float64]}, {"axpy", rowAxpyK, rowAxpy}} {
		for k := 1; k <= 140; k++ {
			stride := k + k%3
			b := make([]float64, rowsB*stride)
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			for n := range 12 {
				cols, vals := make([]int, n), make([]float64, n)
				for p := range cols {
					cols[p], vals[p] = rng.IntN(rowsB), rng.NormFloat64()
				}
				got, want := make([]float64, k), make([]float64, k)
				for i := range got {
					got[i] = math.NaN() // the kernels overwrite out
				}
				kern.used(got, cols, vals, b, stride)
				kern.ref(want, cols, vals, b, stride)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%s, k=%d, %d entries: column %d is %v, want %v", kern.name, k, n, i, got[i], want[i])
					}
				}
			}
		}
	}
}
