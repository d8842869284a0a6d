package graph

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// edges builds an n x n matrix from (i, j, v) triplets.
func edges(t *testing.T, n int, tr [][3]float64) *linalg.CSR {
	t.Helper()
	var rows, cols []int
	var vals []float64
	for _, e := range tr {
		rows = append(rows, int(e[0]))
		cols = append(cols, int(e[1]))
		vals = append(vals, e[2])
	}
	m, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// path returns the unweighted path 0 - 1 - … - (n−1), both directions.
func path(t *testing.T, n int) *linalg.CSR {
	var tr [][3]float64
	for i := 0; i+1 < n; i++ {
		tr = append(tr, [3]float64{float64(i), float64(i + 1), 1}, [3]float64{float64(i + 1), float64(i), 1})
	}
	return edges(t, n, tr)
}

// same fails unless got equals want entry by entry within tol (relative to
// max(1, |want|)) and stores no zeros.
func same(t *testing.T, name string, got *linalg.CSR, want [][]float64, tol float64) {
	t.Helper()
	r, c := got.Dims()
	if r != len(want) || (r > 0 && c != len(want[0])) {
		t.Fatalf("%s: got %dx%d, want %dx%d", name, r, c, len(want), len(want[0]))
	}
	got.Each(func(i, j int, v float64) {
		if v == 0 {
			t.Errorf("%s: stored zero at (%d,%d)", name, i, j)
		}
	})
	for i := range want {
		for j, w := range want[i] {
			if g := got.At(i, j); math.Abs(g-w) > tol*max(1, math.Abs(w)) {
				t.Errorf("%s: (%d,%d) = %v, want %v", name, i, j, g, w)
			}
		}
	}
}

// symmetric fails unless m equals its transpose exactly.
func symmetric(t *testing.T, name string, m *linalg.CSR) {
	t.Helper()
	m.Each(func(i, j int, v float64) {
		if w := m.At(j, i); w != v {
			t.Errorf("%s: (%d,%d) = %v but (%d,%d) = %v", name, i, j, v, j, i, w)
		}
	})
}

func TestSymmetrize(t *testing.T) {
	a := edges(t, 3, [][3]float64{{0, 1, 2}, {1, 0, 1}, {1, 2, 3}, {2, 2, 5}})
	for _, tc := range []struct {
		rule Rule
		want [][]float64
	}{
		{Sum, [][]float64{{0, 3, 0}, {3, 0, 3}, {0, 3, 10}}},
		{Max, [][]float64{{0, 2, 0}, {2, 0, 3}, {0, 3, 5}}},
		{Or, [][]float64{{0, 1, 0}, {1, 0, 1}, {0, 1, 1}}},
	} {
		s, err := Symmetrize(a, tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "Symmetrize", s, tc.want, 0)
		symmetric(t, "Symmetrize", s)
	}
	if _, err := Symmetrize(a, Or+1); err == nil {
		t.Error("unknown rule: no error")
	}
	// A symmetric matrix is its own Max symmetrization and transpose:
	// neither is copied.
	u := edges(t, 3, [][3]float64{{0, 1, 2}, {1, 0, 2}, {1, 2, 3}, {2, 1, 3}})
	if s, err := Symmetrize(u, Max); err != nil || s != u || u.T() != u {
		t.Errorf("symmetric input: Symmetrize returned a copy (%v) or T did", err)
	}
	if s, _ := Symmetrize(u, Sum); s == u {
		t.Error("Sum of a symmetric input returned the input, want 2A")
	}
	// Equal patterns with unequal values are not symmetric.
	v := edges(t, 2, [][3]float64{{0, 1, 2}, {1, 0, 1}})
	if v.T() == v {
		t.Error("a matrix with A01 != A10 is its own transpose")
	}
}

func TestDropSelfLoopsAndDegrees(t *testing.T) {
	a := edges(t, 3, [][3]float64{{0, 0, 4}, {0, 1, 2}, {1, 2, 3}, {2, 2, 5}})
	same(t, "DropSelfLoops", DropSelfLoops(a), [][]float64{{0, 2, 0}, {0, 0, 3}, {0, 0, 0}}, 0)
	if b := DropSelfLoops(DropSelfLoops(a)); b == a {
		t.Error("DropSelfLoops returned an input with loops unchanged")
	}
	if nl := DropSelfLoops(a); DropSelfLoops(nl) != nl {
		t.Error("DropSelfLoops copied an input without loops")
	}
	out, in := Degrees(a)
	if !slices.Equal(out, []float64{6, 3, 5}) || !slices.Equal(in, []float64{4, 2, 8}) {
		t.Errorf("Degrees = %v, %v; want [6 3 5], [4 2 8]", out, in)
	}
}

func TestLaplacianOfPath(t *testing.T) {
	lp, err := NewLaplacian(path(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Laplacian", lp.Matrix(), [][]float64{
		{1, -1, 0, 0},
		{-1, 2, -1, 0},
		{0, -1, 2, -1},
		{0, 0, -1, 1},
	}, 0)
	// A self-loop cancels on the diagonal: L·1 = 0 still.
	lp, err = NewLaplacian(edges(t, 2, [][3]float64{{0, 0, 2}, {0, 1, 1}, {1, 0, 1}}))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Laplacian with self-loop", lp.Matrix(), [][]float64{{1, -1}, {-1, 1}}, 0)
}

func TestNormalized(t *testing.T) {
	// Path 0 - 1 - 2 and an isolated node 3: degrees 1, 2, 1, 0.
	a := edges(t, 4, [][3]float64{{0, 1, 1}, {1, 0, 1}, {1, 2, 1}, {2, 1, 1}})
	h := 1 / math.Sqrt2
	l, err := NormalizedLaplacian(a)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "NormalizedLaplacian", l, [][]float64{
		{1, -h, 0, 0},
		{-h, 1, -h, 0},
		{0, -h, 1, 0},
		{0, 0, 0, 0},
	}, 1e-15)
	symmetric(t, "NormalizedLaplacian", l)
	na, err := NormalizedAdjacency(a)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "NormalizedAdjacency", na, [][]float64{
		{0, h, 0, 0},
		{h, 0, h, 0},
		{0, h, 0, 0},
		{0, 0, 0, 0},
	}, 1e-15)
	symmetric(t, "NormalizedAdjacency", na)
}

