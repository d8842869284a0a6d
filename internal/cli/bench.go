package cli

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sbinet/npyio"
	"github.com/spf13/cobra"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/linalg"
)

//go:embed sklearn_bench.py
var sklearnBench string

// benchChildEnv marks a process the bench started for one row; the tests
// of this package use it to run their binary as the command.
const benchChildEnv = "DEEPNMF_BENCH_CHILD"

// A benchJob is one row to measure: an implementation of a problem.
type benchJob struct {
	problem benchProblem
	impl    string // as the table shows it
	solver  string // mu or cd; "" for a whole fit
	backend string // the BLAS of a deepnmf row
	python  bool   // a scikit-learn row
	dtype   string // float64 or float32
}

func newBench() *cobra.Command {
	var (
		iters         int
		python, data  string
		only          string
		compare, asJS bool
		row, solver   string
		dtype         string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time deepnmf's NMF iterations and deep-model fits, beside scikit-learn",
		Long: `Time, all in one run, a table of problems x implementations:

  digits          1797x64 dense, k=10 (f64 and f32)
  dense2000x5000  uniform random 2000x5000, k=50 (f64 and f32)
  graph100k       a random graph of 100000 nodes and 2M stored entries, k=32
                  (f64 and f32)
  sbm100k         the same size with communities of 100 nodes, numbered at random
  sbm200k         200000 nodes and 2M edges in communities of 100, k=64
  sbm200k-danmf   DANMF 64,16 on that graph: the default pre-training, then
                  5 iterations
  cora-danmf, cora-dasnmf, email-danmf, email-dasnmf
                  whole fits of DANMF and DAsNMF at the papers' layer sizes,
                  on the shared datasets (--data; skipped when absent)

The graphs are generated from a fixed seed. The NMF problems are timed per
iteration of Frobenius multiplicative updates (MU) and coordinate descent
(CD): (T(2N) − T(N))/N, best of 3 runs, so set-up and error evaluations
cancel out; N grows from --iters until the difference lasts 0.2 s. Columns:
ms/iter; GFLOP/s, the 4·nnz·k operations of the iteration's two big products
(X·Hᵀ and Xᵀ·W) per second of the whole iteration; x floor, the iteration's
time over the time of those two products alone (1 is the floor); peak MB,
the peak resident memory of the process that measured the row (each row runs
in its own). The deep models report the seconds of one fit at the model's
defaults, seed 0, and of its pre-training (with the iterations of each
layer in parentheses). The f32 rows run in float32 (fit --dtype float32).
--compare adds scikit-learn's MU and CD on the same matrices through
--python, and its MU on float32 input (which scikit-learn keeps in float32)
beside the f32 rows, and the ratios.`,
		Example: "  deepnmf bench\n  deepnmf bench --compare --json > bench.json\n  deepnmf bench --only 'digits|dense' --compare",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if iters < 1 {
				return usageError{errors.New("--iters must be positive")}
			}
			if row != "" {
				return benchChild(cmd, row, solver, dtype, data, iters)
			}
			var re *regexp.Regexp
			if only != "" {
				var err error
				if re, err = regexp.Compile(only); err != nil {
					return usageError{fmt.Errorf("--only: %w", err)}
				}
			}
			jobs := benchJobs(re, compare)
			if len(jobs) == 0 {
				return usageError{fmt.Errorf("--only %q matches no problem", only)}
			}
			return runBench(cmd, jobs, benchConfig{iters: iters, python: python, data: data, json: asJS})
		},
	}
	f := cmd.Flags()
	f.IntVar(&iters, "iters", 3, "N: the least iterations per timed run")
	f.BoolVar(&compare, "compare", false, "time scikit-learn's MU and CD beside deepnmf (needs --python with scikit-learn)")
	f.StringVar(&python, "python", "/usr/bin/python3", "the Python with scikit-learn that --compare runs")
	f.StringVar(&data, "data", filepath.Join("..", "shared", "data"), "folder of the shared datasets (Cora, Email) for the deep-model rows")
	f.StringVar(&only, "only", "", "run only the problems whose name matches this regular expression")
	f.BoolVar(&asJS, "json", false, "print the rows as JSON")
	f.StringVar(&row, "row", "", "measure one problem in this process (the bench runs each row so)")
	f.StringVar(&solver, "solver", "mu", "with --row: mu or cd, for the nmf problems")
	f.StringVar(&dtype, "dtype", "float64", "with --row: float64 or float32")
	for _, h := range []string{"row", "solver", "dtype"} {
		if err := f.MarkHidden(h); err != nil {
			panic(err)
		}
	}
	return cmd
}

