package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/model"
)

// run runs the command line and returns its exit status and outputs.
func run(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInput checks that every kind of bad input gets a one-line error
// naming the problem and exit status 2, never a panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.csv", "1,2,3,0\n4,5,6,1\n7,8,9,0\n1,0,2,1\n")
	edges := write(t, dir, "edges.txt", "a b\nb c\nc a\nc d\nd e\ne f\nf d\n")
	cases := []struct {
		name string
		args []string
		want string // a fragment of the error
	}{
		{"negative", []string{"--input", write(t, dir, "neg.csv", "1,2,3\n4,-5,6\n7,8,9\n1,1,1\n"), "--rank", "2"}, "negative"},
		{"nan", []string{"--input", write(t, dir, "nan.csv", "1,2,3\n4,NaN,6\n7,8,9\n"), "--rank", "1"}, "nan.csv:2"},
		{"inf", []string{"--input", write(t, dir, "inf.csv", "1,2,3\n4,5,inf\n7,8,9\n"), "--rank", "1"}, "inf.csv:2"},
		{"ragged", []string{"--input", write(t, dir, "ragged.csv", "1,2,3\n4,5\n"), "--rank", "1"}, "ragged.csv:2"},
		{"empty", []string{"--input", write(t, dir, "empty.csv", ""), "--rank", "1"}, "empty.csv"},
		{"rank too large", []string{"--input", good, "--rank", "4"}, "rank 4"},
		{"missing rank", []string{"--input", good}, "--rank"},
		{"unreadable", []string{"--input", filepath.Join(dir, "nope.csv"), "--rank", "1"}, "nope.csv"},
		{"bad npy header", []string{"--input", write(t, dir, "bad.npy", "\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'  \n"), "--rank", "1"}, "bad.npy"},
		{"unknown node", []string{"--input", edges, "--format", "edgelist", "--rank", "2",
			"--labels", write(t, dir, "labels.txt", "a 0\nzz 1\n")}, "labels.txt:2"},
		{"unknown model", []string{"--model", "nope", "--input", good, "--rank", "1"}, "unknown model"},
		{"unknown param", []string{"--input", good, "--rank", "1", "--param", "alpah_w=1"}, "alpah_w"},
		{"bad param", []string{"--input", good, "--rank", "1", "--param", "alpha_w=x"}, "alpha_w"},
		{"bad flag", []string{"--input", good, "--rank", "x"}, "rank"},
		{"bad layers", []string{"--input", good, "--layers", "3,x"}, "--layers"},
		{"bad backend", []string{"--input", good, "--rank", "1", "--backend", "cuda"}, "cuda"},
		{"labels count", []string{"--input", good, "--rank", "1", "--labels", write(t, dir, "l3.txt", "0\n1\n0\n")}, "3 labels for 4 rows"},
		{"reverse undirected", []string{"--input", edges, "--format", "edgelist", "--rank", "2", "--reverse"}, "--reverse needs --directed"},
		{"reverse matrix", []string{"--input", good, "--rank", "1", "--reverse"}, "--reverse applies to edge lists"},
		// Usage and settings, all exit 2.
		{"negative max-iter", []string{"--input", good, "--rank", "1", "--max-iter", "-5"}, "--max-iter -5"},
		{"zero max-iter", []string{"--input", good, "--rank", "1", "--max-iter", "0"}, "--max-iter 0"},
		{"negative tol", []string{"--input", good, "--rank", "1", "--tol", "-1"}, "--tol -1"},
		{"NaN tol", []string{"--input", good, "--rank", "1", "--tol", "NaN"}, "--tol NaN"},
		{"negative time limit", []string{"--input", good, "--rank", "1", "--time-limit", "-1s"}, "--time-limit"},
		{"unknown format", []string{"--input", good, "--rank", "1", "--format", "xyz"}, "--format"},
		{"bad header", []string{"--input", good, "--rank", "1", "--header", "maybe"}, "--header"},
		{"bad self-loops", []string{"--input", edges, "--format", "edgelist", "--rank", "1", "--self-loops", "x"}, "--self-loops"},
		{"bad duplicates", []string{"--input", edges, "--format", "edgelist", "--rank", "1", "--duplicates", "x"}, "--duplicates"},
		{"directory input", []string{"--input", dir, "--rank", "1"}, "is a directory"},
		{"extra argument", []string{"--input", good, "--rank", "1", "extra"}, `unexpected argument "extra"`},
		{"too many clusters", []string{"--input", good, "--rank", "1", "--assign", "kmeans", "--clusters", "100"}, "--clusters 100"},
		{"infinite param", []string{"--input", good, "--rank", "1", "--param", "alpha_w=inf"}, "alpha_w"},
		{"NaN param", []string{"--input", good, "--rank", "1", "--param", "alpha_w=nan"}, "alpha_w"},
		{"repeated param", []string{"--input", good, "--rank", "1", "--param", "alpha_w=1", "--param", "alpha_w=2"}, "twice"},
		{"zero rank", []string{"--input", good, "--rank", "0"}, "must be positive"},
		{"zero seeds", []string{"--input", good, "--rank", "1", "--seeds", "0"}, "--seeds 0"},
		{"layers for a shallow model", []string{"--input", good, "--layers", "2,1"}, "shallow"},
		{"init of a fixed start", []string{"--model", "danmf", "--input", edges, "--layers", "3,2", "--init", "random"}, "--init"},
		// Degenerate data.
		{"all zero", []string{"--input", write(t, dir, "zero.csv", "0,0,0\n0,0,0\n0,0,0\n"), "--rank", "1"}, "all zero"},
		{"self-loops only", []string{"--model", "danmf", "--input", write(t, dir, "loops.txt", "a a\nb b\nc c\n"), "--self-loops", "keep", "--layers", "1"}, "no edges"},
		{"overflow onmf", []string{"--model", "onmf", "--input", write(t, dir, "huge.csv", "1e160,2e160\n3e160,1e160\n2e160,2e160\n"), "--rank", "1"}, "overflow"},
		{"overflow seminmf", []string{"--model", "seminmf", "--input", filepath.Join(dir, "huge.csv"), "--rank", "1"}, "overflow"},
		{"overflow oedfs", []string{"--model", "oedfs", "--input", filepath.Join(dir, "huge.csv"), "--rank", "1"}, "overflow"},
		{"edge list as data", []string{"--input", write(t, dir, "el.txt", "0 1\n1 2\n2 0\n2 3\n"), "--rank", "2"}, "--format edgelist"},
		{"edge list as data, labels", []string{"--input", filepath.Join(dir, "el.txt"), "--rank", "1",
			"--labels", write(t, dir, "nodes.txt", "0 a\n1 a\n2 b\n3 b\n5 b\n")}, "--format edgelist"},
		{"out is a file", []string{"--input", good, "--rank", "1", "--out", good}, "is a file"},
		{"bad scale", []string{"--input", good, "--rank", "1", "--scale", "max"}, "--scale"},
		{"scale of an edge list", []string{"--input", edges, "--format", "edgelist", "--rank", "1", "--scale", "l2"}, "--scale applies to data matrices"},
		{"standard scores for nmf", []string{"--input", good, "--rank", "1", "--scale", "standard"}, "negative"},
	}
	t.Run("bad backend in the environment", func(t *testing.T) {
		t.Setenv("DEEPNMF_BACKEND", "bogus")
		code, _, stderr := run(t, context.Background(), "fit", "--input", good, "--rank", "1")
		if code != exitBadInput || !strings.Contains(stderr, "DEEPNMF_BACKEND") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	for _, tc := range cases {
		code, _, stderr := run(t, context.Background(), append([]string{"fit", "--quiet"}, tc.args...)...)
		if code != exitBadInput {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", tc.name, code, exitBadInput, stderr)
		}
		if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 ||
			strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: stderr %q, want one line containing %q", tc.name, stderr, tc.want)
		}
	}
}

// TestFitJSONAndOut checks the JSON object and the files written by --out.
func TestFitJSONAndOut(t *testing.T) {
	dir := t.TempDir()
	edges := write(t, dir, "edges.txt", "# two triangles joined by one edge\nx y\ny z\nz x\nz u\nu v\nv w\nw u\n")
	labels := write(t, dir, "labels.txt", "x 0\ny 0\nz 0\nu 1\nv 1\nw 1\n")
	out := filepath.Join(dir, "out")
	// The bridge makes the two triangles a near tie for rank-2 NMF: the
	// multiplicative updates split them as drawn, coordinate descent (the
	// default, as scikit-learn's, which ends in the same split) the other
	// way.
	code, stdout, stderr := run(t, context.Background(), "fit", "--model", "nmf", "--input", edges, "--format", "edgelist",
		"--labels", labels, "--rank", "2", "--param", "solver=mu", "--json", "--out", out, "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range []string{"model", "rank", "iterations", "converged", "objective", "history", "seconds", "backend", "metrics"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	m := rep["metrics"].(map[string]any)
	for _, k := range []string{"acc", "nmi", "ari", "purity", "f1", "modularity"} {
		if _, ok := m[k]; !ok {
			t.Errorf("metrics lack %q", k)
		}
	}
	if m["nmi"].(float64) < 1-1e-12 {
		t.Errorf("two triangles: NMI %v, want 1", m["nmi"])
	}
	for _, f := range []string{"embedding.npy", "assignments.txt", "result.json", "W.npy", "H.npy"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}
	emb, err := dataio.ReadMatrix(filepath.Join(out, "embedding.npy"), dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := emb.X.Dims(); r != 6 || c != 2 {
		t.Errorf("embedding is %dx%d, want 6x2", r, c)
	}
	a, err := os.ReadFile(filepath.Join(out, "assignments.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(a), "x ") {
		t.Errorf("assignments do not start with the first node's original id: %q", a)
	}
	// eval on the written assignments gives the same scores.
	code, stdout, stderr = run(t, context.Background(), "eval", "--truth", labels, "--pred", filepath.Join(out, "assignments.txt"), "--json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev struct{ Metrics map[string]float64 }
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Metrics["nmi"] != m["nmi"].(float64) || ev.Metrics["acc"] != m["acc"].(float64) {
		t.Errorf("eval %v differs from fit %v", ev.Metrics, m)
	}
}

// TestInterrupted checks that a cancelled run still writes its results and
// exits with status 130.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	in := write(t, dir, "x.csv", "1,2,3\n4,5,6\n7,8,9\n1,0,2\n")
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := run(t, ctx, "fit", "--input", in, "--rank", "2", "--out", out, "--quiet")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "W.npy")); err != nil {
		t.Errorf("interrupted run wrote no factors: %v", err)
	}
}

// TestCommands checks that the other commands run and that every command
// documents examples.
func TestCommands(t *testing.T) {
	for _, args := range [][]string{{"models"}, {"version"}, {"demo"}, {"--help"}} {
		code, stdout, stderr := run(t, context.Background(), args...)
		if code != 0 || stdout == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	root, _ := newRoot(nil, nil)
	for _, c := range root.Commands() {
		if c.Name() != "help" && c.Name() != "completion" && c.Example == "" {
			t.Errorf("command %s has no examples", c.Name())
		}
	}
}

// TestTransform embeds new samples with the components of a fit.
func TestTransform(t *testing.T) {
	dir := t.TempDir()
	in := write(t, dir, "x.csv", "1,2,3,4\n4,5,6,1\n7,8,9,0\n1,0,2,2\n3,3,1,0\n")
	fit, tr := filepath.Join(dir, "fit"), filepath.Join(dir, "tr")
	if code, _, stderr := run(t, context.Background(), "fit", "--input", in, "--rank", "2", "--out", fit, "--quiet"); code != 0 {
		t.Fatalf("fit: exit %d: %s", code, stderr)
	}
	code, _, stderr := run(t, context.Background(), "transform", "--input", in, "--components", filepath.Join(fit, "H.npy"), "--out", tr, "--quiet")
	if code != 0 {
		t.Fatalf("transform: exit %d: %s", code, stderr)
	}
	emb, err := dataio.ReadMatrix(filepath.Join(tr, "embedding.npy"), dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := emb.X.Dims(); r != 5 || c != 2 {
		t.Errorf("transform embedding is %dx%d, want 5x2", r, c)
	}
	code, _, stderr = run(t, context.Background(), "transform", "--input", in, "--components", filepath.Join(dir, "none.npy"))
	if code != exitBadInput {
		t.Errorf("missing components: exit %d, want %d (%s)", code, exitBadInput, stderr)
	}
}

// TestSeeds checks the summary of a run over several seeds.
func TestSeeds(t *testing.T) {
	dir := t.TempDir()
	edges := write(t, dir, "edges.txt", "x y\ny z\nz x\nz u\nu v\nv w\nw u\n")
	labels := write(t, dir, "labels.txt", "x 0\ny 0\nz 0\nu 1\nv 1\nw 1\n")
	code, stdout, stderr := run(t, context.Background(), "fit", "--input", edges, "--format", "edgelist", "--labels", labels,
		"--rank", "2", "--init", "random", "--seeds", "3", "--seed", "5", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum seedSummary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Runs) != 3 || sum.Seeds[0] != 5 || sum.Seeds[2] != 7 {
		t.Fatalf("runs %d, seeds %v", len(sum.Runs), sum.Seeds)
	}
	var mean float64
	for _, r := range sum.Runs {
		mean += r.Metrics["nmi"] / 3
	}
	if got := sum.Metrics["nmi"]["mean"]; math.Abs(got-mean) > 1e-12 {
		t.Errorf("mean NMI %v, runs average %v", got, mean)
	}
}

// TestGroups passes sensitive groups to a fairness model and reports the
// balance of the clusters.
func TestGroups(t *testing.T) {
	dir := t.TempDir()
	edges := write(t, dir, "edges.txt", "x y\ny z\nz x\nz u\nu v\nv w\nw u\n")
	groups := write(t, dir, "groups.txt", "x 0\ny 1\nz 0\nu 1\nv 0\nw 1\n")
	code, stdout, stderr := run(t, context.Background(), "fit", "--model", "ifairnmtf", "--input", edges, "--format", "edgelist",
		"--groups", groups, "--rank", "2", "--json", "--param", "lambda=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct{ Metrics map[string]float64 }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if b, ok := rep.Metrics["balance"]; !ok || b < 0 || b > 1 {
		t.Errorf("balance %v (present %v), want in [0, 1]", b, ok)
	}
	code, _, stderr = run(t, context.Background(), "fit", "--model", "ifairnmtf", "--input", edges, "--format", "edgelist", "--rank", "2")
	if code != exitBadInput || !strings.Contains(stderr, "--groups") {
		t.Errorf("without groups: exit %d, stderr %q", code, stderr)
	}
}

// TestGivenGraph passes a similarity graph between the rows to a
// graph-regularized data model.
func TestGivenGraph(t *testing.T) {
	dir := t.TempDir()
	x := write(t, dir, "x.csv", "5,1,0\n4,1,0\n5,0,1\n0,5,4\n1,4,5\n0,4,4\n")
	g := write(t, dir, "g.txt", "0 1\n1 2\n0 2\n3 4\n4 5\n3 5\n")
	code, _, stderr := run(t, context.Background(), "fit", "--model", "gnmf", "--input", x, "--graph", g, "--rank", "2", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	bad := write(t, dir, "bad.txt", "0 1\n1 7\n")
	code, _, stderr = run(t, context.Background(), "fit", "--model", "gnmf", "--input", x, "--graph", bad, "--rank", "2", "--quiet")
	if code != exitBadInput || !strings.Contains(stderr, "bad.txt") {
		t.Errorf("node out of range: exit %d, stderr %q", code, stderr)
	}
}

// TestSelectFeatures ranks planted informative features first.
func TestSelectFeatures(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("f0,f1,noise,y\n")
	for i := 0; i < 30; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "%d,%d,%d,0\n", 9+i%3, 1, 3+i%2)
		} else {
			fmt.Fprintf(&b, "%d,%d,%d,1\n", 1, 9+i%3, 3+(i/2)%2)
		}
	}
	x := write(t, dir, "x.csv", b.String())
	out := filepath.Join(dir, "sel")
	code, stdout, stderr := run(t, context.Background(), "select-features", "--input", x, "--label-column", "y",
		"--rank", "2", "--top", "2", "--json", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep featureReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Features) != 3 || rep.Features[2].Name != "noise" {
		t.Errorf("ranking %+v: want the noise column last", rep.Features)
	}
	if rep.Clustering["selected"]["nmi"] < 0.99 {
		t.Errorf("k-means on the selected features: NMI %v", rep.Clustering["selected"]["nmi"])
	}
	for _, f := range []string{"features.txt", "selected.npy", "W.npy", "result.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestGraphModelOnGzippedData reads a gzipped CSV as a data matrix for a
// graph model that builds its own similarity graph.
func TestGraphModelOnGzippedData(t *testing.T) {
	code, stdout, stderr := run(t, context.Background(), "fit", "--model", "symnmf", "--input", "../../datasets/data/iris.csv",
		"--label-column", "-1", "--rank", "3", "--param", "input=data", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("csv: exit %d: %s", code, stderr)
	}
	var rep struct{ Metrics map[string]float64 }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Metrics["nmi"] < 0.5 {
		t.Errorf("iris symnmf: %v, metrics %v", err, rep.Metrics)
	}
	code, _, stderr = run(t, context.Background(), "fit", "--model", "symnmf", "--input", "../../datasets/data/digits.csv.gz",
		"--label-column", "-1", "--rank", "10", "--param", "input=data", "--max-iter", "5", "--quiet")
	if code != 0 {
		t.Errorf("csv.gz: exit %d: %s", code, stderr)
	}
}

// fitJSON runs fit --json --quiet with args and returns its JSON object.
func fitJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := run(t, context.Background(), append([]string{"fit", "--json", "--quiet"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	return rep
}

// TestReverse checks that --reverse reads a file as the same file with its
// columns swapped.
func TestReverse(t *testing.T) {
	dir := t.TempDir()
	// Integer names: nodes are numbered the same in both files.
	arcs := [][2]int{{0, 1}, {1, 2}, {2, 0}, {2, 3}, {3, 4}, {4, 5}, {5, 3}, {0, 5}}
	var fwd, rev strings.Builder
	for _, a := range arcs {
		fmt.Fprintf(&fwd, "%d %d\n", a[0], a[1])
		fmt.Fprintf(&rev, "%d %d\n", a[1], a[0])
	}
	objective := func(path string, extra ...string) any {
		return fitJSON(t, append([]string{"--model", "asymnmf", "--input", path, "--format", "edgelist", "--directed",
			"--rank", "2", "--seed", "2"}, extra...)...)["objective"]
	}
	a := objective(write(t, dir, "fwd.txt", fwd.String()), "--reverse")
	b := objective(write(t, dir, "rev.txt", rev.String()))
	c := objective(filepath.Join(dir, "fwd.txt"))
	if a != b {
		t.Errorf("--reverse: objective %v, the reversed file gives %v", a, b)
	}
	if a == c {
		t.Errorf("--reverse changed nothing (objective %v both ways)", a)
	}
}

// TestAssign checks the two k-means read-outs on rows that differ only in
// length: scaled to unit length they coincide, as they are they form two
// groups.
func TestAssign(t *testing.T) {
	emb := mat.NewDense(6, 2, []float64{1, 1, 1.1, 1.1, 1.2, 1.2, 10, 10, 11, 11, 12, 12})
	res := &model.Result{Embedding: emb, Assign: "kmeans-plain"}
	plain, how, err := assign(res, "", 2, 1)
	if err != nil || how != "kmeans-plain" {
		t.Fatalf("model read-out: %q, %v", how, err)
	}
	if plain[0] != plain[2] || plain[3] != plain[5] || plain[0] == plain[3] {
		t.Errorf("kmeans-plain: %v, want the short and the long rows apart", plain)
	}
	unit, _, err := assign(res, "kmeans", 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if unit[0] != unit[3] {
		t.Errorf("kmeans: %v, want rows of one direction together", unit)
	}
	if _, _, err := assign(res, "bogus", 2, 1); err == nil || !strings.Contains(err.Error(), "kmeans-plain") {
		t.Errorf("unknown read-out: %v", err)
	}
}

// TestRestarts checks that --restarts keeps the lowest objective of the
// fits from seeds s·R, ..., s·R+R−1.
func TestRestarts(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	fit := func(extra ...string) map[string]any {
		return fitJSON(t, append([]string{"--model", "nmf", "--input", data, "--rank", "2", "--init", "random"}, extra...)...)
	}
	best := fit("--seed", "1", "--restarts", "3")
	kept := best["fit_seed"].(float64)
	lowest := math.Inf(1)
	for s := 3; s < 6; s++ { // seed 1, 3 restarts: seeds 3, 4, 5
		obj := fit("--seed", fmt.Sprint(s))["objective"].(float64)
		lowest = min(lowest, obj)
		if float64(s) == kept && obj != best["objective"].(float64) {
			t.Errorf("kept seed %d: objective %v, its own fit %v", s, best["objective"], obj)
		}
	}
	if kept < 3 || kept > 5 || best["objective"].(float64) != lowest {
		t.Errorf("kept seed %v with objective %v, want the lowest of seeds 3-5 (%v)", kept, best["objective"], lowest)
	}
	sum := fit("--seeds", "2", "--restarts", "2")
	for i, r := range sum["runs"].([]any) {
		if s := r.(map[string]any)["fit_seed"].(float64); s < float64(2*i) || s > float64(2*i+1) {
			t.Errorf("seed %d kept seed %v, want %d or %d", i, s, 2*i, 2*i+1)
		}
	}
	if code, _, stderr := run(t, context.Background(), "fit", "--input", data, "--rank", "2", "--restarts", "0"); code != exitBadInput {
		t.Errorf("--restarts 0: exit %d (%s)", code, stderr)
	}
}

// TestOutDirectory checks the --out directory: refused before any fit when
// it cannot be written, cleaned of an earlier run's files and of killed
// writes' temporary files, never of files deepnmf did not write, and
// named in the text output with ids.txt beside the embedding.
func TestOutDirectory(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, context.Background(), "fit", "--model", "onmf", "--input", data, "--rank", "2", "--param", "tri=true", "--out", out); code != 0 {
		t.Fatalf("onmf: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "S.npy")); err != nil {
		t.Fatal(err)
	}
	write(t, out, ".W.npy.tmp123456", "left by a killed write")
	mine := write(t, out, "notes.txt", "the user's own file")
	code, stdout, stderr := run(t, context.Background(), "fit", "--model", "nmf", "--input", data, "--rank", "2", "--out", out)
	if code != 0 {
		t.Fatalf("nmf: exit %d: %s", code, stderr)
	}
	for _, gone := range []string{"S.npy", ".W.npy.tmp123456"} {
		if _, err := os.Stat(filepath.Join(out, gone)); err == nil {
			t.Errorf("%s of the earlier run is still there", gone)
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file deepnmf did not write was removed: %v", err)
	}
	if !strings.Contains(stdout, "wrote 6 files to "+out) || !strings.Contains(stdout, "removed 8 files") {
		t.Errorf("the output does not say what was written and removed: %q", stdout)
	}
	ids, err := os.ReadFile(filepath.Join(out, "ids.txt"))
	if err != nil || string(ids) != "0\n1\n2\n3\n4\n5\n" {
		t.Errorf("ids.txt = %q, %v", ids, err)
	}
	var rep report
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 6 || rep.ReconstructionErr <= 0 {
		t.Errorf("result.json lists %v and reconstruction error %v", rep.Files, rep.ReconstructionErr)
	}
	// Not writable: refused before the fit, with exit status 2.
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := run(t, context.Background(), "fit", "--input", data, "--rank", "2", "--out", ro); code != exitBadInput || !strings.Contains(stderr, "not writable") {
			t.Errorf("read-only --out: exit %d, %q", code, stderr)
		}
	}
}

// TestSignals checks that a run stopped by SIGTERM writes its results and
// exits with 143, and that an interrupted run over seeds writes the summary
// of what it did.
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(Interrupt{Signal: syscall.SIGTERM})
	out := filepath.Join(dir, "term")
	code, _, stderr := run(t, ctx, "fit", "--input", data, "--rank", "2", "--out", out)
	if code != 143 {
		t.Errorf("SIGTERM: exit %d, want 143 (%s)", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "W.npy")); err != nil {
		t.Errorf("SIGTERM: no factors written: %v", err)
	}
	out = filepath.Join(dir, "seeds")
	code, _, stderr = run(t, ctx, "fit", "--input", data, "--rank", "2", "--seeds", "3", "--out", out)
	if code != 143 {
		t.Errorf("seeds: exit %d, want 143 (%s)", code, stderr)
	}
	var sum seedSummary
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatalf("no summary of the interrupted seeds: %v", err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || len(sum.Runs) != 1 || sum.Runs[0].Reason != "interrupted" {
		t.Errorf("summary %+v", sum)
	}
}

// TestSeedsOutAndNotes checks that --seeds N --out writes each seed's
// results, and that seeds or restarts that cannot change a deterministic
// start say so.
func TestSeedsOutAndNotes(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := run(t, context.Background(), "fit", "--input", data, "--rank", "2", "--seeds", "2", "--seed", "4", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"seed-4/assignments.txt", "seed-5/embedding.npy", "seed-5/ids.txt", "summary.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("--seeds --out: %v", err)
		}
	}
	// nndsvda does not depend on the seed: the fits are the same.
	if !strings.Contains(stderr, "deterministic") || !strings.Contains(stdout, "seed-S") {
		t.Errorf("no note on the seeds that changed nothing: stdout %q, stderr %q", stdout, stderr)
	}
	rep := fitJSON(t, "--input", data, "--rank", "2", "--restarts", "3")
	if !strings.Contains(fmt.Sprint(rep["note"]), "--restarts changes nothing") {
		t.Errorf("restarts of a deterministic start: note %v", rep["note"])
	}
	rep = fitJSON(t, "--input", data, "--rank", "2", "--restarts", "3", "--init", "random")
	if _, ok := rep["note"]; ok {
		t.Errorf("random restarts: note %v", rep["note"])
	}
}

// TestNMFDefaultsAreSklearns checks that nmf's default solver is
// coordinate descent for the Frobenius loss, as scikit-learn's, and that
// the JSON reports scikit-learn's reconstruction_err.
func TestNMFDefaultsAreSklearns(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	def := fitJSON(t, "--input", data, "--rank", "2")
	cd := fitJSON(t, "--input", data, "--rank", "2", "--param", "solver=cd")
	mu := fitJSON(t, "--input", data, "--rank", "2", "--param", "solver=mu")
	if def["objective"] != cd["objective"] || def["objective"] == mu["objective"] {
		t.Errorf("default objective %v, cd %v, mu %v", def["objective"], cd["objective"], mu["objective"])
	}
	obj, rec := def["objective"].(float64), def["reconstruction_err"].(float64)
	if math.Abs(rec-math.Sqrt(2*obj)) > 1e-12*rec {
		t.Errorf("reconstruction_err %v, want sqrt(2·objective) = %v", rec, math.Sqrt(2*obj))
	}
}

// TestHugeHeaderRefused runs the command line in a child process under a
// 1 GiB memory limit on a MatrixMarket file whose header declares
// 100000000 x 100000000 with one entry: every model must refuse it with
// exit status 2 before allocating, where it once allocated 9-13 GB.
func TestHugeHeaderRefused(t *testing.T) {
	if path := os.Getenv("DEEPNMF_TEST_HUGE"); path != "" {
		for _, m := range [][]string{{"--model", "nmf", "--rank", "2"}, {"--model", "symnmf", "--rank", "2"},
			{"--model", "danmf", "--layers", "4,2"}, {"--model", "dasnmf", "--layers", "4,2"}} {
			code, _, stderr := run(t, context.Background(), append([]string{"fit", "--input", path}, m...)...)
			fmt.Printf("%s exit %d: %s", m[1], code, stderr)
		}
		return
	}
	path := write(t, t.TempDir(), "huge.mtx", "%%MatrixMarket matrix coordinate real general\n100000000 100000000 1\n1 2 1\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeHeaderRefused$")
	cmd.Env = append(os.Environ(), "DEEPNMF_TEST_HUGE="+path, "GOMEMLIMIT=1GiB")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, m := range []string{"nmf", "symnmf", "danmf", "dasnmf"} {
		if !strings.Contains(string(out), m+" exit 2: ") {
			t.Errorf("%s: not refused with exit 2:\n%s", m, out)
		}
	}
	if !strings.Contains(string(out), "this process may use") {
		t.Errorf("the refusal does not say why:\n%s", out)
	}
}

// karateEdges writes the karate club graph as an edge list.
func karateEdges(t *testing.T, dir string) string {
	t.Helper()
	g, _, err := datasets.Graph("karate")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for u := range len(g.IDs) {
		cols, _ := g.Adj.Row(u)
		for _, v := range cols {
			if u < v {
				fmt.Fprintf(&b, "%s %s\n", g.IDs[u], g.IDs[v])
			}
		}
	}
	return write(t, dir, "karate.txt", b.String())
}

// TestLinkpred checks the link-prediction command: the JSON keys, the
// heuristics and the models, the files of --out and --predict, and its
// usage errors.
func TestLinkpred(t *testing.T) {
	dir := t.TempDir()
	edges := karateEdges(t, dir)
	for _, args := range [][]string{{"--model", "ra"}, {"--model", "cn"}, {"--model", "nmf", "--rank", "4"}, {"--model", "lpanmf", "--rank", "4"},
		{"--model", "lpadnmf", "--layers", "8,4"}, {"--model", "danmf", "--layers", "8,4"}} {
		code, stdout, stderr := run(t, context.Background(), append([]string{"linkpred", "--input", edges, "--splits", "3", "--json", "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var rep map[string]any
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"auc", "auc_std", "precision", "precision_std", "splits"} {
			if _, ok := rep[k]; !ok {
				t.Errorf("%v: JSON lacks %s", args, k)
			}
		}
		if auc := rep["auc"].(float64); auc < 0.6 || rep["splits"].(float64) != 3 {
			t.Errorf("%v: AUC %v over %v splits on karate", args, auc, rep["splits"])
		}
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, context.Background(), "linkpred", "--input", edges, "--model", "ra", "--splits", "2", "--seed", "4", "--out", out); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "split-5.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 16 { // 8 held-out edges of 78, 8 negatives
		t.Errorf("split-5.txt has %d lines, want 16", lines)
	}
	code, stdout, stderr := run(t, context.Background(), "linkpred", "--input", edges, "--model", "ra", "--predict", "5", "--json")
	if code != 0 {
		t.Fatalf("--predict: exit %d: %s", code, stderr)
	}
	var pred struct {
		Predictions []struct {
			U, V  string
			Score float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &pred); err != nil {
		t.Fatal(err)
	}
	if len(pred.Predictions) != 5 || pred.Predictions[0].Score < pred.Predictions[4].Score {
		t.Errorf("predictions %+v, want 5 best first", pred.Predictions)
	}
	for _, args := range [][]string{{"--model", "ra", "--test-fraction", "1"}, {"--model", "nmf"}, {"--model", "ra", "--splits", "0"},
		{"--model", "jaccard"}, {"--model", "ra", "--predict", "-1"}} {
		if code, _, stderr := run(t, context.Background(), append([]string{"linkpred", "--input", edges}, args...)...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// TestScale checks the --scale preprocessing of a data matrix: minmax maps
// every column onto [0, 1], standard centres and scales them, l2 makes the
// rows unit vectors, none keeps the data.
func TestScale(t *testing.T) {
	path := write(t, t.TempDir(), "x.csv", "1,10\n3,30\n5,20\n")
	want := map[string][]float64{
		"none":     {1, 10, 3, 30, 5, 20},
		"minmax":   {0, 0, 0.5, 1, 1, 0.5},
		"standard": {-math.Sqrt(1.5), -math.Sqrt(1.5), 0, math.Sqrt(1.5), math.Sqrt(1.5), 0},
		"l2":       {1 / math.Sqrt(101), 10 / math.Sqrt(101), 3 / math.Sqrt(909), 30 / math.Sqrt(909), 5 / math.Sqrt(425), 20 / math.Sqrt(425)},
	}
	for how, w := range want {
		in, err := load(inputOptions{path: path, header: "no", scale: how}, model.Data)
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		got := make([]float64, 0, 6)
		for i := range 3 {
			for j := range 2 {
				got = append(got, in.X.At(i, j))
			}
		}
		for k := range w {
			if math.Abs(got[k]-w[k]) > 1e-12 {
				t.Errorf("%s: entries %v, want %v", how, got, w)
				break
			}
		}
	}
	// A semi-NMF model fits standardized data.
	mixed := write(t, t.TempDir(), "y.csv", "1.5,10,2\n3,30,4\n5,20,1\n2,12,6\n")
	rep := fitJSON(t, "--model", "seminmf", "--input", mixed, "--header", "no", "--rank", "2", "--scale", "standard", "--max-iter", "20")
	if obj, ok := rep["objective"].(float64); !ok || math.IsNaN(obj) {
		t.Errorf("seminmf on standardized data: no objective in %v", rep)
	}
}

// TestCPUProfile checks that --cpuprofile writes a profile, also when the
// command fails.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"fit", "--input", filepath.Join(dir, "missing.csv"), "--rank", "2"}, exitBadInput},
	} {
		path := filepath.Join(dir, tc.args[0]+".pprof")
		code, _, errb := run(t, context.Background(), append([]string{"--cpuprofile", path}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%v: exit %d (%s), want %d", tc.args, code, errb, tc.code)
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Errorf("%v: no profile written: %v", tc.args, err)
		}
	}
}

// TestDType checks --dtype: float32 fits nmf with either solver, reports
// its dtype and gets float64's objective to float32's precision; an
// unknown dtype, another loss and a model without float32 exit with
// status 2 and a one-line error saying why.
func TestDType(t *testing.T) {
	dir := t.TempDir()
	data := write(t, dir, "x.csv", "1,2,0,4\n0,1,3,1\n5,0,1,0\n2,2,2,9\n0,7,1,1\n3,0,0,2\n")
	for _, solver := range []string{"cd", "mu"} {
		f64 := fitJSON(t, "--input", data, "--rank", "2", "--param", "solver="+solver)
		f32 := fitJSON(t, "--input", data, "--rank", "2", "--param", "solver="+solver, "--dtype", "float32")
		if f64["dtype"] != "float64" || f32["dtype"] != "float32" {
			t.Errorf("%s: dtype %v and %v, want float64 and float32", solver, f64["dtype"], f32["dtype"])
		}
		o64, o32 := f64["objective"].(float64), f32["objective"].(float64)
		if math.Abs(o32-o64) > 1e-4*o64 {
			t.Errorf("%s: objective %v in float32, %v in float64", solver, o32, o64)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dtype", "float16"}, "--dtype"},
		{[]string{"--param", "solver=mu", "--param", "loss=kl"}, "Frobenius"},
		{[]string{"--model", "gnmf"}, "float32"},
	} {
		args := append([]string{"fit", "--input", data, "--rank", "2", "--dtype", "float32"}, c.args...)
		code, _, stderr := run(t, context.Background(), args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming %s", c.args, code, stderr, c.want)
		}
	}
}
