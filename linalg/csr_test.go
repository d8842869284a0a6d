package linalg_test

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

func TestNewCSRErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r, c    int
		indptr  []int
		indices []int
		data    []float64
		want    string
	}{
		{"negative rows", -1, 3, []int{0}, nil, nil, "negative shape"},
		{"negative cols", 2, -1, []int{0, 0, 0}, nil, nil, "negative shape"},
		{"indptr too short", 2, 3, []int{0, 1}, []int{0}, []float64{1}, "indptr has length"},
		{"indptr too long", 1, 3, []int{0, 1, 1}, []int{0}, []float64{1}, "indptr has length"},
		{"indptr nil", 0, 3, nil, nil, nil, "indptr has length"},
		{"indptr not from 0", 2, 3, []int{1, 1, 2}, []int{0, 1}, []float64{1, 2}, "indptr has length"},
		{"indptr end", 2, 3, []int{0, 1, 1}, []int{0, 1}, []float64{1, 2}, "indptr ends at"},
		{"indices/data lengths", 2, 3, []int{0, 1, 2}, []int{0, 1}, []float64{1}, "indptr ends at"},
		{"indptr decreases", 3, 3, []int{0, 2, 1, 2}, []int{0, 1}, []float64{1, 2}, "indptr decreases"},
		{"indptr overshoots", 2, 3, []int{0, 5, 2}, []int{0, 1}, []float64{1, 2}, "indptr"},
		{"indptr negative", 2, 3, []int{0, -1, 2}, []int{0, 1}, []float64{1, 2}, "indptr"},
		{"column too large", 2, 3, []int{0, 1, 2}, []int{0, 3}, []float64{1, 2}, "out of range"},
		{"column negative", 2, 3, []int{0, 1, 2}, []int{-1, 0}, []float64{1, 2}, "out of range"},
		{"duplicate column", 2, 3, []int{0, 2, 3}, []int{1, 1, 0}, []float64{1, 2, 3}, "duplicate entry (0,1)"},
		{"duplicate unsorted", 1, 4, []int{0, 3}, []int{2, 0, 2}, []float64{1, 2, 3}, "duplicate entry (0,2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m *linalg.CSR
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("NewCSR panicked instead of returning an error: %v", p)
					}
				}()
				m, err = linalg.NewCSR(tc.r, tc.c, tc.indptr, tc.indices, tc.data)
			}()
			if err == nil {
				t.Fatalf("NewCSR = %v, nil; want an error", m)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestNewCSRSortsRows(t *testing.T) {
	// Row 0 unsorted, row 1 empty, row 2 reversed, row 3 sorted.
	indptr := []int{0, 3, 3, 6, 7}
	indices := []int{4, 0, 2, 3, 1, 0, 2}
	data := []float64{40, 0.5, 20, 23, 21, 20.5, 32}
	m, err := linalg.NewCSR(4, 5, indptr, indices, data)
	if err != nil {
		t.Fatal(err)
	}
	r, c := m.Dims()
	if r != 4 || c != 5 || m.NNZ() != 7 {
		t.Fatalf("Dims = %dx%d NNZ = %d, want 4x5 and 7", r, c, m.NNZ())
	}
	want := [][2][]float64{
		{{0, 2, 4}, {0.5, 20, 40}},
		{{}, {}},
		{{0, 1, 3}, {20.5, 21, 23}},
		{{2}, {32}},
	}
	for i, w := range want {
		cols, vals := m.Row(i)
		fc := make([]float64, len(cols))
		for p, j := range cols {
			fc[p] = float64(j)
		}
		if !slices.Equal(fc, w[0]) || !slices.Equal(vals, w[1]) {
			t.Errorf("Row(%d) = %v %v, want %v %v", i, cols, vals, w[0], w[1])
		}
	}
	ip, ind, dat := m.Raw()
	if !slices.Equal(ip, indptr) || len(ind) != 7 || len(dat) != 7 {
		t.Errorf("Raw = %v %v %v", ip, ind, dat)
	}
	// The values moved with their indices.
	assertIdentical(t, "sorted", m.ToDense(), mat.NewDense(4, 5, []float64{
		0.5, 0, 20, 0, 40,
		0, 0, 0, 0, 0,
		20.5, 21, 0, 23, 0,
		0, 0, 32, 0, 0,
	}))
	checkCSRInvariants(t, m)
}

func TestNewCSREmpty(t *testing.T) {
	m, err := linalg.NewCSR(0, 0, []int{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 0 || c != 0 || m.NNZ() != 0 {
		t.Errorf("empty CSR: %dx%d nnz %d", r, c, m.NNZ())
	}
	m, err = linalg.NewCSR(3, 2, []int{0, 0, 0, 0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Stats()
	if s.Sum != 0 || s.SquaredNorm != 0 || s.Min != 0 || s.Max != 0 || !s.Finite {
		t.Errorf("Stats of a 3x2 zero CSR = %+v", s)
	}
	if got := m.T(); got.NNZ() != 0 {
		t.Errorf("T of empty: nnz %d", got.NNZ())
	}
}

func TestNewCSRFromTriplets(t *testing.T) {
	rows := []int{2, 0, 2, 0, 1, 2, 0, 2}
	cols := []int{1, 3, 0, 3, 2, 1, 0, 0}
	vals := []float64{1, 2, 3, 4, 5, -1, 7, 0}
	// (2,1): 1 + -1 = 0 cancels; (0,3): 2+4; (2,0): 3+0.
	for _, keep := range []bool{false, true} {
		m, err := linalg.NewCSRFromTriplets(3, 4, rows, cols, vals, keep)
		if err != nil {
			t.Fatal(err)
		}
		want := mat.NewDense(3, 4, []float64{
			7, 0, 0, 6,
			0, 0, 5, 0,
			3, 0, 0, 0,
		})
		assertIdentical(t, "triplets", m.ToDense(), want)
		wantNNZ := 4
		if keep {
			wantNNZ = 5
		}
		if m.NNZ() != wantNNZ {
			t.Errorf("keepZeros=%v: NNZ = %d, want %d", keep, m.NNZ(), wantNNZ)
		}
		cols2, vals2 := m.Row(2)
		if keep {
			if !slices.Equal(cols2, []int{0, 1}) || !slices.Equal(vals2, []float64{3, 0}) {
				t.Errorf("keepZeros row 2 = %v %v, want [0 1] [3 0]", cols2, vals2)
			}
		} else if !slices.Equal(cols2, []int{0}) || !slices.Equal(vals2, []float64{3}) {
			t.Errorf("row 2 = %v %v, want [0] [3]", cols2, vals2)
		}
		checkCSRInvariants(t, m)
	}
	// Rows of a triplet matrix are in column order even when the input is not.
	rng := newRNG(1)
	d := randSparseDense(rng, 30, 20, 0.3)
	var rr, cc []int
	var vv []float64
	d.Apply(func(i, j int, v float64) float64 {
		if v != 0 {
			rr, cc, vv = append(rr, i), append(cc, j), append(vv, v)
		}
		return v
	}, d)
	rng.Shuffle(len(rr), func(a, b int) {
		rr[a], rr[b] = rr[b], rr[a]
		cc[a], cc[b] = cc[b], cc[a]
		vv[a], vv[b] = vv[b], vv[a]
	})
	m, err := linalg.NewCSRFromTriplets(30, 20, rr, cc, vv, false)
	if err != nil {
		t.Fatal(err)
	}
	checkCSRInvariants(t, m)
	assertIdentical(t, "shuffled triplets", m.ToDense(), d)
}

func TestNewCSRFromTripletsErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		r, c       int
		rows, cols []int
		vals       []float64
	}{
		{"row too large", 2, 2, []int{2}, []int{0}, []float64{1}},
		{"row negative", 2, 2, []int{-1}, []int{0}, []float64{1}},
		{"col too large", 2, 2, []int{0}, []int{2}, []float64{1}},
		{"col negative", 2, 2, []int{0}, []int{-1}, []float64{1}},
		{"lengths", 2, 2, []int{0, 1}, []int{0}, []float64{1}},
		{"values length", 2, 2, []int{0}, []int{0}, []float64{1, 2}},
		{"negative rows", -1, 2, nil, nil, nil},
		{"negative rows 2", -2, 2, nil, nil, nil},
		{"negative cols", 2, -1, nil, nil, nil},
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panicked instead of returning an error: %v", tc.name, p)
				}
			}()
			if m, err := linalg.NewCSRFromTriplets(tc.r, tc.c, tc.rows, tc.cols, tc.vals, false); err == nil {
				t.Errorf("%s: got %v, want an error", tc.name, m)
			}
		}()
	}
	// An empty shape is fine.
	if m, err := linalg.NewCSRFromTriplets(0, 0, nil, nil, nil, false); err != nil || m.NNZ() != 0 {
		t.Errorf("0x0: %v, %v", m, err)
	}
}