// benchJobs lists the rows of the problems re matches (all when nil).
func benchJobs(re *regexp.Regexp, compare bool) []benchJob {
	var jobs []benchJob
	for _, p := range benchProblems {
		if re != nil && !re.MatchString(p.name) {
			continue
		}
		if p.model != "nmf" {
			jobs = append(jobs, benchJob{problem: p, impl: "deepnmf", backend: "auto", dtype: "float64"})
			continue
		}
		f64, f32 := "float64", "float32"
		if !p.sparse {
			jobs = append(jobs, benchJob{p, "deepnmf MU, gonum", "mu", "gonum", false, f64})
		}
		jobs = append(jobs, benchJob{p, "deepnmf MU, openblas", "mu", "openblas", false, f64},
			benchJob{p, "deepnmf CD, openblas", "cd", "openblas", false, f64})
		if p.float32 {
			if !p.sparse {
				jobs = append(jobs, benchJob{p, "deepnmf MU f32, gonum", "mu", "gonum", false, f32})
			}
			jobs = append(jobs, benchJob{p, "deepnmf MU f32, openblas", "mu", "openblas", false, f32},
				benchJob{p, "deepnmf CD f32, openblas", "cd", "openblas", false, f32})
		}
		if compare {
			jobs = append(jobs, benchJob{p, "scikit-learn MU", "mu", "", true, f64}, benchJob{p, "scikit-learn CD", "cd", "", true, f64})
			if p.float32 {
				jobs = append(jobs, benchJob{p, "scikit-learn MU f32", "mu", "", true, f32})
			}
		}
	}
	return jobs
}

type benchConfig struct {
	iters        int
	python, data string
	json         bool
}

// runBench measures every job, each in a process of its own, and prints
// the table (or JSON) and the ratios to scikit-learn.
func runBench(cmd *cobra.Command, jobs []benchJob, c benchConfig) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: cannot find its own executable to run the rows: %w", err)
	}
	npyDir := ""
	for _, j := range jobs {
		if j.python && j.problem.sparse && npyDir == "" {
			if npyDir, err = os.MkdirTemp("", "deepnmf-bench-"); err != nil {
				return err
			}
			defer os.RemoveAll(npyDir)
		}
	}
	written := map[string]bool{}
	var rows []*benchRow
	for _, j := range jobs {
		fmt.Fprintf(cmd.ErrOrStderr(), "bench: %s, %s\n", j.problem.name, j.impl)
		var r *benchRow
		if j.python {
			if j.problem.sparse && !written[j.problem.name] {
				if err := writeCSRNPY(npyDir, j.problem); err != nil {
					return err
				}
				written[j.problem.name] = true
			}
			r = runRow(cmd, c.python, []string{"-c", sklearnBench, j.problem.name, j.solver, npyDir, strconv.Itoa(c.iters), j.dtype}, nil)
		} else {
			args := []string{"--backend", j.backend, "bench", "--row", j.problem.name, "--solver", j.solver,
				"--dtype", j.dtype, "--iters", strconv.Itoa(c.iters), "--data", c.data}
			r = runRow(cmd, exe, args, []string{benchChildEnv + "=1"})
		}
		r.Problem, r.Implementation = j.problem.name, j.impl
		if r.MsPerIter > 0 && r.Flops > 0 {
			r.GFLOPS = r.Flops / r.MsPerIter / 1e6
		}
		if r.MsPerIter > 0 && r.FloorMs > 0 {
			r.Ratio = r.MsPerIter / r.FloorMs
		}
		rows = append(rows, r)
	}
	out := cmd.OutOrStdout()
	if c.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"gomaxprocs": runtime.GOMAXPROCS(0), "openblas": openblasName(), "rows": rows})
	}
	return printBench(out, rows, jobs)
}

// runRow runs one row's process and reads its JSON row and peak memory; a
// failure becomes the row's error.
func runRow(cmd *cobra.Command, name string, args, env []string) *benchRow {
	c := exec.CommandContext(cmd.Context(), name, args...)
	c.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	r := new(benchRow)
	if err == nil {
		err = json.Unmarshal(stdout.Bytes(), r)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return &benchRow{Error: strings.TrimPrefix(msg, "deepnmf: ")}
	}
	r.PeakMB = peakMB(c.ProcessState)
	return r
}

