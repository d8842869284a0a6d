package metric

import "fmt"

// contingency is the table of counts of labelled samples by true class and
// predicted cluster, over the classes and clusters that occur. Rows and
// columns follow the order of the label values.
type contingency struct {
	n      int   // labelled samples
	r, c   int   // classes and clusters that occur
	count  []int // r×c, row-major: count[i*c+j] = n_ij
	rowSum []int // a_i
	colSum []int // b_j
}

func newContingency(truth, pred []int) *contingency {
	if len(truth) != len(pred) {
		panic(fmt.Sprintf("metric: %d true labels but %d predicted", len(truth), len(pred)))
	}
	tmax, pmax := -1, -1
	for k, t := range truth {
		if t < 0 {
			continue
		}
		if pred[k] < 0 {
			panic(fmt.Sprintf("metric: negative predicted label %d at %d", pred[k], k))
		}
		tmax, pmax = max(tmax, t), max(pmax, pred[k])
	}
	tsize, psize := make([]int, tmax+1), make([]int, pmax+1)
	for k, t := range truth {
		if t >= 0 {
			tsize[t]++
			psize[pred[k]]++
		}
	}
	row, rowSum := compact(tsize)
	col, colSum := compact(psize)
	t := &contingency{r: len(rowSum), c: len(colSum), rowSum: rowSum, colSum: colSum}
	t.count = make([]int, t.r*t.c)
	for k, l := range truth {
		if l >= 0 {
			t.count[row[l]*t.c+col[pred[k]]]++
			t.n++
		}
	}
	return t
}

// compact numbers the labels of nonzero size 0, 1, ... in increasing order.
// It returns each label's number, -1 for the others, and the sizes in the
// new order.
func compact(size []int) (index, sizes []int) {
	index = make([]int, len(size))
	for l, s := range size {
		index[l] = -1
		if s > 0 {
			index[l] = len(sizes)
			sizes = append(sizes, s)
		}
	}
	return index, sizes
}

// at returns n_ij.
func (t *contingency) at(i, j int) int { return t.count[i*t.c+j] }

// pairs returns the numbers of unordered pairs of labelled samples that
// share both class and cluster (tp), the cluster only (fp), the class only
// (fn) and neither (tn).
func (t *contingency) pairs() (tp, fp, fn, tn int64) {
	var sameClass, sameCluster int64
	for _, v := range t.count {
		tp += choose2(v)
	}
	for _, a := range t.rowSum {
		sameClass += choose2(a)
	}
	for _, b := range t.colSum {
		sameCluster += choose2(b)
	}
	fp, fn = sameCluster-tp, sameClass-tp
	return tp, fp, fn, choose2(t.n) - tp - fp - fn
}

func choose2(v int) int64 { return int64(v) * int64(v-1) / 2 }