// checkCSRInvariants checks that every row of m is sorted and unique and
// in range.
func checkCSRInvariants(t *testing.T, m *linalg.CSR) {
	t.Helper()
	r, c := m.Dims()
	indptr, indices, data := m.Raw()
	if len(indptr) != r+1 || indptr[0] != 0 || indptr[r] != len(indices) || len(indices) != len(data) {
		t.Fatalf("bad CSR arrays: indptr %v, %d indices, %d values", indptr, len(indices), len(data))
	}
	for i := 0; i < r; i++ {
		cols, _ := m.Row(i)
		for p, j := range cols {
			if j < 0 || j >= c || (p > 0 && cols[p-1] >= j) {
				t.Fatalf("row %d columns %v not sorted, unique, in [0,%d)", i, cols, c)
			}
		}
	}
}

func TestCSRDenseRoundTrip(t *testing.T) {
	rng := newRNG(2)
	for _, sh := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {13, 9}, {40, 60}} {
		for _, density := range []float64{0, 0.05, 0.5, 1} {
			d := randSparseDense(rng, sh[0], sh[1], density)
			m := linalg.CSRFromDense(d)
			checkCSRInvariants(t, m)
			assertIdentical(t, "round trip", m.ToDense(), d)
			nnz := 0
			for i := 0; i < sh[0]; i++ {
				for j := 0; j < sh[1]; j++ {
					if v := d.At(i, j); v != 0 {
						nnz++
					}
					if m.At(i, j) != d.At(i, j) {
						t.Fatalf("At(%d,%d) = %v, want %v", i, j, m.At(i, j), d.At(i, j))
					}
				}
			}
			if m.NNZ() != nnz {
				t.Errorf("NNZ = %d, want %d", m.NNZ(), nnz)
			}
			// From a view and a transposed view.
			assertIdentical(t, "from view", linalg.CSRFromDense(stridedCopy(d)).ToDense(), d)
			assertIdentical(t, "from T", linalg.CSRFromDense(d.T()).ToDense(), linalg.Transpose(d))
		}
	}
}

