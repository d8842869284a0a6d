package dataio_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/linalg"
)

// writeFile writes content to a file called name in a temporary directory
// and returns its path.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rows returns the entries of m as a slice of rows.
func rows(m interface {
	Dims() (int, int)
	At(i, j int) float64
}) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func TestReadMatrixText(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		opt                 dataio.MatrixOptions
		want                [][]float64
		labels, columns     []string
	}{
		{name: "csv", file: "a.csv", content: "1,2\n3,4.5\n", want: [][]float64{{1, 2}, {3, 4.5}}},
		{name: "csv spaces crlf comments", file: "a.csv", content: "# comment\r\n 1 , 2\r\n\r\n3,4\r\n",
			want: [][]float64{{1, 2}, {3, 4}}},
		{name: "tsv", file: "a.tsv", content: "1\t2\n3\t4\n", want: [][]float64{{1, 2}, {3, 4}}},
		{name: "txt", file: "a.txt", content: "% c\n1  2\t 3\n\n4 5 6\n", want: [][]float64{{1, 2, 3}, {4, 5, 6}}},
		{name: "uppercase extension", file: "A.CSV", content: "1,2\n", want: [][]float64{{1, 2}}},
		{name: "explicit format", file: "a.dat", content: "1 2\n", opt: dataio.MatrixOptions{Format: "txt"},
			want: [][]float64{{1, 2}}},
		{name: "header auto", file: "a.csv", content: "x,y\n1,2\n", want: [][]float64{{1, 2}}, columns: []string{"x", "y"}},
		{name: "quoted header", file: "a.csv", content: "\"a,b\",c\n1,2\n", want: [][]float64{{1, 2}}, columns: []string{"a,b", "c"}},
		{name: "header yes numeric", file: "a.csv", content: "1,2\n3,4\n", opt: dataio.MatrixOptions{Header: "yes"},
			want: [][]float64{{3, 4}}, columns: []string{"1", "2"}},
		{name: "header of another width", file: "a.csv", content: "150,4,setosa,versicolor,virginica,x\n1,2,0\n",
			opt: dataio.MatrixOptions{Label: "-1"}, want: [][]float64{{1, 2}}, labels: []string{"0"}},
		{name: "label last", file: "a.csv", content: "1,2,a\n3,4,b\n", opt: dataio.MatrixOptions{Label: "-1"},
			want: [][]float64{{1, 2}, {3, 4}}, labels: []string{"a", "b"}},
		{name: "label first", file: "a.csv", content: "a,1,2\n,3,4\n", opt: dataio.MatrixOptions{Label: "0"},
			want: [][]float64{{1, 2}, {3, 4}}, labels: []string{"a", ""}},
		{name: "label by name", file: "a.tsv", content: "x\tclass\ty\n1\tu\t2\n", opt: dataio.MatrixOptions{Label: "class"},
			want: [][]float64{{1, 2}}, labels: []string{"u"}, columns: []string{"x", "y"}},
		{name: "gzip", file: "a.csv.gz", content: "1,2\n", want: [][]float64{{1, 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := []byte(tc.content)
			if strings.HasSuffix(tc.file, ".gz") {
				content = gzipped(t, tc.content)
			}
			tab, err := dataio.ReadMatrix(writeFile(t, tc.file, content), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tab.X.(*linalg.Dense); !ok {
				t.Errorf("X is %T, want *linalg.Dense", tab.X)
			}
			if got := rows(tab.X); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("X = %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(tab.Labels, tc.labels) {
				t.Errorf("Labels = %q, want %q", tab.Labels, tc.labels)
			}
			if !reflect.DeepEqual(tab.ColumnNames, tc.columns) {
				t.Errorf("ColumnNames = %q, want %q", tab.ColumnNames, tc.columns)
			}
		})
	}
}

func TestReadMatrixTextErrors(t *testing.T) {
	for _, tc := range []struct {
		file, content string
		opt           dataio.MatrixOptions
		want          string
	}{
		{"data.csv", "1,2,3,4\n5,6,7\n", dataio.MatrixOptions{}, "data.csv:2: row has 3 fields, want 4"},
		{"data.csv", "# c\n\n1,2\n3,x\n", dataio.MatrixOptions{}, `data.csv:4: column 2: "x" is not a number`},
		{"data.csv", "1,2\n3,\n", dataio.MatrixOptions{}, `data.csv:2: column 2: "" is not a number`},
		{"data.csv", "1,2\nNaN,1\n", dataio.MatrixOptions{}, `data.csv:2: column 1: "NaN" is not finite`},
		{"data.csv", "1,-inf\n", dataio.MatrixOptions{}, `data.csv:1: column 2: "-inf" is not finite`},
		{"data.csv", "1,1e999\n", dataio.MatrixOptions{}, `data.csv:1: column 2: "1e999" is not finite`},
		{"data.txt", "1 2\n3 inf\n", dataio.MatrixOptions{}, `data.txt:2: column 2: "inf" is not finite`},
		{"data.csv", "", dataio.MatrixOptions{}, "data.csv: no data"},
		{"data.csv", "# only a comment\n", dataio.MatrixOptions{}, "data.csv: no data"},
		{"data.csv", "a,b\n", dataio.MatrixOptions{}, "data.csv: no data after the header"},
		{"data.csv", "1,\"2\n", dataio.MatrixOptions{}, "data.csv:1: extraneous or missing \" in quoted-field"},
		{"data.csv", "1,2\n", dataio.MatrixOptions{Label: "5"}, "data.csv:1: label column 5 is out of range for 2 columns"},
		{"data.csv", "1\n", dataio.MatrixOptions{Label: "0"}, "data.csv:1: no feature columns"},
		{"data.csv", "a,b\n1,2\n", dataio.MatrixOptions{Label: "c"}, `data.csv:1: no column named "c" in the header`},
		{"data.csv", "a,b\n1,2\n", dataio.MatrixOptions{Header: "no"}, `data.csv:1: column 1: "a" is not a number`},
		{"data.csv", "1,2\n", dataio.MatrixOptions{Header: "maybe"}, `unknown header option "maybe"`},
		{"data.csv", "1,2\n", dataio.MatrixOptions{Label: "c", Header: "no"}, `label column "c" is named, but the file has no header`},
		{"data.xlsx", "1,2\n", dataio.MatrixOptions{}, `data.xlsx: unknown format "xlsx"`},
		{"data.npy", "1,2\n", dataio.MatrixOptions{Label: "0"}, "data.npy: a label column needs a text format"},
		{"data.csv.gz", "\x1f\x8b\x08garbage", dataio.MatrixOptions{}, "data.csv.gz: "},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := dataio.ReadMatrix(writeFile(t, tc.file, []byte(tc.content)), tc.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasSuffix(msg, tc.want) && !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q has several lines", err)
			}
		})
	}
}

