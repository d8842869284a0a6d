package linkpred_test

import (
	"fmt"
	"log"

	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linkpred"
	"github.com/deepnmf/deepnmf/metric"
)

// Hold out 10% of the karate club's edges and score them against as many
// non-edges by resource allocation, as deepnmf linkpred does.
func Example() {
	g, _, err := datasets.Graph("karate")
	if err != nil {
		log.Fatal(err)
	}
	split, err := linkpred.NewSplit(g.Adj, 0.1, false, initialize.NewRand(1))
	if err != nil {
		log.Fatal(err)
	}
	score, err := linkpred.Heuristic("ra").Scorer(split.Train)
	if err != nil {
		log.Fatal(err)
	}
	pos, neg := linkpred.Scores(split.Pos, score), linkpred.Scores(split.Neg, score)
	fmt.Printf("%d held-out edges, AUC above 0.6: %v\n", len(pos), metric.AUC(pos, neg) > 0.6)
	// Output: 8 held-out edges, AUC above 0.6: true
}
