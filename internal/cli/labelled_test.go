package cli

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/metric"
)

const irisCSV = "../../datasets/data/iris.csv"

// TestDrawLabelled checks the labelled draw: round(p·n_c) per class,
// half to even, at least one, never an unknown label, fixed by the seed.
func TestDrawLabelled(t *testing.T) {
	truth := make([]int, 0, 61)
	for c, n := range []int{25, 35, 1} { // 2.5 → 2, 3.5 → 4, 0.1 → 1
		for range n {
			truth = append(truth, c)
		}
	}
	truth = append(truth, -1, -1)
	a := drawLabelled(truth, 0.1, 7)
	count := map[int]int{}
	for i, c := range a {
		if c >= 0 {
			if c != truth[i] {
				t.Fatalf("sample %d labelled %d, its class is %d", i, c, truth[i])
			}
			count[c]++
		}
	}
	if count[0] != 2 || count[1] != 4 || count[2] != 1 || a[61] != -1 || a[62] != -1 || countLabelled(a) != 7 {
		t.Errorf("labelled per class %v, want 2, 4, 1 and no unknown sample", count)
	}
	if b := drawLabelled(truth, 0.1, 7); !equalInts(a, b) {
		t.Error("the same seed drew other samples")
	}
	if b := drawLabelled(truth, 0.1, 8); equalInts(a, b) {
		t.Error("seeds 7 and 8 drew the same samples")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLabelledFraction fits s4nmf and symnmf with 10% of iris labelled:
// the report counts the labelled samples and scores the others only, as
// the assignments written and the draw of the seed show.
func TestLabelledFraction(t *testing.T) {
	dir := t.TempDir()
	truth, err := dataio.ReadMatrix(irisCSV, dataio.MatrixOptions{Label: "-1"})
	if err != nil {
		t.Fatal(err)
	}
	labels := dataio.LabelsFromStrings(truth.Labels).Values
	for _, args := range [][]string{
		{"--model", "s4nmf", "--param", "rounds=2", "--param", "inner=50"},
		{"--model", "symnmf"},
	} {
		out := filepath.Join(dir, args[1])
		rep := fitJSON(t, append(args, "--input", irisCSV, "--label-column", "-1", "--rank", "3", "--labelled-fraction", "0.1",
			"--seed", "4", "--out", out)...)
		if rep["labelled"].(float64) != 15 {
			t.Errorf("%s: labelled %v, want 15", args[1], rep["labelled"])
		}
		b, err := os.ReadFile(filepath.Join(out, "assignments.txt"))
		if err != nil {
			t.Fatal(err)
		}
		drawn := drawLabelled(labels, 0.1, 4)
		var tt, pp []int
		for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			p, err := strconv.Atoi(strings.Fields(line)[1])
			if err != nil {
				t.Fatal(err)
			}
			if drawn[i] < 0 {
				tt, pp = append(tt, labels[i]), append(pp, p)
			}
		}
		m := rep["metrics"].(map[string]any)
		if want := metric.NMI(tt, pp, metric.Sqrt); math.Abs(m["nmi"].(float64)-want) > 1e-12 {
			t.Errorf("%s: NMI %v, want %v on the 135 unlabelled samples", args[1], m["nmi"], want)
		}
	}
	// Over seeds, each draws its own samples; the summary counts them.
	code, stdout, stderr := run(t, context.Background(), "fit", "--model", "symnmf", "--input", irisCSV, "--label-column", "-1",
		"--rank", "3", "--labelled-fraction", "0.2", "--seeds", "2", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum seedSummary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Labelled != 30 {
		t.Errorf("--seeds: labelled %d, want 30", sum.Labelled)
	}
}

// TestConstraints gives pairwise constraints from a file to s4nmf, symnmf
// and gnmf.
func TestConstraints(t *testing.T) {
	dir := t.TempDir()
	x := write(t, dir, "x.csv", "0,0,1\n0.1,0,1\n0,0.1,1\n5,5,1\n5.1,5,1\n5,5.1,1\n10,0,1\n10.1,0,1\n10,0.1,1\n")
	c := write(t, dir, "c.txt", "# pairs\n0 3 must\n0 6 cannot\n\n1 7 CANNOT\n")
	for _, m := range []string{"s4nmf", "symnmf", "gnmf"} {
		rep := fitJSON(t, "--model", m, "--input", x, "--rank", "2", "--constraints", c)
		if rep["constraints"].(float64) != 3 || rep["labelled"].(float64) != 0 {
			t.Errorf("%s: constraints %v, labelled %v; want 3 and 0", m, rep["constraints"], rep["labelled"])
		}
	}
}

// TestLabelledRefused checks the usage errors of the semi-supervised
// flags: exit status 2 and a one-line message.
func TestLabelledRefused(t *testing.T) {
	dir := t.TempDir()
	x := write(t, dir, "x.csv", "0,0\n0.1,0\n5,5\n5.1,5\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"model without labels", []string{"--model", "nmf", "--input", irisCSV, "--label-column", "-1", "--rank", "3", "--labelled-fraction", "0.1"}, "nmf takes no labelled samples"},
		{"model without constraints", []string{"--model", "oedfs", "--input", x, "--rank", "1", "--constraints", write(t, dir, "c.txt", "0 1 must\n")}, "oedfs takes no labelled samples"},
		{"no ground truth", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--labelled-fraction", "0.5"}, "--label-column"},
		{"fraction 0", []string{"--model", "s4nmf", "--input", irisCSV, "--label-column", "-1", "--rank", "3", "--labelled-fraction", "0"}, "--labelled-fraction 0"},
		{"every sample labelled", []string{"--model", "s4nmf", "--input", x, "--labels", write(t, dir, "y.txt", "a\nb\nc\nd\n"), "--rank", "2", "--labelled-fraction", "0.5"}, "none is left to score"},
		{"bad labels file", []string{"--model", "s4nmf", "--input", x, "--labels", write(t, dir, "y3.txt", "a\nb\nc\n"), "--rank", "2", "--labelled-fraction", "0.5"}, "3 labels for 4 rows"},
		{"fraction 1", []string{"--model", "s4nmf", "--input", irisCSV, "--label-column", "-1", "--rank", "3", "--labelled-fraction", "1"}, "--labelled-fraction 1"},
		{"bad kind", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "k.txt", "0 1 maybe\n")}, "k.txt:1"},
		{"row out of range", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "r.txt", "# c\n0 4 must\n")}, "r.txt:2"},
		{"self link", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "s.txt", "2 2 cannot\n")}, "s.txt:1"},
		{"short line", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "l.txt", "0 1\n")}, "l.txt:1"},
		{"empty file", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "e.txt", "# none\n")}, "no constraint"},
		{"contradiction", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", write(t, dir, "m.txt", "0 1 must\n1 0 cannot\n")}, "both a must-link and a cannot-link"},
		{"missing file", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", filepath.Join(dir, "nope.txt")}, "nope.txt"},
		{"directory", []string{"--model", "s4nmf", "--input", x, "--rank", "2", "--constraints", dir}, "is a directory"},
	}
	for _, tc := range cases {
		code, _, stderr := run(t, context.Background(), append([]string{"fit", "--quiet"}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line containing %q", tc.name, code, stderr, tc.want)
		}
	}
}
