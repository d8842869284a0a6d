package model_test

import (
	"context"
	"fmt"
	"log"

	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// A group atlas of 10 synthetic subjects' connectivity matrices (60 ROIs
// in 4 planted communities, correlations of both signs): the communities
// shared by the subjects, and each subject's 4 x 4 summary W_i.
func ExampleAtlas() {
	stack, planted, err := datasets.PlantedAtlas{Subjects: 10, ROIs: 60, Communities: 4, Noise: 0.3, Spread: 0.1, Seed: 1}.Generate()
	if err != nil {
		log.Fatal(err)
	}
	res, err := model.Atlas{Rank: 4, Seed: 1}.Fit(context.Background(), stack, solve.Settings{})
	if err != nil {
		log.Fatal(err)
	}
	m, k := res.Embedding.Dims()
	r, c := res.Subjects[0].Dims()
	fmt.Printf("H %dx%d, %d subjects' W_i %dx%d, NMI against the planted communities %.2f\n",
		m, k, len(res.Subjects), r, c, metric.NMI(planted, res.Communities, metric.Sqrt))
	// Output: H 60x4, 10 subjects' W_i 4x4, NMI against the planted communities 1.00
}
