package linalg_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestMulUpdate(t *testing.T) {
	rng := newRNG(20)
	for _, sh := range [][2]int{{3, 2}, {2000, 50}} {
		r, c := sh[0], sh[1]
		f0 := randDense(rng, r, c, 0, 2)
		num := randDense(rng, r, c, 0, 3)
		den := randDense(rng, r, c, 0.5, 3)
		// Zero, tiny and negative denominators are floored at eps.
		den.Set(0, 0, 0)
		den.Set(0, 1, 1e-300)
		den.Set(1, 0, -5)
		num.Set(1, 1, 0)
		// 1/2, 1/4 and 1/8 are taken by square roots, 0.7 by math.Pow.
		for _, gamma := range []float64{1, 0.5, 0.25, 0.125, 0.7} {
			for _, eps := range []float64{linalg.Eps, 1e-3} {
				want := mat.NewDense(r, c, nil)
				for i := 0; i < r; i++ {
					for j := 0; j < c; j++ {
						q := num.At(i, j) / math.Max(den.At(i, j), eps)
						want.Set(i, j, f0.At(i, j)*math.Pow(q, gamma))
					}
				}
				var prev *mat.Dense
				for _, procs := range []int{1, 4} {
					withProcs(procs, func() {
						f := mat.DenseCopyOf(f0)
						linalg.MulUpdate(f, num, den, gamma, eps)
						assertClose(t, "MulUpdate", f, want, 1e-15)
						if prev != nil {
							assertIdentical(t, "MulUpdate procs", f, prev)
						}
						prev = f
						// Views for all three operands.
						fv := stridedCopy(f0)
						linalg.MulUpdate(fv, stridedCopy(num), stridedCopy(den), gamma, eps)
						assertIdentical(t, "MulUpdate views", fv, f)
					})
				}
				if got, w := prev.At(0, 0), f0.At(0, 0)*math.Pow(num.At(0, 0)/eps, gamma); math.Abs(got-w) > 1e-15*w {
					t.Errorf("zero denominator: %v, want %v", got, w)
				}
				if got, w := prev.At(1, 0), f0.At(1, 0)*math.Pow(num.At(1, 0)/eps, gamma); math.Abs(got-w) > 1e-15*w {
					t.Errorf("negative denominator: %v, want %v", got, w)
				}
				if got := prev.At(1, 1); got != 0 {
					t.Errorf("zero numerator: %v, want 0", got)
				}
			}
		}
	}
	mustPanic(t, "num shape", func() {
		linalg.MulUpdate(mat.NewDense(2, 2, nil), mat.NewDense(2, 3, nil), mat.NewDense(2, 2, nil), 1, linalg.Eps)
	})
	mustPanic(t, "den shape", func() {
		linalg.MulUpdate(mat.NewDense(2, 2, nil), mat.NewDense(2, 2, nil), mat.NewDense(3, 2, nil), 1, linalg.Eps)
	})
}

func TestZeroBelow(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{-1, 0.5, 1, 2, 0.99, math.Inf(-1)})
	linalg.ZeroBelow(m, 1)
	assertIdentical(t, "ZeroBelow", m, mat.NewDense(2, 3, []float64{0, 0, 1, 2, 0, 0}))
	// On a view, entries outside it are untouched.
	big := mat.NewDense(3, 3, []float64{-1, -1, -1, -1, -1, 5, -1, -1, -1})
	linalg.ZeroBelow(big.Slice(1, 2, 1, 3).(*mat.Dense), 0)
	assertIdentical(t, "ZeroBelow view", big, mat.NewDense(3, 3, []float64{-1, -1, -1, -1, 0, 5, -1, -1, -1}))
}

