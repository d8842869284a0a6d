package dataio_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/dataio"
)

func TestLabelsFromStrings(t *testing.T) {
	for _, tc := range []struct {
		in     []string
		values []int
		names  []string
	}{
		{[]string{"10", "9", "", "10", "-1"}, []int{2, 1, -1, 2, 0}, []string{"-1", "9", "10"}},
		{[]string{"b", "a", "10", "b"}, []int{2, 1, 0, 2}, []string{"10", "a", "b"}},
		{nil, []int{}, nil},
	} {
		got := dataio.LabelsFromStrings(tc.in)
		if !reflect.DeepEqual(got.Values, tc.values) || !reflect.DeepEqual(got.Names, tc.names) {
			t.Errorf("LabelsFromStrings(%q) = %v %q, want %v %q", tc.in, got.Values, got.Names, tc.values, tc.names)
		}
	}
}

func TestReadLabels(t *testing.T) {
	lab, err := dataio.ReadLabels(writeFile(t, "y.txt", []byte("# classes\nl\nc\n\nn\nc\n")))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 0, 2, 0}; !reflect.DeepEqual(lab.Values, want) || !reflect.DeepEqual(lab.Names, []string{"c", "l", "n"}) {
		t.Errorf("got %v %q", lab.Values, lab.Names)
	}
	if _, err := dataio.ReadLabels(writeFile(t, "y.txt", []byte("# nothing\n"))); err == nil || !strings.Contains(err.Error(), "y.txt: no labels") {
		t.Errorf("error %v for an empty label file", err)
	}
}

func TestParseNodeLabels(t *testing.T) {
	g, err := dataio.ParseEdgeList(strings.NewReader("a b\nb c\nc d\n"), "e", dataio.EdgeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lab, err := dataio.ParseNodeLabels(strings.NewReader("# node label\nc  Mr. Hi\na\tOfficer\na Officer\n"), "labels.txt", g)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, -1, 0, -1}; !reflect.DeepEqual(lab.Values, want) || !reflect.DeepEqual(lab.Names, []string{"Mr. Hi", "Officer"}) {
		t.Errorf("got %v %q", lab.Values, lab.Names)
	}
	for _, tc := range []struct{ content, want string }{
		{"a 1\nz 2\n", `labels.txt:2: unknown node "z"`},
		{"a 1\nb 1\na 2\n", `labels.txt:3: node "a" has label "2", and "1" earlier`},
		{"a\n", `labels.txt:1: want "node label", found "a"`},
		{"", "labels.txt: no labels"},
	} {
		if _, err := dataio.ParseNodeLabels(strings.NewReader(tc.content), "labels.txt", g); err == nil || err.Error() != tc.want {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	path := writeFile(t, "labels.txt", []byte("d x\n"))
	if lab, err := dataio.ReadNodeLabels(path, g); err != nil || !reflect.DeepEqual(lab.Values, []int{-1, -1, -1, 0}) {
		t.Errorf("ReadNodeLabels: %v %v", lab, err)
	}

	ids, err := dataio.ReadNodeIDs(writeFile(t, "labels.txt", []byte("# c\nq 1\nd 2\n")))
	if err != nil || !reflect.DeepEqual(ids, []string{"q", "d"}) {
		t.Errorf("ReadNodeIDs = %q, %v", ids, err)
	}
	if _, err := dataio.ReadNodeIDs(writeFile(t, "labels.txt", []byte("q\n"))); err == nil {
		t.Errorf("ReadNodeIDs: no error for a line without a label")
	}
}
