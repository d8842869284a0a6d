package dataio_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
)

// TestReadStack checks a 3-D .npy array in C and Fortran order, a 2-D one,
// a single text file, and a directory of .npy and text files read in the
// order of their names.
func TestReadStack(t *testing.T) {
	le := binary.LittleEndian
	want := [][][]float64{{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}}
	check := func(what, path string, want [][][]float64, wantNames []string) {
		t.Helper()
		mats, names, err := dataio.ReadStack(path)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var got [][][]float64
		for _, m := range mats {
			got = append(got, rows(m))
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(names, wantNames) {
			t.Errorf("%s: got %v named %q, want %v named %q", what, got, names, want, wantNames)
		}
	}
	c := writeFile(t, "c.npy", npyFile(t, "<f8", false, "(2, 2, 3)", le, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	check("C order", c, want, []string{"0", "1"})
	// Fortran order: the first index varies fastest.
	f := writeFile(t, "f.npy", npyFile(t, "<i4", true, "(2, 2, 3)", le, []int32{1, 7, 4, 10, 2, 8, 5, 11, 3, 9, 6, 12}))
	check("Fortran order", f, want, []string{"0", "1"})
	two := writeFile(t, "two.npy", npyFile(t, "<f4", false, "(2, 3)", le, []float32{1, 2, 3, 4, 5, 6}))
	check("2-D", two, want[:1], []string{"0"})
	check("CSV", writeFile(t, "one.csv", []byte("7,8,9\n10,11,12\n")), want[1:], []string{"0"})

	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("7 8 9\n10 11 12\n"))
	zw.Close()
	for name, content := range map[string][]byte{
		"sub-02.txt.gz": gz.Bytes(),
		"sub-01.npy":    npyFile(t, "<f8", false, "(2, 3)", le, []float64{1, 2, 3, 4, 5, 6}),
		"sub-03.csv":    []byte("1,2,3\n4,5,6\n"),
		"README.md":     []byte("# not a matrix\n"),
		".hidden.csv":   []byte("x\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub-00.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	check("directory", dir, append(append([][][]float64{}, want...), want[0]), []string{"sub-01", "sub-02", "sub-03"})
}

// TestReadStackErrors checks that bad stacks are refused with an error
// naming the file and the problem.
func TestReadStackErrors(t *testing.T) {
	le := binary.LittleEndian
	good := npyFile(t, "<f8", false, "(1, 2, 2)", le, []float64{1, 2, 3, 4})
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"1-D", npyFile(t, "<f8", false, "(4,)", le, []float64{1, 2, 3, 4}), "x.npy: array has 1 dimensions, want 3 (matrices x rows x columns) or 2 (one matrix)"},
		{"4-D", npyFile(t, "<f8", false, "(1, 1, 2, 2)", le, []float64{1, 2, 3, 4}), "x.npy: array has 4 dimensions"},
		{"empty", npyFile(t, "<f8", false, "(0, 2, 2)", le, nil), "x.npy: array of shape [0 2 2] is empty"},
		{"NaN", npyFile(t, "<f8", false, "(2, 1, 2)", le, []float64{1, 2, 3, math.NaN()}), "x.npy: entry (1, 0, 1) is NaN"},
		{"Inf Fortran", npyFile(t, "<f8", true, "(2, 1, 2)", le, []float64{1, 2, math.Inf(-1), 4}), "x.npy: entry (0, 0, 1) is -Inf"},
		{"truncated", good[:len(good)-1], "x.npy: truncated: shape [1 2 2] needs 32 bytes of data, found 31"},
		{"strings", npyFile(t, "|S3", false, "(1, 1, 1)", le, []byte("abc")), `x.npy: unsupported dtype "|S3"`},
		{"not npy", []byte("1,2\n"), "x.npy: not a .npy file"},
	} {
		_, _, err := dataio.ReadStack(writeFile(t, "x.npy", tc.content))
		var ie *dataio.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want an InputError containing %q", tc.name, err, tc.want)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("1,2\n3,4\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("1,2,3\n3,4,5\n"), 0o644)
	if _, _, err := dataio.ReadStack(dir); err == nil || !strings.Contains(err.Error(), "b.csv: matrix is 2x3, a's 2x2") {
		t.Errorf("shapes differ: error %v", err)
	}
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("1,2\n3,x\n"), 0o644)
	if _, _, err := dataio.ReadStack(dir); err == nil || !strings.Contains(err.Error(), "b.csv") {
		t.Errorf("bad file in a directory: error %v", err)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.md"), []byte("x"), 0o644)
	if _, _, err := dataio.ReadStack(empty); err == nil || !strings.Contains(err.Error(), "no matrix files") {
		t.Errorf("empty directory: error %v", err)
	}
	if _, _, err := dataio.ReadStack(filepath.Join(empty, "nope.npy")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v", err)
	}
}
