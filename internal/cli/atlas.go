package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/model"
	"github.com/deepnmf/deepnmf/solve"
)

// atlasReport is the JSON object atlas prints with --json and writes to
// result.json. The fit's report (iterations, objective, history,
// pre-training, relative error) is there for --method atlas only.
type atlasReport struct {
	*model.AtlasResult
	Method    string     `json:"method"`
	Input     string     `json:"input,omitempty"`
	Synthetic *synthetic `json:"synthetic,omitempty"`
	Subjects  int        `json:"n"`
	ROIs      int        `json:"m"`
	K         int        `json:"k"`
	Backend   string     `json:"backend"`
	Seed      uint64     `json:"seed"`
	// Metrics score the communities against --labels, or against the
	// planted ones with --synthetic.
	Metrics map[string]float64 `json:"metrics,omitempty"`
	Factors map[string]string  `json:"factors,omitempty"`
	Seconds float64            `json:"seconds"`
	Files   []string           `json:"files,omitempty"`
}

// synthetic describes the subjects of --synthetic in the report.
type synthetic struct {
	Subjects int     `json:"subjects"`
	ROIs     int     `json:"rois"`
	Noise    float64 `json:"noise"`
	Spread   float64 `json:"spread"`
}

type atlasOptions struct {
	fitOptions
	ids, labels, method, negative string
	preIter                       int
	synthetic                     bool
	planted                       datasets.PlantedAtlas
}

