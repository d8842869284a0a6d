package linalg

import (
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
)

// Locality. A product X·B with a sparse X reads one row of B per stored
// entry, at the entry's column: when B is larger than the cache and the
// columns of neighbouring rows are scattered, nearly every read misses it
// and the product runs at the speed of memory latency. Graphs with
// communities whose nodes are numbered at random are the common case:
// reordered so that each community's nodes are consecutive, most reads of a
// row fall in a few cache-resident rows of B. BenchmarkCSRLocality, a
// 100000-node graph with 2M stored entries, 80% of them within communities
// of 100 nodes, k = 32, best of 3 (`go test -bench 'CSRLocality|LocalOrder'
// -count 3 -cpu 1,2 ./linalg`, 2026-12-05): 57 ms as stored, 40 ms through
// the reordered copy on one core (53 and 38 ms on two; an earlier run of 6:
// 42 → 34 and 38 → 33); the reordered product alone, without the gather
// and the scattered writes, 30-36 ms. Finding the order
// (BenchmarkLocalOrder) takes 310-350 ms, about seven products, once per
// pattern.
//
// CSR.Mul therefore keeps, for large products, a reordered copy of the
// matrix, Y = P·X·Qᵀ with row and column orders found by label propagation
// on the bipartite graph of X's pattern (each row takes the label most
// frequent among its columns, each column the one most frequent among its
// rows; nodes are then sorted by label), and computes X·B as Pᵀ·(Y·(Q·B)):
// one gather of B's rows into Q's order, costing a read per row of B instead
// of one per stored entry, and the product written straight into the rows of
// the result that P names. The order is kept only when it brings stored
// entries near the diagonal (localityGain); a graph without communities
// keeps the plain kernel. The order depends on the pattern only, so the
// matrices that share a pattern (WithValues, Apply, the normalizations)
// share one order, and each computes its reordered values once.

// localMin is the size in bytes of B from which CSR.Mul uses the
// reordered copy: B no longer fits in the cache of this machine's cores
// (BenchmarkCSRLocality's B is 25.6 MB).
const localMin = 8 << 20

// localRounds is the number of label-propagation sweeps (rows, then
// columns); labels on planted-partition graphs stop changing after 3-4.
const localRounds = 5

// pattern is the sparsity pattern of a CSR, shared by the matrices built
// from it with other values, with the order computed from it once.
type pattern struct {
	once sync.Once
	ord  *order // nil when no order improves locality
	// t is the record of the transposed pattern, which the transposes of
	// the matrices sharing this one share.
	tOnce sync.Once
	t     *pattern
	// tsrc[q] is the position in this pattern of the entry at position q
	// of its transpose, made once by transposeSource.
	srcOnce sync.Once
	tsrc    []int
}

// transposeSource returns the position in this pattern (of c columns,
// given by indptr and indices) of the entry at each position of the
// transposed pattern tIndptr, computed once: a matrix with this pattern
// whose values change in place refills its transpose through it.
func (p *pattern) transposeSource(c int, tIndptr, indptr, indices []int) []int {
	p.srcOnce.Do(func() {
		next := append([]int(nil), tIndptr[:c]...)
		p.tsrc = make([]int, len(indices))
		for i := 0; i+1 < len(indptr); i++ {
			for q := indptr[i]; q < indptr[i+1]; q++ {
				j := indices[q]
				p.tsrc[next[j]] = q
				next[j]++
			}
		}
	})
	return p.tsrc
}

// transposed returns the record of p's transpose.
func (p *pattern) transposed() *pattern {
	p.tOnce.Do(func() {
		p.t = &pattern{t: p}
		p.t.tOnce.Do(func() {})
	})
	return p.t
}

// order is a reordering of a CSR pattern: rows[i'] and cols[j'] are the
// original row and column of new row i' and column j'; indptr and indices
// are the reordered pattern, and src[p] is the position in the original
// data of the reordered entry p.
type order struct {
	rows, cols      []int
	indptr, indices []int
	src             []int
}

// localForm returns the reordered copy of m for products, computing the
// order of its pattern and its reordered values once, or nil when the
// pattern has no order that helps.
func (m *CSR) localForm() *CSR {
	o := m.order()
	if o == nil {
		return nil
	}
	m.localOnce.Do(func() {
		data := make([]float64, len(o.src))
		for q, s := range o.src {
			data[q] = m.data[s]
		}
		m.local = &CSR{r: m.r, c: m.c, indptr: o.indptr, indices: o.indices, data: data}
	})
	if m.localStale {
		m.localStale = false
		for q, s := range o.src {
			m.local.data[q] = m.data[s]
		}
	}
	return m.local
}

// order returns the order of m's pattern, found once, or nil when no order
// improves locality.
func (m *CSR) order() *order {
	p := m.pattern()
	p.once.Do(func() { p.ord = findOrder(m) })
	return p.ord
}

// pattern returns m's pattern record, shared with the matrices derived
// from m by sharing.
func (m *CSR) pattern() *pattern {
	m.patOnce.Do(func() {
		if m.pat == nil {
			m.pat = new(pattern)
		}
	})
	return m.pat
}

// sharing returns a matrix with m's pattern and the given values, one per
// stored entry in m's order, that shares m's pattern record.
func (m *CSR) sharing(data []float64) *CSR {
	return &CSR{r: m.r, c: m.c, indptr: m.indptr, indices: m.indices, data: data, pat: m.pattern()}
}

