package metric

import (
	"fmt"
	"math"
)

// GroupBalance returns the balance of each cluster of pred with respect to
// the sensitive groups, and their mean over the non-empty clusters: the
// fairness measure B that iFairNMTF reports (compute_group_balance in the
// reference code, after Chierichetti et al., NIPS 2017),
//
//	balance(C) = min_{g, g'} |C ∩ V_g| / |C ∩ V_g'| = min_g |C ∩ V_g| / max_g |C ∩ V_g|,
//
// over every group g of the data, so a cluster missing a group has
// balance 0 and one with equally many nodes of each group has 1. Clusters
// are the values 0..max(pred); an empty one has balance NaN and is left
// out of the mean (the reference relabels clusters contiguously first).
// The reference adds 1e-6 to the denominator; here the ratio is exact.
// It panics if the lengths differ or a cluster label is negative.
func GroupBalance(pred, groups []int) (perCluster []float64, mean float64) {
	if len(pred) != len(groups) {
		panic(fmt.Sprintf("metric: %d cluster labels and %d groups", len(pred), len(groups)))
	}
	index := map[int]int{}
	for _, g := range groups {
		if _, ok := index[g]; !ok {
			index[g] = len(index)
		}
	}
	k := 0
	for _, c := range pred {
		if c < 0 {
			panic(fmt.Sprintf("metric: negative cluster label %d", c))
		}
		k = max(k, c+1)
	}
	h := len(index)
	count := make([]int, k*h)
	for i, c := range pred {
		count[c*h+index[groups[i]]]++
	}
	perCluster = make([]float64, k)
	var used int
	for c := range k {
		lo, hi := math.MaxInt, 0
		for _, v := range count[c*h : (c+1)*h] {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi == 0 {
			perCluster[c] = math.NaN()
			continue
		}
		perCluster[c] = float64(lo) / float64(hi)
		mean += perCluster[c]
		used++
	}
	if used > 0 {
		mean /= float64(used)
	}
	return perCluster, mean
}
