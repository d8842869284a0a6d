package cli

import (
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/linkpred"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
)

// linkpredReport is the JSON object linkpred prints and writes.
type linkpredReport struct {
	Model        string    `json:"model"`
	Input        string    `json:"input"`
	Nodes        int       `json:"n"`
	Edges        int       `json:"edges"`
	Directed     bool      `json:"directed"`
	Rank         int       `json:"rank,omitempty"`
	Layers       []int     `json:"layers,omitempty"`
	Params       []string  `json:"params,omitempty"`
	TestFraction float64   `json:"test_fraction"`
	Splits       int       `json:"splits"`
	AUC          float64   `json:"auc"`
	AUCStd       float64   `json:"auc_std"`
	Precision    float64   `json:"precision"`
	PrecStd      float64   `json:"precision_std"`
	Runs         []lpRun   `json:"runs"`
	Backend      string    `json:"backend"`
	Seconds      float64   `json:"seconds"`
	Interrupted  bool      `json:"interrupted,omitempty"`
	Files        []string  `json:"files,omitempty"`
	Predictions  []lpScore `json:"predictions,omitempty"`
}

// lpRun is one split.
type lpRun struct {
	Seed       uint64  `json:"seed"`
	Positives  int     `json:"positives"`
	AUC        float64 `json:"auc"`
	Precision  float64 `json:"precision"`
	Iterations int     `json:"iterations,omitempty"`
	Seconds    float64 `json:"seconds"`
}

// lpScore is a scored pair, with the nodes' ids.
type lpScore struct {
	U     string  `json:"u"`
	V     string  `json:"v"`
	Score float64 `json:"score"`
}

