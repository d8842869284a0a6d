package cli

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

//go:embed sklearn_bench.py
var sklearnBench string

type benchProblem struct {
	name string
	x    linalg.Matrix
	k    int
}

func newBench() *cobra.Command {
	var iters int
	var python string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time one multiplicative-update iteration per backend, beside scikit-learn",
		Long: `Time one Frobenius multiplicative-update iteration of NMF on digits (1797x64,
k=10) and on a random dense 2000x5000 matrix (k=50), with each BLAS backend
that can run here, and with scikit-learn when --python names an interpreter
that has it. Per-iteration time is (T(2N) − T(N))/N, best of 3 runs, so set-up
and error evaluations cancel out; N grows from --iters until a run lasts about
0.25 s. Every number is measured in this run.`,
		Example: "  deepnmf bench\n  deepnmf bench --iters 40 --python /usr/bin/python3\n  deepnmf bench --python ''",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if iters < 1 {
				return usageError{errors.New("--iters must be positive")}
			}
			t, _, err := datasets.Table("digits")
			if err != nil {
				return err
			}
			rnd := initialize.RandomDense(2000, 5000, 1, initialize.NewRand(0))
			problems := []benchProblem{{"digits", t.X, 10}, {"random2000x5000", linalg.NewDense(rnd), 50}}
			defer backend.FromEnv()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintf(cmd.OutOrStdout(), "Frobenius MU, ms per iteration, GOMAXPROCS %d\n\n", runtime.GOMAXPROCS(0))
			fmt.Fprintln(w, "problem\timplementation\tms/iteration")
			for _, b := range []string{"gonum", "openblas"} {
				if err := backend.Use(b); err != nil {
					fmt.Fprintf(w, "-\t%s\tnot available: %v\n", b, err)
					continue
				}
				for _, p := range problems {
					ms, err := timeMU(cmd, p, iters)
					if err != nil {
						return err
					}
					fmt.Fprintf(w, "%s\tdeepnmf, %s\t%.2f\n", p.name, b, ms)
				}
			}
			if python != "" {
				out, err := exec.CommandContext(cmd.Context(), python, "-c", sklearnBench, strconv.Itoa(iters)).Output()
				var sk map[string]any
				if err == nil {
					err = json.Unmarshal(out, &sk)
				}
				if err != nil {
					fmt.Fprintf(w, "-\tscikit-learn\tnot available (%s): %v\n", python, err)
				} else {
					for _, p := range problems {
						fmt.Fprintf(w, "%s\tscikit-learn %v (numpy %v)\t%.2f\n", p.name, sk["sklearn"], sk["numpy"], sk[p.name])
					}
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if backend.Use("openblas") == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "\nopenblas: %s\n", backend.Current())
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&iters, "iters", 20, "N: iterations per timed run")
	cmd.Flags().StringVar(&python, "python", "/usr/bin/python3", "Python with scikit-learn to time beside deepnmf ('' to skip)")
	return cmd
}

// timeMU returns the milliseconds per MU iteration: (T(2N) − T(N))/N, each
// T the best of three fits from the same random start, with N at least n
// and large enough that T(N) lasts about a quarter of a second.
func timeMU(cmd *cobra.Command, p benchProblem, n int) (float64, error) {
	run := func(iters int) (time.Duration, error) {
		best := time.Duration(1 << 62)
		for range 3 {
			m := model.NMF{Rank: p.k, Init: initialize.Random, Solver: model.SolverMU}
			start := time.Now()
			if _, err := m.Fit(cmd.Context(), p.x, solve.Settings{MaxIter: iters, Tol: new(0.0), CheckEvery: 1 << 30}); err != nil {
				return 0, err
			}
			best = min(best, time.Since(start))
		}
		return best, nil
	}
	t, err := run(n)
	if err != nil {
		return 0, err
	}
	if per := t / time.Duration(n); per > 0 && time.Duration(n)*per < time.Second/4 {
		n = int(time.Second / 4 / per)
	}
	t1, err := run(n)
	if err != nil {
		return 0, err
	}
	t2, err := run(2 * n)
	if err != nil {
		return 0, err
	}
	return float64(t2-t1) / float64(n) / 1e6, nil
}
