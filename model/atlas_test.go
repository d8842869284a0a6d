package model

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model/internal/atlas"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// planted returns subjects drawn around a planted atlas and its
// communities.
func planted(t *testing.T, subjects, rois, k int, noise float64, seed uint64) ([]*mat.Dense, []int) {
	t.Helper()
	stack, truth, err := datasets.PlantedAtlas{Subjects: subjects, ROIs: rois, Communities: k, Noise: noise, Spread: 0.1, Seed: seed}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return stack, truth
}

var negatives = []Negative{NegativeSemi, NegativeSplit, NegativeShift}

// TestAtlasMonotone checks that the objective does not increase at any
// iteration of the pre-training or the fine-tuning, shallow and deep, for
// every treatment of negative entries, and that the factors keep their
// signs.
func TestAtlasMonotone(t *testing.T) {
	stack, _ := planted(t, 4, 30, 3, 0.3, 1)
	for _, neg := range negatives {
		for _, layers := range [][]int{{3}, {8, 3}} {
			what := fmt.Sprintf("%s %v", neg, layers)
			res, err := Atlas{Layers: layers, Negative: neg, Init: initialize.Random, PreIter: new(30), Seed: 2}.Fit(context.Background(), stack,
				solve.Settings{MaxIter: 60, Tol: new(0.0), CheckEvery: 1})
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			checkNonIncreasing(t, what, &res.Result, 1e-12)
			for l, p := range res.Pretrain {
				checkNonIncreasing(t, fmt.Sprintf("%s pre-training layer %d", what, l+1), &Result{Result: p}, 1e-12)
			}
			if len(res.History) != 61 || len(res.Pretrain) != len(layers) {
				t.Errorf("%s: %d history points, %d pre-training reports", what, len(res.History), len(res.Pretrain))
			}
			checkNonnegative(t, what, &res.Result)
			if neg == NegativeShift {
				for i, w := range res.Subjects {
					if v := mat.Min(w); v < 0 {
						t.Errorf("%s: W_%d has a negative entry %g", what, i, v)
					}
				}
			}
		}
	}
}

// TestAtlasGradient checks that the parts of each layer's rule, projected
// by the deep stack, make the gradient of the fine-tuning objective with
// respect to H_j, by central finite differences, on a mixed-sign stack
// with free W.
func TestAtlasGradient(t *testing.T) {
	stack, _ := planted(t, 3, 12, 2, 0.3, 3)
	rng := initialize.NewRand(4)
	ls := []deep.Layer{{U: initialize.Uniform(12, 5, 1, rng)}, {U: initialize.Uniform(5, 3, 1, rng)}, {U: initialize.Uniform(3, 2, 1, rng)}}
	st := deep.NewStack(linalg.NewDense(stack[0]), ls)
	f, err := atlas.New(stack, st.Product(), true)
	if err != nil {
		t.Fatal(err)
	}
	st.BeginSweep()
	for l := range st.P() {
		p := f.HParts(st.PsiTilde(l))
		num := mat.DenseCopyOf(st.Project(l, p.Num, 0))
		grad := mat.DenseCopyOf(st.Project(l, p.Quad, 1))
		grad.Add(grad, st.Project(l, p.Quart, 0))
		grad.Sub(grad, num)
		grad.Scale(4, grad)
		u := st.U[l]
		r, c := u.Dims()
		for i := range r {
			for j := range c {
				v := u.At(i, j)
				h := 1e-6 * max(1, v)
				eval := func(x float64) float64 {
					u.Set(i, j, x)
					for q := range st.P() {
						st.SetPsi(q)
					}
					return f.Objective()
				}
				fd := (eval(v+h) - eval(v-h)) / (2 * h)
				eval(v)
				if got := grad.At(i, j); math.Abs(got-fd) > 1e-6*max(1, math.Abs(fd)) {
					t.Fatalf("H%d(%d,%d): gradient %.10g, finite difference %.10g", l+1, i, j, got, fd)
				}
			}
		}
	}
}

