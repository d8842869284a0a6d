package dataio

import (
	"cmp"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
)

// Labels assigns a class to each row of a matrix or node of a graph.
type Labels struct {
	// Values holds the class index of each row or node, -1 where unknown.
	Values []int
	// Names holds the label of each class as written in the input. Classes
	// are in sorted order, numeric if every label is an integer.
	Names []string
}

// LabelsFromStrings numbers the distinct labels in s; an empty string
// means unknown.
func LabelsFromStrings(s []string) *Labels {
	var names []string
	seen := make(map[string]bool)
	for _, x := range s {
		if x != "" && !seen[x] {
			seen[x] = true
			names = append(names, x)
		}
	}
	if v := intValues(names); v != nil {
		num := make(map[string]int64, len(names))
		for i, x := range names {
			num[x] = v[i]
		}
		slices.SortFunc(names, func(a, b string) int { return cmp.Compare(num[a], num[b]) })
	} else {
		slices.Sort(names)
	}
	class := make(map[string]int, len(names))
	for i, x := range names {
		class[x] = i
	}
	lab := &Labels{Values: make([]int, len(s)), Names: names}
	for i, x := range s {
		if c, ok := class[x]; ok {
			lab.Values[i] = c
		} else {
			lab.Values[i] = -1
		}
	}
	return lab
}

// ReadLabels reads one label per line from the named file, for the rows
// of a matrix. Blank lines and lines starting with # or % are skipped.
func ReadLabels(path string) (*Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseLabels(f, path)
}

// parseLabels reads one label per line from r, as ReadLabels does; name is
// used in error messages.
func parseLabels(r io.Reader, name string) (*Labels, error) {
	l, err := newLineScanner(r, name)
	if err != nil {
		return nil, err
	}
	var s []string
	for l.next() {
		s = append(s, l.text)
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, inputErr(name, 0, "no labels")
	}
	return LabelsFromStrings(s), nil
}

// ReadNodeLabels reads "node label" lines from the named file for the
// nodes of g; see ParseNodeLabels.
func ReadNodeLabels(path string, g *Graph) (*Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseNodeLabels(f, path, g)
}

// ReadNodeIDs returns the node names of a "node label" file, in file
// order. Pass them to Graph.WithNodes to keep labelled nodes that have no
// edges.
func ReadNodeIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	err = eachNodeLabel(f, path, func(_ *lineScanner, id, _ string) error {
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// ParseNodeLabels reads "node label" lines from r for the nodes of g; name
// is used in error messages. The label is the rest of the line after the
// node name. Nodes without a line get -1; a node that is not in g, or
// that is given two different labels, is an error.
func ParseNodeLabels(r io.Reader, name string, g *Graph) (*Labels, error) {
	s := make([]string, len(g.IDs))
	err := eachNodeLabel(r, name, func(l *lineScanner, id, label string) error {
		i, ok := g.Index(id)
		if !ok {
			return l.errorf("unknown node %q", id)
		}
		if s[i] != "" && s[i] != label {
			return l.errorf("node %q has label %q, and %q earlier", id, label, s[i])
		}
		s[i] = label
		return nil
	})
	if err != nil {
		return nil, err
	}
	return LabelsFromStrings(s), nil
}

// eachNodeLabel calls fn with each "node label" line of r.
func eachNodeLabel(r io.Reader, name string, fn func(l *lineScanner, id, label string) error) error {
	l, err := newLineScanner(r, name)
	if err != nil {
		return err
	}
	n := 0
	for ; l.next(); n++ {
		k := strings.IndexFunc(l.text, unicode.IsSpace)
		if k < 0 {
			return l.errorf("want \"node label\", found %q", l.text)
		}
		if err := fn(l, l.text[:k], strings.TrimSpace(l.text[k:])); err != nil {
			return err
		}
	}
	if err := l.err(); err != nil {
		return err
	}
	if n == 0 {
		return inputErr(name, 0, "no labels")
	}
	return nil
}

// ReadKeyedLabels reads a label file in either layout: "id label" lines
// (every line has an id, whitespace, then the label), returned as ids and
// labels; or one label per line, returned with nil ids. A file whose
// labels themselves contain spaces is read as keyed: give it ids. An id
// given on two lines is an error.
func ReadKeyedLabels(path string) (ids, labels []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return parseKeyedLabels(f, path)
}

// parseKeyedLabels reads a label file from r, as ReadKeyedLabels does;
// name is used in error messages.
func parseKeyedLabels(r io.Reader, name string) (ids, labels []string, err error) {
	l, err := newLineScanner(r, name)
	if err != nil {
		return nil, nil, err
	}
	keyed := false
	lineOf := make(map[string]int) // the line of each id
	for n := 0; l.next(); n++ {
		// The id ends at the first white space, as in eachNodeLabel; a
		// line without any is a label alone.
		k := strings.IndexFunc(l.text, unicode.IsSpace)
		if n == 0 {
			keyed = k >= 0
		} else if keyed != (k >= 0) {
			return nil, nil, l.errorf("mixes \"id label\" lines with lines of one label")
		}
		if k < 0 {
			labels = append(labels, l.text)
			continue
		}
		id := l.text[:k]
		if first, ok := lineOf[id]; ok {
			return nil, nil, l.errorf("id %q is given again (first on line %d)", id, first)
		}
		lineOf[id] = l.line
		ids, labels = append(ids, id), append(labels, strings.TrimSpace(l.text[k:]))
	}
	if err := l.err(); err != nil {
		return nil, nil, err
	}
	if len(labels) == 0 {
		return nil, nil, inputErr(name, 0, "no labels")
	}
	return ids, labels, nil
}
