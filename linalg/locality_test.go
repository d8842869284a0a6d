package linalg

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// planted returns an n-node undirected graph with about n·deg/2 edges, a
// share in of them inside communities of cs consecutive nodes, with the
// nodes then numbered at random, and every fifth node isolated when
// isolated is set.
func planted(t testing.TB, n, cs, deg int, in float64, isolated bool, seed uint64) *CSR {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	perm := rng.Perm(n)
	var rows, cols []int
	var vals []float64
	for range n * deg / 2 {
		i, j := rng.IntN(n), rng.IntN(n)
		if rng.Float64() < in {
			j = min(i/cs*cs+rng.IntN(cs), n-1)
		}
		if i == j || isolated && (i%5 == 0 || j%5 == 0) {
			continue
		}
		v := rng.Float64()
		rows, cols, vals = append(rows, perm[i], perm[j]), append(cols, perm[j], perm[i]), append(vals, v, v)
	}
	x, err := NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// sumProduct returns X·B summed entry by entry.
func sumProduct(x *CSR, b *mat.Dense) *mat.Dense {
	_, k := b.Dims()
	out := mat.NewDense(x.r, k, nil)
	x.Each(func(i, j int, v float64) {
		for c := range k {
			out.Set(i, c, out.At(i, c)+v*b.At(j, c))
		}
	})
	return out
}

func randB(rng *rand.Rand, r, k int) *mat.Dense {
	b := mat.NewDense(r, k, nil)
	for i := range b.RawMatrix().Data {
		b.RawMatrix().Data[i] = rng.Float64()
	}
	return b
}

// TestLocalOrder checks that label propagation finds an order for a graph
// with communities numbered at random, with isolated nodes, and for a
// rectangular block matrix, none for a random graph, and that the product
// through the reordered copy is X·B.
func TestLocalOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	random := planted(t, 3000, 3000, 10, 0, false, 2)
	if findOrder(random) != nil {
		t.Errorf("random graph: an order was kept")
	}
	// A 1200 x 2000 matrix of 40 row blocks by 40 column blocks, its rows
	// and columns permuted.
	var rows, cols []int
	var vals []float64
	rp, cp := rng.Perm(1200), rng.Perm(2000)
	for i := range 1200 {
		for range 8 {
			j := i/30*50 + rng.IntN(50)
			rows, cols, vals = append(rows, rp[i]), append(cols, cp[j]), append(vals, rng.Float64())
		}
	}
	rect, err := NewCSRFromTriplets(1200, 2000, rows, cols, vals, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]*CSR{
		"communities":          planted(t, 3000, 30, 10, 0.9, false, 3),
		"with isolated nodes":  planted(t, 3000, 30, 10, 0.9, true, 4),
		"rectangular":          rect,
		"transposed rectangle": rect.T(),
	} {
		y := x.localForm()
		if y == nil {
			t.Errorf("%s: no order kept", name)
			continue
		}
		for _, k := range []int{7, 50, 64} {
			b := randB(rng, x.c, k)
			got := mat.NewDense(x.r, k, nil)
			x.mulLocal(y, got.RawMatrix(), b.RawMatrix())
			if want := sumProduct(x, b); !mat.EqualApprox(got, want, 1e-12) {
				t.Errorf("%s, k = %d: reordered product differs from X·B", name, k)
			}
		}
	}
}

// TestMulLocal checks Mul and TMul with a B of localMin bytes, which go
// through the reordered copy, and a matrix sharing the pattern with other
// values, which shares the order.
func TestMulLocal(t *testing.T) {
	const k = 32
	n := localMin/8/k + 100
	x := planted(t, n, 40, 6, 0.9, false, 7)
	rng := rand.New(rand.NewPCG(8, 9))
	b := randB(rng, n, k)
	got := mat.NewDense(n, k, nil)
	x.Mul(got, b)
	if x.pattern().ord == nil {
		t.Fatalf("Mul with a %d x %d B did not reorder", n, k)
	}
	if want := sumProduct(x, b); !mat.EqualApprox(got, want, 1e-12) {
		t.Errorf("Mul differs from X·B")
	}
	values := make([]float64, x.NNZ())
	for p := range values {
		values[p] = rng.Float64()
	}
	w := x.WithValues(values)
	w.TMul(got, b)
	if w.pattern() != x.pattern() || w.T().pattern() != x.T().pattern() {
		t.Errorf("WithValues or its transpose does not share the pattern record")
	}
	if want := sumProduct(w.T(), b); !mat.EqualApprox(got, want, 1e-12) {
		t.Errorf("TMul of a matrix sharing the pattern differs from Xᵀ·B")
	}
}

// BenchmarkCSRLocality is X·B at k = 32 for 100000-node graphs of about 2M
// stored entries, numbered at random: a random graph, and one with
// communities of 100 nodes holding 80% of the edges, multiplied with the
// rows kernel as stored, through Mul (the reordered copy when the order is
// kept, built before the timed loop), and for the community graph the
// reordered copy alone (its product without the gather of B's rows and the
// scattered writes: the bound of the reordering). B is 25.6 MB.
func BenchmarkCSRLocality(b *testing.B) {
	const n, k = 100000, 32
	bm := randB(rand.New(rand.NewPCG(1, 2)), n, k)
	dst := mat.NewDense(n, k, nil)
	d, br := dst.RawMatrix(), bm.RawMatrix()
	gflops := func(b *testing.B, nnz int) {
		b.ReportMetric(2*float64(nnz*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	for _, g := range []struct {
		name string
		in   float64
	}{{"random", 0}, {"communities", 0.8}} {
		x := planted(b, n, 100, 20, g.in, false, 10)
		b.Run(g.name+"/stored", func(b *testing.B) {
			for b.Loop() {
				x.mulRows(d, br.Data, br.Stride, k, nil)
			}
			gflops(b, x.NNZ())
		})
		x.Mul(dst, bm) // the order and the reordered copy, outside the timing
		b.Run(g.name+"/Mul", func(b *testing.B) {
			for b.Loop() {
				x.Mul(dst, bm)
			}
			gflops(b, x.NNZ())
		})
		if y := x.localForm(); y != nil {
			b.Run(g.name+"/reordered", func(b *testing.B) {
				for b.Loop() {
					y.mulRows(d, br.Data, br.Stride, k, nil)
				}
				gflops(b, y.NNZ())
			})
		}
	}
}

// BenchmarkLocalOrder is the cost of finding the order of the community
// graph of BenchmarkCSRLocality, once per pattern, to set beside its
// products.
func BenchmarkLocalOrder(b *testing.B) {
	x := planted(b, 100000, 100, 20, 0.8, false, 10)
	for b.Loop() {
		if findOrder(x) == nil {
			b.Fatal("no order for the community graph")
		}
	}
}