func TestCSRTranspose(t *testing.T) {
	rng := newRNG(3)
	d := randSparseDense(rng, 23, 17, 0.2)
	// Force an empty row and an empty column.
	for j := 0; j < 17; j++ {
		d.Set(5, j, 0)
	}
	for i := 0; i < 23; i++ {
		d.Set(i, 11, 0)
	}
	m := linalg.CSRFromDense(d)
	mt := m.T()
	if r, c := mt.Dims(); r != 17 || c != 23 {
		t.Fatalf("T dims %dx%d", r, c)
	}
	if mt.NNZ() != m.NNZ() {
		t.Errorf("T NNZ %d, want %d", mt.NNZ(), m.NNZ())
	}
	checkCSRInvariants(t, mt)
	assertIdentical(t, "T", mt.ToDense(), linalg.Transpose(d))
	if m.T() != mt {
		t.Error("T is not cached")
	}
	if mt.T() != m {
		t.Error("T().T() is not the original matrix")
	}
	// Concurrent first calls of T and Stats are safe and agree.
	m2 := linalg.CSRFromDense(d)
	var wg sync.WaitGroup
	res := make([]*linalg.CSR, 8)
	sts := make([]linalg.Stats, 8)
	for g := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[g] = m2.T()
			sts[g] = m2.Stats()
		}()
	}
	wg.Wait()
	for g := range res {
		if res[g] != res[0] || sts[g] != sts[0] {
			t.Fatal("concurrent T/Stats disagree")
		}
	}
}

