package dataio_test

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/dataio"
)

// onlyFiles checks that dir holds exactly the named files.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("directory holds %q, want %q", got, names)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := dataio.WriteFileAtomic(path, func(w io.Writer) error {
		w.Write([]byte("half-written"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed write changed the file to %q", b)
	}
	onlyFiles(t, dir, "out.txt")

	if err := dataio.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file holds %q, want new", b)
	}
	onlyFiles(t, dir, "out.txt")
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode())
	}

	if err := dataio.WriteFileAtomic(filepath.Join(dir, "missing", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Errorf("no error writing into a missing directory")
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, -0.1, math.Pi, 1e-310, 2e300, 0})
	dir := t.TempDir()
	path := filepath.Join(dir, "m.csv")
	if err := dataio.WriteCSV(path, m); err != nil {
		t.Fatal(err)
	}
	tab, err := dataio.ReadMatrix(path, dataio.MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(tab.X); !reflect.DeepEqual(got, rows(m)) {
		t.Errorf("read back %v, want %v", got, rows(m))
	}
	onlyFiles(t, dir, "m.csv")
}

func TestWriteAssignments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := dataio.WriteAssignments(path, []string{"x", "y"}, []int{1, 0}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x 1\ny 0\n" {
		t.Errorf("wrote %q", b)
	}
	if err := dataio.WriteAssignments(path, nil, []int{2, -1}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "0 2\n1 -1\n" {
		t.Errorf("wrote %q", b)
	}
	if err := dataio.WriteAssignments(path, []string{"x"}, []int{1, 0}); err == nil {
		t.Errorf("no error for mismatched lengths")
	}
}

func TestWriteJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	v := map[string]any{"k": 3.0, "name": "x"}
	if err := dataio.WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, v) {
		t.Errorf("read back %v (%v)", got, err)
	}
	if err := dataio.WriteJSON(path, math.NaN()); err == nil {
		t.Errorf("no error for NaN")
	}
	onlyFiles(t, dir, "r.json")
}