// TestAtlasPlanted checks that the planted communities are recovered at
// moderate noise (20 subjects, 100 ROIs, 6 communities, spread 0.1, noise
// 0.5), and that the relative error agrees with the reconstruction formed
// densely. Measured NMI, seeds 0-4: 1 for every seed with semi and split,
// shift 1, 1, 1, 1, 0.9788; deep [20 6] with semi 1, 1, 1, 1, 0.9447
// (mean 0.989).
func TestAtlasPlanted(t *testing.T) {
	fit := func(neg Negative, layers []int, seed uint64) float64 {
		stack, truth := planted(t, 20, 100, 6, 0.5, seed)
		res, err := Atlas{Layers: layers, Negative: neg, Seed: seed}.Fit(context.Background(), stack, solve.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		if want := denseRelErr(res, stack); math.Abs(res.RelativeError-want) > 1e-9 {
			t.Errorf("%s %v: relative error %.12g, formed densely %.12g", neg, layers, res.RelativeError, want)
		}
		return metric.NMI(truth, res.Communities, metric.Sqrt)
	}
	for _, neg := range negatives {
		for seed := range uint64(3) {
			if nmi := fit(neg, []int{6}, seed); nmi < 0.95 {
				t.Errorf("%s seed %d: NMI %.4f, want at least 0.95", neg, seed, nmi)
			}
		}
	}
	var sum float64
	for seed := range uint64(5) {
		sum += fit(NegativeSemi, []int{20, 6}, seed)
	}
	if sum/5 < 0.95 {
		t.Errorf("deep [20 6]: mean NMI %.4f over seeds 0-4, want at least 0.95", sum/5)
	}
}

// denseRelErr returns the relative error of an atlas's reconstruction of
// the stack, formed densely.
func denseRelErr(res *AtlasResult, stack []*mat.Dense) float64 {
	h := res.Embedding
	var num, den float64
	for i, a := range stack {
		r := linalg.Product(linalg.Product(h, res.Subjects[i]), h.T())
		linalg.AddScalar(r, -res.Shift)
		r.Sub(a, r)
		num += linalg.Dot(r, r)
		den += linalg.Dot(a, a)
	}
	return math.Sqrt(num / den)
}

// TestAtlasReproducible checks that a seed fixes the fit, from both
// starts, shallow and deep.
func TestAtlasReproducible(t *testing.T) {
	stack, _ := planted(t, 5, 40, 4, 0.5, 5)
	for _, init := range []initialize.Method{initialize.KMeans, initialize.Random} {
		for _, layers := range [][]int{{4}, {10, 4}} {
			fit := func() *AtlasResult {
				res, err := Atlas{Layers: layers, Init: init, Seed: 6}.Fit(context.Background(), stack, solve.Settings{MaxIter: 30})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			a, b := fit(), fit()
			what := fmt.Sprintf("%s %v", init, layers)
			checkSameFactors(t, what, &a.Result, &b.Result)
			for i := range a.Subjects {
				if !mat.Equal(a.Subjects[i], b.Subjects[i]) {
					t.Errorf("%s: W_%d differs between two runs with the same seed", what, i)
				}
			}
		}
	}
}

// TestAtlasInterrupted checks that a cancelled fit returns its start with
// the reason, as every model does.
func TestAtlasInterrupted(t *testing.T) {
	stack, _ := planted(t, 3, 20, 2, 0.5, 7)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Atlas{Rank: 2}.Fit(ctx, stack, solve.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != solve.Interrupted || res.Iterations != 0 || len(res.Communities) != 20 || len(res.Subjects) != 3 {
		t.Errorf("reason %s after %d iterations, %d communities, %d subjects", res.Reason, res.Iterations, len(res.Communities), len(res.Subjects))
	}
}

// TestAtlasInvalid checks that every kind of bad input or configuration
// is an error wrapping ErrInvalid, never a panic.
func TestAtlasInvalid(t *testing.T) {
	good, _ := planted(t, 2, 6, 2, 0.1, 8)
	with := func(edit func(a *mat.Dense)) []*mat.Dense {
		a := mat.DenseCopyOf(good[1])
		edit(a)
		return []*mat.Dense{good[0], a}
	}
	ok := Atlas{Rank: 2}
	cases := []struct {
		name  string
		m     Atlas
		stack []*mat.Dense
		s     solve.Settings
	}{
		{"no subjects", ok, nil, solve.Settings{}},
		{"nil matrix", ok, []*mat.Dense{good[0], nil}, solve.Settings{}},
		{"empty matrix", ok, []*mat.Dense{{}}, solve.Settings{}},
		{"not square", ok, []*mat.Dense{mat.NewDense(6, 5, nil)}, solve.Settings{}},
		{"sizes differ", ok, []*mat.Dense{good[0], mat.NewDense(5, 5, nil)}, solve.Settings{}},
		{"NaN", ok, with(func(a *mat.Dense) { a.Set(1, 2, math.NaN()) }), solve.Settings{}},
		{"infinite", ok, with(func(a *mat.Dense) { a.Set(1, 1, math.Inf(-1)) }), solve.Settings{}},
		{"not symmetric", ok, with(func(a *mat.Dense) { a.Set(1, 2, a.At(1, 2)+0.1) }), solve.Settings{}},
		{"all zero", ok, []*mat.Dense{mat.NewDense(6, 6, nil)}, solve.Settings{}},
		{"overflow", ok, with(func(a *mat.Dense) { a.Set(0, 0, 1e200) }), solve.Settings{}},
		{"underflow", ok, []*mat.Dense{mat.NewDense(3, 3, []float64{0, 1e-200, 0, 1e-200, 0, 0, 0, 0, 0})}, solve.Settings{}},
		{"rank zero", Atlas{}, good, solve.Settings{}},
		{"rank too large", Atlas{Rank: 6}, good, solve.Settings{}},
		{"layers grow", Atlas{Layers: []int{2, 3}}, good, solve.Settings{}},
		{"layers too large", Atlas{Layers: []int{6, 2}}, good, solve.Settings{}},
		{"last layer is not the rank", Atlas{Rank: 3, Layers: []int{4, 2}}, good, solve.Settings{}},
		{"unknown negative", Atlas{Rank: 2, Negative: "abs"}, good, solve.Settings{}},
		{"unknown init", Atlas{Rank: 2, Init: initialize.SVD}, good, solve.Settings{}},
		{"negative pre_iter", Atlas{Rank: 2, PreIter: new(-1)}, good, solve.Settings{}},
		{"negative max-iter", ok, good, solve.Settings{MaxIter: -1}},
		{"k-means start on too few distinct rows", ok, []*mat.Dense{mat.NewDense(3, 3, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1})}, solve.Settings{}},
	}
	for _, tc := range cases {
		_, err := tc.m.Fit(context.Background(), tc.stack, tc.s)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want one wrapping ErrInvalid", tc.name, err)
		}
	}
}

// hcpDir holds the one HCP connectivity matrix of the shared data.
var hcpDir = filepath.Join(deepSharedDir, "brain_fmri")

// hcp returns the HCP connectivity matrix (100 Schaefer ROIs) and the
// 17- and 7-network Yeo labels of its ROIs, or skips the test when the
// shared data are absent.
func hcp(t *testing.T) (a *mat.Dense, net17, net7 []int) {
	t.Helper()
	if _, err := os.Stat(hcpDir); err != nil {
		t.Skipf("HCP connectivity not available: %v", err)
	}
	tb, err := dataio.ReadMatrix(filepath.Join(hcpDir, "neurograph_hcp_fc_100roi.npy"), dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(hcpDir, "schaefer100_17net_roi_labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var l17, l7 []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 4 && !strings.HasPrefix(fs[0], "#") {
			l17, l7 = append(l17, fs[2]), append(l7, fs[3])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tb.X.(*linalg.Dense).Raw(), dataio.LabelsFromStrings(l17).Values, dataio.LabelsFromStrings(l7).Values
}

// TestAtlasHCP checks the atlas of the one HCP subject against the Yeo
// networks: the mean NMI over seeds 0-4 of the default fit must not fall
// more than 0.03 below the measured one (17 networks, k = 17: 0.5571; 7
// networks, k = 7: 0.3620).
func TestAtlasHCP(t *testing.T) {
	a, net17, net7 := hcp(t)
	for _, tc := range []struct {
		k     int
		truth []int
		want  float64
	}{{17, net17, 0.5571}, {7, net7, 0.3620}} {
		var sum float64
		for seed := range uint64(5) {
			res, err := Atlas{Rank: tc.k, Seed: seed}.Fit(context.Background(), []*mat.Dense{a}, solve.Settings{})
			if err != nil {
				t.Fatal(err)
			}
			sum += metric.NMI(tc.truth, res.Communities, metric.Sqrt)
		}
		t.Logf("k = %d: mean NMI %.4f", tc.k, sum/5)
		if sum/5 < tc.want-0.03 {
			t.Errorf("k = %d: mean NMI %.4f, measured %.4f", tc.k, sum/5, tc.want)
		}
	}
}
