package graph

import (
	"fmt"
	"math"

	"github.com/deepnmf/deepnmf/linalg"
)

// Order says which way PageRank follows the edges of A.
type Order int

const (
	// Standard is the usual PageRank, where node j passes its score to the
	// nodes it links to: c_i = (1−ρ)/n + ρ Σ_j A_ji c_j / K_j.
	Standard Order = iota
	// Printed is DAsNMF's eq. 18 as printed, with the index order of A
	// swapped: c_i = (1−ρ)/n + ρ Σ_j A_ij c_j / K_j. A term whose K_j is
	// zero (j links nowhere) is left out.
	Printed
)

// PageRankOptions holds the settings of PageRank and PageRankInfluence.
// The zero value, and a nil *PageRankOptions, select the defaults.
type PageRankOptions struct {
	// Damping is ρ in (0, 1); zero means 0.85, DAsNMF's value.
	Damping float64
	// Order is the index order of the recurrence; the default is Standard.
	Order Order
	// Tol stops the iteration once Σ_i |Δc_i| ≤ Tol Σ_i c_i; zero means
	// 1e-12.
	Tol float64
	// MaxIter bounds the number of iterations; zero means 1000.
	MaxIter int
}

// PageRank returns the PageRank scores c of the directed graph A, the fixed
// point of
//
//	c_i = (1−ρ)/n + ρ Σ_j A_ji c_j / K_j      (Standard order)
//	c_i = (1−ρ)/n + ρ Σ_j A_ij c_j / K_j      (Printed order, DAsNMF eq. 18)
//
// with K_j = Σ_l A_jl the out-degree of j (the weighted one if A is
// weighted) and ρ the damping factor, found by fixed-point iteration from
// c = 1/n. The recurrence is taken literally: the score of a node without
// out-links is not redistributed, so in Standard order Σ_i c_i < 1 when
// there is one, and in Printed order the scores need not sum to 1 at all. In
// either order the iteration matrix has spectral radius at most ρ < 1, so
// the fixed point is unique and the iteration converges geometrically; it
// returns an error if it has not met opts.Tol after opts.MaxIter steps.
func PageRank(a *linalg.CSR, opts *PageRankOptions) ([]float64, error) {
	if err := check(a, true); err != nil {
		return nil, err
	}
	var o PageRankOptions
	if opts != nil {
		o = *opts
	}
	if o.Damping == 0 {
		o.Damping = 0.85
	}
	if o.Tol == 0 {
		o.Tol = 1e-12
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
	}
	if !(o.Damping > 0 && o.Damping < 1) || !(o.Tol > 0) || o.MaxIter < 0 {
		return nil, fmt.Errorf("graph: invalid PageRank options %+v", o)
	}
	// Row i of in holds the j with their weights that c_i gathers from.
	in := a.T()
	switch o.Order {
	case Standard:
	case Printed:
		in = a
	default:
		return nil, fmt.Errorf("graph: unknown PageRank order %d", o.Order)
	}
	n, _ := a.Dims()
	if n == 0 {
		return nil, nil
	}
	k, _ := Degrees(a)
	rho, base := o.Damping, (1-o.Damping)/float64(n)
	c := make([]float64, n)
	for i := range c {
		c[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	w := make([]float64, n) // c_j / K_j
	var change float64
	for range o.MaxIter {
		for j, kj := range k {
			if kj > 0 {
				w[j] = c[j] / kj
			}
		}
		var sum float64
		change = 0
		for i := range next {
			cols, vals := in.Row(i)
			var s float64
			for p, j := range cols {
				s += vals[p] * w[j]
			}
			next[i] = base + rho*s
			change += math.Abs(next[i] - c[i])
			sum += next[i]
		}
		c, next = next, c
		if change <= o.Tol*sum {
			return c, nil
		}
	}
	return nil, fmt.Errorf("graph: PageRank did not converge in %d iterations (change %g)", o.MaxIter, change)
}

// PageRankInfluence returns DAsNMF's influence matrix C (Hajiveiseh,
// Seyedi & Akhlaghian Tab, Pattern Recognition 148, 2024, eq. 19),
//
//	C_ij = c_i if A_ij ≠ 0, and 0 otherwise,
//
// where c = PageRank(a, opts). C = diag(c)·[A ≠ 0] has the pattern of A, so
// it is sparse by definition; DAsNMF's degree matrix is
// D = diag(Σ_j C_ij) = diag(c_i |Γi|), the out-degrees of C from Degrees.
// The regularizer 2tr(ΨᵀDΨ) − tr(ΨᵀCΨ) − tr(ΨᵀCᵀΨ) needs only the sparse
// products C·Ψ and Cᵀ·Ψ.
func PageRankInfluence(a *linalg.CSR, opts *PageRankOptions) (*linalg.CSR, error) {
	c, err := PageRank(a, opts)
	if err != nil {
		return nil, err
	}
	n, _ := a.Dims()
	b := newBuilder(n, a.NNZ())
	for i := range n {
		cols, vals := a.Row(i)
		for p, j := range cols {
			if vals[p] != 0 {
				b.add(j, c[i])
			}
		}
		b.endRow()
	}
	return b.csr(n, n), nil
}
