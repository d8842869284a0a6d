package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

func newTransform() *cobra.Command {
	var o fitOptions
	var components string
	cmd := &cobra.Command{
		Use:   "transform",
		Short: "Embed new samples with the components of a fit held fixed",
		Long: `Embed new samples (one per row) with the components H (k x d) of an earlier fit
held fixed, as scikit-learn's transform: W (m x k) solves min D(X | WH), W ≥ 0,
with the same loss and penalties as the fit (give the same --param values).`,
		Example: `  deepnmf fit --model nmf --input train.csv --rank 10 --out fit/
  deepnmf transform --components fit/H.npy --input test.csv --out test/
  deepnmf transform --components fit/H.npy --input test.npy --param loss=kl --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.path == "" || components == "" {
				return usageError{errors.New("--input and --components are required")}
			}
			ht, err := dataio.ReadMatrix(components, dataio.MatrixOptions{})
			if err != nil {
				return err
			}
			h := asDense(ht.X)
			k, _ := h.Dims()
			if err := o.checkLoop(cmd); err != nil {
				return err
			}
			est, err := model.New(o.model, model.Config{Rank: k, Seed: o.seed, Params: o.params})
			if err != nil {
				return err
			}
			tr, ok := est.(model.Transformer)
			if !ok {
				return usageError{fmt.Errorf("model %s has no transform", o.model)}
			}
			in, err := load(o.inputOptions, model.Data)
			if err != nil {
				return err
			}
			if err := checkOut(o.out); err != nil {
				return err
			}
			bar := newProgress(cmd.ErrOrStderr(), o.quiet)
			w, res, err := tr.Transform(cmd.Context(), in.X, h, o.settings(cmd, bar))
			bar.finish()
			if err != nil {
				return err
			}
			rep := struct {
				*solve.Result
				Model   string `json:"model"`
				Rank    int    `json:"rank"`
				Backend string `json:"backend"`
			}{res, o.model, k, backend.Current()}
			if o.out != "" {
				if err := os.MkdirAll(o.out, 0o755); err != nil {
					return err
				}
				if err := dataio.WriteNPY(filepath.Join(o.out, "W.npy"), w); err != nil {
					return err
				}
				if err := dataio.WriteNPY(filepath.Join(o.out, "embedding.npy"), w); err != nil {
					return err
				}
				if err := dataio.WriteJSON(filepath.Join(o.out, "result.json"), rep); err != nil {
					return err
				}
			}
			if o.json {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
			}
			n, _ := w.Dims()
			fmt.Fprintf(cmd.OutOrStdout(), "embedded %d samples in %d iterations (%s), objective %.6g\n", n, res.Iterations, res.Reason, res.Objective)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "nmf", "model of the fit")
	f.StringVar(&components, "components", "", "the k x d components H of a fit, e.g. H.npy (required)")
	addInputFlags(f, &o.inputOptions, false)
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default: the model's)")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the stopping rule; 0 runs max-iter iterations (default: the model's)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw")
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value, as in the fit")
	f.StringVar(&o.out, "out", "", "directory for W.npy (= embedding.npy) and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// asDense returns m as a dense matrix.
func asDense(m linalg.Matrix) *mat.Dense {
	if d, ok := m.(*linalg.Dense); ok {
		return d.Raw()
	}
	return m.(*linalg.CSR).ToDense()
}
