package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// demoRun is one line of the demo table.
type demoRun struct {
	dataset, model string
	layers         []int // the last is the rank
	params         []string
	assign         string
}

// demoRuns are the models the demo fits to each embedded dataset.
var demoRuns = []demoRun{
	{"karate", "nmf", []int{2}, nil, "argmax"},
	{"karate", "danmf", []int{8, 4, 2}, nil, "argmax"},
	{"karate", "dasnmf", []int{8, 4, 2}, nil, "argmax"},
	{"football", "nmf", []int{12}, nil, "argmax"},
	{"football", "danmf", []int{32, 16, 12}, nil, "argmax"},
	{"football", "dasnmf", []int{32, 16, 12}, nil, "argmax"},
	{"digits", "nmf", []int{10}, nil, "kmeans"},
	{"digits", "nmf", []int{10}, []string{"loss=kl"}, "kmeans"},
}

func newDemo() *cobra.Command {
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fit the models to the embedded datasets and print a table of scores",
		Long: `Fit the models to the datasets embedded in the binary (the karate and football
graphs, the digits images) and print a table of models x metrics. It needs no
arguments and no files, and takes a few seconds.`,
		Example: "  deepnmf demo\n  go run ./cmd/deepnmf demo --seed 3",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(cmd.OutOrStdout(), "deepnmf demo: backend %s, seed %d\n\n", backend.Current(), seed)
			fmt.Fprintln(w, "dataset\tn\tmodel\tlayers\tassign\tNMI\tACC\tARI\tmodularity\titers\tseconds\t")
			for _, r := range demoRuns {
				in, err := demoInput(r.dataset)
				if err != nil {
					return err
				}
				k := r.layers[len(r.layers)-1]
				cfg := model.Config{Rank: k, Seed: seed, Params: r.params}
				if len(r.layers) > 1 {
					cfg.Layers = r.layers
				}
				est, err := model.New(r.model, cfg)
				if err != nil {
					return err
				}
				start := time.Now()
				res, err := est.Fit(cmd.Context(), in.X, solve.Settings{MaxIter: 500})
				secs := time.Since(start).Seconds() // the whole fit, pre-training included
				if err != nil {
					return fmt.Errorf("%s on %s: %w", r.model, r.dataset, err)
				}
				pred, how, err := assign(res, r.assign, k, seed)
				if err != nil {
					return err
				}
				m := scores(in, pred, nil)
				mod := "-"
				if v, ok := m["modularity"]; ok {
					mod = fmt.Sprintf("%.3f", v)
				}
				name := r.model
				for _, p := range r.params {
					name += " " + p
				}
				n, _ := in.X.Dims()
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%s\t%d\t%.2f\t\n",
					r.dataset, n, name, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(r.layers)), ","), "[]"), how, m["nmi"], m["acc"], m["ari"], mod, res.Iterations, secs)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "\nNMI: sqrt normalization; ACC: Hungarian matching. Data: see datasets/data/README.md.")
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of every random draw")
	return cmd
}

func demoInput(name string) (*input, error) {
	if g, labels, err := datasets.Graph(name); err == nil {
		return &input{X: g.Adj, IDs: g.IDs, Graph: g, Labels: labels}, nil
	}
	t, labels, err := datasets.Table(name)
	if err != nil {
		return nil, err
	}
	return &input{X: t.X, Labels: labels}, nil
}
