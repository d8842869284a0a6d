package linalg_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/linalg"
)

// mulCase is an input matrix and the shapes its products are tested with.
type mulCase struct {
	name string
	x    *mat.Dense
}

func mulCases() []mulCase {
	rng := newRNG(10)
	var cs []mulCase
	for _, sh := range []struct {
		r, c    int
		density float64
	}{
		{1, 1, 1}, {1, 9, 0.5}, {9, 1, 0.5}, {7, 5, 0}, {17, 13, 0.3},
		{64, 33, 0.1}, {300, 200, 0.1}, {257, 511, 0.05},
	} {
		x := randSparseDense(rng, sh.r, sh.c, sh.density)
		if sh.r > 4 && sh.c > 4 {
			// Empty rows and columns, including the first and last.
			for _, i := range []int{0, sh.r / 2, sh.r - 1} {
				for j := 0; j < sh.c; j++ {
					x.Set(i, j, 0)
				}
			}
			for _, j := range []int{0, sh.c / 3, sh.c - 1} {
				for i := 0; i < sh.r; i++ {
					x.Set(i, j, 0)
				}
			}
		}
		cs = append(cs, mulCase{fmt.Sprintf("%dx%d@%g", sh.r, sh.c, sh.density), x})
	}
	return cs
}

// bForms returns B (n x k) as a plain matrix, a transposed view and a
// strided slice view.
func bForms(b *mat.Dense) map[string]mat.Matrix {
	return map[string]mat.Matrix{
		"plain":   b,
		"T":       linalg.Transpose(b).T(),
		"strided": stridedCopy(b),
	}
}

func TestMulTMul(t *testing.T) {
	rng := newRNG(11)
	for _, tc := range mulCases() {
		r, c := tc.x.Dims()
		impls := map[string]linalg.Matrix{
			"CSR":          linalg.CSRFromDense(tc.x),
			"Dense":        linalg.NewDense(tc.x),
			"DenseStrided": linalg.NewDense(stridedCopy(tc.x)),
		}
		for _, k := range []int{1, 3, 16, 60} { // 60: CSR's axpy path
			b := randDense(rng, c, k, -1, 1)
			bt := randDense(rng, r, k, -1, 1)
			var want, wantT mat.Dense
			want.Mul(tc.x, b)
			wantT.Mul(tc.x.T(), bt)
			for iname, m := range impls {
				for fname, bf := range bForms(b) {
					name := fmt.Sprintf("%s/%s/k=%d/%s", tc.name, iname, k, fname)
					results := map[int]*mat.Dense{}
					for _, procs := range []int{1, 4} {
						withProcs(procs, func() {
							dst := mat.NewDense(r, k, nil)
							fillDense(dst, math.NaN()) // must be overwritten
							m.Mul(dst, bf)
							assertClose(t, name+"/Mul", dst, &want, 1e-12)
							results[procs] = dst
							// A strided destination.
							sdst := stridedCopy(dst)
							fillDense(sdst, math.NaN())
							m.Mul(sdst, bf)
							assertIdentical(t, name+"/Mul strided dst", sdst, dst)
						})
					}
					assertIdentical(t, name+"/Mul procs 1 vs 4", results[4], results[1])
				}
				for fname, bf := range bForms(bt) {
					name := fmt.Sprintf("%s/%s/k=%d/%s", tc.name, iname, k, fname)
					results := map[int]*mat.Dense{}
					for _, procs := range []int{1, 4} {
						withProcs(procs, func() {
							dst := mat.NewDense(c, k, nil)
							fillDense(dst, math.NaN())
							m.TMul(dst, bf)
							assertClose(t, name+"/TMul", dst, &wantT, 1e-12)
							results[procs] = dst
						})
					}
					assertIdentical(t, name+"/TMul procs 1 vs 4", results[4], results[1])
				}
			}
		}
	}
}

// TestCSRMulNaive compares CSR·B with a naive product; the CSR kernel adds
// the same nonzero terms, four at a time, so the sums differ by rounding.
func TestCSRMulNaive(t *testing.T) {
	rng := newRNG(12)
	x := randSparseDense(rng, 50, 40, 0.2)
	b := randDense(rng, 40, 6, -1, 1)
	dst := mat.NewDense(50, 6, nil)
	linalg.CSRFromDense(x).Mul(dst, b)
	assertClose(t, "naive", dst, naiveMul(x, b), 1e-14)
	dstT := mat.NewDense(40, 6, nil)
	bt := randDense(rng, 50, 6, -1, 1)
	linalg.CSRFromDense(x).TMul(dstT, bt)
	assertClose(t, "naive T", dstT, naiveMul(x.T(), bt), 1e-14)
}

