package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
	DType    string             `json:"dtype"` // float64 or float32 (--dtype)
	Seed     uint64             `json:"seed"`
	Assign   string             `json:"assign"`
	Metrics  map[string]float64 `json:"metrics"`
	Factors  map[string]string  `json:"factors,omitempty"`
	// Labelled is the number of samples drawn as labelled
	// (--labelled-fraction): the metrics are computed on the others.
	Labelled int `json:"labelled"`
	// Constraints is the number of pairwise constraints of --constraints.
	Constraints int `json:"constraints,omitempty"`
	// Seconds is the wall time of the whole fit: every restart, graph
	// construction and pre-training included, where the embedded Result's
	// counts the iterations of the final loop only.
	Seconds float64 `json:"seconds"`
	// FitSeed is the seed of the fit reported: Seed, or with --restarts the
	// seed of the restart kept.
	FitSeed  uint64 `json:"fit_seed"`
	Restarts int    `json:"restarts"`
	// Note says what the user should know about the run, such as restarts
	// that all gave the same fit.
	Note string `json:"note,omitempty"`
	// Files are the files written with --out, relative to it.
	Files []string `json:"files,omitempty"`
}

type fitOptions struct {
	inputOptions
	model, init, layers, assign, out string
	dtype                            string
	rank, maxIter, seeds, clusters   int
	restarts                         int
	tol, labelledFraction            float64
	constraints                      string
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

The iteration limit and the tolerance default to the model's own ("deepnmf
models" lists them); --tol 0 runs --max-iter iterations. With --out, the
directory receives the factors, embedding.npy, ids.txt (the id of each row,
in row order: an edge list's node ids sorted numerically when all are
integers, else in order of appearance), assignments.txt and result.json;
files of an earlier run into the same directory are removed first.

Semi-supervised models (s4nmf, symnmf, gnmf) take labelled samples: with
--labelled-fraction p, round(p·n_c) samples of every class c of the ground
truth (at least one) are drawn from the seed and given to the model, and the
metrics are computed on the other samples only. --constraints gives pairwise
constraints directly, one "i j must|cannot" line per pair (0-based rows).
Other models refuse both.

--dtype float32 runs the fit in single precision: the input, the factors and
the products in float32 (scikit-learn does so for float32 input), about
twice as fast on large inputs, with the objective within about 1e-6
(relative) of float64's on digits. Only nmf with the Frobenius loss (either
solver) runs in float32 so far; other models and losses exit with status 2.
The factors are written in float64.

