package linalg

import "gonum.org/v1/gonum/mat"

// PosNeg splits m into its positive and negative parts, the nonnegative
// matrices
//
//	pos = (|m| + m)/2,  neg = (|m| − m)/2,
//
// so that m = pos − neg; the semi-NMF updates (Ding, Li and Jordan 2010)
// use them. pos and neg must have the shape of m and may not alias it.
func PosNeg(pos, neg *mat.Dense, m mat.Matrix) {
	r, c := m.Dims()
	if pr, pc := pos.Dims(); pr != r || pc != c {
		panic(mat.ErrShape)
	}
	if nr, nc := neg.Dims(); nr != r || nc != c {
		panic(mat.ErrShape)
	}
	md := asDense(m)
	mr, pr, nr := md.RawMatrix(), pos.RawMatrix(), neg.RawMatrix()
	for i := 0; i < r; i++ {
		ms := mr.Data[i*mr.Stride : i*mr.Stride+c]
		ps := pr.Data[i*pr.Stride : i*pr.Stride+c]
		ns := nr.Data[i*nr.Stride : i*nr.Stride+c]
		for j, v := range ms {
			if v > 0 {
				ps[j], ns[j] = v, 0
			} else {
				ps[j], ns[j] = 0, -v
			}
		}
	}
}