func TestMulShapePanics(t *testing.T) {
	x := linalg.CSRFromDense(mat.NewDense(3, 4, []float64{1, 0, 0, 2, 0, 3, 0, 0, 0, 0, 4, 0}))
	mustPanic(t, "B rows", func() { x.Mul(mat.NewDense(3, 2, nil), mat.NewDense(3, 2, nil)) })
	mustPanic(t, "dst rows", func() { x.Mul(mat.NewDense(4, 2, nil), mat.NewDense(4, 2, nil)) })
	mustPanic(t, "dst cols", func() { x.Mul(mat.NewDense(3, 3, nil), mat.NewDense(4, 2, nil)) })
	mustPanic(t, "TMul B rows", func() { x.TMul(mat.NewDense(4, 2, nil), mat.NewDense(4, 2, nil)) })
	mustPanic(t, "TMul dst", func() { x.TMul(mat.NewDense(3, 2, nil), mat.NewDense(3, 2, nil)) })
}

func TestApply(t *testing.T) {
	rng := newRNG(13)
	f := func(x, wh float64) float64 { return x/wh - 2*x + wh }
	for _, sh := range [][3]int{{1, 1, 1}, {9, 7, 2}, {120, 90, 5}, {400, 300, 8}} {
		n, d, k := sh[0], sh[1], sh[2]
		x := randSparseDense(rng, n, d, 0.15)
		if n > 2 {
			for j := 0; j < d; j++ {
				x.Set(1, j, 0) // an empty row
			}
		}
		w := randDense(rng, n, k, 0.1, 1)
		h := randDense(rng, k, d, 0.1, 1)
		var wh mat.Dense
		wh.Mul(w, h)

		for _, procs := range []int{1, 4} {
			withProcs(procs, func() {
				// Dense: every entry.
				got := linalg.NewDense(x).Apply(nil, w, h, f)
				if r, c := got.Dims(); r != n || c != d {
					t.Fatalf("Dense Apply dims %dx%d", r, c)
				}
				for i := 0; i < n; i++ {
					for j := 0; j < d; j++ {
						if g, want := got.At(i, j), f(x.At(i, j), wh.At(i, j)); g != want {
							t.Fatalf("Dense Apply (%d,%d) = %v, want %v", i, j, g, want)
						}
					}
				}
				// Dense input through a view, W and H through views.
				got2 := linalg.NewDense(stridedCopy(x)).Apply(nil, stridedCopy(w), stridedCopy(h), f)
				assertIdentical(t, "Dense Apply views", got2.(*linalg.Dense).Raw(), got.(*linalg.Dense).Raw())

				// CSR: stored entries only, same pattern.
				xs := linalg.CSRFromDense(x)
				for _, ws := range []struct {
					name string
					w, h *mat.Dense
				}{{"plain", w, h}, {"views", stridedCopy(w), stridedCopy(h)}} {
					gs, ok := xs.Apply(nil, ws.w, ws.h, f).(*linalg.CSR)
					if !ok {
						t.Fatalf("CSR Apply returned %T", gs)
					}
					if r, c := gs.Dims(); r != n || c != d || gs.NNZ() != xs.NNZ() {
						t.Fatalf("CSR Apply %dx%d nnz %d, want %dx%d nnz %d", r, c, gs.NNZ(), n, d, xs.NNZ())
					}
					ip0, ind0, _ := xs.Raw()
					ip1, ind1, _ := gs.Raw()
					if fmt.Sprint(ip0) != fmt.Sprint(ip1) || fmt.Sprint(ind0) != fmt.Sprint(ind1) {
						t.Fatal("CSR Apply changed the sparsity pattern")
					}
					gs.Each(func(i, j int, v float64) {
						want := f(x.At(i, j), wh.At(i, j))
						if math.Abs(v-want) > 1e-12*(1+math.Abs(want)) {
							t.Fatalf("CSR Apply %s (%d,%d) = %v, want %v", ws.name, i, j, v, want)
						}
					})
					// The input is unchanged.
					assertIdentical(t, "CSR Apply input", xs.ToDense(), x)
				}
			})
		}
		// Same bits whatever GOMAXPROCS.
		xs := linalg.CSRFromDense(x)
		var a1, a4 linalg.Matrix
		withProcs(1, func() { a1 = xs.Apply(nil, w, h, f) })
		withProcs(4, func() { a4 = xs.Apply(nil, w, h, f) })
		assertIdentical(t, "CSR Apply procs", a4.(*linalg.CSR).ToDense(), a1.(*linalg.CSR).ToDense())
	}
}

