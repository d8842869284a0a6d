package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/completion"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/internal/memory"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
)

// completeReport is the JSON object complete prints and writes.
type completeReport struct {
	Model       string   `json:"model"`
	Input       string   `json:"input"`
	Rows        int      `json:"n"`
	Cols        int      `json:"d"`
	Observed    int      `json:"observed"`
	Unknown     int      `json:"unknown"`
	Rank        int      `json:"rank,omitempty"`
	Layers      []int    `json:"layers,omitempty"`
	Params      []string `json:"params,omitempty"`
	Scale       float64  `json:"scale"`
	MissingRate float64  `json:"missing_rate,omitempty"`
	Splits      int      `json:"splits,omitempty"`
	RMSE        float64  `json:"rmse,omitempty"`
	RMSEStd     float64  `json:"rmse_std,omitempty"`
	MAE         float64  `json:"mae,omitempty"`
	MAEStd      float64  `json:"mae_std,omitempty"`
	Runs        []cmRun  `json:"runs,omitempty"`
	// TrainRMSE is the fit's RMSE on the observed cells, when filling.
	TrainRMSE   float64  `json:"train_rmse,omitempty"`
	Filled      int      `json:"filled,omitempty"`
	Backend     string   `json:"backend"`
	Seconds     float64  `json:"seconds"`
	Interrupted bool     `json:"interrupted,omitempty"`
	Files       []string `json:"files,omitempty"`
}

