package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

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
	// Columns are the column names of a text input with a header.
	Columns []string
}

type inputOptions struct {
	path, format, labels, labelColumn, header string
	groups, graph                             string
	directed, reverse, isolated               bool
	selfLoops, duplicates                     string
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
	t, err := dataio.ReadMatrix(o.path, dataio.MatrixOptions{Format: format, Label: o.labelColumn, Header: o.header})
	if err != nil {
		return nil, err
	}
	in.X, in.Columns = t.X, t.ColumnNames
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
			return nil, &dataio.InputError{File: o.labels, Msg: fmt.Sprintf("%d labels for %d rows", len(in.Labels.Values), n)}
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

// assign turns an embedding into hard assignments by the method how, or
// by the model's own read-out when how is empty, and returns the method
// used.
func assign(res *model.Result, how string, k int, seed uint64) ([]int, string, error) {
	if how == "" {
		how = res.Assign
	}
	switch how {
	case "", "argmax":
		return cluster.Argmax(res.Embedding), "argmax", nil
	case "kmeans", "kmeans-plain":
		labels, _, err := cluster.KMeans{K: k, Seed: seed, Normalize: how == "kmeans"}.Fit(res.Embedding)
		return labels, how, err
	}
	return nil, "", usageError{fmt.Errorf("unknown --assign %q: want argmax, kmeans or kmeans-plain", how)}
}

// scores returns the metrics that apply: clustering scores with ground
// truth, graph scores for a graph, the mean balance of the clusters over
// the sensitive groups when they are given.
func scores(in *input, pred []int) map[string]float64 {
	m := map[string]float64{}
	if in.Labels != nil {
		s := metric.Cluster(in.Labels.Values, pred)
		m["acc"], m["nmi"], m["nmi_arithmetic"], m["nmi_max"] = s.ACC, s.NMI, s.NMIArithmetic, s.NMIMax
		m["ari"], m["purity"], m["f1"], m["jaccard"] = s.ARI, s.Purity, s.F1, s.Jaccard
	}
	if in.Graph != nil {
		m["modularity"] = metric.Modularity(in.Graph.Adj, pred, in.Graph.Directed)
		m["conductance"] = metric.MeanConductance(in.Graph.Adj, pred)
	}
	if in.Groups != nil {
		_, m["balance"] = model.GroupBalance(pred, in.Groups.Values)
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