// TestApplyKeepsZeros: a function that returns 0 at stored entries keeps
// them stored.
func TestApplyKeepsZeros(t *testing.T) {
	x := linalg.CSRFromDense(mat.NewDense(2, 3, []float64{1, 0, 2, 0, 3, 0}))
	w := mat.NewDense(2, 1, []float64{1, 2})
	h := mat.NewDense(1, 3, []float64{1, 1, 1})
	got := x.Apply(nil, w, h, func(x, wh float64) float64 { return 0 })
	if got.NNZ() != 3 {
		t.Errorf("NNZ = %d, want 3 stored zeros", got.NNZ())
	}
	calls := 0
	got.Each(func(i, j int, v float64) {
		calls++
		if v != 0 {
			t.Errorf("(%d,%d) = %v", i, j, v)
		}
	})
	if calls != 3 {
		t.Errorf("Each made %d calls, want 3", calls)
	}
	// The result is a full Matrix: its products work.
	dst := mat.NewDense(2, 1, nil)
	got.Mul(dst, mat.NewDense(3, 1, []float64{1, 1, 1}))
	if dst.At(0, 0) != 0 || dst.At(1, 0) != 0 {
		t.Errorf("product of zeros = %v", mat.Formatted(dst))
	}
}

// TestCSRApplyShapePanics: like Dense.Apply (whose product panics), CSR.Apply
// must reject W and H that do not fit X rather than read past the rows of
// Hᵀ or ignore extra rows of W.
func TestCSRApplyShapePanics(t *testing.T) {
	x := mat.NewDense(3, 4, []float64{1, 2, 3, 0, 1, 0, 0, 0, 0, 0, 1, 0})
	f := func(x, wh float64) float64 { return wh }
	for _, tc := range []struct {
		name string
		w, h *mat.Dense
	}{
		{"W cols != H rows", mat.NewDense(3, 2, nil), mat.NewDense(1, 4, nil)},
		{"W rows != X rows", mat.NewDense(4, 1, nil), mat.NewDense(1, 4, nil)},
		{"H cols != X cols", mat.NewDense(3, 1, nil), mat.NewDense(1, 5, nil)},
	} {
		for name, m := range map[string]linalg.Matrix{"Dense": linalg.NewDense(x), "CSR": linalg.CSRFromDense(x)} {
			mustPanic(t, name+": "+tc.name, func() { m.Apply(nil, tc.w, tc.h, f) })
		}
	}
}

// TestForProducts checks the form ForProducts picks, dense only for a
// filled matrix on OpenBLAS, and that both forms multiply alike.
func TestForProducts(t *testing.T) {
	defer backend.Use("gonum")
	rng := newRNG(13)
	for _, name := range []string{"gonum", "openblas"} {
		if err := backend.Use(name); err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		for _, tc := range []struct {
			fill  float64
			dense bool
		}{{0.05, false}, {0.6, name == "openblas"}} {
			x := linalg.CSRFromDense(randSparseDense(rng, 60, 50, tc.fill))
			m := linalg.ForProducts(x)
			if _, ok := m.(*linalg.Dense); ok != tc.dense {
				t.Errorf("%s, fill %.2f: dense form %v, want %v", name, tc.fill, ok, tc.dense)
			}
			b := randDense(rng, 50, 7, 0, 1)
			got, want := mat.NewDense(60, 7, nil), mat.NewDense(60, 7, nil)
			m.Mul(got, b)
			x.Mul(want, b)
			assertClose(t, "ForProducts Mul", got, want, 1e-13)
			bt := randDense(rng, 60, 7, 0, 1)
			gotT, wantT := mat.NewDense(50, 7, nil), mat.NewDense(50, 7, nil)
			m.TMul(gotT, bt)
			x.TMul(wantT, bt)
			assertClose(t, "ForProducts TMul", gotT, wantT, 1e-13)
			if s, w := m.Stats(), x.Stats(); s.Min != w.Min || s.Max != w.Max || math.Abs(s.SquaredNorm-w.SquaredNorm) > 1e-12*w.SquaredNorm {
				t.Errorf("%s, fill %.2f: stats %+v, want %+v", name, tc.fill, s, w)
			}
		}
		if m := linalg.ForProducts(linalg.CSRFromDense(mat.NewDense(3, 3, nil))); m.NNZ() != 0 {
			t.Errorf("%s: an empty matrix became dense", name)
		}
	}
}
