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
}

type fitOptions struct {
	inputOptions
	model, init, layers, assign, out string
	rank, maxIter                    int
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
  deepnmf fit --model nmf --input X.npz --rank 8 --param solver=cd --param alpha_w=0.01 --max-iter 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFit(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "nmf", `model name (see "deepnmf models")`)
	f.StringVar(&o.path, "input", "", "input file (required)")
	f.StringVar(&o.format, "format", "", "input format: csv, tsv, txt, npy, npz, mtx or edgelist (default: from the extension)")
	f.BoolVar(&o.directed, "directed", false, "read an edge list as a directed graph")
	f.StringVar(&o.selfLoops, "self-loops", "drop", "self-loops in an edge list: drop or keep")
	f.StringVar(&o.duplicates, "duplicates", "sum", "repeated edges: sum their weights, keep the max, or one (binary)")
	f.BoolVar(&o.isolated, "isolated", false, "add nodes that appear in --labels but in no edge as isolated nodes")
	f.StringVar(&o.labels, "labels", "", "ground truth: one label per row, or 'node label' lines for a graph")
	f.StringVar(&o.labelColumn, "label-column", "", "column of a text input holding labels: index (negative from the end) or name")
	f.StringVar(&o.header, "header", "auto", "whether a text input has a header line: auto, yes or no")
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization (required unless --layers)")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep model")
	f.IntVar(&o.maxIter, "max-iter", 200, "maximum number of iterations")
	f.Float64Var(&o.tol, "tol", solve.DefaultTol, "tolerance of the stopping rule (0 runs max-iter iterations)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long, e.g. 30s (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw")
	f.StringVar(&o.init, "init", "", "initialization: random, nndsvd, nndsvda or nndsvdar (default: the model's)")
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value (repeatable; see \"deepnmf models\")")
	f.StringVar(&o.assign, "assign", "argmax", "assignment from the embedding: argmax or kmeans")
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
	est, err := model.New(o.model, model.Config{Rank: rank, Layers: layers, Init: o.init, Seed: o.seed, Params: params})
	if err != nil {
		return err
	}
	in, err := load(o.inputOptions, spec.Kind)
	if err != nil {
		return err
	}
	bar := newProgress(cmd.ErrOrStderr(), o.quiet, o.maxIter)
	res, err := est.Fit(cmd.Context(), in.X, solve.Settings{
		MaxIter: o.maxIter, Tol: o.tol, TimeLimit: o.timeLimit, Progress: bar.update,
	})
	bar.finish()
	if err != nil {
		return err
	}
	pred, err := assign(res, o.assign, rank, o.seed)
	if err != nil {
		return err
	}
	n, d := in.X.Dims()
	rep := &report{
		Result: res, Input: o.path, Samples: n, Features: d, Backend: backend.Current(),
		Seed: o.seed, Assign: o.assign, Metrics: scores(in, pred),
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
