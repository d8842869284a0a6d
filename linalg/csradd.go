package linalg

import "fmt"

// AddCSR returns a + beta·b for two sparse matrices of the same shape,
// merging their rows: the result stores the union of the two patterns
// (an entry that sums to zero is kept as a stored zero, so the pattern
// does not depend on the values). It is the sum A + ηS of DAsNMF's input,
// where S has the pattern of A·Aᵀ, without forming a dense matrix.
func AddCSR(a, b *CSR, beta float64) (*CSR, error) {
	if a.r != b.r || a.c != b.c {
		return nil, fmt.Errorf("csr: cannot add a %dx%d and a %dx%d matrix", a.r, a.c, b.r, b.c)
	}
	indptr := make([]int, a.r+1)
	indices := make([]int, 0, len(a.data)+len(b.data))
	data := make([]float64, 0, len(a.data)+len(b.data))
	for i := 0; i < a.r; i++ {
		ac, av := a.Row(i)
		bc, bv := b.Row(i)
		p, q := 0, 0
		for p < len(ac) || q < len(bc) {
			switch {
			case q == len(bc) || (p < len(ac) && ac[p] < bc[q]):
				indices, data = append(indices, ac[p]), append(data, av[p])
				p++
			case p == len(ac) || bc[q] < ac[p]:
				indices, data = append(indices, bc[q]), append(data, beta*bv[q])
				q++
			default:
				indices, data = append(indices, ac[p]), append(data, av[p]+beta*bv[q])
				p++
				q++
			}
		}
		indptr[i+1] = len(data)
	}
	return &CSR{r: a.r, c: a.c, indptr: indptr, indices: indices, data: data}, nil
}
