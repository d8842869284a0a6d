package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/metric"
	"github.com/deepnmf/deepnmf/model"
)

// input is a loaded data matrix or graph with its optional ground truth.
type input struct {
	X      linalg.Matrix
	IDs    []string       // row ids written with assignments
	Graph  *dataio.Graph  // nil for a data matrix
	Labels *dataio.Labels // nil without ground truth
	Groups *dataio.Labels // sensitive groups, nil if not given
	Sim    *linalg.CSR    // a given similarity graph between the rows, nil if not given
	links  *constraints   // pairwise constraints (--constraints), nil if not given
	// Columns are the column names of a text input with a header.
	Columns []string
	// path is the input file; guessedMatrix says it was read as a data
	// matrix, its format guessed from its name, and looks like an edge list.
	path          string
	guessedMatrix bool
}

type inputOptions struct {
	path, format, labels, labelColumn, header string
	groups, graph                             string
	directed, reverse, isolated               bool
	selfLoops, duplicates                     string
	// scale preprocesses a data matrix: none, minmax, standard or l2.
	scale string
	// missing accepts unknown cells (NaN, empty, NA) in a data matrix.
	missing bool
}

// addInputFlags defines the flags of an input; graphs adds those of edge
// lists, ground truth and the side inputs of fit.
func addInputFlags(f *pflag.FlagSet, o *inputOptions, graphs bool) {
	f.StringVar(&o.path, "input", "", "input file (required)")
	f.StringVar(&o.labelColumn, "label-column", "", "column of a text input holding labels: index (negative from the end) or name")
	f.StringVar(&o.header, "header", "auto", "whether a text input has a header line: auto, yes or no")
	if !graphs {
		f.StringVar(&o.format, "format", "", "input format: csv, tsv, txt, npy, npz or mtx (default: from the extension)")
		return
	}
	f.StringVar(&o.format, "format", "", "input format: csv, tsv, txt, npy, npz, mtx or edgelist (default: from the extension)")
	f.BoolVar(&o.directed, "directed", false, "read an edge list as a directed graph")
	f.BoolVar(&o.reverse, "reverse", false, `with --directed, read "u v" as the arc v -> u (files that list the target first, e.g. LINQS .cites: "<cited> <citing>")`)
	f.StringVar(&o.selfLoops, "self-loops", "drop", "self-loops in an edge list: drop or keep")
	f.StringVar(&o.duplicates, "duplicates", "max", "an edge listed twice (either direction when undirected): keep the max weight, sum the weights, or one (binary)")
	f.BoolVar(&o.isolated, "isolated", false, "add nodes that appear in --labels but in no edge as isolated nodes")
	f.StringVar(&o.labels, "labels", "", "ground truth: one label per row, or 'node label' lines for a graph")
	f.StringVar(&o.graph, "graph", "", "similarity graph between the rows for graph-regularized data models: edge list on row numbers 0..n-1, or a square .npz/.mtx")
	f.StringVar(&o.groups, "groups", "", "sensitive group of each row or node, in the --labels layout (fairness models; adds the balance metric)")
	f.StringVar(&o.scale, "scale", "none", "preprocess a data matrix: none, minmax (every column onto [0, 1]), standard (every column to mean 0, variance 1: mixed signs, for semi-NMF models) or l2 (every row to unit norm)")
}

// check validates the input flags before anything is read.
func (o *inputOptions) check() error {
	oneOf := func(flag, v string, ok ...string) error {
		if v == "" {
			return nil // not given: the default
		}
		for _, s := range ok {
			if v == s {
				return nil
			}
		}
		return usageError{fmt.Errorf("%s %q: want %s", flag, v, strings.Join(ok, ", "))}
	}
	for _, err := range []error{
		oneOf("--format", o.format, "csv", "tsv", "txt", "npy", "npz", "mtx", "edgelist"),
		oneOf("--header", o.header, "auto", "yes", "no"),
		oneOf("--self-loops", o.selfLoops, "drop", "keep"),
		oneOf("--duplicates", o.duplicates, "max", "sum", "one"),
		oneOf("--scale", o.scale, "none", "minmax", "standard", "l2"),
	} {
		if err != nil {
			return err
		}
	}
	for _, p := range []struct{ flag, path string }{{"--input", o.path}, {"--labels", o.labels}, {"--graph", o.graph}, {"--groups", o.groups}} {
		if p.path == "" {
			continue
		}
		if err := notDir(p.flag, p.path); err != nil {
			return err
		}
	}
	return nil
}

