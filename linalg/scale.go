package linalg

import "gonum.org/v1/gonum/mat"

// ScaleRows sets dst = diag(s)·m: row i of m times s_i. It is the product
// with a diagonal matrix (a degree matrix D, or D^p) that gonum's Mul
// would do entry by entry. dst must have the shape of m and may be m.
func ScaleRows(dst, m *mat.Dense, s []float64) {
	r, c := m.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c || len(s) != r {
		panic(mat.ErrShape)
	}
	mr, dr := m.RawMatrix(), dst.RawMatrix()
	for i := 0; i < r; i++ {
		ms := mr.Data[i*mr.Stride : i*mr.Stride+c]
		ds := dr.Data[i*dr.Stride : i*dr.Stride+c]
		for j, v := range ms {
			ds[j] = s[i] * v
		}
	}
}
