package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// report is the JSON object fit prints with --json and writes to
// result.json.
type report struct {
	*model.Result
	Input    string             `json:"input"`
	Samples  int                `json:"n"`
	Features int                `json:"d"`
	Backend  string             `json:"backend"`
	Seed     uint64             `json:"seed"`
	Assign   string             `json:"assign"`
	Metrics  map[string]float64 `json:"metrics"`
	Factors  map[string]string  `json:"factors,omitempty"`
	// Seconds is the wall time of the whole fit: every restart, graph
	// construction and pre-training included, where the embedded Result's
	// counts the iterations of the final loop only.
	Seconds float64 `json:"seconds"`
	// FitSeed is the seed of the fit reported: Seed, or with --restarts the
	// seed of the restart kept.
	FitSeed  uint64 `json:"fit_seed"`
	Restarts int    `json:"restarts"`
}

type fitOptions struct {
	inputOptions
	model, init, layers, assign, out string
	rank, maxIter, seeds, clusters   int
	restarts                         int
	tol                              float64
	timeLimit                        time.Duration
	seed                             uint64
	params                           []string
	json, quiet                      bool
}

func newFit() *cobra.Command {
	var o fitOptions
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Fit a model to a data matrix or a graph",
		Long: `Fit a model to a data matrix (one sample per row) or a graph (an edge list or
an adjacency matrix), read hard assignments from its embedding, and report
the objective, the convergence and, with ground truth, the clustering scores.

Exit status: 0 on success, 2 on bad input or usage, 130 when interrupted
(Ctrl-C stops the run cleanly and still writes the factors reached), 1 on
any other failure.`,
		Example: `  deepnmf fit --model nmf --input digits.csv --label-column -1 --rank 10
  deepnmf fit --model nmf --input X.npy --rank 20 --param loss=kl --out results/
  deepnmf fit --model nmf --input edges.txt --format edgelist --labels labels.txt --rank 2 --json
  deepnmf fit --model nmf --input X.npz --rank 8 --param solver=cd --param alpha_w=0.01 --max-iter 500
  deepnmf fit --model nmf --input edges.txt --format edgelist --labels labels.txt --rank 2 --seeds 10
  deepnmf fit --model dasnmf --input cites.txt --directed --reverse --labels labels.txt --layers 256,64,7 --restarts 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFit(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "nmf", `model name (see "deepnmf models")`)
	f.StringVar(&o.path, "input", "", "input file (required)")
	f.StringVar(&o.format, "format", "", "input format: csv, tsv, txt, npy, npz, mtx or edgelist (default: from the extension)")
	f.BoolVar(&o.directed, "directed", false, "read an edge list as a directed graph")
	f.BoolVar(&o.reverse, "reverse", false, `with --directed, read "u v" as the arc v -> u (files that list the target first, e.g. LINQS .cites: "<cited> <citing>")`)
	f.StringVar(&o.selfLoops, "self-loops", "drop", "self-loops in an edge list: drop or keep")
	f.StringVar(&o.duplicates, "duplicates", "max", "an edge listed twice (either direction when undirected): keep the max weight, sum the weights, or one (binary)")
	f.BoolVar(&o.isolated, "isolated", false, "add nodes that appear in --labels but in no edge as isolated nodes")
	f.StringVar(&o.labels, "labels", "", "ground truth: one label per row, or 'node label' lines for a graph")
	f.StringVar(&o.graph, "graph", "", "similarity graph between the rows for graph-regularized data models: edge list on row numbers 0..n-1, or a square .npz/.mtx")
	f.StringVar(&o.groups, "groups", "", "sensitive group of each row or node, in the --labels layout (fairness models; adds the balance metric)")
	f.StringVar(&o.labelColumn, "label-column", "", "column of a text input holding labels: index (negative from the end) or name")
	f.StringVar(&o.header, "header", "auto", "whether a text input has a header line: auto, yes or no")
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization (required unless --layers)")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep model")
	f.IntVar(&o.maxIter, "max-iter", 200, "maximum number of iterations (models with their own default list it in \"deepnmf models\")")
	f.Float64Var(&o.tol, "tol", solve.DefaultTol, "tolerance of the stopping rule, 0 runs max-iter iterations (models may have their own default)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long, e.g. 30s (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw")
	f.IntVar(&o.seeds, "seeds", 1, "run seeds seed, seed+1, ... and report each metric's mean and standard deviation")
	f.IntVar(&o.restarts, "restarts", 1, "fit R times per seed s (seeds s·R, ..., s·R+R-1) and keep the fit with the lowest objective")
	f.StringVar(&o.init, "init", "", "initialization: random, nndsvd, nndsvda or nndsvdar (default: the model's)")
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value (repeatable; see \"deepnmf models\")")
	f.IntVar(&o.clusters, "clusters", 0, "number of k-means clusters (default: the classes of --labels, else the rank)")
	f.StringVar(&o.assign, "assign", "", "assignment from the embedding: argmax, kmeans (rows scaled to unit length) or kmeans-plain (rows as they are) (default: the model's reference read-out)")
	f.StringVar(&o.out, "out", "", "directory for embedding.npy, assignments.txt, result.json and the factors")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object on stdout")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

func runFit(cmd *cobra.Command, o fitOptions) error {
	if o.path == "" {
		return usageError{errors.New("--input is required")}
	}
	spec, ok := model.Lookup(o.model)
	if !ok {
		_, err := model.New(o.model, model.Config{})
		return err
	}
	layers, err := parseLayers(o.layers)
	if err != nil {
		return err
	}
	rank := o.rank
	if rank == 0 && len(layers) > 0 {
		rank = layers[len(layers)-1]
	}
	if rank <= 0 {
		return usageError{errors.New("--rank (or --layers) is required")}
	}
	params, err := model.ParseParams(o.params)
	if err != nil {
		return err
	}
	in, err := load(o.inputOptions, spec.Kind)
	if err != nil {
		return err
	}
	// Check the configuration before any fit.
	if _, err := model.New(o.model, model.Config{Rank: rank, Layers: layers, Init: o.init, Seed: o.seed, Params: params, Groups: in.groups(), Graph: in.Sim}); err != nil {
		return err
	}
	if o.restarts < 1 {
		return usageError{fmt.Errorf("--restarts %d: want at least 1", o.restarts)}
	}
	o.applyDefaults(cmd, spec)
	if o.seeds > 1 {
		return runSeeds(cmd, o, in, rank, layers)
	}
	res, kept, secs, err := fitSeed(cmd, o, in, rank, layers, o.seed)
	if err != nil {
		return err
	}
	pred, how, err := assign(res, o.assign, o.numClusters(in, rank), kept)
	if err != nil {
		return err
	}
	n, d := in.X.Dims()
	rep := &report{
		Result: res, Input: o.path, Samples: n, Features: d, Backend: backend.Current(),
		Seed: o.seed, Assign: how, Metrics: scores(in, pred), Seconds: secs, FitSeed: kept, Restarts: o.restarts,
	}
	if !res.Converged && res.Reason == solve.MaxIter && o.tol > 0 && !o.json {
		fmt.Fprintf(cmd.ErrOrStderr(), "deepnmf: warning: maximum iterations (%d) reached before convergence; raise --max-iter\n", o.maxIter)
	}
	if o.out != "" {
		if err := writeOutputs(o.out, rep, in.IDs, pred); err != nil {
			return err
		}
	}
	if o.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printSummary(cmd, rep)
	}
	if res.Reason == solve.Interrupted {
		return errInterrupted
	}
	return nil
}

// fitSeed fits the model for one seed s: once, or with --restarts R from
// seeds s·R, ..., s·R+R−1, keeping the fit with the lowest final objective
// (as R's NMF package does with nrun, and k-means with its restarts). It
// returns the fit kept, its seed, and the wall time of all the fits. An
// interrupted fit ends the restarts and is returned as it is.
func fitSeed(cmd *cobra.Command, o fitOptions, in *input, rank int, layers []int, seed uint64) (*model.Result, uint64, float64, error) {
	var best *model.Result
	var bestSeed uint64
	start := time.Now()
	for r := range o.restarts {
		s := seed*uint64(o.restarts) + uint64(r)
		params, err := model.ParseParams(o.params)
		if err != nil {
			return nil, 0, 0, err
		}
		est, err := model.New(o.model, model.Config{Rank: rank, Layers: layers, Init: o.init, Seed: s, Params: params, Groups: in.groups(), Graph: in.Sim})
		if err != nil {
			return nil, 0, 0, err
		}
		bar := newProgress(cmd.ErrOrStderr(), o.quiet, o.maxIter)
		res, err := est.Fit(cmd.Context(), in.X, solve.Settings{MaxIter: o.maxIter, Tol: o.tol, TimeLimit: o.timeLimit, Progress: bar.update})
		bar.finish()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("seed %d: %w", s, err)
		}
		if res.Reason == solve.Interrupted {
			return res, s, time.Since(start).Seconds(), nil
		}
		if best == nil || res.Objective < best.Objective {
			best, bestSeed = res, s
		}
	}
	return best, bestSeed, time.Since(start).Seconds(), nil
}

// numClusters is the k of a k-means read-out: --clusters, else the number
// of classes in the ground truth, else the rank.
func (o *fitOptions) numClusters(in *input, rank int) int {
	switch {
	case o.clusters > 0:
		return o.clusters
	case in.Labels != nil && len(in.Labels.Names) > 0:
		return len(in.Labels.Names)
	}
	return rank
}

// applyDefaults replaces the iteration limit and the tolerance by the
// model's own defaults where the command line does not set them.
func (o *fitOptions) applyDefaults(cmd *cobra.Command, spec model.Spec) {
	if spec.Defaults == nil {
		return
	}
	if !cmd.Flags().Changed("max-iter") && spec.Defaults.MaxIter > 0 {
		o.maxIter = spec.Defaults.MaxIter
	}
	if !cmd.Flags().Changed("tol") {
		o.tol = spec.Defaults.Tol
	}
}

func parseLayers(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var layers []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, usageError{fmt.Errorf("--layers %q: want positive integers separated by commas", s)}
		}
		layers = append(layers, v)
	}
	return layers, nil
}

// writeOutputs writes the embedding, the assignments, the factors and the
// result object into dir, each file atomically.
func writeOutputs(dir string, rep *report, ids []string, pred []int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rep.Factors = map[string]string{}
	for _, f := range rep.Result.Factors {
		name := f.Name + ".npy"
		if err := dataio.WriteNPY(filepath.Join(dir, name), f.M); err != nil {
			return err
		}
		rep.Factors[name] = f.Doc
	}
	if err := dataio.WriteNPY(filepath.Join(dir, "embedding.npy"), rep.Embedding); err != nil {
		return err
	}
	if err := dataio.WriteAssignments(filepath.Join(dir, "assignments.txt"), ids, pred); err != nil {
		return err
	}
	return dataio.WriteJSON(filepath.Join(dir, "result.json"), rep)
}

func printSummary(cmd *cobra.Command, rep *report) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "model %s, rank %d, input %s (%dx%d), backend %s\n", rep.Model, rep.Rank, rep.Input, rep.Samples, rep.Features, rep.Backend)
	fmt.Fprintf(w, "%d iterations (%s), objective %.6g, %.2fs\n", rep.Iterations, rep.Reason, rep.Objective, rep.Seconds)
	for _, k := range []string{"acc", "nmi", "ari", "purity", "f1", "modularity", "conductance"} {
		if v, ok := rep.Metrics[k]; ok {
			fmt.Fprintf(w, "%-12s %.4f\n", k, v)
		}
	}
}

// seedSummary is the JSON object of a run over several seeds.
type seedSummary struct {
	Model    string                        `json:"model"`
	Rank     int                           `json:"rank"`
	Layers   []int                         `json:"layers,omitempty"`
	Input    string                        `json:"input"`
	Samples  int                           `json:"n"`
	Features int                           `json:"d"`
	Backend  string                        `json:"backend"`
	Seeds    []uint64                      `json:"seeds"`
	Assign   string                        `json:"assign"`
	Metrics  map[string]map[string]float64 `json:"metrics"` // metric -> mean, std, min, max
	Seconds  map[string]float64            `json:"seconds"` // mean, std
	Restarts int                           `json:"restarts"`
	Runs     []seedRun                     `json:"runs"`
}

type seedRun struct {
	Seed    uint64 `json:"seed"`
	FitSeed uint64 `json:"fit_seed"` // the restart kept

	Iterations int                `json:"iterations"`
	Converged  bool               `json:"converged"`
	Objective  float64            `json:"objective"`
	Seconds    float64            `json:"seconds"`
	Metrics    map[string]float64 `json:"metrics"`
}

// runSeeds fits the model once per seed and summarizes the metrics.
func runSeeds(cmd *cobra.Command, o fitOptions, in *input, rank int, layers []int) error {
	n, d := in.X.Dims()
	sum := &seedSummary{Model: o.model, Rank: rank, Layers: layers, Input: o.path, Samples: n, Features: d,
		Backend: backend.Current(), Restarts: o.restarts}
	values := map[string][]float64{}
	var secs []float64
	for i := range o.seeds {
		seed := o.seed + uint64(i)
		res, kept, fitSecs, err := fitSeed(cmd, o, in, rank, layers, seed)
		if err != nil {
			return err
		}
		if res.Reason == solve.Interrupted {
			return errInterrupted
		}
		pred, how, err := assign(res, o.assign, o.numClusters(in, rank), kept)
		if err != nil {
			return err
		}
		sum.Assign = how
		m := scores(in, pred)
		for k, v := range m {
			values[k] = append(values[k], v)
		}
		secs = append(secs, fitSecs)
		sum.Seeds = append(sum.Seeds, seed)
		sum.Runs = append(sum.Runs, seedRun{seed, kept, res.Iterations, res.Converged, res.Objective, fitSecs, m})
	}
	sum.Metrics = map[string]map[string]float64{}
	for k, v := range values {
		sum.Metrics[k] = describe(v)
	}
	sum.Seconds = describe(secs)
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		if err := dataio.WriteJSON(filepath.Join(o.out, "summary.json"), sum); err != nil {
			return err
		}
	}
	if o.json {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(sum)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "model %s, rank %d, input %s (%dx%d), %d seeds from %d\n", o.model, rank, o.path, n, d, o.seeds, o.seed)
	for _, k := range []string{"acc", "nmi", "ari", "purity", "f1", "modularity"} {
		if s, ok := sum.Metrics[k]; ok {
			fmt.Fprintf(w, "%-12s %.4f ± %.4f  (min %.4f, max %.4f)\n", k, s["mean"], s["std"], s["min"], s["max"])
		}
	}
	fmt.Fprintf(w, "%-12s %.3f ± %.3f\n", "seconds", sum.Seconds["mean"], sum.Seconds["std"])
	return nil
}

// describe returns the mean, the (population) standard deviation, the
// minimum and the maximum of v.
func describe(v []float64) map[string]float64 {
	mean, std := stat.PopMeanStdDev(v, nil)
	return map[string]float64{"mean": mean, "std": std, "min": floats.Min(v), "max": floats.Max(v)}
}
