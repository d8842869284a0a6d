package metric

import (
	"fmt"
	"math"

	"github.com/deepnmf/deepnmf/linalg"
)

// Modularity returns the modularity of the partition pred of the graph with
// adjacency matrix adj: Newman's for an undirected graph, whose adj must be
// symmetric, and Leicht and Newman's for a directed one. It panics if adj is
// not square, pred does not have one label per node or a label is negative.
func Modularity(adj *linalg.CSR, pred []int, directed bool) float64 {
	k := communities(adj, pred)
	indptr, indices, data := adj.Raw()
	out := make([]float64, k) // Σ k_i^out over each community
	in := make([]float64, k)  // Σ k_i^in
	var total, inside float64 // m (2m if undirected) and the weight inside communities
	for i, ci := range pred {
		for p := indptr[i]; p < indptr[i+1]; p++ {
			j, w := indices[p], data[p]
			if j == i && !directed {
				w *= 2
			}
			total += w
			out[ci] += w
			in[pred[j]] += w
			if pred[j] == ci {
				inside += w
			}
		}
	}
	var expected float64
	for c := range out {
		expected += out[c] * in[c]
	}
	return inside/total - expected/(total*total)
}

// Conductance returns the conductance of each community of the undirected
// graph with symmetric adjacency matrix adj, indexed by label from 0 to the
// largest label in pred. A label that does not occur gets NaN. It panics if
// adj is not square, pred does not have one label per node or a label is
// negative.
func Conductance(adj *linalg.CSR, pred []int) []float64 {
	k := communities(adj, pred)
	indptr, indices, data := adj.Raw()
	cut := make([]float64, k)
	vol := make([]float64, k)
	var total float64
	for i, ci := range pred {
		for p := indptr[i]; p < indptr[i+1]; p++ {
			j, w := indices[p], data[p]
			if j == i {
				w *= 2
			} else if pred[j] != ci {
				cut[ci] += w
			}
			vol[ci] += w
			total += w
		}
	}
	phi := make([]float64, k)
	for c := range phi {
		phi[c] = cut[c] / math.Min(vol[c], total-vol[c])
	}
	return phi
}

// MeanConductance returns the mean conductance of the communities that
// occur in pred. It panics as Conductance does.
func MeanConductance(adj *linalg.CSR, pred []int) float64 {
	phi := Conductance(adj, pred)
	seen := make([]bool, len(phi))
	for _, c := range pred {
		seen[c] = true
	}
	var sum float64
	var n int
	for c, ok := range seen {
		if ok {
			sum += phi[c]
			n++
		}
	}
	return sum / float64(n)
}

// communities checks that pred labels the nodes of the square matrix adj
// and returns the number of labels, one more than the largest.
func communities(adj *linalg.CSR, pred []int) int {
	r, c := adj.Dims()
	if r != c {
		panic(fmt.Sprintf("metric: adjacency matrix is %dx%d, not square", r, c))
	}
	if len(pred) != r {
		panic(fmt.Sprintf("metric: %d labels for %d nodes", len(pred), r))
	}
	k := 0
	for i, l := range pred {
		if l < 0 {
			panic(fmt.Sprintf("metric: negative label %d at node %d", l, i))
		}
		k = max(k, l+1)
	}
	return k
}
