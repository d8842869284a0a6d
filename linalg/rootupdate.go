package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// MulUpdateRoot sets f = f ⊙ (num ⊘ max(den, eps))^(1/root) elementwise for
// root 1, 2 or 4, taking the roots with math.Sqrt: the square-root and
// fourth-root multiplicative updates (ONMF, semi-NMF, asymmetric NMF and
// its deep version), several times faster than MulUpdate's math.Pow, which
// dominates the cost of a fourth-root update of a wide factor. The result
// can differ from MulUpdate's in the last bit. It panics for another root
// or mismatched shapes.
func MulUpdateRoot(f, num, den *mat.Dense, root int, eps float64) {
	r, c := f.Dims()
	fr, nr, dr := f.RawMatrix(), num.RawMatrix(), den.RawMatrix()
	if nr.Rows != r || nr.Cols != c || dr.Rows != r || dr.Cols != c {
		panic(mat.ErrShape)
	}
	if root != 1 && root != 2 && root != 4 {
		panic("linalg: MulUpdateRoot: root must be 1, 2 or 4")
	}
	parallelRows(r, float64(r*c)*4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fs := fr.Data[i*fr.Stride : i*fr.Stride+c]
			ns := nr.Data[i*nr.Stride : i*nr.Stride+c]
			ds := dr.Data[i*dr.Stride : i*dr.Stride+c]
			for j := range fs {
				q := ns[j] / max(ds[j], eps)
				switch root {
				case 2:
					q = math.Sqrt(q)
				case 4:
					q = math.Sqrt(math.Sqrt(q))
				}
				fs[j] *= q
			}
		}
	})
}