func TestUndirectedFixture(t *testing.T) {
	f := loadFixture(t).Directed
	a := edges(t, f.N, f.Edges)
	s, err := Symmetrize(a, Sum)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Symmetrize", s, dense(f.N, f.Sum), 0)
	lp, err := NewLaplacian(s)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Laplacian", lp.Matrix(), dense(f.N, f.Laplacian), 1e-14)
	// The operator form: L·V = D·V − A·V and tr(VᵀLV) agree with the matrix.
	v := mat.NewDense(f.N, 2, nil)
	for i := range f.N {
		v.Set(i, 0, float64(i%3))
		v.Set(i, 1, math.Sin(float64(i)))
	}
	av, dv, lv := mat.NewDense(f.N, 2, nil), mat.NewDense(f.N, 2, nil), mat.NewDense(f.N, 2, nil)
	lp.MulA(av, v)
	lp.MulD(dv, v)
	lp.Matrix().Mul(lv, v)
	dv.Sub(dv, av)
	if !mat.EqualApprox(dv, lv, 1e-12) {
		t.Error("D·V − A·V differs from L·V")
	}
	if tr, want := lp.Trace(v, av), linalg.Dot(v, lv); math.Abs(tr-want) > 1e-12*math.Abs(want) {
		t.Errorf("trace %g, want %g", tr, want)
	}
	nl, err := NormalizedLaplacian(s)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "NormalizedLaplacian", nl, dense(f.N, f.NormalizedLaplacian), 1e-14)
	symmetric(t, "NormalizedLaplacian", nl)
}

func TestAdjacencyErrors(t *testing.T) {
	rect, err := linalg.NewCSRFromTriplets(2, 3, []int{0}, []int{2}, []float64{1}, false)
	if err != nil {
		t.Fatal(err)
	}
	neg := edges(t, 2, [][3]float64{{0, 1, -1}, {1, 0, 1}})
	nan := edges(t, 2, [][3]float64{{0, 1, math.NaN()}})
	fns := map[string]func(*linalg.CSR) error{
		"Symmetrize":          func(a *linalg.CSR) error { _, err := Symmetrize(a, Sum); return err },
		"NewLaplacian":        func(a *linalg.CSR) error { _, err := NewLaplacian(a); return err },
		"NormalizedLaplacian": func(a *linalg.CSR) error { _, err := NormalizedLaplacian(a); return err },
		"NormalizedAdjacency": func(a *linalg.CSR) error { _, err := NormalizedAdjacency(a); return err },
		"PageRank":            func(a *linalg.CSR) error { _, err := PageRank(a, nil); return err },
		"PageRankInfluence":   func(a *linalg.CSR) error { _, err := PageRankInfluence(a, nil); return err },
	}
	for name, fn := range fns {
		for what, a := range map[string]*linalg.CSR{"non-square": rect, "negative": neg, "NaN": nan} {
			if fn(a) == nil {
				t.Errorf("%s of a %s matrix: no error", name, what)
			}
		}
	}
	if _, err := AsymmetricCosine(rect); err != nil {
		t.Errorf("AsymmetricCosine of a rectangular matrix: %v", err)
	}
	if _, err := AsymmetricCosine(neg); err == nil {
		t.Error("AsymmetricCosine of a negative matrix: no error")
	}
}