func TestReadMatrixMissingFile(t *testing.T) {
	_, err := dataio.ReadMatrix(filepath.Join(t.TempDir(), "none.csv"), dataio.MatrixOptions{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "none.csv") {
		t.Errorf("error %v, want one naming the missing file", err)
	}
	var ie *dataio.InputError
	if errors.As(err, &ie) {
		t.Errorf("a missing file gave an InputError")
	}
}

func TestInputError(t *testing.T) {
	_, err := dataio.ReadMatrix(writeFile(t, "data.csv", []byte("1,2\n3\n")), dataio.MatrixOptions{})
	var ie *dataio.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not an InputError", err)
	}
	if ie.Line != 2 || !strings.HasSuffix(ie.File, "data.csv") {
		t.Errorf("InputError %+v, want line 2 of data.csv", ie)
	}
}

func TestParseTableReader(t *testing.T) {
	tab, err := dataio.ParseTable(strings.NewReader("1 2 x\n3 4 y\n"), "embedded", dataio.MatrixOptions{Format: "txt", Label: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(tab.X); !reflect.DeepEqual(got, [][]float64{{1, 2}, {3, 4}}) || !reflect.DeepEqual(tab.Labels, []string{"x", "y"}) {
		t.Errorf("got %v %q", got, tab.Labels)
	}
	_, err = dataio.ParseTable(strings.NewReader("1,2\n1\n"), "embedded", dataio.MatrixOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "embedded:2: ") {
		t.Errorf("error %v, want one naming embedded:2", err)
	}
}

func writeFileAt(path string, content []byte) error { return os.WriteFile(path, content, 0o644) }
