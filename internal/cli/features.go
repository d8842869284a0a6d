package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
)

// featureReport is the JSON object of select-features.
type featureReport struct {
	Model      string                        `json:"model"`
	Rank       int                           `json:"rank"`
	Input      string                        `json:"input"`
	Top        int                           `json:"top"`
	Iterations int                           `json:"iterations"`
	Converged  bool                          `json:"converged"`
	Features   []rankedFeature               `json:"features"`
	Clustering map[string]map[string]float64 `json:"clustering,omitempty"` // "selected", "all" -> metrics
}

type rankedFeature struct {
	Rank  int     `json:"rank"`
	Index int     `json:"index"`
	Name  string  `json:"name,omitempty"`
	Score float64 `json:"score"`
}

func newSelectFeatures() *cobra.Command {
	var o fitOptions
	var top int
	cmd := &cobra.Command{
		Use:   "select-features",
		Short: "Rank the features of a data matrix by OEDFS and keep the top ones",
		Long: `Fit OEDFS (orthogonal encoder-decoder factorization for unsupervised feature
selection) and rank the features (columns) by the row norms of its W. Writes the
ranking and the selected columns; with labels, reports k-means clustering (k =
number of classes) on the selected columns beside k-means on all columns.`,
		Example: `  deepnmf select-features --input digits.csv --label-column -1 --rank 10 --top 32
  deepnmf select-features --input X.npy --labels y.txt --rank 20 --top 100 --param gamma=1 --out sel/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.path == "" || o.rank <= 0 || top <= 0 {
				return usageError{errors.New("--input, --rank and --top (positive) are required")}
			}
			if err := o.checkLoop(cmd); err != nil {
				return err
			}
			if err := checkOut(o.out); err != nil {
				return err
			}
			in, err := load(o.inputOptions, model.Data)
			if err != nil {
				return err
			}
			n, d := in.X.Dims()
			if top > d {
				return usageError{fmt.Errorf("--top %d exceeds the %d features", top, d)}
			}
			est, err := model.New("oedfs", model.Config{Rank: o.rank, Init: o.init, Seed: o.seed, Params: o.params, Graph: in.Sim})
			if err != nil {
				return err
			}
			bar := newProgress(cmd.ErrOrStderr(), o.quiet)
			res, err := est.Fit(cmd.Context(), in.X, o.settings(cmd, bar))
			bar.finish()
			if err != nil {
				return err
			}
			w := res.Factor("W")
			scores, ranked := model.FeatureScores(w), model.RankFeatures(w)
			rep := featureReport{Model: "oedfs", Rank: o.rank, Input: o.path, Top: top, Iterations: res.Iterations, Converged: res.Converged}
			for r, f := range ranked {
				rf := rankedFeature{Rank: r + 1, Index: f, Score: scores[f]}
				if len(in.Columns) == d {
					rf.Name = in.Columns[f]
				}
				rep.Features = append(rep.Features, rf)
			}
			sel, err := model.SelectFeatures(in.X, ranked[:top])
			if err != nil {
				return err
			}
			if in.Labels != nil {
				k := len(in.Labels.Names)
				rep.Clustering = map[string]map[string]float64{}
				for _, c := range []struct {
					name string
					x    *mat.Dense
				}{{"selected", sel}, {"all", asDense(in.X)}} {
					pred, _, err := cluster.KMeans{K: k, Seed: o.seed}.Fit(c.x)
					if err != nil {
						return err
					}
					s := metric.Cluster(in.Labels.Values, pred)
					rep.Clustering[c.name] = map[string]float64{"acc": s.ACC, "nmi": s.NMI, "ari": s.ARI, "purity": s.Purity}
				}
			}
			if o.out != "" {
				if err := os.MkdirAll(o.out, 0o755); err != nil {
					return err
				}
				if err := dataio.WriteFileAtomic(filepath.Join(o.out, "features.txt"), func(wr io.Writer) error {
					return writeRanking(wr, rep.Features)
				}); err != nil {
					return err
				}
				if err := dataio.WriteNPY(filepath.Join(o.out, "selected.npy"), sel); err != nil {
					return err
				}
				if err := dataio.WriteNPY(filepath.Join(o.out, "W.npy"), w); err != nil {
					return err
				}
				if err := dataio.WriteJSON(filepath.Join(o.out, "result.json"), rep); err != nil {
					return err
				}
			}
			if o.json {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "oedfs rank %d on %s (%dx%d): %d iterations; top %d features:\n", o.rank, o.path, n, d, res.Iterations, top)
			if err := writeRanking(out, rep.Features[:top]); err != nil {
				return err
			}
			for _, name := range []string{"selected", "all"} {
				if m, ok := rep.Clustering[name]; ok {
					fmt.Fprintf(out, "k-means on %s features: NMI %.4f  ACC %.4f  ARI %.4f\n", name, m["nmi"], m["acc"], m["ari"])
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	addInputFlags(f, &o.inputOptions, false)
	f.StringVar(&o.labels, "labels", "", "one label per row, for the clustering report")
	f.StringVar(&o.graph, "graph", "", "similarity graph between the rows (default: the kNN graph OEDFS builds)")
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization (required)")
	f.IntVar(&top, "top", 0, "number of features to keep (required)")
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default: OEDFS's)")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the stopping rule; 0 runs max-iter iterations (default: OEDFS's)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw")
	f.StringVar(&o.init, "init", "", "initialization (default kmeans)")
	f.StringArrayVar(&o.params, "param", nil, "OEDFS parameter key=value: lambda, gamma, graph, neighbors")
	f.StringVar(&o.out, "out", "", "directory for features.txt, selected.npy, W.npy and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

func writeRanking(w io.Writer, fs []rankedFeature) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# rank index name score")
	for _, f := range fs {
		name := f.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(bw, "%d %d %s %.6g\n", f.Rank, f.Index, name, f.Score)
	}
	return bw.Flush()
}
