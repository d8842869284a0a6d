package linalg_test

import (
	"math"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// exactSVD returns gonum's thin SVD of m.
func exactSVD(t *testing.T, m mat.Matrix) (u *mat.Dense, s []float64, v *mat.Dense) {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThin) {
		t.Fatal("gonum SVD failed")
	}
	u, v = new(mat.Dense), new(mat.Dense)
	svd.UTo(u)
	svd.VTo(v)
	return u, svd.Values(nil), v
}

// checkSVD compares the k leading singular triplets with the exact ones:
// values to tolRel relative, vectors up to sign to tolVec.
func checkSVD(t *testing.T, name string, u *mat.Dense, s []float64, vt *mat.Dense, eu *mat.Dense, es []float64, ev *mat.Dense, k int, tolRel, tolVec float64) {
	t.Helper()
	r, _ := eu.Dims()
	c, _ := ev.Dims()
	if ur, uc := u.Dims(); ur != r || uc != k {
		t.Fatalf("%s: U is %dx%d, want %dx%d", name, ur, uc, r, k)
	}
	if vr, vc := vt.Dims(); vr != k || vc != c {
		t.Fatalf("%s: Vt is %dx%d, want %dx%d", name, vr, vc, k, c)
	}
	if len(s) != k {
		t.Fatalf("%s: %d singular values, want %d", name, len(s), k)
	}
	for i := 0; i < k; i++ {
		if i > 0 && s[i] > s[i-1] {
			t.Errorf("%s: singular values not decreasing: %v", name, s)
		}
		if math.Abs(s[i]-es[i]) > tolRel*es[i] {
			t.Errorf("%s: s[%d] = %.15g, want %.15g", name, i, s[i], es[i])
		}
		// Columns up to sign.
		ui, eui := mat.Col(nil, i, u), mat.Col(nil, i, eu)
		vi, evi := mat.Row(nil, i, vt), mat.Col(nil, i, ev)
		sign := 1.0
		if vecDot(ui, eui) < 0 {
			sign = -1
		}
		for j := range ui {
			if math.Abs(sign*ui[j]-eui[j]) > tolVec {
				t.Errorf("%s: U[%d,%d] = %v, want %v (sign %v)", name, j, i, ui[j], eui[j], sign)
				break
			}
		}
		for j := range vi {
			if math.Abs(sign*vi[j]-evi[j]) > tolVec {
				t.Errorf("%s: Vt[%d,%d] = %v, want %v (sign %v)", name, i, j, vi[j], evi[j], sign)
				break
			}
		}
	}
}

func vecDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestTruncatedSVDSmall(t *testing.T) {
	rng := newRNG(30)
	for _, sh := range [][2]int{{8, 6}, {6, 8}, {40, 30}, {5, 5}} {
		x := randDense(rng, sh[0], sh[1], 0, 1)
		eu, es, ev := exactSVD(t, x)
		for _, k := range []int{1, 3, min(sh[0], sh[1])} {
			u, s, vt, err := linalg.TruncatedSVD(linalg.NewDense(x), k, newRNG(1))
			if err != nil {
				t.Fatal(err)
			}
			checkSVD(t, "dense", u, s, vt, eu, es, ev, k, 1e-10, 1e-8)
		}
	}
}

// TestTruncatedSVDSparseDenseIdentical: a small matrix gives the same bits
// whether it is stored dense (also as a view) or sparse.
func TestTruncatedSVDSparseDenseIdentical(t *testing.T) {
	rng := newRNG(31)
	x := randSparseDense(rng, 50, 35, 0.2)
	k := 4
	u1, s1, v1, err := linalg.TruncatedSVD(linalg.NewDense(x), k, newRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]linalg.Matrix{
		"CSR":  linalg.CSRFromDense(x),
		"view": linalg.NewDense(stridedCopy(x)),
	} {
		u2, s2, v2, err := linalg.TruncatedSVD(m, k, newRNG(2))
		if err != nil {
			t.Fatal(err)
		}
		assertIdentical(t, name+" U", u2, u1)
		assertIdentical(t, name+" Vt", v2, v1)
		for i := range s1 {
			if math.Float64bits(s1[i]) != math.Float64bits(s2[i]) {
				t.Errorf("%s: s[%d] = %v, want %v", name, i, s2[i], s1[i])
			}
		}
	}
}

func TestTruncatedSVDRange(t *testing.T) {
	x := linalg.NewDense(mat.NewDense(4, 3, nil))
	xs := linalg.CSRFromDense(mat.NewDense(3, 5, nil))
	for _, k := range []int{-1, 0, 4} {
		if _, _, _, err := linalg.TruncatedSVD(x, k, newRNG(1)); err == nil {
			t.Errorf("k = %d on 4x3: no error", k)
		}
	}
	for _, k := range []int{0, 4, 6} {
		if _, _, _, err := linalg.TruncatedSVD(xs, k, newRNG(1)); err == nil {
			t.Errorf("k = %d on sparse 3x5: no error", k)
		}
	}
	// k = min(r, c) is allowed, even for a zero matrix.
	if _, s, _, err := linalg.TruncatedSVD(x, 3, newRNG(1)); err != nil || len(s) != 3 {
		t.Errorf("k = 3 on 4x3: %v, %v", s, err)
	}
}

