package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestEvalCounts checks that eval scores only the predicted samples with a
// true label, and says how many it scored of how many were predicted.
func TestEvalCounts(t *testing.T) {
	dir := t.TempDir()
	// d and e have no true label; c is not predicted.
	truth := write(t, dir, "truth.txt", "a 0\nb 0\nc 1\nx 1\ny 1\n")
	pred := write(t, dir, "pred.txt", "a 5\nb 5\nx 7\ny 7\nd 5\ne 7\n")
	code, stdout, stderr := run(t, context.Background(), "eval", "--truth", truth, "--pred", pred, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		N, Predicted int
		Metrics      map[string]float64
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if rep.N != 4 || rep.Predicted != 6 {
		t.Errorf("n %d of %d predicted, want 4 of 6", rep.N, rep.Predicted)
	}
	if rep.Metrics["acc"] != 1 || rep.Metrics["nmi"] != 1 {
		t.Errorf("metrics %v, want a perfect score on the 4 labelled samples", rep.Metrics)
	}
	code, stdout, stderr = run(t, context.Background(), "eval", "--truth", truth, "--pred", pred)
	if code != 0 || !strings.HasPrefix(stdout, "4 samples scored of 6 predicted\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Line-per-row files have ids 0, 1, ...
	code, stdout, stderr = run(t, context.Background(), "eval", "--truth", write(t, dir, "rows.txt", "0\n1\n1\n"),
		"--pred", write(t, dir, "keyed.txt", "0 a\n2 b\n1 b\n7 a\n"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.N != 3 || rep.Predicted != 4 || rep.Metrics["acc"] != 1 {
		t.Errorf("rows against keyed: %v, %+v", err, rep)
	}
}

// TestEvalDuplicateIDs checks that an id given twice in either file is an
// input error naming the file, the id and the line.
func TestEvalDuplicateIDs(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.txt", "a 0\nb 1\n")
	dup := write(t, dir, "dup.txt", "a 0\n# comment\nb 1\na 1\n")
	for _, args := range [][]string{{"--truth", good, "--pred", dup}, {"--truth", dup, "--pred", good}} {
		code, _, stderr := run(t, context.Background(), append([]string{"eval"}, args...)...)
		if code != exitBadInput || !strings.Contains(stderr, "dup.txt:4:") || !strings.Contains(stderr, `id "a"`) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming dup.txt:4 and id \"a\"", args, code, stderr, exitBadInput)
		}
	}
}