Exit status: 0 on success, 2 on bad input or usage, 130 when interrupted by
Ctrl-C and 143 by SIGTERM (the run stops cleanly and still writes the results
reached), 1 on any other failure.`,
		Example: `  deepnmf fit --model nmf --input digits.csv --label-column -1 --rank 10
  deepnmf fit --model nmf --input X.npy --rank 20 --param loss=kl --out results/
  deepnmf fit --model nmf --input edges.txt --format edgelist --labels labels.txt --rank 2 --json
  deepnmf fit --model nmf --input X.npz --rank 8 --param solver=mu --param alpha_w=0.01 --max-iter 500
  deepnmf fit --model nmf --input X.npy --rank 50 --param solver=mu --dtype float32
  deepnmf fit --model nmf --input edges.txt --format edgelist --labels labels.txt --rank 2 --seeds 10
  deepnmf fit --model dasnmf --input cites.txt --directed --reverse --labels labels.txt --layers 256,64,7 --restarts 5
  deepnmf fit --model s4nmf --input iris.csv --label-column -1 --rank 3 --labelled-fraction 0.1 --seeds 10`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFit(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "nmf", `model name (see "deepnmf models")`)
	addInputFlags(f, &o.inputOptions, true)
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization (required unless --layers)")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep model")
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default: the model's, see \"deepnmf models\")")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the stopping rule; 0 runs max-iter iterations (default: the model's)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long, pre-training included, e.g. 30s (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw")
	f.IntVar(&o.seeds, "seeds", 1, "run seeds seed, seed+1, ... and report each metric's mean and standard deviation")
	f.IntVar(&o.restarts, "restarts", 1, "fit R times per seed s (seeds s·R, ..., s·R+R-1) and keep the fit with the lowest objective")
	f.StringVar(&o.init, "init", "", `initialization (default: the model's; "deepnmf models" lists each model's)`)
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value (repeatable; see \"deepnmf models\")")
	f.IntVar(&o.clusters, "clusters", 0, "number of k-means clusters (default: the classes of --labels, else the rank)")
	f.Float64Var(&o.labelledFraction, "labelled-fraction", 0, "draw this fraction of each class of the ground truth as labelled samples for a semi-supervised model (s4nmf, symnmf, gnmf); metrics on the others")
	f.StringVar(&o.constraints, "constraints", "", `pairwise constraints for a semi-supervised model: "i j must|cannot" lines, 0-based rows`)
	f.StringVar(&o.dtype, "dtype", "float64", "float64, or float32 to fit in single precision (nmf with the Frobenius loss only, see above)")
	f.StringVar(&o.assign, "assign", "", "assignment from the embedding: argmax, kmeans (rows scaled to unit length) or kmeans-plain (rows as they are) (default: the model's reference read-out)")
	f.StringVar(&o.out, "out", "", "directory for the factors, embedding.npy, ids.txt, assignments.txt and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object on stdout")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// settings returns the loop settings the flags give: zero fields (flags
// not given) take the model's defaults.
func (o *fitOptions) settings(cmd *cobra.Command, bar *progress) solve.Settings {
	s := solve.Settings{MaxIter: o.maxIter, TimeLimit: o.timeLimit, Progress: bar.update}
	if cmd.Flags().Changed("tol") {
		s.Tol = &o.tol
	}
	return s
}

// checkLoop validates the input and loop flags of the commands that fit.
func (o *fitOptions) checkLoop(cmd *cobra.Command) error {
	changed := cmd.Flags().Changed
	switch {
	case o.path == "":
		return usageError{errors.New("--input is required")}
	case changed("max-iter") && o.maxIter < 1:
		return usageError{fmt.Errorf("--max-iter %d: want at least 1", o.maxIter)}
	case changed("tol") && !(o.tol >= 0 && !math.IsInf(o.tol, 1)):
		return usageError{fmt.Errorf("--tol %g: want a finite number ≥ 0 (0 runs --max-iter iterations)", o.tol)}
	case o.timeLimit < 0:
		return usageError{fmt.Errorf("--time-limit %v is negative", o.timeLimit)}
	}
	return o.inputOptions.check()
}

// check validates the flags of fit that need no input.
func (o *fitOptions) check(cmd *cobra.Command) error {
	changed := cmd.Flags().Changed
	if err := o.checkLoop(cmd); err != nil {
		return err
	}
	switch {
	case o.seeds < 1:
		return usageError{fmt.Errorf("--seeds %d: want at least 1", o.seeds)}
	case o.restarts < 1:
		return usageError{fmt.Errorf("--restarts %d: want at least 1", o.restarts)}
	case changed("clusters") && o.clusters < 1:
		return usageError{fmt.Errorf("--clusters %d: want at least 1", o.clusters)}
	case changed("rank") && o.rank < 1:
		return usageError{fmt.Errorf("--rank %d: the rank must be positive", o.rank)}
	case changed("labelled-fraction") && !(o.labelledFraction > 0 && o.labelledFraction < 1):
		return usageError{fmt.Errorf("--labelled-fraction %g: want a fraction in (0, 1)", o.labelledFraction)}
	case o.dtype != "float64" && o.dtype != "float32":
		return usageError{fmt.Errorf("unknown --dtype %q: want float64 or float32", o.dtype)}
	}
	if o.constraints != "" {
		if err := notDir("--constraints", o.constraints); err != nil {
			return err
		}
	}
	switch model.Assign(o.assign) {
	case "", model.AssignArgmax, model.AssignKMeans, model.AssignKMeansPlain:
	default:
		return usageError{fmt.Errorf("unknown --assign %q: want argmax, kmeans or kmeans-plain", o.assign)}
	}
	return nil
}

func runFit(cmd *cobra.Command, o fitOptions) error {
	if err := o.check(cmd); err != nil {
		return err
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
	if rank == 0 {
		return usageError{errors.New("--rank (or --layers) is required")}
	}
	// config is the model's configuration for a fit from seed with the
	// labelled samples drawn; without the input (in nil), the one New
	// checks first, where any labelled samples and constraints stand as
	// empty lists.
	config := func(seed uint64, in *input, labelled []int) model.Config {
		c := model.Config{Rank: o.rank, Layers: layers, Init: o.init, Seed: seed, Params: o.params, Float32: o.dtype == "float32"}
		if c.Rank == 0 && len(layers) == 0 {
			c.Rank = rank
		}
		if in == nil {
			if o.labelledFraction > 0 {
				c.Labelled = []int{}
			}
			if o.constraints != "" {
				c.Must = [][2]int{}
			}
			return c
		}
		c.Groups, c.Graph, c.Labelled = in.groups(), in.Sim, labelled
		if in.links != nil {
			c.Must, c.Cannot = in.links.must, in.links.cannot
		}
		return c
	}
	// Check the configuration and the output directory before reading the
	// input and fitting.
	if _, err := model.New(o.model, config(o.seed, nil, nil)); err != nil {
		return err
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	in, err := load(o.inputOptions, spec.Kind)
	if err != nil {
		return err
	}
	n, d := in.X.Dims()
	if o.clusters > n {
		return usageError{fmt.Errorf("--clusters %d: more clusters than the %d rows", o.clusters, n)}
	}
	if o.labelledFraction > 0 {
		if in.Labels == nil {
			return usageError{errors.New("--labelled-fraction draws from the ground truth: give --labels or --label-column")}
		}
		// Every seed draws as many samples of each class, at least one.
		if l := countLabelled(drawLabelled(in.Labels.Values, o.labelledFraction, o.seed)); l == n {
			return usageError{fmt.Errorf("--labelled-fraction %g labels all %d samples (at least one of each class): none is left to score", o.labelledFraction, n)}
		}
	}
	if o.constraints != "" {
		if in.links, err = readConstraints(o.constraints, n); err != nil {
			return err
		}
	}
	removed := 0
	if o.out != "" {
		if removed, err = cleanOut(o.out); err != nil {
			return fmt.Errorf("cleaning --out %s: %w", o.out, err)
		}
	}
	f := &fitter{cmd: cmd, o: o, spec: spec, in: in, config: config}
	if o.seeds > 1 {
		return f.seeds(removed)
	}
	fr, err := f.fit(o.seed)
	if err != nil {
		return in.hint(err)
	}
	pred, how, err := assign(fr.res, o.assign, o.numClusters(in, rank), fr.seed)
	if err != nil {
		return err
	}
	rep := &report{
		Result: fr.res, Input: o.path, Samples: n, Features: d, Backend: backend.Current(), DType: o.dtype,
		Seed: o.seed, Assign: how, Metrics: scores(in, pred, fr.labelled), Seconds: fr.seconds, FitSeed: fr.seed, Restarts: o.restarts,
		Note: fr.note, Labelled: countLabelled(fr.labelled), Constraints: in.links.count(),
	}
	if maxIter := f.maxIter(); !fr.res.Converged && fr.res.Reason == solve.MaxIter && f.tolOn() && !o.json {
		fmt.Fprintf(cmd.ErrOrStderr(), "deepnmf: warning: maximum iterations (%d) reached before convergence; raise --max-iter\n", maxIter)
	}
	if fr.note != "" && !o.json {
		fmt.Fprintf(cmd.ErrOrStderr(), "deepnmf: note: %s\n", fr.note)
	}
	var files []string
	if o.out != "" {
		if files, err = writeFit(o.out, "", rep, in.IDs, pred); err != nil {
			return err
		}
	}
	if o.json {
		if err := json.NewEncoder(cmd.OutOrStdout()).Encode(rep); err != nil {
			return err
		}
	} else {
		printSummary(cmd, rep)
		if o.out != "" {
			fmt.Fprintln(cmd.OutOrStdout(), outLine(o.out, files, removed))
		}
	}
	if fr.res.Reason == solve.Interrupted {
		return errInterrupted
	}
	return nil
}

// fitter runs the fits of one fit command.
type fitter struct {
	cmd    *cobra.Command
	o      fitOptions
	spec   model.Spec
	in     *input
	config func(seed uint64, in *input, labelled []int) model.Config
}

// fitRun is the fit kept for one seed.
type fitRun struct {
	res     *model.Result
	seed    uint64  // the seed of the fit kept
	seconds float64 // the wall time of all its restarts
	note    string
	// labelled holds the class of each sample drawn as labelled for the
	// seed, −1 for the others; nil without --labelled-fraction.
	labelled []int
}

// maxIter returns the iteration limit in force.
func (f *fitter) maxIter() int {
	if f.o.maxIter > 0 {
		return f.o.maxIter
	}
	return f.spec.Settings.MaxIter
}

// tolOn reports whether the stopping test is on.
func (f *fitter) tolOn() bool {
	if f.cmd.Flags().Changed("tol") {
		return f.o.tol > 0
	}
	return f.spec.Settings.Tol != nil && *f.spec.Settings.Tol > 0
}

// fit fits the model for one seed s: once, or with --restarts R from
// seeds s·R, ..., s·R+R−1, keeping the fit with the lowest final objective
// (as R's NMF package does with nrun, and k-means with its restarts). An
// interrupted fit ends the restarts and is returned as it is.
func (f *fitter) fit(seed uint64) (*fitRun, error) {
	var labelled []int
	if f.o.labelledFraction > 0 {
		labelled = drawLabelled(f.in.Labels.Values, f.o.labelledFraction, seed)
	}
	var best *fitRun
	start := time.Now()
	same := true
	r := uint64(f.o.restarts)
	for i := range r {
		s := seed*r + i
		est, err := model.New(f.o.model, f.config(s, f.in, labelled))
		if err != nil {
			return nil, err
		}
		bar := newProgress(f.cmd.ErrOrStderr(), f.o.quiet)
		res, err := est.Fit(f.cmd.Context(), f.in.X, f.o.settings(f.cmd, bar))
		bar.finish()
		if err != nil {
			if f.o.seeds > 1 || r > 1 {
				err = fmt.Errorf("seed %d: %w", s, err)
			}
			return nil, err
		}
		if res.Reason == solve.Interrupted {
			return &fitRun{res: res, seed: s, seconds: time.Since(start).Seconds(), labelled: labelled}, nil
		}
		if best != nil && res.Objective != best.res.Objective {
			same = false
		}
		if best == nil || res.Objective < best.res.Objective {
			best = &fitRun{res: res, seed: s, labelled: labelled}
		}
	}
	best.seconds = time.Since(start).Seconds()
	if r > 1 && same {
		best.note = fmt.Sprintf("the %d restarts gave the same fit: this model's start does not depend on the seed here (deterministic init); --restarts changes nothing", r)
	}
	return best, nil
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

func printSummary(cmd *cobra.Command, rep *report) {
	w := cmd.OutOrStdout()
	dtype := ""
	if rep.DType == "float32" {
		dtype = ", float32"
	}
	fmt.Fprintf(w, "model %s, rank %d, input %s (%dx%d), backend %s%s\n", rep.Model, rep.Rank, rep.Input, rep.Samples, rep.Features, rep.Backend, dtype)
	fmt.Fprintf(w, "%d iterations (%s), objective %.6g, %.2fs\n", rep.Iterations, rep.Reason, rep.Objective, rep.Seconds)
	if rep.Labelled > 0 {
		fmt.Fprintf(w, "%d labelled samples; scores on the %d others\n", rep.Labelled, rep.Samples-rep.Labelled)
	}
	if rep.ReconstructionErr > 0 {
		fmt.Fprintf(w, "%-12s %.6g\n", "recon. error", rep.ReconstructionErr)
	}
	for _, k := range []string{"acc", "nmi", "ari", "purity", "f1", "modularity", "conductance", "balance"} {
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
	DType    string                        `json:"dtype"`
	Seeds    []uint64                      `json:"seeds"`
	Assign   string                        `json:"assign"`
	Metrics  map[string]map[string]float64 `json:"metrics"` // metric -> mean, std, min, max
	Seconds  map[string]float64            `json:"seconds"` // mean, std
	Restarts int                           `json:"restarts"`
	// Labelled is the number of labelled samples of each seed's draw.
	Labelled    int       `json:"labelled"`
	Constraints int       `json:"constraints,omitempty"`
	Runs        []seedRun `json:"runs"`
	// Interrupted says the run was stopped before every seed was fitted;
	// Runs then holds the seeds done, the last one as far as it got.
	Interrupted bool     `json:"interrupted,omitempty"`
	Note        string   `json:"note,omitempty"`
	Files       []string `json:"files,omitempty"`
}

type seedRun struct {
	Seed    uint64 `json:"seed"`
	FitSeed uint64 `json:"fit_seed"` // the restart kept

	Iterations int                `json:"iterations"`
	Converged  bool               `json:"converged"`
	Reason     solve.Reason       `json:"reason"`
	Objective  float64            `json:"objective"`
	Seconds    float64            `json:"seconds"`
	Metrics    map[string]float64 `json:"metrics"`
	// Dir is the directory of its files below --out.
	Dir string `json:"dir,omitempty"`
}

// seeds fits the model once per seed and summarizes the metrics; with
// --out, each seed's results go to seed-S/ and the summary to
// summary.json. An interrupted run writes what it has.
func (f *fitter) seeds(removed int) error {
	o, in := f.o, f.in
	n, d := in.X.Dims()
	rank := o.rank
	layers, _ := parseLayers(o.layers)
	if rank == 0 {
		rank = layers[len(layers)-1]
	}
	sum := &seedSummary{Model: o.model, Rank: rank, Layers: layers, Input: o.path, Samples: n, Features: d,
		Backend: backend.Current(), DType: o.dtype, Restarts: o.restarts, Constraints: in.links.count()}
	values := map[string][]float64{}
	var secs []float64
	var files []string
	for i := range o.seeds {
		seed := o.seed + uint64(i)
		fr, err := f.fit(seed)
		if err != nil {
			return in.hint(err)
		}
		pred, how, err := assign(fr.res, o.assign, o.numClusters(in, rank), fr.seed)
		if err != nil {
			return err
		}
		sum.Assign = how
		sum.Labelled = countLabelled(fr.labelled)
		m := scores(in, pred, fr.labelled)
		run := seedRun{Seed: seed, FitSeed: fr.seed, Iterations: fr.res.Iterations, Converged: fr.res.Converged,
			Reason: fr.res.Reason, Objective: fr.res.Objective, Seconds: fr.seconds, Metrics: m}
		if o.out != "" {
			run.Dir = fmt.Sprintf("seed-%d", seed)
			rep := &report{Result: fr.res, Input: o.path, Samples: n, Features: d, Backend: backend.Current(), DType: o.dtype,
				Seed: seed, Assign: how, Metrics: m, Seconds: fr.seconds, FitSeed: fr.seed, Restarts: o.restarts, Note: fr.note,
				Labelled: sum.Labelled, Constraints: sum.Constraints}
			written, err := writeFit(o.out, run.Dir, rep, in.IDs, pred)
			files = append(files, written...)
			if err != nil {
				return err
			}
		}
		sum.Seeds = append(sum.Seeds, seed)
		sum.Runs = append(sum.Runs, run)
		if fr.res.Reason == solve.Interrupted {
			sum.Interrupted = true
			break
		}
		for k, v := range m {
			values[k] = append(values[k], v)
		}
		secs = append(secs, fr.seconds)
	}
	sum.Metrics = map[string]map[string]float64{}
	for k, v := range values {
		sum.Metrics[k] = describe(v)
	}
	if len(secs) > 0 {
		sum.Seconds = describe(secs)
	}
	if len(sum.Runs) > 1 && !sum.Interrupted {
		same := true
		for _, r := range sum.Runs[1:] {
			same = same && r.Objective == sum.Runs[0].Objective
		}
		if same {
			sum.Note = fmt.Sprintf("the %d seeds gave the same fit: this model's start does not depend on the seed here (deterministic init); only the k-means read-out, if any, varied", len(sum.Runs))
		}
	}
	if o.out != "" {
		files = append(files, "summary.json")
		sum.Files = files
		if err := dataio.WriteJSON(filepath.Join(o.out, "summary.json"), sum); err != nil {
			return err
		}
	}
	if err := f.printSeeds(sum, files, removed); err != nil {
		return err
	}
	if sum.Interrupted {
		return errInterrupted
	}
	return nil
}

// printSeeds prints the summary of a run over seeds.
func (f *fitter) printSeeds(sum *seedSummary, files []string, removed int) error {
	o := f.o
	if o.json {
		return json.NewEncoder(f.cmd.OutOrStdout()).Encode(sum)
	}
	if sum.Note != "" {
		fmt.Fprintf(f.cmd.ErrOrStderr(), "deepnmf: note: %s\n", sum.Note)
	}
	w := f.cmd.OutOrStdout()
	fmt.Fprintf(w, "model %s, rank %d, input %s (%dx%d), %d seeds from %d\n", o.model, sum.Rank, o.path, sum.Samples, sum.Features, len(sum.Seeds), o.seed)
	if sum.Labelled > 0 {
		fmt.Fprintf(w, "%d labelled samples per seed; scores on the %d others\n", sum.Labelled, sum.Samples-sum.Labelled)
	}
	if sum.Interrupted {
		fmt.Fprintf(w, "interrupted: %d of %d seeds finished\n", len(sum.Runs)-1, o.seeds)
	}
	for _, k := range []string{"acc", "nmi", "ari", "purity", "f1", "modularity", "balance"} {
		if s, ok := sum.Metrics[k]; ok {
			fmt.Fprintf(w, "%-12s %.4f ± %.4f  (min %.4f, max %.4f)\n", k, s["mean"], s["std"], s["min"], s["max"])
		}
	}
	if sum.Seconds != nil {
		fmt.Fprintf(w, "%-12s %.3f ± %.3f\n", "seconds", sum.Seconds["mean"], sum.Seconds["std"])
	}
	if o.out != "" {
		fmt.Fprintln(w, outLine(o.out, files, removed)+" (one seed-S/ directory per seed)")
	}
	return nil
}

// describe returns the mean, the (population) standard deviation, the
// minimum and the maximum of v.
func describe(v []float64) map[string]float64 {
	mean, std := stat.PopMeanStdDev(v, nil)
	return map[string]float64{"mean": mean, "std": std, "min": floats.Min(v), "max": floats.Max(v)}
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unexpected argument %q: %s takes flags only (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath())}
	}
	return nil
}

// notDir returns a usage error if path is a directory.
func notDir(flag, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageError{fmt.Errorf("%s %s is a directory, not a file", flag, path)}
	}
	return nil
}
