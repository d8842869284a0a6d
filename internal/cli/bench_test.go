package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestMain lets the bench run this test binary as its row processes: a
// process started with benchChildEnv set runs the command line it was
// given instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBench runs the bench on digits and on a deep-model problem whose
// data is absent: each row is measured in a process of its own, the MU
// rows report a time, a floor and a peak memory, and the missing data
// becomes the row's error rather than the run's.
func TestBench(t *testing.T) {
	code, out, errb := run(t, context.Background(), "bench", "--only", "^digits$|^cora-danmf$", "--iters", "1",
		"--data", t.TempDir(), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var got struct {
		Rows []benchRow `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	impls := map[string]benchRow{}
	for _, r := range got.Rows {
		impls[r.Problem+"/"+r.Implementation] = r
	}
	for _, name := range []string{"digits/deepnmf MU, gonum", "digits/deepnmf MU, openblas", "digits/deepnmf CD, openblas",
		"digits/deepnmf MU f32, gonum", "digits/deepnmf MU f32, openblas"} {
		r, ok := impls[name]
		switch {
		case !ok:
			t.Errorf("no row %s in %v", name, got.Rows)
		case strings.Contains(r.Error, "not available"):
			t.Logf("%s: %s", name, r.Error) // no OpenBLAS on this machine
		case r.Error != "":
			t.Errorf("%s: %s", name, r.Error)
		case r.MsPerIter <= 0 || r.FloorMs <= 0 || r.Ratio <= 0 || r.GFLOPS <= 0:
			t.Errorf("%s: ms/iter %g, floor %g ms, ratio %g, GFLOP/s %g: want all positive", name, r.MsPerIter, r.FloorMs, r.Ratio, r.GFLOPS)
		case r.Flops != 4*1797*64*10:
			t.Errorf("%s: flops %g, want 4·n·d·k = %d", name, r.Flops, 4*1797*64*10)
		case r.PeakMB <= 0:
			t.Errorf("%s: no peak memory", name)
		}
	}
	if r := impls["cora-danmf/deepnmf"]; !strings.Contains(r.Error, "needs") {
		t.Errorf("cora-danmf without its data: error %q, want one that names the missing file", r.Error)
	}
	if strings.Contains(out, "scikit-learn") {
		t.Errorf("scikit-learn rows without --compare")
	}
}

// TestBenchBadFlags checks the bench's usage errors.
func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--only", "nothing-matches"},
		{"bench", "--only", "("},
		{"bench", "--iters", "0"},
		{"bench", "--row", "nope"},
		{"bench", "--row", "digits", "--solver", "anls"},
		{"bench", "--row", "digits", "--dtype", "float16"},
	} {
		if code, _, errb := run(t, context.Background(), args...); code != exitBadInput || errb == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and a message", args, code, errb, exitBadInput)
		}
	}
}
