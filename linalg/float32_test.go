package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// close32 fails t unless the float32 product got agrees with the float64
// one want to float32's rounding: a relative error of tol in the largest
// entry of want's row.
func close32(t *testing.T, name string, got blas32.General, want *mat.Dense, tol float64) {
	t.Helper()
	r, c := want.Dims()
	if got.Rows != r || got.Cols != c {
		t.Fatalf("%s: got %dx%d, want %dx%d", name, got.Rows, got.Cols, r, c)
	}
	for i := range r {
		scale := mat.Norm(want.RowView(i), math.Inf(1))
		for j := range c {
			if d := math.Abs(float64(got.Data[i*got.Stride+j]) - want.At(i, j)); !(d <= tol*scale) {
				t.Fatalf("%s: entry (%d,%d) = %v, want %v", name, i, j, got.Data[i*got.Stride+j], want.At(i, j))
			}
		}
	}
}

// TestFloat32Products checks the float32 forms' products against the
// float64 ones, dense and sparse, square and rectangular, with a B small
// enough for the plain kernel and one large enough for the reordered copy
// (localMin), to 1e-5 of each row's largest entry (float32 keeps 7 digits;
// sums of up to 70 nonnegative terms).
func TestFloat32Products(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	rect := planted(t, 400, 20, 10, 0.9, false, 5).ToDense().Slice(0, 300, 0, 400).(*mat.Dense)
	big := planted(t, 70000, 100, 8, 0.9, false, 6) // 4·70000·32 B ≥ localMin
	if big.order() == nil {
		t.Fatal("the large graph has no order: its products skip mulLocal")
	}
	for _, c := range []struct {
		name string
		x    Matrix
		k    int
	}{
		{"dense", NewDense(rect), 9},
		{"csr", CSRFromDense(rect), 9},
		{"csr wide", CSRFromDense(rect), 64},
		{"symmetric csr", planted(t, 500, 25, 12, 0.8, true, 7), 13},
		{"reordered csr", big, 32},
	} {
		x32, err := ToFloat32(c.x)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := ToFloat32(c.x); again != x32 {
			t.Errorf("%s: the float32 form is made again", c.name)
		}
		r, d := c.x.Dims()
		b, bt := randB(rng, d, c.k), randB(rng, r, c.k)
		want, wantT := mat.NewDense(r, c.k, nil), mat.NewDense(d, c.k, nil)
		c.x.Mul(want, b)
		c.x.TMul(wantT, bt)
		got, gotT := General32(mat.NewDense(r, c.k, nil)), General32(mat.NewDense(d, c.k, nil))
		x32.Mul(got, General32(b))
		x32.TMul(gotT, General32(bt))
		close32(t, c.name+" X·B", got, want, 1e-5)
		close32(t, c.name+" Xᵀ·B", gotT, wantT, 1e-5)
	}
	if _, err := ToFloat32(struct{ *Dense }{NewDense(rect)}); err == nil {
		t.Error("a Matrix of another kind has a float32 form")
	}
}

// TestMulUpdate32 checks MulUpdate32 against MulUpdate with gamma = 1, on
// a matrix large enough to run in parallel, with denominators below eps.
func TestMulUpdate32(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	f, num, den := randB(rng, 500, 40), randB(rng, 500, 40), randB(rng, 500, 40)
	den.Set(3, 4, 0)
	den.Set(7, 1, 1e-9)
	f32, n32, d32 := General32(f), General32(num), General32(den)
	MulUpdate(f, num, den, 1, Eps)
	MulUpdate32(f32, n32, d32, Eps)
	close32(t, "MulUpdate32", f32, f, 1e-6)
	if back := Dense64(f32); !mat.EqualApprox(back, f, 1e-6*mat.Norm(f, math.Inf(1))) {
		t.Error("Dense64 differs")
	}
}

// TestCoordinateDescent32 checks one float32 sweep against the float64
// one on the same operands, with rows enough to run in parallel: the
// factors to 1e-4 of each row's largest entry, the violations to 1e-4
// relative (each coordinate's step depends on those before it, so the
// float32 rounding compounds over the k coordinates of a row).
func TestCoordinateDescent32(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	const r, k = 700, 12
	g := randB(rng, 40, k)
	gram := mat.NewDense(k, k, nil)
	gram.Mul(g.T(), g)
	f, cross := randB(rng, r, k), randB(rng, r, k)
	cross.Scale(10, cross)
	perm := rng.Perm(k)
	f32 := General32(f)
	v32 := CoordinateDescent32(f32, General32(gram), General32(cross), perm)
	v64 := CoordinateDescent(f, gram, cross, perm)
	if math.Abs(v32-v64) > 1e-4*v64 {
		t.Errorf("violation %v in float32, %v in float64", v32, v64)
	}
	close32(t, "CoordinateDescent32", f32, f, 1e-4)
}
