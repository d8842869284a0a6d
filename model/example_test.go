package model_test

import (
	"context"
	"fmt"
	"log"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// NMF of the digits images with the KL loss, clustered by k-means on W.
func ExampleNMF() {
	t, labels, err := datasets.Table("digits")
	if err != nil {
		log.Fatal(err)
	}
	nmf := model.NMF{Rank: 10, Loss: "kl", Seed: 1}
	res, err := nmf.Fit(context.Background(), t.X, solve.Settings{MaxIter: 500, Tol: new(solve.DefaultTol)})
	if err != nil {
		log.Fatal(err)
	}
	w, h := res.Factor("W"), res.Factor("H")
	n, k := w.Dims()
	_, d := h.Dims()
	pred, _, err := cluster.KMeans{K: 10, Seed: 1, Normalize: true}.Fit(w)
	if err != nil {
		log.Fatal(err)
	}
	nmi := metric.NMI(labels.Values, pred, metric.Sqrt)
	fmt.Printf("W %dx%d, H %dx%d, converged %v, NMI above 0.6: %v\n", n, k, k, d, res.Converged, nmi > 0.6)
	// Output: W 1797x10, H 10x64, converged true, NMI above 0.6: true
}

// A model chosen by name, configured as the command line does.
func ExampleNew() {
	g, labels, err := datasets.Graph("karate")
	if err != nil {
		log.Fatal(err)
	}
	est, err := model.New("nmf", model.Config{Rank: 2, Params: []string{"solver=cd"}})
	if err != nil {
		log.Fatal(err)
	}
	res, err := est.Fit(context.Background(), g.Adj, solve.Settings{MaxIter: 500, Tol: new(solve.DefaultTol)})
	if err != nil {
		log.Fatal(err)
	}
	pred := cluster.Argmax(res.Embedding)
	fmt.Printf("ACC %.2f\n", metric.ACC(labels.Values, pred))
	// Output: ACC 0.97
}