// benchChild measures one row in this process and prints it as JSON.
func benchChild(cmd *cobra.Command, name, solver, dtype, data string, iters int) error {
	p, ok := findProblem(name)
	if !ok {
		return usageError{fmt.Errorf("--row: unknown problem %q", name)}
	}
	if p.model == "nmf" && solver != "mu" && solver != "cd" {
		return usageError{fmt.Errorf("--solver: %q is not mu or cd", solver)}
	}
	if dtype != "float64" && dtype != "float32" {
		return usageError{fmt.Errorf("--dtype: %q is not float64 or float32", dtype)}
	}
	r, err := measureRow(cmd.Context(), p, solver, dtype == "float32", data, iters)
	if err != nil {
		return err
	}
	return json.NewEncoder(cmd.OutOrStdout()).Encode(r)
}

// writeCSRNPY writes problem p's CSR arrays for scikit-learn:
// NAME_indptr.npy, NAME_indices.npy (int64) and NAME_data.npy.
func writeCSRNPY(dir string, p benchProblem) error {
	x, err := p.load("")
	if err != nil {
		return err
	}
	indptr, indices, data := x.(*linalg.CSR).Raw()
	for _, a := range []struct {
		name string
		v    any
	}{{"indptr", toInt64(indptr)}, {"indices", toInt64(indices)}, {"data", data}} {
		f, err := os.Create(filepath.Join(dir, p.name+"_"+a.name+".npy"))
		if err != nil {
			return err
		}
		err = npyio.Write(f, a.v)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("bench: writing %s for scikit-learn: %w", p.name, err)
		}
	}
	return nil
}

func toInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// printBench prints the table, the problems and the ratios of deepnmf's
// times to scikit-learn's.
func printBench(out io.Writer, rows []*benchRow, jobs []benchJob) error {
	fmt.Fprintf(out, "GOMAXPROCS %d; openblas: %s\n\n", runtime.GOMAXPROCS(0), openblasName())
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "problem\timplementation\tms/iter\tGFLOP/s\tx floor\tfit s\tpre-train s\tpeak MB")
	num := func(v float64, format string) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprintf(format, v)
	}
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s\t%s\t%s\n", r.Problem, r.Implementation, r.Error)
			continue
		}
		impl := r.Implementation
		if r.Version != "" {
			impl += " " + r.Version
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Problem, impl, num(r.MsPerIter, "%.2f"), num(r.GFLOPS, "%.1f"),
			num(r.Ratio, "%.2f"), num(r.FitSeconds, "%.2f"), num(r.PretrainSec, "%.2f")+pretrainIters(r.PretrainIters), num(r.PeakMB, "%.0f"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nproblems:")
	seen := map[string]bool{}
	for _, j := range jobs {
		if !seen[j.problem.name] {
			seen[j.problem.name] = true
			fmt.Fprintf(out, "  %-15s %s\n", j.problem.name, j.problem.about)
		}
	}
	var ratios []string
	for _, s := range []struct{ ours, theirs string }{
		{"deepnmf MU, openblas", "scikit-learn MU"}, {"deepnmf CD, openblas", "scikit-learn CD"},
		{"deepnmf MU f32, openblas", "scikit-learn MU f32"}, {"deepnmf MU f32, openblas", "scikit-learn MU"},
		{"deepnmf MU f32, openblas", "deepnmf MU, openblas"},
	} {
		for _, r := range rows {
			if r.Implementation != s.ours || r.MsPerIter == 0 {
				continue
			}
			for _, o := range rows {
				if o.Problem == r.Problem && o.Implementation == s.theirs && o.MsPerIter > 0 {
					ratios = append(ratios, fmt.Sprintf("  %-15s %s is %.2fx as fast as %s", r.Problem, s.ours, o.MsPerIter/r.MsPerIter, s.theirs))
				}
			}
		}
	}
	if len(ratios) > 0 {
		fmt.Fprintln(out, "\nper iteration:")
		fmt.Fprintln(out, strings.Join(ratios, "\n"))
	}
	return nil
}

// pretrainIters formats the iterations of the pre-training phases, as
// " (500+37)", or "" for none.
func pretrainIters(its []int) string {
	if len(its) == 0 {
		return ""
	}
	s := make([]string, len(its))
	for i, n := range its {
		s[i] = strconv.Itoa(n)
	}
	return " (" + strings.Join(s, "+") + ")"
}

// openblasName describes the OpenBLAS the rows load, or says why none.
func openblasName() string {
	defer backend.FromEnv()
	if err := backend.Use("openblas"); err != nil {
		return "not available: " + err.Error()
	}
	return backend.Current()
}
