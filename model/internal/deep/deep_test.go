package deep

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

func TestCheckLayers(t *testing.T) {
	for _, c := range []struct {
		layers     []int
		limit      int
		decreasing bool
		want       string
	}{
		{nil, 10, false, "no layers"},
		{[]int{0}, 10, false, "size 0"},
		{[]int{4, 10}, 10, false, "size 10"},
		{[]int{4, 6}, 10, true, "must decrease"},
		{[]int{6, 4}, 10, true, ""},
		{[]int{4, 6}, 10, false, ""},
	} {
		err := CheckLayers(c.layers, c.limit, c.decreasing)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.layers, err, c.want)
		}
	}
}

// TestStack checks the products of the stack: Ψ, Ψ̃ and the projections,
// the decoder residual, and the chaining of pre-training.
func TestStack(t *testing.T) {
	rng := initialize.NewRand(1)
	x := linalg.NewDense(initialize.Uniform(12, 9, 1, rng))
	ls, err := Pretrain(x, []int{5, 3, 2}, func(_ int, in linalg.Matrix, r int) (Layer, error) {
		n, m := in.Dims()
		if n != 12 {
			t.Fatalf("layer input has %d rows, want 12", n)
		}
		return Layer{U: initialize.Uniform(m, r, 1, rng), H: initialize.Uniform(n, r, 1, rng)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ls[1].U.Dims(); r != 5 {
		t.Errorf("layer 2's factor has %d rows, want the 5 columns of layer 1's coefficients", r)
	}
	s := NewStack(x, ls)
	psi := linalg.Product(linalg.Product(ls[0].U, ls[1].U), ls[2].U)
	if !mat.EqualApprox(psi, s.Product(), 1e-13) {
		t.Error("Ψ is not U1U2U3")
	}
	s.BeginSweep()
	if !mat.EqualApprox(s.PsiTilde(1), s.Product(), 1e-13) {
		t.Error("Ψ̃ before any update is not Ψ")
	}
	// Project(l, a) = Ψ_{l−1}ᵀ a Φ_{l+1}ᵀ.
	a := initialize.Uniform(9, 2, 1, rng)
	want := linalg.Product(linalg.Product(ls[0].U.T(), a), ls[2].U.T())
	if !mat.EqualApprox(s.Project(1, a, 0), want, 1e-13) {
		t.Error("projection onto layer 2 is not Ψ1ᵀ·a·U3ᵀ")
	}
	s.RefreshPsi()
	s.RefreshTop()
	var r mat.Dense
	r.Mul(s.Top(), s.Product().T())
	r.Sub(x.Raw(), &r)
	if got, want := s.DecoderResidual(), linalg.Dot(&r, &r); math.Abs(got-want) > 1e-10*want {
		t.Errorf("decoder residual %g, want %g", got, want)
	}
}