// cmRun is one split.
type cmRun struct {
	Seed       uint64  `json:"seed"`
	Hidden     int     `json:"hidden"`
	RMSE       float64 `json:"rmse"`
	MAE        float64 `json:"mae"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
}

type completeOptions struct {
	fitOptions
	missing, mask, scale string
	rate                 float64
	splits               int
}

func newComplete() *cobra.Command {
	var o completeOptions
	cmd := &cobra.Command{
		Use:   "complete",
		Short: "Complete a matrix with missing cells, or score completion on hidden cells",
		Long: `Matrix completion by a model that takes missing cells (nmf with
multiplicative updates, eadnmf): the loss runs over the observed cells only.

The observed cells: every cell (--missing none, the default); the cells that
are not NaN (--missing nan; a text file's empty fields and NA too); the cells
a sparse file (mtx, npz) stores, or the nonzero cells of a dense one, NaN
excepted (--missing unstored, for ratings and other sparse observations,
which are never densified); or the cells where a 0/1 mask file of the same
shape is 1 (--mask).

With --missing-rate R, each of --splits splits hides a seeded random
fraction R of the observed cells (split s uses seed --seed + s, for the
split and the fit), fits the rest, and reports the RMSE and MAE on the
hidden cells, mean and standard deviation over the splits; --out writes
each split's hidden cells with their predictions (split-S.txt: "i j value
prediction") and result.json.

Without --missing-rate it fits the observed cells and fills the unknown
ones: --out writes the completed matrix (completed.npy: the observed values
kept, the model's reconstruction in the unknown cells) and result.json.

--scale max divides the data by its largest observed value before fitting
(the papers complete images in [0, 1]); the RMSE and MAE are then on that
scale, and completed.npy is scaled back.`,
		Example: `  deepnmf complete --model eadnmf --input faces.npy --layers 100,50 --missing-rate 0.5 --scale max --json
  deepnmf complete --model nmf --input digits.csv --label-column -1 --rank 16 --missing-rate 0.3
  deepnmf complete --model eadnmf --input ratings.mtx --missing unstored --layers 20,10 --out filled/
  deepnmf complete --model nmf --input survey.csv --missing nan --rank 5 --out filled/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runComplete(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "eadnmf", "model name: nmf (multiplicative updates) or eadnmf")
	addInputFlags(f, &o.inputOptions, false)
	f.StringVar(&o.missing, "missing", "none", "which cells are unknown: none, nan (NaN, empty or NA) or unstored (cells a sparse file does not store, zeros of a dense one)")
	f.StringVar(&o.mask, "mask", "", "0/1 matrix of the same shape: 1 where a cell is observed")
	f.Float64Var(&o.rate, "missing-rate", 0, "fraction of the observed cells hidden in each split (0: fill the unknown cells instead)")
	f.IntVar(&o.splits, "splits", 10, "number of splits (with --missing-rate)")
	f.StringVar(&o.scale, "scale", "none", "none, or max: divide by the largest observed value")
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep model")
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default: the model's)")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the stopping rule; 0 runs max-iter iterations (default: the model's)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop each fit after this long (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the first split and its fit")
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value (repeatable)")
	f.StringVar(&o.out, "out", "", "directory for the completed matrix or the hidden cells, and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// check validates the flags of complete that need no input.
func (o *completeOptions) check(cmd *cobra.Command) ([]int, error) {
	if err := o.checkLoop(cmd); err != nil {
		return nil, err
	}
	switch {
	case o.missing != "none" && o.missing != "nan" && o.missing != "unstored":
		return nil, usageError{fmt.Errorf("--missing %q: want none, nan or unstored", o.missing)}
	case o.mask != "" && cmd.Flags().Changed("missing"):
		return nil, usageError{errors.New("give either --mask or --missing, not both")}
	case !(o.rate >= 0 && o.rate < 1):
		return nil, usageError{fmt.Errorf("--missing-rate %g: want a fraction in [0, 1)", o.rate)}
	case o.splits < 1:
		return nil, usageError{fmt.Errorf("--splits %d: want at least 1", o.splits)}
	case o.rate == 0 && cmd.Flags().Changed("splits"):
		return nil, usageError{errors.New("--splits applies with --missing-rate")}
	case o.scale != "none" && o.scale != "max":
		return nil, usageError{fmt.Errorf("--scale %q: want none or max", o.scale)}
	case cmd.Flags().Changed("rank") && o.rank < 1:
		return nil, usageError{fmt.Errorf("--rank %d: the rank must be positive", o.rank)}
	}
	if o.mask != "" {
		if err := notDir("--mask", o.mask); err != nil {
			return nil, err
		}
	}
	layers, err := parseLayers(o.layers)
	if err != nil {
		return nil, err
	}
	if o.rank == 0 && len(layers) == 0 {
		return nil, usageError{errors.New("--rank (or --layers) is required")}
	}
	if _, err := model.New(o.model, o.config(layers, 0)); err != nil {
		return nil, err
	}
	return layers, nil
}

func (o *completeOptions) config(layers []int, seed uint64) model.Config {
	return model.Config{Rank: o.rank, Layers: layers, Seed: seed, Params: o.params, Masked: true}
}

// observed reads the input and returns its observed cells as a masked
// matrix (linalg.ObservedNaN and its kind).
func (o *completeOptions) observed() (*linalg.CSR, error) {
	in := o.inputOptions
	in.missing = o.missing != "none" || o.mask != ""
	t, err := load(in, model.Data)
	if err != nil {
		return nil, err
	}
	x := t.X
	n, d := x.Dims()
	// every says all cells the input does not mark unknown are observed,
	// the zeros a sparse file leaves out included.
	every := func() (*linalg.CSR, error) {
		if c, ok := x.(*linalg.CSR); ok {
			if err := memory.Check(uint64(n)*uint64(d)*32, "observing every cell of a sparse input (--missing unstored keeps it sparse)"); err != nil {
				return nil, &dataio.InputError{File: o.path, Msg: err.Error()}
			}
			x = linalg.NewDense(c.ToDense())
		}
		return linalg.ObservedNaN(x), nil
	}
	switch {
	case o.mask != "":
		mt, err := dataio.ReadMatrix(o.mask, dataio.MatrixOptions{Header: "no"})
		if err != nil {
			return nil, err
		}
		obs, err := linalg.ObservedMask(x, mt.X)
		if err != nil {
			return nil, &dataio.InputError{File: o.mask, Msg: err.Error()}
		}
		return obs, nil
	case o.missing == "unstored":
		if _, ok := x.(*linalg.CSR); !ok {
			x = linalg.CSRFromDense(linalg.DenseOf(x))
		}
		return linalg.ObservedNaN(x), nil
	}
	return every()
}

func runComplete(cmd *cobra.Command, o completeOptions) error {
	layers, err := o.check(cmd)
	if err != nil {
		return err
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	obs, err := o.observed()
	if err != nil {
		return err
	}
	n, d := obs.Dims()
	rep := &completeReport{Model: o.model, Input: o.path, Rows: n, Cols: d, Observed: obs.NNZ(), Unknown: n*d - obs.NNZ(),
		Rank: o.rank, Layers: layers, Params: o.params, Scale: 1, Backend: backend.Current()}
	if obs.NNZ() == 0 {
		return &dataio.InputError{File: o.path, Msg: "no observed cells"}
	}
	if o.rate == 0 && rep.Unknown == 0 {
		return usageError{errors.New("every cell is observed: nothing to complete; give --missing-rate to score completion on hidden cells, or --missing/--mask to mark the unknown ones")}
	}
	if o.scale == "max" {
		top := obs.Stats().Max
		if !(top > 0) {
			return &dataio.InputError{File: o.path, Msg: "--scale max: no observed value is positive"}
		}
		rep.Scale = top
		obs = scaled(obs, 1/top)
	}
	removed := 0
	if o.out != "" {
		if removed, err = cleanOut(o.out); err != nil {
			return fmt.Errorf("cleaning --out %s: %w", o.out, err)
		}
	}
	start := time.Now()
	var files []string
	if o.rate > 0 {
		files, err = o.score(cmd, obs, layers, rep)
	} else {
		files, err = o.fill(cmd, obs, layers, rep)
	}
	if err != nil {
		return err
	}
	rep.Seconds = time.Since(start).Seconds()
	if o.out != "" {
		files = append(files, "result.json")
		rep.Files = files
		if err := dataio.WriteJSON(filepath.Join(o.out, "result.json"), rep); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if o.json {
		if err := json.NewEncoder(w).Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "model %s, input %s (%d x %d, %d observed cells), backend %s\n", o.model, o.path, n, d, rep.Observed, rep.Backend)
		if rep.Scale != 1 {
			fmt.Fprintf(w, "scaled by 1/%g\n", rep.Scale)
		}
		if o.rate > 0 {
			fmt.Fprintf(w, "%d splits, %.0f%% of the observed cells hidden\n", rep.Splits, 100*o.rate)
			fmt.Fprintf(w, "%-10s %.4f ± %.4f\n%-10s %.4f ± %.4f\n", "rmse", rep.RMSE, rep.RMSEStd, "mae", rep.MAE, rep.MAEStd)
		} else {
			fmt.Fprintf(w, "filled %d unknown cells; rmse on the observed cells %.4f\n", rep.Filled, rep.TrainRMSE)
		}
		fmt.Fprintf(w, "%-10s %.2f\n", "seconds", rep.Seconds)
		if o.out != "" {
			fmt.Fprintln(w, outLine(o.out, files, removed))
		}
	}
	if rep.Interrupted {
		return errInterrupted
	}
	return nil
}

// scaled returns s·x with x's pattern.
func scaled(x *linalg.CSR, s float64) *linalg.CSR {
	_, _, data := x.Raw()
	v := make([]float64, len(data))
	for p, a := range data {
		v[p] = s * a
	}
	return x.WithValues(v)
}

// fitMasked fits the model to the masked matrix x.
func (o *completeOptions) fitMasked(cmd *cobra.Command, x *linalg.CSR, layers []int, seed uint64) (*model.Result, error) {
	est, err := model.New(o.model, o.config(layers, seed))
	if err != nil {
		return nil, err
	}
	bar := newProgress(cmd.ErrOrStderr(), o.quiet)
	res, err := est.Fit(cmd.Context(), x, o.settings(cmd, bar))
	bar.finish()
	return res, err
}

// score runs the splits of the evaluation.
func (o *completeOptions) score(cmd *cobra.Command, obs *linalg.CSR, layers []int, rep *completeReport) ([]string, error) {
	rep.MissingRate = o.rate
	var files []string
	var rmses, maes []float64
	for s := range o.splits {
		if cmd.Context().Err() != nil {
			rep.Interrupted = true
			break
		}
		seed := o.seed + uint64(s)
		t := time.Now()
		train, hidden, err := completion.Hide(obs, o.rate, initialize.NewRand(seed))
		if err != nil {
			return nil, &dataio.InputError{File: o.path, Msg: err.Error()}
		}
		res, err := o.fitMasked(cmd, train, layers, seed)
		if err != nil {
			if o.splits > 1 {
				err = fmt.Errorf("split %d: %w", s, err)
			}
			return nil, err
		}
		truth, pred := completion.Predict(hidden, res.Approx.At)
		run := cmRun{Seed: seed, Hidden: len(hidden), RMSE: metric.RMSE(truth, pred), MAE: metric.MAE(truth, pred),
			Iterations: res.Iterations, Seconds: time.Since(t).Seconds()}
		rep.Runs = append(rep.Runs, run)
		rmses, maes = append(rmses, run.RMSE), append(maes, run.MAE)
		if o.out != "" {
			name := fmt.Sprintf("split-%d.txt", seed)
			if err := writeLines(filepath.Join(o.out, name), len(hidden), func(w io.Writer, i int) error {
				_, err := fmt.Fprintf(w, "%d %d %.10g %.10g\n", hidden[i].I, hidden[i].J, truth[i], pred[i])
				return err
			}); err != nil {
				return nil, err
			}
			files = append(files, name)
		}
	}
	rep.Splits = len(rep.Runs)
	if len(rmses) > 0 {
		rep.RMSE, rep.RMSEStd = stat.PopMeanStdDev(rmses, nil)
		rep.MAE, rep.MAEStd = stat.PopMeanStdDev(maes, nil)
	}
	return files, nil
}

// fill fits the observed cells and writes the completed matrix.
func (o *completeOptions) fill(cmd *cobra.Command, obs *linalg.CSR, layers []int, rep *completeReport) ([]string, error) {
	n, d := obs.Dims()
	if o.out != "" {
		if err := memory.Check(uint64(n)*uint64(d)*8, "writing the completed matrix"); err != nil {
			return nil, usageError{fmt.Errorf("--out: %w", err)}
		}
	}
	res, err := o.fitMasked(cmd, obs, layers, o.seed)
	if err != nil {
		return nil, err
	}
	rep.Interrupted = cmd.Context().Err() != nil
	var truth, pred []float64
	obs.Each(func(i, j int, v float64) {
		truth, pred = append(truth, v), append(pred, res.Approx.At(i, j))
	})
	rep.TrainRMSE, rep.Filled = metric.RMSE(truth, pred), rep.Unknown
	if o.out == "" {
		return nil, nil
	}
	full := mat.NewDense(n, d, nil)
	full.Mul(res.Approx.L, res.Approx.R.T())
	obs.Each(func(i, j int, v float64) { full.Set(i, j, v) })
	full.Apply(func(_, _ int, v float64) float64 { return math.Max(v, 0) * rep.Scale }, full)
	if err := dataio.WriteNPY(filepath.Join(o.out, "completed.npy"), full); err != nil {
		return nil, err
	}
	return []string{"completed.npy"}, nil
}