func TestCSRStats(t *testing.T) {
	// Sparse with implicit zeros: min/max include 0.
	d := mat.NewDense(3, 3, []float64{
		1, 0, 2,
		0, 3, 0,
		0, 0, 4,
	})
	s := linalg.CSRFromDense(d).Stats()
	want := linalg.Stats{Sum: 10, SquaredNorm: 30, Min: 0, Max: 4, Finite: true}
	if s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
	if got := linalg.NewDense(d).Stats(); got != want {
		t.Errorf("Dense Stats = %+v, want %+v", got, want)
	}
	// All negative with implicit zeros: Max is 0.
	neg := mat.NewDense(2, 2, []float64{-1, 0, -3, -2})
	s = linalg.CSRFromDense(neg).Stats()
	want = linalg.Stats{Sum: -6, SquaredNorm: 14, Min: -3, Max: 0, Finite: true}
	if s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
	// Fully stored: no implicit zero.
	full := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	s = linalg.CSRFromDense(full).Stats()
	want = linalg.Stats{Sum: 10, SquaredNorm: 30, Min: 1, Max: 4, Finite: true}
	if s != want {
		t.Errorf("full Stats = %+v, want %+v", s, want)
	}
	if got := linalg.NewDense(full).Stats(); got != want {
		t.Errorf("Dense full Stats = %+v, want %+v", got, want)
	}
	// A stored explicit zero counts as stored, and is the minimum.
	z, err := linalg.NewCSR(1, 2, []int{0, 2}, []int{0, 1}, []float64{0, 5})
	if err != nil {
		t.Fatal(err)
	}
	if s := z.Stats(); s.Min != 0 || s.Max != 5 || s.Sum != 5 {
		t.Errorf("stored-zero Stats = %+v", s)
	}
	// Non-finite entries.
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		m := mat.NewDense(2, 2, []float64{1, bad, 0, 2})
		if linalg.CSRFromDense(m).Stats().Finite {
			t.Errorf("CSR Stats Finite with %v", bad)
		}
		if linalg.NewDense(m).Stats().Finite {
			t.Errorf("Dense Stats Finite with %v", bad)
		}
	}
	// Random: agree with a naive sum, dense vs sparse.
	rng := newRNG(4)
	r := randSparseDense(rng, 31, 29, 0.3)
	var sum, sq float64
	mn, mx := math.Inf(1), math.Inf(-1)
	for i := 0; i < 31; i++ {
		for j := 0; j < 29; j++ {
			v := r.At(i, j)
			sum += v
			sq += v * v
			mn, mx = min(mn, v), max(mx, v)
		}
	}
	for _, m := range []linalg.Matrix{linalg.CSRFromDense(r), linalg.NewDense(r), linalg.NewDense(stridedCopy(r))} {
		s := m.Stats()
		if math.Abs(s.Sum-sum) > 1e-12 || math.Abs(s.SquaredNorm-sq) > 1e-12 || s.Min != mn || s.Max != mx || !s.Finite {
			t.Errorf("%T Stats = %+v, want sum %v sq %v min %v max %v", m, s, sum, sq, mn, mx)
		}
		if got, want := linalg.Mean(m), sum/(31*29); math.Abs(got-want) > 1e-15 {
			t.Errorf("%T Mean = %v, want %v", m, got, want)
		}
	}
}

func TestMean(t *testing.T) {
	d := mat.NewDense(2, 4, []float64{1, 0, 0, 3, 0, 0, 4, 0})
	for _, m := range []linalg.Matrix{linalg.NewDense(d), linalg.CSRFromDense(d)} {
		if got := linalg.Mean(m); got != 1 {
			t.Errorf("%T Mean = %v, want 1 (over all 8 entries)", m, got)
		}
	}
}