func newAtlas() *cobra.Command {
	var o atlasOptions
	cmd := &cobra.Command{
		Use:   "atlas",
		Short: "Find the region communities shared by many subjects' connectivity matrices",
		Long: `The brain-network group atlas: for n subjects' symmetric m x m connectivity
matrices A_i over the same m regions of interest (ROIs), find communities of
ROIs H (m x k, nonnegative) shared by every subject and a k x k matrix W_i per
subject, A_i ≈ H W_i Hᵀ (docs/models/atlas.md). --negative says how negative
correlations enter: semi (the default: W_i free in sign), split (positive and
negative parts as two nonnegative layers) or shift (A_i + c). --layers makes
H = H1⋯Hp deep, each layer pre-trained on the mean connectivity.

--input is a 3-D .npy array (subjects x ROIs x ROIs), a directory holding one
matrix file per subject (.npy, .csv, .tsv, .txt; read in the order of their
names), or one matrix file (one subject). --ids gives the ROI ids (one per
line, default 0..m-1); --labels ground-truth networks to score the communities
(one per ROI line, or "id label" lines). --synthetic draws the subjects around
a planted atlas of --rank communities instead (datasets.PlantedAtlas: --subjects,
--rois, --noise, --spread) and scores the communities against the planted ones.

--method spectral clusters the ROIs by normalized spectral clustering of the
positive part of the mean connectivity (negative correlations set to 0), and
--method kmeans by k-means of the rows of the mean connectivity (each ROI's
profile, both signs): the baselines of docs/results/atlas.md.

With --out, the directory receives assignments.txt ("roi community" lines),
H.npy (m x k, unit-norm columns; deep: H1.npy..Hp.npy too), subjects.npy (n x
k², row i the flattened W_i, for analyses across subjects), subjects.txt (the
subject of each row: file names of a directory, else indices), atlas.png (the
mean connectivity with the ROIs ordered by community, communities marked),
planted.txt with --synthetic, and result.json. The iteration limit defaults to
300 and the tolerance to 1e-5.

Exit status: 0 on success, 2 on bad input or usage, 130 when interrupted by
Ctrl-C and 143 by SIGTERM (the results reached are written), 1 otherwise.`,
		Example: `  deepnmf atlas --input subjects.npy --rank 7 --out atlas/
  deepnmf atlas --input subjects/ --rank 17 --layers 40,17 --ids rois.txt --json
  deepnmf atlas --input fc.npy --rank 17 --labels yeo17.txt --method spectral
  deepnmf atlas --synthetic --subjects 20 --rois 100 --rank 6 --noise 0.5 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAtlas(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.path, "input", "", "the subjects' matrices: a 3-D .npy array, a directory of matrix files, or one matrix file")
	f.BoolVar(&o.synthetic, "synthetic", false, "draw the subjects around a planted atlas of --rank communities instead of reading --input")
	f.IntVar(&o.planted.Subjects, "subjects", 20, "with --synthetic: number of subjects")
	f.IntVar(&o.planted.ROIs, "rois", 100, "with --synthetic: number of ROIs")
	f.Float64Var(&o.planted.Noise, "noise", 0.5, "with --synthetic: standard deviation of the noise of every entry")
	f.Float64Var(&o.planted.Spread, "spread", 0.1, "with --synthetic: standard deviation of the subjects' departures from the group pattern")
	f.IntVar(&o.rank, "rank", 0, "number of communities k (required unless --layers)")
	f.StringVar(&o.layers, "layers", "", "layer sizes r1,r2,...,k of a deep atlas H = H1⋯Hp, decreasing")
	f.StringVar(&o.negative, "negative", "semi", "negative correlations: semi, split or shift")
	f.StringVar(&o.init, "init", "kmeans", "start of each layer: kmeans or random")
	f.IntVar(&o.preIter, "pre-iter", 100, "pre-training iterations of each layer on the mean connectivity")
	f.StringVar(&o.method, "method", "atlas", "atlas, or a baseline: spectral or kmeans")
	f.StringVar(&o.ids, "ids", "", "ROI ids, one per line (default 0..m-1)")
	f.StringVar(&o.labels, "labels", "", "ground-truth network of each ROI: one per line, or 'id label' lines")
	f.IntVar(&o.maxIter, "max-iter", 0, "maximum number of iterations (default 300)")
	f.Float64Var(&o.tol, "tol", 0, "tolerance of the relative decrease; 0 runs max-iter iterations (default 1e-5)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "stop after this long, pre-training included (0: no limit)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of every random draw (the synthetic subjects too)")
	f.StringVar(&o.out, "out", "", "directory for assignments.txt, H.npy, subjects.npy, subjects.txt, atlas.png and result.json")
	f.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// check validates the flags that need no input and returns the layers.
func (o *atlasOptions) check(cmd *cobra.Command) ([]int, error) {
	changed := cmd.Flags().Changed
	switch {
	case o.synthetic && o.path != "":
		return nil, usageError{errors.New("give either --input or --synthetic, not both")}
	case !o.synthetic && o.path == "":
		return nil, usageError{errors.New("--input (or --synthetic) is required")}
	case o.synthetic && (o.ids != "" || o.labels != ""):
		return nil, usageError{errors.New("--ids and --labels apply to --input; --synthetic scores the planted communities")}
	case changed("max-iter") && o.maxIter < 1:
		return nil, usageError{fmt.Errorf("--max-iter %d: want at least 1", o.maxIter)}
	case changed("tol") && !(o.tol >= 0 && !math.IsInf(o.tol, 1)):
		return nil, usageError{fmt.Errorf("--tol %g: want a finite number ≥ 0 (0 runs --max-iter iterations)", o.tol)}
	case o.preIter < 0:
		return nil, usageError{fmt.Errorf("--pre-iter %d: want at least 0", o.preIter)}
	case o.negative != "semi" && o.negative != "split" && o.negative != "shift":
		return nil, usageError{fmt.Errorf("--negative %q: want semi, split or shift", o.negative)}
	case o.init != "kmeans" && o.init != "random":
		return nil, usageError{fmt.Errorf("--init %q: want kmeans or random", o.init)}
	case o.timeLimit < 0:
		return nil, usageError{fmt.Errorf("--time-limit %v is negative", o.timeLimit)}
	case changed("rank") && o.rank < 1:
		return nil, usageError{fmt.Errorf("--rank %d: the rank must be positive", o.rank)}
	case o.method != "atlas" && o.method != "spectral" && o.method != "kmeans":
		return nil, usageError{fmt.Errorf("--method %q: want atlas, spectral or kmeans", o.method)}
	}
	if !o.synthetic {
		for _, name := range []string{"subjects", "rois", "noise", "spread"} {
			if changed(name) {
				return nil, usageError{fmt.Errorf("--%s applies with --synthetic", name)}
			}
		}
	}
	if o.method != "atlas" {
		for _, name := range []string{"layers", "negative", "init", "pre-iter", "max-iter", "tol", "time-limit"} {
			if changed(name) {
				return nil, usageError{fmt.Errorf("--%s applies to --method atlas", name)}
			}
		}
	}
	for _, p := range []struct{ flag, path string }{{"--ids", o.ids}, {"--labels", o.labels}} {
		if p.path != "" {
			if err := notDir(p.flag, p.path); err != nil {
				return nil, err
			}
		}
	}
	layers, err := parseLayers(o.layers)
	if err != nil {
		return nil, err
	}
	if o.rank == 0 && len(layers) > 0 {
		o.rank = layers[len(layers)-1]
	}
	if o.rank == 0 {
		return nil, usageError{errors.New("--rank (or --layers) is required")}
	}
	return layers, nil
}

// model returns the atlas the flags configure.
func (o *atlasOptions) model(layers []int) model.Atlas {
	return model.Atlas{Rank: o.rank, Layers: layers, Negative: model.Negative(o.negative), Init: initialize.Method(o.init), PreIter: &o.preIter, Seed: o.seed}
}

// stack reads or draws the subjects' matrices and returns them with their
// names and, with --synthetic, the planted communities.
func (o *atlasOptions) stack() ([]*mat.Dense, []string, []int, error) {
	if !o.synthetic {
		mats, names, err := dataio.ReadStack(o.path)
		return mats, names, nil, err
	}
	o.planted.Communities, o.planted.Seed = o.rank, o.seed
	mats, planted, err := o.planted.Generate()
	if err != nil {
		return nil, nil, nil, usageError{fmt.Errorf("--synthetic: %w", err)}
	}
	names := make([]string, len(mats))
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return mats, names, planted, nil
}

func runAtlas(cmd *cobra.Command, o atlasOptions) error {
	layers, err := o.check(cmd)
	if err != nil {
		return err
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	mats, names, truth, err := o.stack()
	if err != nil {
		return err
	}
	if err := o.checkSymmetric(mats, names); err != nil {
		return err
	}
	m, _ := mats[0].Dims()
	ids, err := o.roiIDs(m)
	if err != nil {
		return err
	}
	if o.labels != "" {
		if truth, err = roiLabels(o.labels, ids); err != nil {
			return err
		}
	}
	removed := 0
	if o.out != "" {
		if removed, err = cleanOut(o.out); err != nil {
			return fmt.Errorf("cleaning --out %s: %w", o.out, err)
		}
	}
	rep := &atlasReport{Method: o.method, Input: o.path, Subjects: len(mats), ROIs: m, K: o.rank, Backend: backend.Current(), Seed: o.seed}
	if o.synthetic {
		rep.Synthetic = &synthetic{Subjects: o.planted.Subjects, ROIs: o.planted.ROIs, Noise: o.planted.Noise, Spread: o.planted.Spread}
	}
	start := time.Now()
	mean := meanOf(mats)
	var comm []int
	var h *mat.Dense
	switch o.method {
	case "atlas":
		bar := newProgress(cmd.ErrOrStderr(), o.quiet)
		res, err := o.model(layers).Fit(cmd.Context(), mats, o.settings(cmd, bar))
		bar.finish()
		if err != nil {
			return err
		}
		rep.AtlasResult, comm, h = res, res.Communities, res.Embedding
	case "spectral":
		pos := mat.NewDense(m, m, nil)
		pos.Apply(func(_, _ int, v float64) float64 { return max(v, 0) }, mean)
		if comm, err = (cluster.Spectral{K: o.rank, Seed: o.seed}).Fit(pos); err != nil {
			return fmt.Errorf("%w: %w", model.ErrInvalid, err)
		}
	case "kmeans":
		if comm, _, err = (cluster.KMeans{K: o.rank, Seed: o.seed}).Fit(mean); err != nil {
			return fmt.Errorf("%w: %w", model.ErrInvalid, err)
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	if truth != nil {
		rep.Metrics = scores(&input{Labels: &dataio.Labels{Values: truth}}, comm, nil)
	}
	var files []string
	if o.out != "" {
		if files, err = writeAtlas(o.out, rep, ids, names, comm, h, mean, truth); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if o.json {
		if err := json.NewEncoder(w).Encode(rep); err != nil {
			return err
		}
	} else {
		printAtlas(w, rep, comm)
		if o.out != "" {
			fmt.Fprintln(w, outLine(o.out, files, removed))
		}
	}
	if rep.AtlasResult != nil && rep.Reason == solve.Interrupted {
		return errInterrupted
	}
	return nil
}

// checkSymmetric checks that every matrix is square and symmetric to
// within 1e-6 of its largest magnitude, as model.Atlas requires, for every
// method.
func (o *atlasOptions) checkSymmetric(mats []*mat.Dense, names []string) error {
	for s, a := range mats {
		r, c := a.Dims()
		if r != c {
			return &dataio.InputError{File: o.path, Msg: fmt.Sprintf("subject %s: the matrix is %dx%d, not square", names[s], r, c)}
		}
		tol := 1e-6 * max(math.Abs(mat.Min(a)), math.Abs(mat.Max(a)))
		for i := range r {
			for j := i + 1; j < r; j++ {
				if math.Abs(a.At(i, j)-a.At(j, i)) > tol {
					return &dataio.InputError{File: o.path, Msg: fmt.Sprintf("subject %s: the matrix is not symmetric: entry (%d, %d) is %g, (%d, %d) %g", names[s], i, j, a.At(i, j), j, i, a.At(j, i))}
				}
			}
		}
	}
	return nil
}

// roiIDs returns the ROI ids of --ids, or 0..m−1.
func (o *atlasOptions) roiIDs(m int) ([]string, error) {
	if o.ids == "" {
		ids := make([]string, m)
		for i := range ids {
			ids[i] = fmt.Sprint(i)
		}
		return ids, nil
	}
	keys, ids, err := dataio.ReadKeyedLabels(o.ids)
	switch {
	case err != nil:
		return nil, err
	case keys != nil:
		return nil, &dataio.InputError{File: o.ids, Msg: "want one ROI id per line, without spaces"}
	case len(ids) != m:
		return nil, &dataio.InputError{File: o.ids, Msg: fmt.Sprintf("%d ids for %d ROIs", len(ids), m)}
	}
	seen := map[string]int{}
	for i, id := range ids {
		if j, ok := seen[id]; ok {
			return nil, &dataio.InputError{File: o.ids, Line: i + 1, Msg: fmt.Sprintf("id %q is given on line %d too", id, j+1)}
		}
		seen[id] = i
	}
	return ids, nil
}

// roiLabels reads the ground truth of the ROIs: one label per line, in
// ROI order, or "id label" lines (ROIs without a line are not scored), as
// class indices (-1 for none).
func roiLabels(path string, ids []string) ([]int, error) {
	keys, labels, err := dataio.ReadKeyedLabels(path)
	if err != nil {
		return nil, err
	}
	byROI := labels
	if keys == nil {
		if len(labels) != len(ids) {
			return nil, &dataio.InputError{File: path, Msg: fmt.Sprintf("%d labels for %d ROIs", len(labels), len(ids))}
		}
	} else {
		index := map[string]int{}
		for i, id := range ids {
			index[id] = i
		}
		byROI = make([]string, len(ids))
		for k, id := range keys {
			i, ok := index[id]
			if !ok {
				return nil, &dataio.InputError{File: path, Line: k + 1, Msg: fmt.Sprintf("ROI %q is not among the ROI ids", id)}
			}
			byROI[i] = labels[k]
		}
	}
	return dataio.LabelsFromStrings(byROI).Values, nil
}

// meanOf returns the mean of the square matrices, symmetrized.
func meanOf(mats []*mat.Dense) *mat.Dense {
	mean := mat.DenseCopyOf(mats[0])
	for _, a := range mats[1:] {
		mean.Add(mean, a)
	}
	mean.Add(mean, mat.DenseCopyOf(mean.T()))
	mean.Scale(0.5/float64(len(mats)), mean)
	return mean
}

// writeAtlas writes the results into dir and returns the names of the
// files written.
func writeAtlas(dir string, rep *atlasReport, ids, names []string, comm []int, h, mean *mat.Dense, planted []int) ([]string, error) {
	var files []string
	add := func(name string, err error) error {
		if err == nil {
			files = append(files, name)
		}
		return err
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := add("assignments.txt", dataio.WriteAssignments(path("assignments.txt"), ids, comm)); err != nil {
		return files, err
	}
	if rep.AtlasResult != nil {
		rep.Factors = map[string]string{}
		for _, f := range rep.Result.Factors {
			name := string(f.Name) + ".npy"
			if err := add(name, dataio.WriteNPY(path(name), f.M)); err != nil {
				return files, err
			}
			rep.Factors[name] = f.Doc
		}
		k := rep.Rank
		emb := mat.NewDense(len(rep.AtlasResult.Subjects), k*k, nil)
		for i, w := range rep.AtlasResult.Subjects {
			for a := range k {
				copy(emb.RawRowView(i)[a*k:(a+1)*k], w.RawRowView(a))
			}
		}
		rep.Factors["subjects.npy"] = fmt.Sprintf("%d x %d: row i is W_i (k x k) flattened row by row, the subject of line i of subjects.txt", len(names), k*k)
		if err := add("subjects.npy", dataio.WriteNPY(path("subjects.npy"), emb)); err != nil {
			return files, err
		}
		if err := add("subjects.txt", writeIDs(path("subjects.txt"), names)); err != nil {
			return files, err
		}
	}
	if rep.Synthetic != nil {
		if err := add("planted.txt", dataio.WriteAssignments(path("planted.txt"), ids, planted)); err != nil {
			return files, err
		}
	}
	order, starts := byCommunity(comm, h)
	title := fmt.Sprintf("%s: mean connectivity of %s, %d communities", rep.Method, subjectCount(rep.Subjects), rep.K)
	if err := add("atlas.png", writeHeatMap(path("atlas.png"), mean, order, starts, title)); err != nil {
		return files, err
	}
	files = append(files, "result.json")
	rep.Files = slices.Clone(files)
	sort.Strings(rep.Files)
	return files, dataio.WriteJSON(path("result.json"), rep)
}

// subjectCount returns "1 subject" or "n subjects".
func subjectCount(n int) string {
	if n == 1 {
		return "1 subject"
	}
	return fmt.Sprintf("%d subjects", n)
}

// printAtlas prints the summary of an atlas run.
func printAtlas(w io.Writer, rep *atlasReport, comm []int) {
	src := rep.Input
	if rep.Synthetic != nil {
		src = "synthetic"
	}
	fmt.Fprintf(w, "%s of %s x %d ROIs (%s), k = %d, backend %s\n", rep.Method, subjectCount(rep.Subjects), rep.ROIs, src, rep.K, rep.Backend)
	if r := rep.AtlasResult; r != nil {
		fmt.Fprintf(w, "negative %s: %d iterations (%s), objective %.6g, relative error %.4f\n", r.Negative, r.Iterations, r.Reason, r.Objective, r.RelativeError)
	}
	sizes := make([]int, rep.K)
	for _, c := range comm {
		sizes[c]++
	}
	fmt.Fprintf(w, "community sizes %v\n", sizes)
	keys := make([]string, 0, len(rep.Metrics))
	for k := range rep.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%-15s %.4f\n", k, rep.Metrics[k])
	}
	fmt.Fprintf(w, "%-15s %.2f\n", "seconds", rep.Seconds)
}
