package model

import (
	"context"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/solve"
)

// Test helpers shared by the tests of onmf, seminmf and pnmf.

// dmTable returns an embedded table ("iris", "digits"), its classes and
// their number.
func dmTable(t *testing.T, name string) (*linalg.Dense, []int, int) {
	t.Helper()
	tab, lab, err := datasets.Table(name)
	if err != nil {
		t.Fatal(err)
	}
	return tab.X.(*linalg.Dense), lab.Values, len(lab.Names)
}

const dmWineFile = "/work/shared/data/sklearn_builtin/wine_data.csv"

// dmWine returns the wine table (178 x 13, 3 classes) from the shared data
// folder, skipping the test when it is absent.
func dmWine(t *testing.T) (*linalg.Dense, []int, int) {
	t.Helper()
	if _, err := os.Stat(dmWineFile); err != nil {
		t.Skipf("wine data not available: %v", err)
	}
	tab, err := dataio.ReadMatrix(dmWineFile, dataio.MatrixOptions{Label: "-1"})
	if err != nil {
		t.Fatal(err)
	}
	lab := dataio.LabelsFromStrings(tab.Labels)
	return tab.X.(*linalg.Dense), lab.Values, len(lab.Names)
}

// dmStandardize returns x with every column centred and scaled to unit
// variance: mixed-sign data.
func dmStandardize(x *linalg.Dense) *linalg.Dense {
	z := mat.DenseCopyOf(x.Raw())
	n, d := z.Dims()
	for j := 0; j < d; j++ {
		col := mat.Col(nil, j, z)
		var mean, ss float64
		for _, v := range col {
			mean += v
		}
		mean /= float64(n)
		for _, v := range col {
			ss += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(ss / float64(n))
		if sd == 0 {
			sd = 1
		}
		for i, v := range col {
			z.Set(i, j, (v-mean)/sd)
		}
	}
	return linalg.NewDense(z)
}

// dmMixedData returns an n x d matrix of any sign with k planted clusters:
// sample i is centre labels[i] plus noise, the centres being N(0, 1).
func dmMixedData(n, d, k int, noise float64, seed uint64) (*mat.Dense, []int) {
	rng := initialize.NewRand(seed)
	centres := mat.NewDense(k, d, nil)
	centres.Apply(func(_, _ int, _ float64) float64 { return rng.NormFloat64() }, centres)
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	for i := range n {
		labels[i] = i % k
		for j := range d {
			x.Set(i, j, centres.At(labels[i], j)+noise*rng.NormFloat64())
		}
	}
	return x, labels
}

// dmCosOffdiag returns the root mean square cosine between distinct
// columns of m (0 for orthogonal columns, 1 for parallel ones).
func dmCosOffdiag(m mat.Matrix) float64 {
	g := linalg.Gram(m)
	k, _ := g.Dims()
	var s float64
	for i := range k {
		for j := range k {
			if i != j {
				c := g.At(i, j) / math.Sqrt(g.At(i, i)*g.At(j, j))
				s += c * c
			}
		}
	}
	return math.Sqrt(s / float64(k*(k-1)))
}

// dmFloor fails if the mean NMI of the scores is below floor.
func dmFloor(t *testing.T, what string, mean, floor float64) {
	t.Helper()
	if mean < floor {
		t.Errorf("%s: mean NMI %.4f below the floor %.2f", what, mean, floor)
	}
}

// dmSeedScores fits the estimator made by newEst for seeds 0..seeds-1 and
// returns the clustering scores of each run read by argmax and by
// normalized k-means (seeded like the fit), as seedScores does, from one
// fit per seed, with the CLI's default settings (200 iterations, tol 1e-4),
// so that `deepnmf fit --seeds 5` reproduces them.
func dmSeedScores(t *testing.T, newEst func(seed uint64) Estimator, x linalg.Matrix, truth []int, k, seeds int) (argmax, kmeans []metric.Scores) {
	t.Helper()
	for seed := range uint64(seeds) {
		res, err := newEst(seed).Fit(context.Background(), x, solve.Settings{Tol: new(solve.DefaultTol)})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		argmax = append(argmax, metric.Cluster(truth, cluster.Argmax(res.Embedding)))
		pred, _, err := (cluster.KMeans{K: k, Seed: seed, Normalize: true}).Fit(res.Embedding)
		if err != nil {
			t.Fatalf("seed %d: k-means: %v", seed, err)
		}
		kmeans = append(kmeans, metric.Cluster(truth, pred))
	}
	return argmax, kmeans
}

// dmQualityCase is one data set of a quality test, with the NMI floors of
// the argmax and k-means read-outs (a negative floor is not checked).
type dmQualityCase struct {
	name                 string
	data                 func(t *testing.T) (*linalg.Dense, []int, int)
	argmaxMin, kmeansMin float64
	long                 bool // skipped in -short mode
}

// dmQuality runs the quality cases for the estimator made by newEst(k, seed).
func dmQuality(t *testing.T, model string, newEst func(k int, seed uint64) Estimator, cases []dmQualityCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("skipped in -short mode")
			}
			x, truth, k := tc.data(t)
			am, km := dmSeedScores(t, func(seed uint64) Estimator { return newEst(k, seed) }, x, truth, k, 5)
			if a := logScores(t, model+" "+tc.name+" argmax", am); tc.argmaxMin >= 0 {
				dmFloor(t, tc.name+" argmax", a, tc.argmaxMin)
			}
			if m := logScores(t, model+" "+tc.name+" k-means", km); tc.kmeansMin >= 0 {
				dmFloor(t, tc.name+" k-means", m, tc.kmeansMin)
			}
		})
	}
}

func dmIris(t *testing.T) (*linalg.Dense, []int, int)   { return dmTable(t, "iris") }
func dmDigits(t *testing.T) (*linalg.Dense, []int, int) { return dmTable(t, "digits") }
func dmStdIris(t *testing.T) (*linalg.Dense, []int, int) {
	x, y, k := dmTable(t, "iris")
	return dmStandardize(x), y, k
}
func dmStdWine(t *testing.T) (*linalg.Dense, []int, int) {
	x, y, k := dmWine(t)
	return dmStandardize(x), y, k
}