func TestEachOrder(t *testing.T) {
	rng := newRNG(5)
	d := randSparseDense(rng, 12, 9, 0.4)
	type entry struct {
		i, j int
		v    float64
	}
	var want []entry
	for i := 0; i < 12; i++ {
		for j := 0; j < 9; j++ {
			if v := d.At(i, j); v != 0 {
				want = append(want, entry{i, j, v})
			}
		}
	}
	var got []entry
	linalg.CSRFromDense(d).Each(func(i, j int, v float64) { got = append(got, entry{i, j, v}) })
	if !slices.Equal(got, want) {
		t.Errorf("CSR Each visited %v, want %v", got, want)
	}
	// Dense visits every entry in row-major order, also through a view.
	got = got[:0]
	n := 0
	linalg.NewDense(stridedCopy(d)).Each(func(i, j int, v float64) {
		if i != n/9 || j != n%9 || v != d.At(i, j) {
			t.Fatalf("Dense Each call %d: (%d,%d,%v)", n, i, j, v)
		}
		n++
	})
	if n != 12*9 {
		t.Errorf("Dense Each made %d calls, want %d", n, 12*9)
	}
	if nnz := linalg.NewDense(d).NNZ(); nnz != 12*9 {
		t.Errorf("Dense NNZ = %d", nnz)
	}
}

// TestCSRAtOutOfRangeColumn: At with a column past the last stored one
// returns 0.
func TestCSRAtPastStored(t *testing.T) {
	m, err := linalg.NewCSR(2, 10, []int{0, 2, 2}, []int{1, 4}, []float64{1, 4})
	if err != nil {
		t.Fatal(err)
	}
	for j, w := range []float64{0, 1, 0, 0, 4, 0, 0, 0, 0, 0} {
		if got := m.At(0, j); got != w {
			t.Errorf("At(0,%d) = %v, want %v", j, got, w)
		}
		if got := m.At(1, j); got != 0 {
			t.Errorf("At(1,%d) = %v, want 0", j, got)
		}
	}
}

// TestCSRAllocsIndependentOfRows checks that building a CSR matrix makes a
// fixed number of allocations, however many rows it has: a reader that
// checked the memory of the row pointers must not meet another cost per
// row.
func TestCSRAllocsIndependentOfRows(t *testing.T) {
	const r = 100_000
	indptr := make([]int, r+1)
	for i := range indptr {
		indptr[i] = min(i, 2)
	}
	if n := testing.AllocsPerRun(3, func() {
		if _, err := linalg.NewCSRFromTriplets(r, r, []int{0, 0, 1}, []int{2, 1, 0}, []float64{1, 2, 3}, false); err != nil {
			t.Fatal(err)
		}
	}); n > 10 {
		t.Errorf("NewCSRFromTriplets with %d rows: %v allocations", r, n)
	}
	if n := testing.AllocsPerRun(3, func() {
		if _, err := linalg.NewCSR(r, r, indptr, []int{1, 0}, []float64{1, 2}); err != nil {
			t.Fatal(err)
		}
	}); n > 10 {
		t.Errorf("NewCSR with %d rows: %v allocations", r, n)
	}
}

// TestWithValues checks that WithValues keeps the pattern and refuses a
// wrong number of values.
func TestWithValues(t *testing.T) {
	m, err := linalg.NewCSRFromTriplets(2, 3, []int{0, 1, 1}, []int{2, 0, 1}, []float64{1, 2, 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	v := m.WithValues([]float64{4, 5, 6})
	for _, c := range []struct {
		i, j int
		want float64
	}{{0, 2, 4}, {1, 0, 5}, {1, 1, 6}, {0, 0, 0}} {
		if got := v.At(c.i, c.j); got != c.want {
			t.Errorf("(%d, %d) = %g, want %g", c.i, c.j, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for two values of three entries")
		}
	}()
	m.WithValues([]float64{1, 2})
}