// hint adds to an error about a data matrix read from a file without
// --format the advice to read it as an edge list when it looks like one:
// two or three columns, the first two nonnegative integers.
func (in *input) hint(err error) error {
	if err == nil || in == nil || !in.guessedMatrix {
		return err
	}
	return fmt.Errorf("%w (%s looks like an edge list: give --format edgelist to read it as a graph)", err, in.path)
}

// load reads the input for a model of the given kind. A graph model reads
// an edge list unless the format names a matrix file (an adjacency matrix).
func load(o inputOptions, kind model.Kind) (*input, error) {
	format := o.format
	if format == "" && kind == model.Graph {
		switch strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(o.path), ".gz"))) {
		case ".npy", ".npz", ".mtx", ".csv", ".tsv":
		default:
			format = "edgelist"
		}
	}
	in := &input{}
	if format == "edgelist" {
		if o.scale != "" && o.scale != "none" {
			return nil, usageError{fmt.Errorf("--scale applies to data matrices, not edge lists")}
		}
		if o.labelColumn != "" {
			return nil, usageError{fmt.Errorf("--label-column applies to data matrices, not edge lists")}
		}
		if o.reverse && !o.directed {
			return nil, usageError{fmt.Errorf("--reverse needs --directed")}
		}
		g, err := dataio.ReadEdgeList(o.path, dataio.EdgeOptions{Directed: o.directed, Reverse: o.reverse, SelfLoops: o.selfLoops, Duplicates: o.duplicates})
		if err != nil {
			return nil, err
		}
		if o.labels != "" && o.isolated {
			ids, err := dataio.ReadNodeIDs(o.labels)
			if err != nil {
				return nil, err
			}
			g = g.WithNodes(ids)
		}
		in.Graph, in.X, in.IDs = g, g.Adj, g.IDs
		if o.labels != "" {
			if in.Labels, err = dataio.ReadNodeLabels(o.labels, g); err != nil {
				return nil, err
			}
		}
		if o.groups != "" {
			if in.Groups, err = dataio.ReadNodeLabels(o.groups, g); err != nil {
				return nil, err
			}
		}
		return in, nil
	}
	if o.reverse {
		return nil, usageError{fmt.Errorf("--reverse applies to edge lists, not matrix files")}
	}
	t, err := dataio.ReadMatrix(o.path, dataio.MatrixOptions{Format: format, Label: o.labelColumn, Header: o.header, Missing: o.missing})
	if err != nil {
		return nil, err
	}
	in.X, in.Columns, in.path = t.X, t.ColumnNames, o.path
	in.guessedMatrix = format == "" && looksLikeEdges(t.X)
	if in.X, err = scaleData(in.X, o.scale); err != nil {
		return nil, &dataio.InputError{File: o.path, Msg: err.Error()}
	}
	n, _ := t.X.Dims()
	in.IDs = make([]string, n)
	for i := range in.IDs {
		in.IDs[i] = fmt.Sprint(i)
	}
	switch {
	case o.labels != "" && t.Labels != nil:
		return nil, usageError{fmt.Errorf("give either --labels or --label-column, not both")}
	case o.labels != "":
		if in.Labels, err = dataio.ReadLabels(o.labels); err != nil {
			return nil, err
		}
		if len(in.Labels.Values) != n {
			return nil, in.hint(&dataio.InputError{File: o.labels, Msg: fmt.Sprintf("%d labels for %d rows", len(in.Labels.Values), n)})
		}
	case t.Labels != nil:
		in.Labels = dataio.LabelsFromStrings(t.Labels)
	}
	if o.graph != "" {
		if in.Sim, err = readSimilarity(o.graph, n); err != nil {
			return nil, err
		}
	}
	if o.groups != "" {
		if in.Groups, err = dataio.ReadLabels(o.groups); err != nil {
			return nil, err
		}
		if len(in.Groups.Values) != n {
			return nil, &dataio.InputError{File: o.groups, Msg: fmt.Sprintf("%d groups for %d rows", len(in.Groups.Values), n)}
		}
	}
	return in, nil
}

// scaleData applies the --scale preprocessing to a data matrix.
func scaleData(x linalg.Matrix, how string) (linalg.Matrix, error) {
	switch how {
	case "minmax":
		return linalg.MinMaxCols(x)
	case "standard":
		return linalg.StandardCols(x)
	case "l2":
		return linalg.NormalizeRows(x), nil
	}
	return x, nil
}

