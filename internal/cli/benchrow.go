package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// A benchProblem is one input of the bench. A problem with a model other
// than nmf is timed as whole fits at the model's defaults; an nmf problem
// as iterations of the solver its row names.
type benchProblem struct {
	name, about string
	k           int
	model       string   // "nmf", or the deep model fitted whole
	layers      []int    // for the deep models
	params      []string // the deep models' parameters (the papers' settings)
	sparse      bool     // the input is stored CSR
	float32     bool     // MU is also timed in float32
	// settings are the deep model's fit settings (zero: its defaults).
	settings solve.Settings
	// load builds the input; data is the --data folder.
	load func(data string) (linalg.Matrix, error)
}

// benchProblems are the bench's inputs, in table order. The graphs of
// 100000 nodes are generated here from a fixed seed, so every run (and
// scikit-learn, which reads them from the .npy files the bench writes)
// multiplies the same matrix.
var benchProblems = []benchProblem{
	{name: "digits", about: "1797x64 dense, k=10", k: 10, model: "nmf", float32: true, load: func(string) (linalg.Matrix, error) {
		t, _, err := datasets.Table("digits")
		if err != nil {
			return nil, err
		}
		return t.X, nil
	}},
	{name: "dense2000x5000", about: "uniform [0,1) 2000x5000, k=50", k: 50, model: "nmf", float32: true, load: func(string) (linalg.Matrix, error) {
		return linalg.NewDense(initialize.RandomDense(2000, 5000, 1, initialize.NewRand(0))), nil
	}},
	{name: "graph100k", about: "random graph, 100000 nodes, 2M stored entries, k=32", k: 32, model: "nmf", sparse: true, float32: true,
		load: func(string) (linalg.Matrix, error) { return benchGraph(100000, 1000000, 0) }},
	{name: "sbm100k", about: "communities of 100 nodes (80% of edges inside), numbered at random, 100000 nodes, 2M stored entries, k=32", k: 32, model: "nmf", sparse: true,
		load: func(string) (linalg.Matrix, error) { return benchGraph(100000, 1000000, 0.8) }},
	{name: "sbm200k", about: "communities of 100 nodes (80% of edges inside), 200000 nodes, 2M edges (4M stored entries), k=64", k: 64, model: "nmf", sparse: true,
		load: func(string) (linalg.Matrix, error) { return benchGraph(200000, 2000000, 0.8) }},
	{name: "sbm200k-danmf", about: "the same graph, DANMF 64,16, 5 iterations after the default pre-training", model: "danmf", layers: []int{64, 16},
		settings: solve.Settings{MaxIter: 5}, load: func(string) (linalg.Matrix, error) { return benchGraph(200000, 2000000, 0.8) }},
	{name: "cora-danmf", about: "Cora undirected, DANMF 256,64,7", model: "danmf", layers: []int{256, 64, 7},
		load: sharedGraph("cora", dataio.EdgeOptions{Duplicates: "one"})},
	{name: "cora-dasnmf", about: "Cora, arcs cited → citing, DAsNMF 256,64,7, η=0.45, λ=0.01", model: "dasnmf", layers: []int{256, 64, 7},
		params: []string{"eta=0.45", "lambda=0.01"}, load: sharedGraph("cora", dataio.EdgeOptions{Directed: true, Reverse: true, Duplicates: "one"})},
	{name: "email-danmf", about: "Email-Eu-core undirected, DANMF 256,128,42, λ=0.01", model: "danmf", layers: []int{256, 128, 42},
		params: []string{"lambda=0.01"}, load: sharedGraph("email-Eu-core", dataio.EdgeOptions{Duplicates: "one"})},
	{name: "email-dasnmf", about: "Email-Eu-core directed, DAsNMF 256,128,42, η=0.2, λ=0.001", model: "dasnmf", layers: []int{256, 128, 42},
		params: []string{"eta=0.2", "lambda=0.001"}, load: sharedGraph("email-Eu-core", dataio.EdgeOptions{Directed: true, Duplicates: "one"})},
}

func findProblem(name string) (benchProblem, bool) {
	i := slices.IndexFunc(benchProblems, func(p benchProblem) bool { return p.name == name })
	if i < 0 {
		return benchProblem{}, false
	}
	return benchProblems[i], true
}

// sharedGraph loads edges.txt of a dataset folder under the --data folder.
func sharedGraph(dir string, opt dataio.EdgeOptions) func(string) (linalg.Matrix, error) {
	return func(data string) (linalg.Matrix, error) {
		path := filepath.Join(data, dir, "edges.txt")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("needs %s (the shared datasets; --data names their folder): %w", path, errSkip)
		}
		g, err := dataio.ReadEdgeList(path, opt)
		if err != nil {
			return nil, err
		}
		return g.Adj, nil
	}
}

// errSkip marks a row that cannot run here (missing data or library).
var errSkip = errors.New("skipped")

// benchGraph returns a bench graph of n nodes with the given number of
// edges drawn from a fixed seed, stored in both directions: a fraction
// inside of each edge joins two nodes of the same community of 100, the
// others two nodes drawn uniformly; node numbers are then permuted at
// random. Weights are 1 (an edge drawn twice weighs 2).
func benchGraph(n, edges int, inside float64) (*linalg.CSR, error) {
	const size = 100
	rng := initialize.NewRand(7)
	perm := rng.Perm(n)
	rows, cols := make([]int, 0, 2*edges), make([]int, 0, 2*edges)
	for len(rows) < 2*edges {
		u := rng.IntN(n)
		v := rng.IntN(n)
		if rng.Float64() < inside {
			v = u/size*size + rng.IntN(size)
		}
		if u == v {
			continue
		}
		rows = append(rows, perm[u], perm[v])
		cols = append(cols, perm[v], perm[u])
	}
	vals := make([]float64, len(rows))
	for i := range vals {
		vals[i] = 1
	}
	return linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
}

