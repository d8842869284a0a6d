package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/datasets"
)

// writeStack writes the matrices as a 3-D .npy array (C order, float64).
func writeStack(t *testing.T, path string, mats []*mat.Dense) {
	t.Helper()
	m, _ := mats[0].Dims()
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d, %d), }", len(mats), m, m)
	dict += strings.Repeat(" ", 63-(10+len(dict))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	for _, a := range mats {
		binary.Write(&b, binary.LittleEndian, a.RawMatrix().Data)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAtlas runs atlas on a stack read from a 3-D .npy file and from a
// directory of CSV files, with ROI ids and ground truth, and checks the
// JSON report and every file --out writes.
func TestAtlas(t *testing.T) {
	mats, planted, err := datasets.PlantedAtlas{Subjects: 6, ROIs: 30, Communities: 3, Noise: 0.3, Spread: 0.1, Seed: 1}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stack := filepath.Join(dir, "stack.npy")
	writeStack(t, stack, mats)
	subjects := filepath.Join(dir, "subjects")
	os.Mkdir(subjects, 0o755)
	for i, a := range mats {
		if err := dataio.WriteCSV(filepath.Join(subjects, fmt.Sprintf("sub-%02d.csv", i)), a); err != nil {
			t.Fatal(err)
		}
	}
	var ids, truth strings.Builder
	for i, c := range planted {
		fmt.Fprintf(&ids, "roi%d\n", i)
		fmt.Fprintf(&truth, "roi%d net%d\n", i, c)
	}
	idsFile := write(t, dir, "ids.txt", ids.String())
	truthFile := write(t, dir, "truth.txt", truth.String())

	for _, tc := range []struct {
		input  string
		layers []string
		names  []string
	}{
		{stack, nil, []string{"0", "1", "2", "3", "4", "5"}},
		{subjects, []string{"--layers", "8,3"}, []string{"sub-00", "sub-01", "sub-02", "sub-03", "sub-04", "sub-05"}},
	} {
		out := filepath.Join(dir, "out")
		args := append([]string{"atlas", "--input", tc.input, "--rank", "3", "--ids", idsFile, "--labels", truthFile, "--out", out, "--json", "--quiet"}, tc.layers...)
		code, stdout, stderr := run(t, context.Background(), args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.input, code, stderr)
		}
		var rep struct {
			Method        string
			N, M, K       int
			Negative      string
			Iterations    int
			History       []any
			RelativeError float64 `json:"relative_error"`
			Metrics       map[string]float64
			Files         []string
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%s: stdout is not one JSON object: %v\n%s", tc.input, err, stdout)
		}
		if rep.Method != "atlas" || rep.N != 6 || rep.M != 30 || rep.K != 3 || rep.Negative != "semi" || rep.Iterations == 0 || len(rep.History) == 0 || !(rep.RelativeError > 0) {
			t.Errorf("%s: report %+v", tc.input, rep)
		}
		if rep.Metrics["nmi"] < 0.95 {
			t.Errorf("%s: NMI %g against the planted communities", tc.input, rep.Metrics["nmi"])
		}
		want := []string{"H.npy", "assignments.txt", "atlas.png", "result.json", "subjects.npy", "subjects.txt"}
		if tc.layers != nil {
			want = append(want, "H1.npy", "H2.npy")
		}
		sort.Strings(want)
		if !reflect.DeepEqual(rep.Files, want) {
			t.Errorf("%s: files %q, want %q", tc.input, rep.Files, want)
		}
		a, err := os.ReadFile(filepath.Join(out, "assignments.txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(a)), "\n")
		if len(lines) != 30 || !strings.HasPrefix(lines[0], "roi0 ") {
			t.Errorf("%s: assignments %q...", tc.input, lines[:2])
		}
		check := func(name string, r, c int) {
			t.Helper()
			tb, err := dataio.ReadMatrix(filepath.Join(out, name), dataio.MatrixOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rr, cc := tb.X.Dims(); rr != r || cc != c {
				t.Errorf("%s: %s is %dx%d, want %dx%d", tc.input, name, rr, cc, r, c)
			}
		}
		check("H.npy", 30, 3)
		check("subjects.npy", 6, 9)
		names, err := os.ReadFile(filepath.Join(out, "subjects.txt"))
		if err != nil || strings.Join(strings.Fields(string(names)), " ") != strings.Join(tc.names, " ") {
			t.Errorf("%s: subjects.txt %q (%v), want %q", tc.input, names, err, tc.names)
		}
		f, err := os.Open(filepath.Join(out, "atlas.png"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 100 || cfg.Height < 100 {
			t.Errorf("%s: atlas.png: %+v %v", tc.input, cfg, err)
		}
	}
}

// TestAtlasSyntheticAndBaselines checks --synthetic (the planted
// communities recovered and written) and the spectral and k-means
// baselines.
func TestAtlasSyntheticAndBaselines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	for _, method := range []string{"atlas", "spectral", "kmeans"} {
		code, stdout, stderr := run(t, context.Background(), "atlas", "--synthetic", "--subjects", "5", "--rois", "40", "--rank", "4",
			"--noise", "0.3", "--seed", "2", "--method", method, "--out", out, "--json", "--quiet")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", method, code, stderr)
		}
		var rep struct {
			Method    string
			Synthetic map[string]float64
			Metrics   map[string]float64
			Files     []string
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Method != method || rep.Synthetic["rois"] != 40 || rep.Synthetic["noise"] != 0.3 {
			t.Errorf("%s: report %+v", method, rep)
		}
		if rep.Metrics["nmi"] < 0.95 {
			t.Errorf("%s: NMI %g against the planted communities", method, rep.Metrics["nmi"])
		}
		want := []string{"assignments.txt", "atlas.png", "planted.txt", "result.json"}
		if method == "atlas" {
			want = []string{"H.npy", "assignments.txt", "atlas.png", "planted.txt", "result.json", "subjects.npy", "subjects.txt"}
		}
		if !reflect.DeepEqual(rep.Files, want) {
			t.Errorf("%s: files %q, want %q", method, rep.Files, want)
		}
		// The run into the same directory removed the earlier run's files.
		entries, _ := os.ReadDir(out)
		if len(entries) != len(want) {
			t.Errorf("%s: %d files in --out, want %d", method, len(entries), len(want))
		}
	}
	// The text summary.
	code, stdout, stderr := run(t, context.Background(), "atlas", "--synthetic", "--subjects", "3", "--rois", "20", "--rank", "2", "--quiet")
	if code != 0 || !strings.Contains(stdout, "nmi") || !strings.Contains(stdout, "community sizes") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestAtlasBadInput checks that bad input and usage exit with status 2
// and a one-line error naming the problem.
func TestAtlasBadInput(t *testing.T) {
	dir := t.TempDir()
	mats, _, err := datasets.PlantedAtlas{Subjects: 2, ROIs: 6, Communities: 2, Noise: 0.1, Seed: 3}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	stack := filepath.Join(dir, "stack.npy")
	writeStack(t, stack, mats)
	asym := mat.DenseCopyOf(mats[0])
	asym.Set(0, 1, 5)
	bad := filepath.Join(dir, "asym.npy")
	writeStack(t, bad, []*mat.Dense{asym})
	mixed := filepath.Join(dir, "mixed")
	os.Mkdir(mixed, 0o755)
	write(t, mixed, "a.csv", "0,1\n1,0\n")
	write(t, mixed, "b.csv", "0,1,1\n1,0,1\n1,1,0\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"--rank", "2"}, "--input"},
		{"input and synthetic", []string{"--input", stack, "--synthetic", "--rank", "2"}, "not both"},
		{"no rank", []string{"--input", stack}, "--rank"},
		{"missing file", []string{"--input", filepath.Join(dir, "nope.npy"), "--rank", "2"}, "nope.npy"},
		{"not symmetric", []string{"--input", bad, "--rank", "2"}, "not symmetric"},
		{"shapes differ", []string{"--input", mixed, "--rank", "1"}, "b.csv: matrix is 3x3"},
		{"not square", []string{"--input", write(t, dir, "rect.csv", "1,2,3\n4,5,6\n"), "--rank", "1"}, "not square"},
		{"rank too large", []string{"--input", stack, "--rank", "6"}, "rank 6"},
		{"layers grow", []string{"--input", stack, "--layers", "2,3"}, "must decrease"},
		{"last layer not the rank", []string{"--input", stack, "--rank", "2", "--layers", "4,3"}, "must equal the rank"},
		{"unknown negative", []string{"--input", stack, "--rank", "2", "--negative", "abs"}, "--negative"},
		{"unknown init", []string{"--input", stack, "--rank", "2", "--init", "svd"}, "--init"},
		{"unknown method", []string{"--input", stack, "--rank", "2", "--method", "louvain"}, "--method"},
		{"layers with a baseline", []string{"--input", stack, "--rank", "2", "--method", "spectral", "--layers", "4,2"}, "--layers applies to --method atlas"},
		{"synthetic flag without synthetic", []string{"--input", stack, "--rank", "2", "--noise", "1"}, "--noise applies with --synthetic"},
		{"bad synthetic", []string{"--synthetic", "--rank", "2", "--rois", "1"}, "--synthetic"},
		{"ids count", []string{"--input", stack, "--rank", "2", "--ids", write(t, dir, "ids.txt", "a\nb\n")}, "2 ids for 6 ROIs"},
		{"duplicate ids", []string{"--input", stack, "--rank", "2", "--ids", write(t, dir, "dup.txt", "a\nb\nc\nd\ne\na\n")}, `id "a"`},
		{"labels count", []string{"--input", stack, "--rank", "2", "--labels", write(t, dir, "l.txt", "x\ny\n")}, "2 labels for 6 ROIs"},
		{"labels of unknown ROI", []string{"--input", stack, "--rank", "2", "--labels", write(t, dir, "k.txt", "0 x\n9 y\n")}, `ROI "9"`},
		{"negative max-iter", []string{"--input", stack, "--rank", "2", "--max-iter", "-1"}, "--max-iter"},
		{"NaN tol", []string{"--input", stack, "--rank", "2", "--tol", "NaN"}, "--tol"},
		{"out is a file", []string{"--input", stack, "--rank", "2", "--out", stack}, "is a file"},
		{"extra argument", []string{"--input", stack, "--rank", "2", "x"}, "unexpected argument"},
	} {
		code, _, stderr := run(t, context.Background(), append([]string{"atlas", "--quiet"}, tc.args...)...)
		if code != exitBadInput {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", tc.name, code, exitBadInput, stderr)
		}
		if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 || strings.Contains(stderr, "panic") {
			t.Errorf("%s: stderr %q, want one line containing %q", tc.name, stderr, tc.want)
		}
	}
}

// TestAtlasInterrupted checks that a cancelled atlas writes its results
// and exits with status 130.
func TestAtlasInterrupted(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr := run(t, ctx, "atlas", "--synthetic", "--subjects", "3", "--rois", "20", "--rank", "2", "--out", out, "--quiet")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "H.npy")); err != nil {
		t.Errorf("interrupted run wrote no atlas: %v", err)
	}
}