func TestDotAddScalarColSums(t *testing.T) {
	rng := newRNG(21)
	a := randDense(rng, 13, 7, -1, 1)
	b := randDense(rng, 13, 7, -1, 1)
	var want float64
	for i := 0; i < 13; i++ {
		for j := 0; j < 7; j++ {
			want += a.At(i, j) * b.At(i, j)
		}
	}
	if got := linalg.Dot(a, b); got != want {
		t.Errorf("Dot = %v, want %v", got, want)
	}
	if got := linalg.Dot(stridedCopy(a), linalg.Transpose(b).T()); got != want {
		t.Errorf("Dot of views = %v, want %v", got, want)
	}
	mustPanic(t, "Dot shape", func() { linalg.Dot(a, a.T()) })

	m := stridedCopy(a)
	linalg.AddScalar(m, 2.5)
	for i := 0; i < 13; i++ {
		for j := 0; j < 7; j++ {
			if got, w := m.At(i, j), a.At(i, j)+2.5; got != w {
				t.Fatalf("AddScalar (%d,%d) = %v, want %v", i, j, got, w)
			}
		}
	}

	for _, x := range []mat.Matrix{a, stridedCopy(a), linalg.Transpose(a).T()} {
		got := linalg.ColSums(x)
		if len(got) != 7 {
			t.Fatalf("ColSums has %d entries", len(got))
		}
		for j := range got {
			var s float64
			for i := 0; i < 13; i++ {
				s += a.At(i, j)
			}
			if got[j] != s {
				t.Errorf("ColSums[%d] = %v, want %v", j, got[j], s)
			}
		}
	}
}

// naivePow returns max(W·H, floor)^p in full.
func naivePow(w, h *mat.Dense, p, floor float64) *mat.Dense {
	var wh mat.Dense
	wh.Mul(w, h)
	wh.Apply(func(_, _ int, v float64) float64 { return math.Pow(math.Max(v, floor), p) }, &wh)
	return &wh
}

func TestPowKernels(t *testing.T) {
	rng := newRNG(22)
	// One scratch for every shape (kept, or made again when the shape
	// changes); the views below take fresh ones.
	var ps linalg.PowScratch
	for _, n := range []int{1, 255, 256, 257, 600} {
		const k, d = 5, 40
		// Some negative factors so that the floor is active.
		w := randDense(rng, n, k, -0.3, 1)
		h := randDense(rng, k, d, -0.3, 1)
		for _, pf := range [][2]float64{{-1, 1e-3}, {0.5, 1e-2}, {2, 0.05}, {-0.5, 0.2}} {
			p, floor := pf[0], pf[1]
			pw := naivePow(w, h, p, floor)
			wantMT := mat.NewDense(n, k, nil)
			wantMT.Mul(pw, h.T())
			wantTM := mat.NewDense(k, d, nil)
			wantTM.Mul(w.T(), pw)
			wantSum := mat.Sum(pw)

			dst := mat.NewDense(n, k, nil)
			fillDense(dst, math.NaN())
			linalg.PowMulT(dst, w, h, p, floor, &ps)
			assertClose(t, "PowMulT", dst, wantMT, 1e-10)

			dstT := mat.NewDense(k, d, nil)
			fillDense(dstT, math.NaN())
			linalg.TPowMul(dstT, w, h, p, floor, &ps)
			assertClose(t, "TPowMul", dstT, wantTM, 1e-10)

			if got := linalg.PowSum(w, h, p, floor, &ps); math.Abs(got-wantSum) > 1e-10*math.Abs(wantSum) {
				t.Errorf("n=%d p=%g: PowSum = %v, want %v", n, p, got, wantSum)
			}

			// Views for every operand, and fresh scratch, give the same bits.
			sdst := stridedCopy(dst)
			linalg.PowMulT(sdst, stridedCopy(w), stridedCopy(h), p, floor, new(linalg.PowScratch))
			assertIdentical(t, "PowMulT views", sdst, dst)
			sdstT := stridedCopy(dstT)
			linalg.TPowMul(sdstT, stridedCopy(w), stridedCopy(h), p, floor, new(linalg.PowScratch))
			assertIdentical(t, "TPowMul views", sdstT, dstT)
		}
	}
}

// objective returns ½‖X − F·G‖².
func cdObjective(x, f, g *mat.Dense) float64 {
	var r mat.Dense
	r.Mul(f, g)
	r.Sub(x, &r)
	n := mat.Norm(&r, 2)
	return 0.5 * n * n
}

