package model

import (
	"context"
	"math"
	"testing"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// seedScores fits the estimator made by newEst for seeds 0..seeds-1 and
// returns the clustering scores of each run, read from the embedding by
// argmax (kmeans=false) or normalized k-means with k clusters.
func seedScores(t *testing.T, newEst func(seed uint64) Estimator, x linalg.Matrix, truth []int, k, seeds int, kmeans bool, s solve.Settings) []metric.Scores {
	t.Helper()
	var out []metric.Scores
	for seed := range uint64(seeds) {
		res, err := newEst(seed).Fit(context.Background(), x, s)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		pred := cluster.Argmax(res.Embedding)
		if kmeans {
			if pred, _, err = (cluster.KMeans{K: k, Seed: seed, Normalize: true}).Fit(res.Embedding); err != nil {
				t.Fatalf("seed %d: k-means: %v", seed, err)
			}
		}
		out = append(out, metric.Cluster(truth, pred))
	}
	return out
}

// meanStd returns the mean and standard deviation of f over the scores.
func meanStd(scores []metric.Scores, f func(metric.Scores) float64) (mean, std float64) {
	for _, s := range scores {
		mean += f(s)
	}
	mean /= float64(len(scores))
	for _, s := range scores {
		std += (f(s) - mean) * (f(s) - mean)
	}
	return mean, math.Sqrt(std / float64(len(scores)))
}