// lowRankSparse returns a 600x700 sparse matrix, a rank-5 product of
// sparse nonnegative factors with well separated singular values plus
// sparse noise, and its singular values in decreasing order. Rows and
// columns each belong to one of 5 groups and entries lie only where the
// groups agree, so the matrix is a permuted block diagonal and its
// singular values are those of its 5 blocks, which are cheap to compute
// exactly.
func lowRankSparse(t *testing.T) (*mat.Dense, []float64) {
	rng := newRNG(32)
	const n, d, rank = 600, 700, 5
	rowGroup, colGroup := make([]int, n), make([]int, d)
	w := make([]float64, n)
	for i := range rowGroup {
		rowGroup[i], w[i] = i%rank, 1+rng.Float64()
	}
	h := make([]float64, d)
	for j := range colGroup {
		colGroup[j] = rng.IntN(rank)
		if rng.Float64() < 0.5 {
			scale := math.Pow(2, float64(rank-colGroup[j])) // 32, 16, ..., 2
			h[j] = scale * (0.5 + rng.Float64())
		}
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			if rowGroup[i] != colGroup[j] {
				continue
			}
			v := w[i] * h[j]
			if rng.Float64() < 0.05 {
				v += 0.1 * rng.Float64()
			}
			x.Set(i, j, v)
		}
	}
	var s []float64
	for g := 0; g < rank; g++ {
		var rows, cols []int
		for i, rg := range rowGroup {
			if rg == g {
				rows = append(rows, i)
			}
		}
		for j, cg := range colGroup {
			if cg == g {
				cols = append(cols, j)
			}
		}
		b := mat.NewDense(len(rows), len(cols), nil)
		for p, i := range rows {
			for q, j := range cols {
				b.Set(p, q, x.At(i, j))
			}
		}
		_, bs, _ := exactSVD(t, b)
		s = append(s, bs...)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	return x, s
}

// checkTriplets checks that the columns of U and rows of Vt are
// orthonormal singular vectors of x for s: ‖X·v − σu‖ and ‖Xᵀ·u − σv‖ are
// at most tol·σ.
func checkTriplets(t *testing.T, name string, x linalg.Matrix, u *mat.Dense, s []float64, vt *mat.Dense, tol float64) {
	t.Helper()
	r, c := x.Dims()
	k := len(s)
	for _, q := range []mat.Matrix{u, vt.T()} {
		var qtq mat.Dense
		qtq.Mul(q.T(), q)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(qtq.At(i, j)-want) > 1e-10 {
					t.Fatalf("%s: singular vectors not orthonormal: (%d,%d) = %v", name, i, j, qtq.At(i, j))
				}
			}
		}
	}
	xv := mat.NewDense(r, k, nil)
	x.Mul(xv, vt.T())
	xtu := mat.NewDense(c, k, nil)
	x.TMul(xtu, u)
	for i := 0; i < k; i++ {
		var e1, e2 float64
		for p := 0; p < r; p++ {
			e1 = math.Hypot(e1, xv.At(p, i)-s[i]*u.At(p, i))
		}
		for p := 0; p < c; p++ {
			e2 = math.Hypot(e2, xtu.At(p, i)-s[i]*vt.At(i, p))
		}
		if e1 > tol*s[i] || e2 > tol*s[i] {
			t.Errorf("%s: triplet %d residuals %v, %v for σ = %v", name, i, e1, e2, s[i])
		}
	}
}

func TestTruncatedSVDRandomized(t *testing.T) {
	x, es := lowRankSparse(t)
	xs := linalg.CSRFromDense(x)
	if nnz, all := xs.NNZ(), 600*700; nnz > all/4 {
		t.Fatalf("test matrix not sparse: %d of %d stored", nnz, all)
	}
	const k = 5
	// The top singular values are well separated and above the noise.
	if es[k-1] < 10*es[k] {
		t.Fatalf("test matrix has no gap: %v", es[:k+1])
	}
	if !testing.Short() {
		// The block decomposition gives the exact singular values.
		_, full, _ := exactSVD(t, x)
		for i := 0; i < 2*k; i++ {
			if math.Abs(full[i]-es[i]) > 1e-10*es[0] {
				t.Fatalf("block singular value %d = %v, full SVD %v", i, es[i], full[i])
			}
		}
	}
	var first *mat.Dense
	for _, procs := range []int{1, 4} {
		withProcs(procs, func() {
			u, s, vt, err := linalg.TruncatedSVD(xs, k, newRNG(7))
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != k {
				t.Fatalf("%d singular values", len(s))
			}
			for i := range s {
				if math.Abs(s[i]-es[i]) > 1e-6*es[i] {
					t.Errorf("s[%d] = %.15g, want %.15g", i, s[i], es[i])
				}
			}
			checkTriplets(t, "randomized", xs, u, s, vt, 1e-6)
			// Sparse products are deterministic, so is the whole SVD.
			if first == nil {
				first = u
			} else {
				assertIdentical(t, "randomized U procs", u, first)
			}
		})
	}
	// The tall transpose has the same singular values, U and V swapped.
	ut, st, vtt, err := linalg.TruncatedSVD(xs.T(), k, newRNG(8))
	if err != nil {
		t.Fatal(err)
	}
	for i := range st {
		if math.Abs(st[i]-es[i]) > 1e-6*es[i] {
			t.Errorf("transpose: s[%d] = %.15g, want %.15g", i, st[i], es[i])
		}
	}
	checkTriplets(t, "randomized transpose", xs.T(), ut, st, vtt, 1e-6)
	// The randomized method on the dense copy agrees.
	xd := linalg.NewDense(x)
	u, s, vt, err := linalg.TruncatedSVD(xd, k, newRNG(7))
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		if math.Abs(s[i]-es[i]) > 1e-6*es[i] {
			t.Errorf("dense: s[%d] = %.15g, want %.15g", i, s[i], es[i])
		}
	}
	checkTriplets(t, "randomized dense", xd, u, s, vt, 1e-6)
}
