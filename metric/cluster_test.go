package metric

import (
	"math/rand/v2"
	"testing"
)

func randomLabels(rng *rand.Rand, n, k int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = rng.IntN(k)
	}
	return l
}

func relabel(l []int, perm []int) []int {
	out := make([]int, len(l))
	for i, v := range l {
		out[i] = v
		if v >= 0 {
			out[i] = perm[v]
		}
	}
	return out
}

func TestPermutationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 20; trial++ {
		kt, kp := 2+rng.IntN(5), 2+rng.IntN(5)
		truth := randomLabels(rng, 100, kt)
		// Half the clustering follows the truth, so the scores are not all
		// near zero.
		pred := randomLabels(rng, 100, kp)
		for i := range pred[:50] {
			pred[i] = truth[i] % kp
		}
		want := Cluster(truth, pred)
		if got := Cluster(relabel(truth, rng.Perm(kt)), relabel(pred, rng.Perm(kp))); !sameScores(got, want) {
			t.Errorf("relabelled scores %+v, want %+v", got, want)
		}
		// Reordering the samples changes nothing either.
		order := rng.Perm(len(truth))
		t2, p2 := make([]int, len(truth)), make([]int, len(pred))
		for i, j := range order {
			t2[i], p2[i] = truth[j], pred[j]
		}
		if got := Cluster(t2, p2); !sameScores(got, want) {
			t.Errorf("reordered scores %+v, want %+v", got, want)
		}
		// All but Purity are symmetric in truth and pred.
		got := Cluster(pred, truth)
		got.Purity = want.Purity
		if !sameScores(got, want) {
			t.Errorf("swapped scores %+v, want %+v", got, want)
		}
	}
}

func sameScores(a, b Scores) bool {
	return same(a.ACC, b.ACC) && same(a.NMI, b.NMI) && same(a.NMIArithmetic, b.NMIArithmetic) &&
		same(a.NMIMax, b.NMIMax) && same(a.ARI, b.ARI) && same(a.Purity, b.Purity) &&
		same(a.F1, b.F1) && same(a.Jaccard, b.Jaccard)
}

func TestUnlabelledSkipped(t *testing.T) {
	truth := []int{0, -1, 0, 1, -3, 1, 2, 2, -1}
	pred := []int{1, 0, 1, 0, 2, 0, 0, 2, 1}
	var kt, kp []int
	for i, l := range truth {
		if l >= 0 {
			kt, kp = append(kt, l), append(kp, pred[i])
		}
	}
	if got, want := Cluster(truth, pred), Cluster(kt, kp); got != want {
		t.Errorf("with unlabelled samples %+v, without %+v", got, want)
	}
	// The predicted label of an unlabelled sample is never read.
	pred[1] = -1
	if got, want := Cluster(truth, pred), Cluster(kt, kp); got != want {
		t.Errorf("with a negative prediction for an unlabelled sample %+v, want %+v", got, want)
	}
}

func TestNoLabelledSamples(t *testing.T) {
	one := Scores{1, 1, 1, 1, 1, 1, 1, 1}
	for _, tc := range []struct{ truth, pred []int }{
		{nil, nil},
		{[]int{-1, -1}, []int{0, 3}},
	} {
		if got := Cluster(tc.truth, tc.pred); got != one {
			t.Errorf("Cluster(%v, %v) = %+v, want all 1", tc.truth, tc.pred, got)
		}
		if got := NMI(tc.truth, tc.pred, Min); got != 1 {
			t.Errorf("NMI(%v, %v, Min) = %v, want 1", tc.truth, tc.pred, got)
		}
	}
}

func TestPerfectAndWorst(t *testing.T) {
	truth := []int{0, 0, 0, 1, 1, 1, 2, 2, 2}
	if got := Cluster(truth, []int{5, 5, 5, 0, 0, 0, 2, 2, 2}); !sameScores(got, Scores{1, 1, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("perfect clustering scores %+v", got)
	}
	// Each cluster holds one sample of each class.
	s := Cluster(truth, []int{0, 1, 2, 0, 1, 2, 0, 1, 2})
	if s.NMI != 0 || s.NMIArithmetic != 0 || s.NMIMax != 0 || s.F1 != 0 || s.Jaccard != 0 {
		t.Errorf("independent clustering scores %+v", s)
	}
	if !same(s.ACC, 1.0/3) || !same(s.Purity, 1.0/3) || !same(s.ARI, -0.3333333333333333) {
		t.Errorf("independent clustering scores %+v", s)
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"length":         func() { ACC([]int{0, 1}, []int{0}) },
		"negative pred":  func() { ARI([]int{0, 1}, []int{0, -1}) },
		"unknown norm":   func() { NMI([]int{0, 1}, []int{0, 1}, Min+1) },
		"negative norm":  func() { NMI([]int{0, 1}, []int{0, 1}, -1) },
		"Cluster length": func() { Cluster([]int{0}, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestARILarge(t *testing.T) {
	// Products of pair counts here exceed int64; scikit-learn's value.
	const n = 300000
	truth, pred := make([]int, n), make([]int, n)
	for i := range truth {
		truth[i] = i % 2
		if i%7 != 0 {
			pred[i] = i % 3
		}
	}
	if got, want := ARI(truth, pred), -4.353771336194702e-06; !same(got, want) {
		t.Errorf("ARI %.17g, want %.17g", got, want)
	}
}