// naiveCD is a plain transcription of one sweep of coordinate descent on
// F for min ½‖X − F·G‖², returning the new F and the ℓ1 norm of the
// projected gradient.
func naiveCD(f0, gram, cross *mat.Dense, perm []int) (*mat.Dense, float64) {
	f := mat.DenseCopyOf(f0)
	r, k := f.Dims()
	var viol float64
	for i := 0; i < r; i++ {
		for _, t := range perm {
			g := -cross.At(i, t)
			for j := 0; j < k; j++ {
				g += gram.At(t, j) * f.At(i, j)
			}
			pg := g
			if f.At(i, t) == 0 {
				pg = math.Min(g, 0)
			}
			viol += math.Abs(pg)
			if hess := gram.At(t, t); hess != 0 {
				f.Set(i, t, math.Max(f.At(i, t)-g/hess, 0))
			}
		}
	}
	return f, viol
}

func TestCoordinateDescent(t *testing.T) {
	rng := newRNG(23)
	for _, sh := range [][3]int{{1, 3, 1}, {20, 15, 4}, {1000, 60, 10}} {
		r, d, k := sh[0], sh[1], sh[2]
		x := randDense(rng, r, d, 0, 1)
		f0 := randDense(rng, r, k, 0, 1)
		g := randDense(rng, k, d, 0, 1)
		// Some zero coordinates (the projected gradient differs there).
		for i := 0; i < r; i += 3 {
			f0.Set(i, i%k, 0)
		}
		if k > 2 {
			// A zero row of G: a zero Hessian, skipped.
			for j := 0; j < d; j++ {
				g.Set(1, j, 0)
			}
		}
		gram := mat.NewDense(k, k, nil)
		gram.Mul(g, g.T())
		cross := mat.NewDense(r, k, nil)
		cross.Mul(x, g.T())
		perm := rng.Perm(k)

		wantF, wantViol := naiveCD(f0, gram, cross, perm)
		before := cdObjective(x, f0, g)
		var prevF *mat.Dense
		var prevViol float64
		for _, procs := range []int{1, 4} {
			withProcs(procs, func() {
				f := mat.DenseCopyOf(f0)
				viol := linalg.CoordinateDescent(f, gram, cross, perm)
				after := cdObjective(x, f, g)
				if after > before*(1+1e-12) {
					t.Errorf("%v: objective rose from %v to %v", sh, before, after)
				}
				if r > 1 && !(after < before) {
					t.Errorf("%v: objective did not decrease (%v to %v)", sh, before, after)
				}
				for _, v := range f.RawMatrix().Data {
					if v < 0 || math.IsNaN(v) {
						t.Fatalf("%v: F has entry %v", sh, v)
					}
				}
				assertClose(t, "CD F", f, wantF, 1e-12)
				if math.Abs(viol-wantViol) > 1e-10*(1+wantViol) {
					t.Errorf("%v: violation %v, want %v", sh, viol, wantViol)
				}
				if prevF != nil {
					assertIdentical(t, "CD procs", f, prevF)
					if math.Float64bits(viol) != math.Float64bits(prevViol) {
						t.Errorf("violation depends on GOMAXPROCS: %v vs %v", viol, prevViol)
					}
				}
				prevF, prevViol = f, viol
				// Strided operands.
				fv := stridedCopy(f0)
				violv := linalg.CoordinateDescent(fv, stridedCopy(gram), stridedCopy(cross), perm)
				assertIdentical(t, "CD views", fv, f)
				if violv != viol {
					t.Errorf("violation with views %v, want %v", violv, viol)
				}
			})
		}
	}
	// Repeated sweeps converge: the violation goes to ~0 at the optimum.
	x := randDense(rng, 30, 20, 0, 1)
	g := randDense(rng, 3, 20, 0, 1)
	gram := mat.NewDense(3, 3, nil)
	gram.Mul(g, g.T())
	cross := mat.NewDense(30, 3, nil)
	cross.Mul(x, g.T())
	f := randDense(rng, 30, 3, 0, 1)
	first := linalg.CoordinateDescent(f, gram, cross, []int{0, 1, 2})
	var last float64
	for range 500 {
		last = linalg.CoordinateDescent(f, gram, cross, []int{0, 1, 2})
	}
	if !(last < 1e-6*first) {
		t.Errorf("violation after 500 sweeps %v, first %v", last, first)
	}
}
