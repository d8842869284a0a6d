package graph

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Rule says how Symmetrize combines A with its transpose.
type Rule int

const (
	// Sum gives A + Aᵀ: an edge present in both directions gets the sum of
	// its two weights.
	Sum Rule = iota
	// Max gives max(A, Aᵀ) entrywise, the rule of Cai et al.'s constructW
	// for kNN graphs.
	Max
	// Or gives the 0-1 matrix with a one wherever A or Aᵀ has a nonzero:
	// the undirected graph underlying a directed one.
	Or
)

// Symmetrize returns the symmetric matrix that rule makes of the square
// matrix A and its transpose. DANMF (Ye et al., CIKM 2018) factorizes
// undirected graphs; Symmetrize(a, Or) turns a directed 0-1 adjacency
// matrix into one.
func Symmetrize(a *linalg.CSR, rule Rule) (*linalg.CSR, error) {
	if err := check(a, true); err != nil {
		return nil, err
	}
	if rule < Sum || rule > Or {
		return nil, fmt.Errorf("graph: unknown symmetrization rule %d", rule)
	}
	if rule == Max && a.T() == a {
		return a, nil // already symmetric (linalg.CSR.T): no copy
	}
	return symmetrize(a, rule), nil
}

// symmetrize is Symmetrize without the checks, merging row i of A with row
// i of Aᵀ. The result is exactly symmetric: each rule combines the two
// weights of a pair commutatively.
func symmetrize(a *linalg.CSR, rule Rule) *linalg.CSR {
	n, _ := a.Dims()
	at := a.T()
	b := newBuilder(n, 2*a.NNZ())
	combine := func(x, y float64) float64 {
		switch rule {
		case Sum:
			return x + y
		case Max:
			return max(x, y)
		}
		if x != 0 || y != 0 {
			return 1
		}
		return 0
	}
	for i := range n {
		ac, av := a.Row(i)
		tc, tv := at.Row(i)
		p, q := 0, 0
		for p < len(ac) || q < len(tc) {
			switch {
			case q == len(tc) || p < len(ac) && ac[p] < tc[q]:
				b.add(ac[p], combine(av[p], 0))
				p++
			case p == len(ac) || tc[q] < ac[p]:
				b.add(tc[q], combine(0, tv[q]))
				q++
			default:
				b.add(ac[p], combine(av[p], tv[q]))
				p++
				q++
			}
		}
		b.endRow()
	}
	return b.csr(n, n)
}

// DropSelfLoops returns A with its diagonal set to zero (A itself when it
// stores no diagonal entry). It also zeros the
// diagonal of a similarity matrix, such as the unit diagonal of
// AsymmetricCosine.
func DropSelfLoops(a *linalg.CSR) *linalg.CSR {
	r, c := a.Dims()
	if !hasLoops(a) {
		return a
	}
	b := newBuilder(r, a.NNZ())
	for i := range r {
		cols, vals := a.Row(i)
		for p, j := range cols {
			if j != i {
				b.add(j, vals[p])
			}
		}
		b.endRow()
	}
	return b.csr(r, c)
}

// hasLoops reports whether A stores a diagonal entry.
func hasLoops(a *linalg.CSR) bool {
	r, _ := a.Dims()
	for i := range r {
		cols, _ := a.Row(i)
		if slices.Contains(cols, i) {
			return true
		}
	}
	return false
}

// Degrees returns the weighted out-degrees d_i = Σ_j A_ij (row sums) and
// in-degrees Σ_j A_ji (column sums) of A. The degree matrix D = diag(out)
// is the one of DANMF's Laplacian and of DAsNMF's D = diag(row sums of C).
func Degrees(a *linalg.CSR) (out, in []float64) {
	r, c := a.Dims()
	out = make([]float64, r)
	in = make([]float64, c)
	for i := range r {
		cols, vals := a.Row(i)
		for p, j := range cols {
			out[i] += vals[p]
			in[j] += vals[p]
		}
	}
	return out, in
}

// Laplacian is the graph Laplacian L = D − A of a weighted graph, with
// D = diag(Σ_j A_ij), behind the regularizer tr(VᵀLV) = ½ Σ_ij A_ij
// ‖v_i − v_j‖² of DANMF (Ye et al., CIKM 2018, eq. 6) and GNMF (Cai et al.,
// TPAMI 2011) for symmetric A (for a directed A, the out-degree
// Laplacian). It is kept as A and the degrees: the graph terms of the
// models need A·V and D·V apart (in the numerator and the denominator of
// a multiplicative update) and tr(VᵀLV), never L itself.
type Laplacian struct {
	A   *linalg.CSR
	Deg []float64 // the row sums of A: the diagonal of D
}

// NewLaplacian returns the Laplacian of the adjacency matrix a, which must
// be square, finite and nonnegative (a self-loop adds to d_i and to A_ii,
// so it cancels in L). For an undirected graph A should be symmetric.
func NewLaplacian(a *linalg.CSR) (*Laplacian, error) {
	if err := check(a, true); err != nil {
		return nil, err
	}
	d, _ := Degrees(a)
	return &Laplacian{A: a, Deg: d}, nil
}

