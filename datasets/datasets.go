// Package datasets holds small public data sets, embedded in the binary,
// for demonstrations and tests: the karate, football and polbooks graphs
// with their communities, and the digits and iris tables with their
// classes. data/README.md gives their sources and licences. PlantedAtlas
// draws synthetic connectivity matrices around a planted brain-network
// atlas.
package datasets

import (
	"embed"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"

	"github.com/deepnmf/deepnmf/dataio"
)

//go:embed data
var files embed.FS

// graphs maps each graph to the names of its classes, by class index.
var graphs = map[string][]string{
	"karate": {"Mr. Hi", "Officer"},
	"football": {"Atlantic Coast", "Big East", "Sun Belt", "Western Athletic", "Big Ten", "Big Twelve",
		"Conference USA", "Independents", "Mid-American", "Mountain West", "Pacific Ten", "Southeastern"},
	"polbooks": {"conservative", "liberal", "neutral"},
}

// tables maps each table to its file, whose last column is the class, and
// to the names of its classes, or nil to keep the labels of the file.
var tables = map[string]struct {
	file    string
	classes []string
}{
	"digits": {"digits.csv.gz", nil},
	"iris":   {"iris.csv", []string{"setosa", "versicolor", "virginica"}},
}

// Names returns the names of the data sets, sorted.
func Names() []string {
	names := slices.AppendSeq(slices.Collect(maps.Keys(graphs)), maps.Keys(tables))
	slices.Sort(names)
	return names
}

// Graph returns the undirected graph called name, "karate", "football" or
// "polbooks", with the ground-truth class of each node.
func Graph(name string) (*dataio.Graph, *dataio.Labels, error) {
	classes, ok := graphs[name]
	if !ok {
		return nil, nil, fmt.Errorf("datasets: no graph called %q", name)
	}
	var g *dataio.Graph
	err := open(path.Join(name, "edges.txt"), func(r io.Reader, file string) (err error) {
		g, err = dataio.ParseEdgeList(r, file, dataio.EdgeOptions{})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var lab *dataio.Labels
	err = open(path.Join(name, "labels.txt"), func(r io.Reader, file string) (err error) {
		lab, err = dataio.ParseNodeLabels(r, file, g)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := rename(lab, classes, name); err != nil {
		return nil, nil, err
	}
	return g, lab, nil
}

// Table returns the table called name, "digits" or "iris", one sample per
// row, with the class of each row.
func Table(name string) (*dataio.Table, *dataio.Labels, error) {
	spec, ok := tables[name]
	if !ok {
		return nil, nil, fmt.Errorf("datasets: no table called %q", name)
	}
	var t *dataio.Table
	err := open(spec.file, func(r io.Reader, file string) (err error) {
		t, err = dataio.ParseTable(r, file, dataio.MatrixOptions{Label: "-1"})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	// A scikit-learn header, "n,d,class names...", names no columns.
	t.ColumnNames = nil
	lab := dataio.LabelsFromStrings(t.Labels)
	if spec.classes != nil {
		if err := rename(lab, spec.classes, name); err != nil {
			return nil, nil, err
		}
	}
	return t, lab, nil
}

// rename replaces the class names of lab, checking their number.
func rename(lab *dataio.Labels, classes []string, name string) error {
	if len(lab.Names) != len(classes) {
		return fmt.Errorf("datasets: %s has %d classes, want %d", name, len(lab.Names), len(classes))
	}
	lab.Names = slices.Clone(classes)
	return nil
}

// open calls parse with the embedded file data/name and its name.
func open(name string, parse func(r io.Reader, file string) error) error {
	f, err := files.Open(path.Join("data", name))
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	return parse(f, name)
}