// looksLikeEdges reports whether a matrix could be an edge list read as
// data: two or three columns, the first two holding node ids (integers in
// [0, 2³¹), not all zero).
func looksLikeEdges(x linalg.Matrix) bool {
	_, c := x.Dims()
	if c != 2 && c != 3 {
		return false
	}
	ok, some := true, false
	x.Each(func(_, j int, v float64) {
		if j < 2 {
			ok = ok && v >= 0 && v < 1<<31 && v == math.Trunc(v)
			some = some || v > 0
		}
	})
	return ok && some
}

// assign turns an embedding into hard assignments by the method how, or
// by the model's own read-out when how is empty, and returns the method
// used.
func assign(res *model.Result, how string, k int, seed uint64) ([]int, string, error) {
	a := model.Assign(how)
	if a == "" {
		a = res.Assign
	}
	switch a {
	case "", model.AssignArgmax:
		return cluster.Argmax(res.Embedding), string(model.AssignArgmax), nil
	case model.AssignKMeans, model.AssignKMeansPlain:
		labels, _, err := cluster.KMeans{K: k, Seed: seed, Normalize: a == model.AssignKMeans}.Fit(res.Embedding)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s read-out: %w", model.ErrInvalid, a, err)
		}
		return labels, string(a), nil
	}
	return nil, "", usageError{fmt.Errorf("unknown --assign %q: want argmax, kmeans or kmeans-plain", how)}
}

// scores returns the metrics that apply: clustering scores with ground
// truth (on the samples not labelled, labelled[i] < 0, when labelled is not
// nil), graph scores for a graph, the mean balance of the clusters over the
// sensitive groups when they are given.
func scores(in *input, pred, labelled []int) map[string]float64 {
	m := map[string]float64{}
	if in.Labels != nil {
		truth, p := in.Labels.Values, pred
		if labelled != nil {
			truth, p = nil, nil
			for i, c := range labelled {
				if c < 0 {
					truth, p = append(truth, in.Labels.Values[i]), append(p, pred[i])
				}
			}
		}
		s := metric.Cluster(truth, p)
		m["acc"], m["nmi"], m["nmi_arithmetic"], m["nmi_max"] = s.ACC, s.NMI, s.NMIArithmetic, s.NMIMax
		m["ari"], m["purity"], m["f1"], m["jaccard"] = s.ARI, s.Purity, s.F1, s.Jaccard
	}
	if in.Graph != nil {
		m["modularity"] = metric.Modularity(in.Graph.Adj, pred, in.Graph.Directed)
		m["conductance"] = metric.MeanConductance(in.Graph.Adj, pred)
	}
	if in.Groups != nil {
		_, m["balance"] = metric.GroupBalance(pred, in.Groups.Values)
	}
	for k, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(m, k) // undefined here, e.g. the conductance of an empty graph
		}
	}
	return m
}

// groups returns the sensitive group of each sample, or nil.
func (in *input) groups() []int {
	if in.Groups == nil {
		return nil
	}
	return in.Groups.Values
}

// readSimilarity reads a given n x n similarity graph between the rows of
// a data matrix: an edge list whose node ids are row numbers 0..n-1
// (undirected, weights summed), or a square matrix file.
func readSimilarity(path string, n int) (*linalg.CSR, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npz", ".mtx", ".npy", ".csv", ".tsv":
		t, err := dataio.ReadMatrix(path, dataio.MatrixOptions{})
		if err != nil {
			return nil, err
		}
		if r, c := t.X.Dims(); r != n || c != n {
			return nil, &dataio.InputError{File: path, Msg: fmt.Sprintf("graph is %dx%d, want %dx%d (one row and column per sample)", r, c, n, n)}
		}
		if s, ok := t.X.(*linalg.CSR); ok {
			return s, nil
		}
		return linalg.CSRFromDense(t.X.(*linalg.Dense).Raw()), nil
	}
	g, err := dataio.ReadEdgeList(path, dataio.EdgeOptions{})
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	g = g.WithNodes(ids)
	for i, id := range g.IDs {
		if i >= n || id != ids[i] {
			return nil, &dataio.InputError{File: path, Msg: fmt.Sprintf("node %q is not a row number in [0, %d)", id, n)}
		}
	}
	return g.Adj, nil
}
