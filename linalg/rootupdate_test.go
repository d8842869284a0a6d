package linalg_test

import (
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

func TestMulUpdateRoot(t *testing.T) {
	rng := initialize.NewRand(1)
	for _, shape := range [][2]int{{3, 4}, {300, 70}} {
		r, c := shape[0], shape[1]
		f0 := initialize.RandomDense(r, c, 1, rng)
		num := initialize.RandomDense(r, c, 1, rng)
		den := initialize.RandomDense(r, c, 1, rng)
		num.Set(0, 0, 0)
		den.Set(0, 1, 0) // floored at eps
		for _, root := range []int{1, 2, 4} {
			want := mat.DenseCopyOf(f0)
			linalg.MulUpdate(want, num, den, 1/float64(root), 1e-3)
			got := mat.DenseCopyOf(f0)
			linalg.MulUpdateRoot(got, num, den, root, 1e-3)
			for i := range r {
				for j := range c {
					if g, w := got.At(i, j), want.At(i, j); math.Abs(g-w) > 1e-14*math.Abs(w) {
						t.Fatalf("%dx%d root %d: (%d,%d) = %.17g, want %.17g", r, c, root, i, j, g, w)
					}
				}
			}
			one := mat.DenseCopyOf(f0)
			func() {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
				linalg.MulUpdateRoot(one, num, den, root, 1e-3)
			}()
			if !mat.Equal(one, got) {
				t.Errorf("%dx%d root %d: the result depends on GOMAXPROCS", r, c, root)
			}
		}
	}
	for name, fn := range map[string]func(){
		"root 3": func() {
			linalg.MulUpdateRoot(mat.NewDense(2, 2, nil), mat.NewDense(2, 2, nil), mat.NewDense(2, 2, nil), 3, 1)
		},
		"shape": func() {
			linalg.MulUpdateRoot(mat.NewDense(2, 2, nil), mat.NewDense(2, 3, nil), mat.NewDense(2, 2, nil), 2, 1)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}
