package metric

import (
	"math"
	"sort"
)

// AUC returns the area under the ROC curve of the scores of positives
// against those of negatives: the probability that a positive drawn at
// random scores above a negative drawn at random, a tie counting one half
// (the Mann-Whitney U statistic over |pos|·|neg|), as scikit-learn's
// roc_auc_score. It is NaN when either set is empty or a score is NaN.
func AUC(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	type s struct {
		v   float64
		pos bool
	}
	all := make([]s, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, s{v, true})
	}
	for _, v := range neg {
		all = append(all, s{v, false})
	}
	for _, x := range all {
		if math.IsNaN(x.v) {
			return math.NaN()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	// Sum the (1-based, tie-averaged) ranks of the positives.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of the ranks i+1..j
		for _, x := range all[i:j] {
			if x.pos {
				rankSum += avg
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// Precision returns the fraction of positives among the k highest scores
// of pos and neg together, the precision of link prediction with k the
// number of positives (Lü and Zhou, Physica A 2011). Scores tied at the
// cut count in proportion: a tie group straddling it adds its share of
// positives times the places left, the expected precision under a random
// order of ties. It is NaN when k is not in [1, len(pos)+len(neg)] or a
// score is NaN.
func Precision(pos, neg []float64, k int) float64 {
	n := len(pos) + len(neg)
	if k < 1 || k > n {
		return math.NaN()
	}
	type s struct {
		v   float64
		pos bool
	}
	all := make([]s, 0, n)
	for _, v := range pos {
		all = append(all, s{v, true})
	}
	for _, v := range neg {
		all = append(all, s{v, false})
	}
	for _, x := range all {
		if math.IsNaN(x.v) {
			return math.NaN()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	var hits float64
	for i := 0; i < k; {
		j := i
		p := 0
		for j < n && all[j].v == all[i].v {
			if all[j].pos {
				p++
			}
			j++
		}
		take := min(j, k) - i
		hits += float64(p) * float64(take) / float64(j-i)
		i = j
	}
	return hits / float64(k)
}

// RMSE returns the root mean squared error of pred against truth, NaN for
// empty slices. It panics if the lengths differ.
func RMSE(truth, pred []float64) float64 {
	if len(truth) != len(pred) {
		panic("metric: RMSE of slices of different lengths")
	}
	if len(truth) == 0 {
		return math.NaN()
	}
	var s float64
	for i, t := range truth {
		d := t - pred[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(truth)))
}

// MAE returns the mean absolute error of pred against truth, NaN for empty
// slices. It panics if the lengths differ.
func MAE(truth, pred []float64) float64 {
	if len(truth) != len(pred) {
		panic("metric: MAE of slices of different lengths")
	}
	if len(truth) == 0 {
		return math.NaN()
	}
	var s float64
	for i, t := range truth {
		s += math.Abs(t - pred[i])
	}
	return s / float64(len(truth))
}