func newLinkpred() *cobra.Command {
	var o fitOptions
	var test float64
	var splits, predict int
	cmd := &cobra.Command{
		Use:   "linkpred",
		Short: "Predict links: score held-out edges, or the most likely new links",
		Long: `Link prediction with the protocol of the NMF papers: each split holds out a
seeded random fraction of the edges (--test-fraction), fits the model to the
rest, and scores the held-out edges against as many node pairs that are not
edges of the whole graph; it reports the AUC and the precision (at the number
of held-out edges), mean and standard deviation over --splits splits (split s
uses seed --seed + s, for the split and the model). A model scores a pair
(u, v) by its reconstruction X̂_uv (symmetrized for an undirected graph);
--model also takes the heuristics cn (common neighbours), aa (Adamic-Adar)
and ra (resource allocation).

With --predict K it fits the whole graph instead and lists the K non-edges
with the highest scores. --out writes each split's scored pairs
(split-S.txt: "u v label score", label 1 for a held-out edge) or the
predictions (predictions.txt: "u v score"), and result.json.`,
		Example: `  deepnmf linkpred --model ra --input usair/edges.txt --splits 10 --json
  deepnmf linkpred --model nmf --input usair/edges.txt --rank 32 --param solver=mu
  deepnmf linkpred --model lpanmf --input celegans/edges.txt --rank 32 --out lp/
  deepnmf linkpred --model lpanmf --input usair/edges.txt --rank 32 --predict 20`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLinkpred(cmd, o, test, splits, predict)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "ra", `model name (see "deepnmf models") or heuristic: cn, aa, ra`)
	f.StringVar(&o.path, "input", "", "the graph: an edge list, or a square adjacency matrix file (required)")
	f.StringVar(&o.format, "format", "", "input format: edgelist (default for other extensions), csv, tsv, npy, npz or mtx")
	f.BoolVar(&o.directed, "directed", false, "read an edge list as a directed graph and predict arcs")
	f.StringVar(&o.selfLoops, "self-loops", "drop", "self-loops in an edge list: drop or keep (they are never test edges)")
	f.StringVar(&o.duplicates, "duplicates", "max", "an edge listed twice: keep the max weight, sum the weights, or one (binary)")
	f.IntVar(&o.rank, "rank", 0, "rank k of the factorization")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep model")
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default: the model's)")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the stopping rule; 0 runs max-iter iterations (default: the model's)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop each fit after this long (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the first split and its fit")
	f.StringVar(&o.init, "init", "", "initialization (default: the model's)")
	f.StringArrayVar(&o.params, "param", nil, "model parameter key=value (repeatable)")
	f.Float64Var(&test, "test-fraction", 0.1, "fraction of the edges held out in each split")
	f.IntVar(&splits, "splits", 10, "number of splits")
	f.IntVar(&predict, "predict", 0, "instead of splits: fit the whole graph and list the K most likely new links")
	f.StringVar(&o.out, "out", "", "directory for the scored pairs and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// pairScorer scores the pairs of a graph fitted by a model or a heuristic.
type pairScorer struct {
	cmd      *cobra.Command
	o        fitOptions
	layers   []int
	directed bool
}

// fit returns the score function on graph a and the iterations it took.
func (p *pairScorer) fit(a *linalg.CSR, seed uint64) (func(u, v int) float64, int, error) {
	h := linkpred.Heuristic(p.o.model)
	for _, known := range linkpred.Heuristics {
		if h == known {
			s, err := h.Scorer(a)
			return s, 0, err
		}
	}
	c := model.Config{Rank: p.o.rank, Layers: p.layers, Init: p.o.init, Seed: seed, Params: p.o.params}
	est, err := model.New(p.o.model, c)
	if err != nil {
		return nil, 0, err
	}
	bar := newProgress(p.cmd.ErrOrStderr(), p.o.quiet)
	res, err := est.Fit(p.cmd.Context(), a, p.o.settings(p.cmd, bar))
	bar.finish()
	if err != nil {
		return nil, 0, err
	}
	if res.Approx == nil {
		return nil, 0, usageError{fmt.Errorf("model %s has no reconstruction to score pairs with", p.o.model)}
	}
	return linkpred.LowRank(res.Approx.L, res.Approx.R, p.directed), res.Iterations, nil
}

func runLinkpred(cmd *cobra.Command, o fitOptions, test float64, splits, predict int) error {
	if err := o.checkLoop(cmd); err != nil {
		return err
	}
	switch {
	case !(test > 0 && test < 1):
		return usageError{fmt.Errorf("--test-fraction %g: want a fraction in (0, 1)", test)}
	case splits < 1:
		return usageError{fmt.Errorf("--splits %d: want at least 1", splits)}
	case predict < 0:
		return usageError{fmt.Errorf("--predict %d is negative", predict)}
	}
	layers, err := parseLayers(o.layers)
	if err != nil {
		return err
	}
	heuristic := false
	for _, h := range linkpred.Heuristics {
		heuristic = heuristic || o.model == string(h)
	}
	if !heuristic {
		if o.rank == 0 && len(layers) == 0 {
			return usageError{errors.New("--rank (or --layers) is required for a model (the heuristics cn, aa, ra need none)")}
		}
		if _, err := model.New(o.model, model.Config{Rank: o.rank, Layers: layers, Init: o.init, Params: o.params}); err != nil {
			return err
		}
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	in, err := load(o.inputOptions, model.Graph)
	if err != nil {
		return err
	}
	a, ok := in.X.(*linalg.CSR)
	if !ok {
		a = linalg.CSRFromDense(linalg.DenseOf(in.X))
	}
	n, d := a.Dims()
	if n != d {
		return &dataio.InputError{File: o.path, Msg: fmt.Sprintf("the adjacency matrix is %dx%d, not square", n, d)}
	}
	directed := o.directed || in.Graph != nil && in.Graph.Directed
	if in.Graph == nil && !directed && !symmetric(a) {
		return &dataio.InputError{File: o.path, Msg: "the adjacency matrix is not symmetric: give --directed to predict arcs"}
	}
	removed := 0
	if o.out != "" {
		if removed, err = cleanOut(o.out); err != nil {
			return fmt.Errorf("cleaning --out %s: %w", o.out, err)
		}
	}
	ids := in.IDs
	rep := &linkpredReport{Model: o.model, Input: o.path, Nodes: n, Edges: len(linkpred.Edges(a, directed)), Directed: directed,
		Rank: o.rank, Layers: layers, Params: o.params, TestFraction: test, Backend: backend.Current()}
	sc := &pairScorer{cmd: cmd, o: o, layers: layers, directed: directed}
	start := time.Now()
	var files []string
	if predict > 0 {
		rep.TestFraction = 0
		score, _, err := sc.fit(a, o.seed)
		if err != nil {
			return err
		}
		for _, p := range topPairs(a, directed, predict, score) {
			rep.Predictions = append(rep.Predictions, lpScore{ids[p.U], ids[p.V], score(p.U, p.V)})
		}
		if o.out != "" {
			if err := writeLines(filepath.Join(o.out, "predictions.txt"), len(rep.Predictions), func(w io.Writer, i int) error {
				s := rep.Predictions[i]
				_, err := fmt.Fprintf(w, "%s %s %.10g\n", s.U, s.V, s.Score)
				return err
			}); err != nil {
				return err
			}
			files = append(files, "predictions.txt")
		}
	} else {
		var aucs, precs []float64
		for s := range splits {
			if cmd.Context().Err() != nil {
				rep.Interrupted = true
				break
			}
			seed := o.seed + uint64(s)
			t := time.Now()
			split, err := linkpred.NewSplit(a, test, directed, initialize.NewRand(seed))
			if err != nil {
				return &dataio.InputError{File: o.path, Msg: err.Error()}
			}
			score, iters, err := sc.fit(split.Train, seed)
			if err != nil {
				if splits > 1 {
					err = fmt.Errorf("split %d: %w", s, err)
				}
				return err
			}
			pos, neg := linkpred.Scores(split.Pos, score), linkpred.Scores(split.Neg, score)
			run := lpRun{Seed: seed, Positives: len(pos), AUC: metric.AUC(pos, neg), Precision: metric.Precision(pos, neg, len(pos)),
				Iterations: iters, Seconds: time.Since(t).Seconds()}
			rep.Runs = append(rep.Runs, run)
			aucs, precs = append(aucs, run.AUC), append(precs, run.Precision)
			if o.out != "" {
				name := fmt.Sprintf("split-%d.txt", seed)
				if err := writeSplit(filepath.Join(o.out, name), ids, split, pos, neg); err != nil {
					return err
				}
				files = append(files, name)
			}
		}
		rep.Splits = len(rep.Runs)
		if len(aucs) > 0 {
			rep.AUC, rep.AUCStd = stat.PopMeanStdDev(aucs, nil)
			rep.Precision, rep.PrecStd = stat.PopMeanStdDev(precs, nil)
		}
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
		fmt.Fprintf(w, "model %s, graph %s (%d nodes, %d edges%s), backend %s\n", o.model, o.path, n, rep.Edges, map[bool]string{true: ", directed"}[directed], rep.Backend)
		if predict > 0 {
			for _, p := range rep.Predictions {
				fmt.Fprintf(w, "%s %s %.6g\n", p.U, p.V, p.Score)
			}
		} else {
			fmt.Fprintf(w, "%d splits, %.0f%% of the edges held out\n", rep.Splits, 100*test)
			fmt.Fprintf(w, "%-10s %.4f ± %.4f\n%-10s %.4f ± %.4f\n%-10s %.2f\n", "auc", rep.AUC, rep.AUCStd, "precision", rep.Precision, rep.PrecStd, "seconds", rep.Seconds)
		}
		if o.out != "" {
			fmt.Fprintln(w, outLine(o.out, files, removed))
		}
	}
	if rep.Interrupted {
		return errInterrupted
	}
	return nil
}

// symmetric reports whether a equals its transpose.
func symmetric(a *linalg.CSR) bool {
	n, _ := a.Dims()
	t := a.T()
	for i := range n {
		c1, v1 := a.Row(i)
		c2, v2 := t.Row(i)
		if len(c1) != len(c2) {
			return false
		}
		for p := range c1 {
			if c1[p] != c2[p] || v1[p] != v2[p] {
				return false
			}
		}
	}
	return true
}

// writeSplit writes the scored test pairs of a split, positives first.
func writeSplit(path string, ids []string, s *linkpred.Split, pos, neg []float64) error {
	np := len(s.Pos)
	return writeLines(path, np+len(s.Neg), func(w io.Writer, i int) error {
		p, label, score := s.Neg[max(i-np, 0)], 0, 0.0
		if i < np {
			p, label, score = s.Pos[i], 1, pos[i]
		} else {
			score = neg[i-np]
		}
		_, err := fmt.Fprintf(w, "%s %s %d %.10g\n", ids[p.U], ids[p.V], label, score)
		return err
	})
}

// writeLines writes n lines atomically, line i by line.
func writeLines(path string, n int, line func(w io.Writer, i int) error) error {
	return dataio.WriteFileAtomic(path, func(w io.Writer) error {
		for i := range n {
			if err := line(w, i); err != nil {
				return err
			}
		}
		return nil
	})
}

// topPairs returns the k non-edges of a (u < v when undirected, u ≠ v)
// with the highest scores, best first, ties by node order.
func topPairs(a *linalg.CSR, directed bool, k int, score func(u, v int) float64) []linkpred.Pair {
	n, _ := a.Dims()
	h := &pairHeap{}
	for u := range n {
		lo := 0
		if !directed {
			lo = u + 1
		}
		for v := lo; v < n; v++ {
			if v == u || a.At(u, v) != 0 {
				continue
			}
			sp := scoredPair{linkpred.Pair{U: u, V: v}, score(u, v)}
			if h.Len() < k {
				heap.Push(h, sp)
			} else if worse((*h)[0], sp) {
				(*h)[0] = sp
				heap.Fix(h, 0)
			}
		}
	}
	out := make([]linkpred.Pair, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(scoredPair).p
	}
	return out
}

type scoredPair struct {
	p linkpred.Pair
	s float64
}

// worse orders pairs by score, a later pair ranking below an earlier one
// of equal score.
func worse(a, b scoredPair) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	return a.p.U > b.p.U || a.p.U == b.p.U && a.p.V > b.p.V
}

// pairHeap is a min-heap by worse: its root is the worst pair kept.
type pairHeap []scoredPair

func (h pairHeap) Len() int           { return len(h) }
func (h pairHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h pairHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)        { *h = append(*h, x.(scoredPair)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