// benchRow is one row of the bench table, as a child process reports it.
type benchRow struct {
	Problem        string  `json:"problem"`
	Implementation string  `json:"implementation"`
	MsPerIter      float64 `json:"ms_per_iter,omitempty"`
	FitSeconds     float64 `json:"fit_s,omitempty"`
	PretrainSec    float64 `json:"pretrain_s,omitempty"`
	// PretrainIters are the iterations of each pre-training phase.
	PretrainIters []int   `json:"pretrain_iters,omitempty"`
	Iterations    int     `json:"iterations,omitempty"`
	FloorMs       float64 `json:"floor_ms,omitempty"`
	// Flops is the floating-point operations of the two big products of
	// one iteration (X·Hᵀ and Wᵀ·X): 4·nnz·k.
	Flops     float64 `json:"flops,omitempty"`
	GFLOPS    float64 `json:"gflops,omitempty"`
	Ratio     float64 `json:"floor_ratio,omitempty"`
	PeakMB    float64 `json:"peak_mb,omitempty"`
	Objective float64 `json:"objective,omitempty"`
	Version   string  `json:"version,omitempty"`
	Error     string  `json:"error,omitempty"`
}

// measureRow runs one row in this process: solver is "mu" or "cd" for an
// nmf problem, ignored for a deep one, in float32 if f32.
func measureRow(ctx context.Context, p benchProblem, solver string, f32 bool, data string, iters int) (*benchRow, error) {
	x, err := p.load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	row := &benchRow{Problem: p.name}
	if p.model != "nmf" {
		est, err := model.New(p.model, model.Config{Layers: p.layers, Params: p.params})
		if err != nil {
			return nil, err
		}
		start := time.Now()
		res, err := est.Fit(ctx, x, p.settings)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		row.FitSeconds = time.Since(start).Seconds()
		for _, ph := range res.Pretrain {
			row.PretrainSec += ph.Seconds
			row.PretrainIters = append(row.PretrainIters, ph.Iterations)
		}
		row.Iterations, row.Objective = res.Iterations, res.Objective
		return row, nil
	}
	m := model.NMF{Rank: p.k, Init: initialize.Random, Solver: model.Solver(solver), Float32: f32}
	fit := func(n int) (time.Duration, error) {
		start := time.Now()
		_, err := m.Fit(ctx, x, solve.Settings{MaxIter: n, Tol: new(0.0), CheckEvery: 1 << 30})
		return time.Since(start), err
	}
	if row.MsPerIter, err = timeIters(fit, iters); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	if row.FloorMs, err = floorMs(x, p.k, f32); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	r, c := x.Dims()
	nnz := r * c
	if s, ok := x.(*linalg.CSR); ok {
		nnz = s.NNZ()
	}
	row.Flops = 4 * float64(nnz) * float64(p.k)
	return row, nil
}

// timeIters returns the milliseconds per iteration of fit(n) (a fit of n
// iterations): (T(2N) − T(N))/N, each T the best of three, so set-up and
// the evaluations of the objective cancel out. N starts at n and grows
// until the difference lasts at least a fifth of a second, so that noise
// of a few milliseconds does not decide it.
func timeIters(fit func(n int) (time.Duration, error), n int) (float64, error) {
	best := func(n int) (time.Duration, error) {
		b := time.Duration(1 << 62)
		for range 3 {
			t, err := fit(n)
			if err != nil {
				return 0, err
			}
			b = min(b, t)
		}
		return b, nil
	}
	// The first fit also builds what a CSR input caches for its products
	// (its transpose, a reordering), which the timed fits then share.
	if _, err := fit(n); err != nil {
		return 0, err
	}
	const enough = time.Second / 5
	for range 6 {
		t1, err := best(n)
		if err != nil {
			return 0, err
		}
		t2, err := best(2 * n)
		if err != nil {
			return 0, err
		}
		d := t2 - t1
		if d >= enough {
			return float64(d) / float64(n) / 1e6, nil
		}
		grow := 10
		if d > 0 {
			grow = min(max(int(enough*3/2/d)+1, 2), 100)
		}
		n *= grow
	}
	return 0, errors.New("the time per iteration does not settle: the machine is too busy to measure")
}

// floorMs returns the milliseconds of an iteration's two big products,
// X·Hᵀ and Xᵀ·W for W n x k and H k x d, best of five, in float32 if f32.
func floorMs(x linalg.Matrix, k int, f32 bool) (float64, error) {
	r, c := x.Dims()
	rng := rand.New(rand.NewPCG(1, 2))
	w := initialize.RandomDense(r, k, 1, rng)
	ht := initialize.RandomDense(c, k, 1, rng)
	xh, xw := mat.NewDense(r, k, nil), mat.NewDense(c, k, nil)
	products := func() {
		x.Mul(xh, ht)
		x.TMul(xw, w)
	}
	if f32 {
		x32, err := linalg.ToFloat32(x)
		if err != nil {
			return 0, err
		}
		w32, ht32, xh32, xw32 := linalg.General32(w), linalg.General32(ht), linalg.General32(xh), linalg.General32(xw)
		products = func() {
			x32.Mul(xh32, ht32)
			x32.TMul(xw32, w32)
		}
	}
	products() // builds what the products cache (a transpose, an order)
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		products()
		best = min(best, time.Since(start))
	}
	return float64(best) / 1e6, nil
}
