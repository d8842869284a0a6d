package dataio

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestReadKeyedLabels(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text  string
		ids, labels []string
		wantErr     bool
	}{
		{"keyed", "# comment\na 1\nb\t2\nc 1\n", []string{"a", "b", "c"}, []string{"1", "2", "1"}, false},
		{"rows", "1\n2\n\n1\n", nil, []string{"1", "2", "1"}, false},
		{"spaces in labels", "0 Mr. Hi\n1 Officer\n", []string{"0", "1"}, []string{"Mr. Hi", "Officer"}, false},
		{"tab before a space", "a\tb c\nd e\n", []string{"a", "d"}, []string{"b c", "e"}, false},
		{"mixed", "a 1\n2\n", nil, nil, true},
		{"duplicate id", "a 1\nb 2\na 1\n", nil, nil, true},
		{"mixed, label equal to id", "a a\nb\n", nil, nil, true},
		{"mixed, plain first", "b\na a\n", nil, nil, true},
		{"empty", "# nothing\n", nil, nil, true},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		ids, labels, err := ReadKeyedLabels(p)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		if !slices.Equal(ids, tc.ids) || !slices.Equal(labels, tc.labels) {
			t.Errorf("%s: got %q %q, want %q %q", tc.name, ids, labels, tc.ids, tc.labels)
		}
	}
}