// MulA sets dst = A·v.
func (l *Laplacian) MulA(dst, v *mat.Dense) { l.A.Mul(dst, v) }

// MulD sets dst = D·v.
func (l *Laplacian) MulD(dst, v *mat.Dense) { linalg.ScaleRows(dst, v, l.Deg) }

// Trace returns tr(vᵀLv) = Σ_i d_i ‖v_i‖² − ⟨v, Av⟩, using scratch (the
// shape of v) for the products.
func (l *Laplacian) Trace(v, scratch *mat.Dense) float64 {
	l.MulD(scratch, v)
	t := linalg.Dot(v, scratch)
	l.MulA(scratch, v)
	return t - linalg.Dot(v, scratch)
}

// Matrix returns L = D − A as a sparse matrix.
func (l *Laplacian) Matrix() *linalg.CSR {
	return shift(l.A, l.Deg, func(i, j int, v float64) float64 { return -v })
}

// NormalizedLaplacian returns L = I − D^{-1/2} A D^{-1/2} with
// D = diag(Σ_j A_ij), the Laplacian of normalized-cut spectral clustering
// (Shi & Malik 2000; Ng, Jordan & Weiss 2001). An isolated node (d_i = 0)
// gets a zero row and column rather than a one on the diagonal, as in
// scipy's csgraph.laplacian(normed=True). A should be symmetric; the
// result then is too, exactly.
func NormalizedLaplacian(a *linalg.CSR) (*linalg.CSR, error) {
	if err := check(a, true); err != nil {
		return nil, err
	}
	d, _ := Degrees(a)
	one := make([]float64, len(d))
	for i, di := range d {
		if di > 0 {
			one[i] = 1
		}
	}
	return shift(a, one, func(i, j int, v float64) float64 { return -scaled(v, d[i], d[j]) }), nil
}

// NormalizedAdjacency returns D^{-1/2} A D^{-1/2} with D = diag(Σ_j A_ij),
// entry A_ij / √(d_i d_j), zero for an isolated node. It is the similarity
// matrix SymNMF factorizes with the normalized-cut objective (Kuang, Ding &
// Park, SDM 2012; graph_objfun = 'ncut' in the reference code
// dakuang/symnmf). A should be symmetric; the result then is too, exactly.
func NormalizedAdjacency(a *linalg.CSR) (*linalg.CSR, error) {
	if err := check(a, true); err != nil {
		return nil, err
	}
	d, _ := Degrees(a)
	return shift(a, nil, func(i, j int, v float64) float64 { return scaled(v, d[i], d[j]) }), nil
}

// scaled returns v / √(di dj), or zero when a degree is zero. The product
// under the root makes the result symmetric in i and j.
func scaled(v, di, dj float64) float64 {
	if di == 0 || dj == 0 {
		return 0
	}
	return v / math.Sqrt(di*dj)
}

// shift returns diag(diag) + F(A) for a square A, where F maps each stored
// entry A_ij to f(i, j, A_ij). A nil diag stands for zeros.
func shift(a *linalg.CSR, diag []float64, f func(i, j int, v float64) float64) *linalg.CSR {
	n, _ := a.Dims()
	b := newBuilder(n, a.NNZ()+n)
	for i := range n {
		var di float64
		if diag != nil {
			di = diag[i]
		}
		cols, vals := a.Row(i)
		done := false
		for p, j := range cols {
			if !done && j >= i {
				done = true
				if j == i {
					b.add(i, di+f(i, i, vals[p]))
					continue
				}
				b.add(i, di)
			}
			b.add(j, f(i, j, vals[p]))
		}
		if !done {
			b.add(i, di)
		}
		b.endRow()
	}
	return b.csr(n, n)
}

// check returns an error unless every entry of A is finite and
// nonnegative and, if square is set, A is square.
func check(a *linalg.CSR, square bool) error {
	r, c := a.Dims()
	if square && r != c {
		return fmt.Errorf("graph: adjacency matrix is %dx%d, not square", r, c)
	}
	s := a.Stats()
	if !s.Finite {
		return fmt.Errorf("graph: adjacency matrix has a non-finite weight")
	}
	if s.Min < 0 {
		return fmt.Errorf("graph: adjacency matrix has a negative weight %g", s.Min)
	}
	return nil
}

// builder appends the rows of a CSR matrix in order, leaving out zeros.
type builder struct {
	indptr, indices []int
	data            []float64
}

func newBuilder(rows, nnz int) *builder {
	return &builder{
		indptr:  make([]int, 1, rows+1),
		indices: make([]int, 0, nnz),
		data:    make([]float64, 0, nnz),
	}
}

// add appends the entry v in column j of the current row unless v is zero.
func (b *builder) add(j int, v float64) {
	if v != 0 {
		b.indices = append(b.indices, j)
		b.data = append(b.data, v)
	}
}

// endRow closes the current row.
func (b *builder) endRow() { b.indptr = append(b.indptr, len(b.indices)) }

// csr returns the matrix built. Its rows must all have been closed.
func (b *builder) csr(r, c int) *linalg.CSR {
	m, err := linalg.NewCSR(r, c, b.indptr, b.indices, b.data)
	if err != nil {
		panic(err) // a bug in this package: rows are built in range and unique
	}
	return m
}
