package linalg_test

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/linalg"
)

// benchCSR returns an r x c CSR matrix with about density·r·c entries at
// random positions.
func benchCSR(b *testing.B, r, c int, density float64) *linalg.CSR {
	b.Helper()
	rng := newRNG(40)
	nnz := int(density * float64(r) * float64(c))
	rows, cols := make([]int, nnz), make([]int, nnz)
	vals := make([]float64, nnz)
	for p := range rows {
		rows[p], cols[p], vals[p] = rng.IntN(r), rng.IntN(c), rng.Float64()
	}
	m, err := linalg.NewCSRFromTriplets(r, c, rows, cols, vals, false)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func reportGFLOPS(b *testing.B, nnz, k int) {
	b.ReportMetric(2*float64(nnz)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkCSRMul is X·B for a 20000 x 5000 X at 0.5% density and k from
// 7 (the rank of the graph models on Cora) to 64, on both sides of
// maxUnrolledK.
func BenchmarkCSRMul(b *testing.B) {
	const r, c = 20000, 5000
	x := benchCSR(b, r, c, 0.005)
	for _, k := range []int{7, 22, 42, 64} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			bm := randDense(newRNG(41), c, k, 0, 1)
			dst := mat.NewDense(r, k, nil)
			for b.Loop() {
				x.Mul(dst, bm)
			}
			reportGFLOPS(b, x.NNZ(), k)
		})
	}
}

// BenchmarkCSRTMul is Xᵀ·B for the same X; the transpose is built before
// the timed loop.
func BenchmarkCSRTMul(b *testing.B) {
	const r, c, k = 20000, 5000, 50
	x := benchCSR(b, r, c, 0.005)
	bm := randDense(newRNG(42), r, k, 0, 1)
	dst := mat.NewDense(c, k, nil)
	x.T()
	for b.Loop() {
		x.TMul(dst, bm)
	}
	reportGFLOPS(b, x.NNZ(), k)
}

// BenchmarkMulUpdate is one multiplicative update of a 2000 x 50 factor,
// for powers taken by square roots (1/2, 1/4) and by math.Pow (0.3).
func BenchmarkMulUpdate(b *testing.B) {
	rng := newRNG(43)
	f := randDense(rng, 2000, 50, 0.5, 1)
	den := randDense(rng, 2000, 50, 0.5, 1)
	// A ratio just above 1: f barely moves however long it runs, and
	// math.Pow takes its general path (it returns 1 at once for 1).
	num := mat.NewDense(2000, 50, nil)
	num.Scale(1+1e-9, den)
	for _, gamma := range []float64{1, 0.5, 0.25, 0.3} {
		b.Run(fmt.Sprintf("gamma=%g", gamma), func(b *testing.B) {
			for b.Loop() {
				linalg.MulUpdate(f, num, den, gamma, linalg.Eps)
			}
		})
	}
}

// BenchmarkFilledCSR compares the two forms ForProducts chooses between:
// X·B for a 1000 x 1000 X at densities around denseFill, stored sparse and
// dense, for the widths of the graph models' factors. GFLOP/s counts the
// sparse form's arithmetic in both, so the faster form has the higher rate.
func BenchmarkFilledCSR(b *testing.B) {
	// The dense products on the backend models get (OpenBLAS when it is
	// installed, unless DEEPNMF_BACKEND says otherwise).
	if err := backend.FromEnv(); err != nil {
		b.Fatal(err)
	}
	defer backend.Use("gonum")
	const n = 1000
	for _, fill := range []float64{0.1, 0.2, 0.3, 0.5} {
		x := benchCSR(b, n, n, fill)
		d := x.ToDense()
		for _, k := range []int{7, 22, 64} {
			bm := randDense(newRNG(44), n, k, 0, 1)
			dst := mat.NewDense(n, k, nil)
			b.Run(fmt.Sprintf("fill=%.1f/k=%d/csr", fill, k), func(b *testing.B) {
				for b.Loop() {
					x.Mul(dst, bm)
				}
				reportGFLOPS(b, x.NNZ(), k)
			})
			b.Run(fmt.Sprintf("fill=%.1f/k=%d/dense", fill, k), func(b *testing.B) {
				for b.Loop() {
					dst.Mul(d, bm)
				}
				reportGFLOPS(b, x.NNZ(), k)
			})
		}
	}
}

// BenchmarkCSRMulGraph is X·B for the bench's graph scale: a 100000-node
// random graph with about 2M stored entries, and k = 32. B (25.6 MB) does
// not fit in cache, so the row kernel's gathers from it miss.
func BenchmarkCSRMulGraph(b *testing.B) {
	const n, k = 100000, 32
	x := benchCSR(b, n, n, 2e6/(n*n))
	bm := randDense(newRNG(45), n, k, 0, 1)
	dst := mat.NewDense(n, k, nil)
	for b.Loop() {
		x.Mul(dst, bm)
	}
	reportGFLOPS(b, x.NNZ(), k)
}
