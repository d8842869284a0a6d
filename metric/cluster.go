package metric

import (
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"
)

// Norm selects the mean of the two entropies that NMI divides by.
type Norm int

const (
	// Sqrt is the geometric mean √(H(U)·H(V)), used by DAsNMF.
	Sqrt Norm = iota
	// Arithmetic is (H(U)+H(V))/2, scikit-learn's default.
	Arithmetic
	// Max is max(H(U), H(V)), used by DANMF-CRFR.
	Max
	// Min is min(H(U), H(V)).
	Min
)

// Scores holds every clustering metric of one labelling.
type Scores struct {
	ACC           float64 // Hungarian-matched accuracy
	NMI           float64 // NMI with the Sqrt norm
	NMIArithmetic float64 // NMI with the Arithmetic norm
	NMIMax        float64 // NMI with the Max norm
	ARI           float64
	Purity        float64
	F1            float64 // pair-counting F1
	Jaccard       float64 // pair-counting Jaccard index
}

// Cluster returns all the clustering metrics of pred against truth,
// computed from one contingency table. Negative entries of truth mark
// unlabelled samples, which are skipped. It panics if the lengths differ.
func Cluster(truth, pred []int) Scores {
	t := newContingency(truth, pred)
	return Scores{
		ACC:           t.acc(),
		NMI:           t.nmi(Sqrt),
		NMIArithmetic: t.nmi(Arithmetic),
		NMIMax:        t.nmi(Max),
		ARI:           t.ari(),
		Purity:        t.purity(),
		F1:            t.pairF1(),
		Jaccard:       t.pairJaccard(),
	}
}

// ACC returns the accuracy of pred against truth after the best one-to-one
// matching of clusters to classes. Negative entries of truth mark
// unlabelled samples, which are skipped. It panics if the lengths differ.
func ACC(truth, pred []int) float64 { return newContingency(truth, pred).acc() }

// NMI returns the mutual information of truth and pred normalized by norm.
// Negative entries of truth mark unlabelled samples, which are skipped. It
// panics if the lengths differ or norm is unknown.
func NMI(truth, pred []int, norm Norm) float64 { return newContingency(truth, pred).nmi(norm) }

// ARI returns the adjusted Rand index of pred against truth. Negative
// entries of truth mark unlabelled samples, which are skipped. It panics if
// the lengths differ.
func ARI(truth, pred []int) float64 { return newContingency(truth, pred).ari() }

// Purity returns the fraction of samples in the majority class of their
// cluster. Negative entries of truth mark unlabelled samples, which are
// skipped. It panics if the lengths differ.
func Purity(truth, pred []int) float64 { return newContingency(truth, pred).purity() }

// PairF1 returns the F1 score over pairs of samples, a pair being positive
// when both samples are in the same cluster. Negative entries of truth mark
// unlabelled samples, which are skipped. It panics if the lengths differ.
func PairF1(truth, pred []int) float64 { return newContingency(truth, pred).pairF1() }

// PairJaccard returns the Jaccard index of the sets of pairs of samples in
// the same class and in the same cluster. Negative entries of truth mark
// unlabelled samples, which are skipped. It panics if the lengths differ.
func PairJaccard(truth, pred []int) float64 { return newContingency(truth, pred).pairJaccard() }

func (t *contingency) acc() float64 {
	if t.n == 0 {
		return 1
	}
	cost := mat.NewDense(t.r, t.c, nil)
	for i := 0; i < t.r; i++ {
		for j := 0; j < t.c; j++ {
			cost.Set(i, j, -float64(t.at(i, j)))
		}
	}
	var hit int
	for i, j := range hungarian(cost) {
		if j >= 0 {
			hit += t.at(i, j)
		}
	}
	return float64(hit) / float64(t.n)
}

func (t *contingency) purity() float64 {
	if t.n == 0 {
		return 1
	}
	var hit int
	for j := 0; j < t.c; j++ {
		var most int
		for i := 0; i < t.r; i++ {
			most = max(most, t.at(i, j))
		}
		hit += most
	}
	return float64(hit) / float64(t.n)
}

func (t *contingency) nmi(norm Norm) float64 {
	if norm < Sqrt || norm > Min {
		panic("metric: unknown Norm")
	}
	if t.r == t.c && t.r <= 1 {
		return 1
	}
	mi := t.mutualInfo()
	if mi == 0 {
		return 0
	}
	hu, hv := entropy(t.rowSum, t.n), entropy(t.colSum, t.n)
	var d float64
	switch norm {
	case Sqrt:
		d = math.Sqrt(hu * hv)
	case Arithmetic:
		d = (hu + hv) / 2
	case Max:
		d = math.Max(hu, hv)
	case Min:
		d = math.Min(hu, hv)
	}
	return mi / d
}

// mutualInfo returns I in nats, clamped at zero against rounding.
func (t *contingency) mutualInfo() float64 {
	if t.r <= 1 || t.c <= 1 {
		return 0
	}
	n := float64(t.n)
	var mi float64
	for i, a := range t.rowSum {
		for j, b := range t.colSum {
			if v := t.at(i, j); v > 0 {
				// The integer products are exact, so independent
				// classes and clusters give a ratio of exactly 1.
				mi += float64(v) / n * math.Log(float64(v*t.n)/float64(a*b))
			}
		}
	}
	return max(mi, 0)
}

// entropy returns the entropy in nats of a labelling with the given
// nonzero cluster sizes summing to n.
func entropy(sizes []int, n int) float64 {
	logn := math.Log(float64(n))
	var h float64
	for _, s := range sizes {
		h -= float64(s) / float64(n) * (math.Log(float64(s)) - logn)
	}
	return h
}

func (t *contingency) ari() float64 {
	tp, fp, fn, tn := t.pairs()
	if fp == 0 && fn == 0 {
		return 1
	}
	// Products of pair counts overflow int64 beyond about 10⁵ samples, and
	// the numerator cancels when ARI is near 0, so compute it exactly.
	mul := func(x, y int64) *big.Int { return new(big.Int).Mul(big.NewInt(x), big.NewInt(y)) }
	num := new(big.Int).Sub(mul(tp, tn), mul(fn, fp))
	den := new(big.Int).Add(mul(tp+fn, fn+tn), mul(tp+fp, fp+tn))
	ari, _ := new(big.Rat).SetFrac(num.Lsh(num, 1), den).Float64()
	return ari
}

func (t *contingency) pairF1() float64 {
	tp, fp, fn, _ := t.pairs()
	if tp+fp+fn == 0 {
		return 1
	}
	return float64(2*tp) / float64(2*tp+fp+fn)
}

func (t *contingency) pairJaccard() float64 {
	tp, fp, fn, _ := t.pairs()
	if tp+fp+fn == 0 {
		return 1
	}
	return float64(tp) / float64(tp+fp+fn)
}
