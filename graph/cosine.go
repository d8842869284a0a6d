package graph

import (
	"math"
	"slices"

	"github.com/deepnmf/deepnmf/linalg"
)

// AsymmetricCosine returns the second-order similarity S of the directed
// graph A used by DAsNMF (Hajiveiseh, Seyedi & Akhlaghian Tab, Pattern
// Recognition 148, 2024, eq. 11), whose input is A_S = A + ηS:
//
//	S_uv = a_u·a_v / (‖a_u‖‖a_v‖) · |Γu∩Γv| / |Γu| · 2|Γu∩Γv| / (|Γu|+|Γv|)
//
// where a_u is row u of A and Γu = {k : A_uk ≠ 0} the out-neighbours of u.
// The first factor is the cosine of the two rows, the second the share of
// u's neighbours that v also has (which makes S asymmetric), the third the
// Sørensen–Dice coefficient of the two neighbourhoods. For a 0-1 matrix
// a_u·a_v = |Γu∩Γv| and ‖a_u‖² = |Γu|; for a weighted one the cosine uses
// the weights and the other factors the supports.
//
// S_uv is nonzero only when u and v share an out-neighbour, so S has the
// pattern of A·Aᵀ; it is computed row by row as that sparse product. A
// need not be square: S is r x r for an r x c matrix, so
// AsymmetricCosine(a.T()) gives the similarity by common in-neighbours,
// through the product Aᵀ·A.
//
// S_uu = 1 for every node with out-neighbours. The paper does not say
// whether this diagonal is kept; it is kept here, and DropSelfLoops(s)
// zeros it.
func AsymmetricCosine(a *linalg.CSR) (*linalg.CSR, error) {
	if err := check(a, false); err != nil {
		return nil, err
	}
	r, _ := a.Dims()
	at := a.T()
	deg := make([]float64, r) // |Γu|
	sq := make([]float64, r)  // ‖a_u‖²
	for u := range r {
		_, vals := a.Row(u)
		for _, v := range vals {
			if v != 0 {
				deg[u]++
				sq[u] += v * v
			}
		}
	}
	cols := make([][]int, r)
	vals := make([][]float64, r)
	linalg.Parallel(r, 64, func() func(lo, hi int) {
		// Gustavson's row-by-row product with a dense accumulator:
		// dot[v] = a_u·a_v and common[v] = |Γu∩Γv| for the v in touched.
		dot := make([]float64, r)
		common := make([]float64, r)
		seen := make([]bool, r)
		var touched []int
		return func(lo, hi int) {
			for u := lo; u < hi; u++ {
				touched = touched[:0]
				ks, aus := a.Row(u)
				for p, k := range ks {
					if aus[p] == 0 {
						continue
					}
					vs, avs := at.Row(k)
					for q, v := range vs {
						if avs[q] == 0 {
							continue
						}
						if !seen[v] {
							seen[v] = true
							dot[v], common[v] = 0, 0
							touched = append(touched, v)
						}
						dot[v] += aus[p] * avs[q]
						common[v]++
					}
				}
				slices.Sort(touched)
				cu := make([]int, 0, len(touched))
				su := make([]float64, 0, len(touched))
				for _, v := range touched {
					seen[v] = false
					m := common[v]
					s := dot[v] / math.Sqrt(sq[u]*sq[v]) * (m / deg[u]) * (2 * m / (deg[u] + deg[v]))
					if s != 0 {
						cu = append(cu, v)
						su = append(su, s)
					}
				}
				cols[u], vals[u] = cu, su
			}
		}
	})
	b := newBuilder(r, 0)
	for u := range r {
		b.indices = append(b.indices, cols[u]...)
		b.data = append(b.data, vals[u]...)
		b.endRow()
	}
	return b.csr(r, r), nil
}

// SecondOrder returns A_S = A + ηS with S = AsymmetricCosine(A), the
// graph with second-order (two-hop) similarities that deep asymmetric NMF
// factorizes (Hajiveiseh et al., Pattern Recognition 2024, eqs. 11-12),
// without S's diagonal when zeroDiag. It is sparse, with the pattern of
// A + AAᵀ.
func SecondOrder(a *linalg.CSR, eta float64, zeroDiag bool) (*linalg.CSR, error) {
	s, err := AsymmetricCosine(a)
	if err != nil {
		return nil, err
	}
	if zeroDiag {
		s = DropSelfLoops(s)
	}
	return linalg.AddCSR(a, s, eta)
}
