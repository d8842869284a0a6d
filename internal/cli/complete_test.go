package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
)

// lowRank returns the rank-2 matrix a_i b_j + c_i e_j (30 x 12) and its
// CSV with the cells unknown says blank.
func lowRank(unknown func(i, j int) bool) ([][]float64, string) {
	var x [][]float64
	var b strings.Builder
	for i := range 30 {
		row := make([]float64, 12)
		for j := range 12 {
			row[j] = float64(1+i%5)*float64(1+j%3) + float64(1+i%4)*float64(1+(j+1)%4)/2
			if j > 0 {
				b.WriteByte(',')
			}
			if !unknown(i, j) {
				fmt.Fprint(&b, row[j])
			}
		}
		b.WriteByte('\n')
		x = append(x, row)
	}
	return x, b.String()
}

// TestComplete checks the two modes of complete: the scores on hidden
// cells, and the filling of unknown ones (NaN, mask, unstored).
func TestComplete(t *testing.T) {
	dir := t.TempDir()
	_, full := lowRank(func(int, int) bool { return false })
	in := write(t, dir, "x.csv", full)
	for _, args := range [][]string{{"--model", "nmf", "--rank", "2"}, {"--model", "eadnmf", "--layers", "4,2", "--param", "lambda=10", "--param", "ridge=0.01"}} {
		code, stdout, stderr := run(t, context.Background(), append([]string{"complete", "--input", in, "--missing-rate", "0.2", "--splits", "2", "--scale", "max", "--json", "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var rep map[string]any
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"rmse", "rmse_std", "mae", "mae_std", "splits"} {
			if _, ok := rep[k]; !ok {
				t.Errorf("%v: JSON lacks %s", args, k)
			}
		}
		// An exact rank-2 matrix scaled to [0, 1]: the hidden cells are
		// predicted to a few percent.
		if rmse := rep["rmse"].(float64); !(rmse < 0.03) || rep["splits"].(float64) != 2 {
			t.Errorf("%v: RMSE %v over %v splits", args, rmse, rep["splits"])
		}
	}
	out := filepath.Join(dir, "scores")
	if code, _, stderr := run(t, context.Background(), "complete", "--model", "nmf", "--input", in, "--rank", "2", "--missing-rate", "0.25", "--splits", "1", "--seed", "3", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "split-3.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 90 { // a quarter of 360 cells
		t.Errorf("split-3.txt has %d lines, want 90", lines)
	}

	unknown := func(i, j int) bool { return (i*7+j*3)%5 == 0 }
	truth, holes := lowRank(unknown)
	var mask strings.Builder
	var mtx strings.Builder
	fmt.Fprintf(&mtx, "%%%%MatrixMarket matrix coordinate real general\n30 12 %d\n", 360-72)
	for i := range 30 {
		for j := range 12 {
			if j > 0 {
				mask.WriteByte(',')
			}
			if unknown(i, j) {
				mask.WriteByte('0')
			} else {
				mask.WriteByte('1')
				fmt.Fprintf(&mtx, "%d %d %g\n", i+1, j+1, truth[i][j])
			}
		}
		mask.WriteByte('\n')
	}
	for name, args := range map[string][]string{
		"nan":      {"--input", write(t, dir, "holes.csv", holes), "--missing", "nan"},
		"mask":     {"--input", in, "--mask", write(t, dir, "mask.csv", mask.String())},
		"unstored": {"--input", write(t, dir, "x.mtx", mtx.String()), "--missing", "unstored"},
	} {
		out := filepath.Join(dir, "fill-"+name)
		code, stdout, stderr := run(t, context.Background(), append([]string{"complete", "--model", "nmf", "--rank", "2", "--max-iter", "2000", "--out", out, "--json", "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		var rep struct{ Filled, Unknown int }
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Filled != 72 || rep.Unknown != 72 {
			t.Errorf("%s: filled %d of %d unknown cells, want 72", name, rep.Filled, rep.Unknown)
		}
		tab, err := dataio.ReadMatrix(filepath.Join(out, "completed.npy"), dataio.MatrixOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i := range 30 {
			for j := range 12 {
				got := tab.X.At(i, j)
				if !unknown(i, j) && got != truth[i][j] {
					t.Fatalf("%s: observed cell (%d, %d) is %g, want %g kept", name, i, j, got, truth[i][j])
				}
				worst = max(worst, math.Abs(got-truth[i][j])/truth[i][j])
			}
		}
		if worst > 0.05 {
			t.Errorf("%s: a filled cell is off by %.1f%%", name, 100*worst)
		}
	}

	for _, args := range [][]string{
		{"--input", in, "--rank", "2", "--missing", "zero"},
		{"--input", in, "--rank", "2", "--missing", "nan", "--mask", in},
		{"--input", in, "--rank", "2", "--missing-rate", "1"},
		{"--input", in, "--rank", "2"}, // nothing unknown, nothing hidden
		{"--input", in, "--rank", "2", "--splits", "3"},
		{"--input", in, "--missing-rate", "0.3"},
		{"--input", in, "--model", "gnmf", "--rank", "2", "--missing-rate", "0.3"},
		{"--input", filepath.Join(dir, "holes.csv"), "--rank", "2", "--missing-rate", "0.3"}, // NaN without --missing
		{"--input", in, "--rank", "2", "--mask", write(t, dir, "badmask.csv", "1,0\n")},
		{"--input", in, "--rank", "2", "--missing-rate", "0.3", "--scale", "log"},
	} {
		if code, _, stderr := run(t, context.Background(), append([]string{"complete", "--model", "nmf", "--quiet"}, args...)...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}