// gatherPools hold the buffers mulLocal gathers B's rows into, of float64s
// and of float32s: fresh buffers of B's size (tens of megabytes) would cost
// page faults on every product.
var gatherPools [2]sync.Pool

// gatherPool returns the pool of gather buffers of T.
func gatherPool[T scalar]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &gatherPools[1]
	}
	return &gatherPools[0]
}

// mulLocal sets dst = X·B through the reordered copy y of m.
func (m *CSR) mulLocal(y *CSR, dst, b blas64.General) {
	row := rowUnrolled[float64]
	if b.Cols > maxUnrolledK {
		row = rowAxpy
	}
	mulLocal(m.pat.ord, y.arrays(), row, dst.Data, dst.Stride, b.Data, b.Stride, b.Cols)
}

// mulLocal sets dst (row stride ldd) to X·B for B's k columns in b (row
// stride ldb), through the arrays y of X's copy reordered by o: B's rows
// are gathered in y's column order, and each row of y·(Q·B), computed with
// row, is written to the row of dst it stands for.
func mulLocal[T scalar](o *order, y csrArrays[T], row rowKernel[T], dst []T, ldd int, b []T, ldb, k int) {
	c := len(o.cols)
	pool := gatherPool[T]()
	buf, ok := pool.Get().(*[]T)
	if !ok {
		buf = new([]T)
	}
	defer pool.Put(buf)
	if cap(*buf) < c*k {
		*buf = make([]T, c*k)
	}
	qb := (*buf)[:c*k]
	parallelRows(c, float64(c*k), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			copy(qb[j*k:(j+1)*k], b[o.cols[j]*ldb:])
		}
	})
	y.mulRows(row, dst, ldd, qb, k, k, o.rows)
}

// findOrder returns the label-propagation order of m's pattern, or nil
// when it does not read localityGain times fewer blocks of B than the
// stored order (blocksTouched).
func findOrder(m *CSR) *order {
	t := m.T()
	rowLab, colLab := make([]int, m.r), make([]int, m.c)
	for j := range colLab {
		colLab[j] = j
	}
	count := make([]int, max(m.r, m.c))
	var seen []int
	// vote sets lab[i] to the label most frequent among the labels of the
	// nodes adj names, the smallest on a tie; a node without neighbours
	// keeps its own.
	vote := func(lab []int, i int, adj []int, from []int) {
		seen = seen[:0]
		for _, j := range adj {
			l := from[j]
			if count[l] == 0 {
				seen = append(seen, l)
			}
			count[l]++
		}
		best, n := lab[i], 0
		for _, l := range seen {
			if c := count[l]; c > n || (c == n && l < best) {
				best, n = l, c
			}
			count[l] = 0
		}
		lab[i] = best
	}
	for i := range rowLab {
		rowLab[i] = -1
	}
	for range localRounds {
		for i := range m.r {
			vote(rowLab, i, m.indices[m.indptr[i]:m.indptr[i+1]], colLab)
		}
		for j := range m.c {
			vote(colLab, j, t.indices[t.indptr[j]:t.indptr[j+1]], rowLab)
		}
	}
	// Empty rows keep -1 and go first; the sort is stable, so nodes of a
	// label stay in their original order.
	rows, cols := byLabel(rowLab), byLabel(colLab)
	newCol := make([]int, m.c)
	for jn, j := range cols {
		newCol[j] = jn
	}
	if blocksTouched(m.r, m.c, m.indptr, m.indices, rows, newCol)*localityGain > blocksTouched(m.r, m.c, m.indptr, m.indices, nil, nil) {
		return nil
	}
	o := &order{rows: rows, cols: cols, indptr: make([]int, m.r+1), indices: make([]int, len(m.indices)), src: make([]int, len(m.indices))}
	type entry struct{ col, src int }
	var buf []entry
	for in, i := range rows {
		lo, hi := m.indptr[i], m.indptr[i+1]
		buf = buf[:0]
		for p := lo; p < hi; p++ {
			buf = append(buf, entry{newCol[m.indices[p]], p})
		}
		slices.SortFunc(buf, func(a, b entry) int { return a.col - b.col })
		at := o.indptr[in]
		for q, e := range buf {
			o.indices[at+q], o.src[at+q] = e.col, e.src
		}
		o.indptr[in+1] = at + len(buf)
	}
	return o
}

// localityGain is how many times fewer blocks of B (blocksTouched) an order
// must read for CSR.Mul to use it.
const localityGain = 2

// byLabel returns the nodes sorted by label, ties in index order.
func byLabel(lab []int) []int {
	idx := make([]int, len(lab))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return lab[a] - lab[b] })
	return idx
}

// blocksTouched counts the blocks of 8 consecutive columns (in the order
// newCol gives; nil: as stored) that each group of 64 consecutive rows (in
// the order rows gives; nil: as stored) reads, summed over the groups: the
// rows of B a product fetches from memory when a group's reads stay in
// cache.
func blocksTouched(r, c int, indptr, indices, rows, newCol []int) int {
	const group, block = 64, 8
	last := make([]int, c/block+1)
	for b := range last {
		last[b] = -1
	}
	n := 0
	for in := range r {
		i := in
		if rows != nil {
			i = rows[in]
		}
		for _, j := range indices[indptr[i]:indptr[i+1]] {
			if newCol != nil {
				j = newCol[j]
			}
			if b := j / block; last[b] != in/group {
				last[b] = in / group
				n++
			}
		}
	}
	return n
}
