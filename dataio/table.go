package dataio

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/internal/memory"
	"github.com/deepnmf/deepnmf/linalg"
)

// MatrixOptions says how to read a data matrix.
type MatrixOptions struct {
	// Format is "csv", "tsv", "txt", "npy", "npz" or "mtx". If empty,
	// ReadMatrix takes it from the file name's extension, ignoring a
	// trailing .gz; ParseTable reads CSV.
	Format string
	// Label selects the column of a text file that holds class labels,
	// which is then removed from the matrix: a 0-based index, negative
	// indices counting from the end ("-1" is the last column), or a name
	// from the header. Empty means no label column.
	Label string
	// Header says whether the first line of a text file holds column
	// names: "yes", "no", or "auto" (the default), which takes it for a
	// header if a field outside the label column is not a number.
	Header string
	// Missing accepts unknown cells, read as NaN, for matrix completion
	// (linalg.ObservedNaN): NaN values in every format, and in text files
	// also empty fields and NA. Otherwise they are refused. Infinities are
	// refused either way.
	Missing bool
}

// Table is a data matrix with its optional labels and column names.
type Table struct {
	X           linalg.Matrix // n samples x d features
	Labels      []string      // the label column, one per row; nil if none
	ColumnNames []string      // d names from the header; nil if none
}

// ReadMatrix reads a data matrix from the named file. See the package
// documentation for the formats. A label column and a header exist only in
// text formats.
func ReadMatrix(path string, opt MatrixOptions) (*Table, error) {
	format := opt.Format
	if format == "" {
		format = strings.TrimPrefix(filepath.Ext(strings.TrimSuffix(strings.ToLower(path), ".gz")), ".")
	}
	switch format {
	case "csv", "tsv", "txt", "npy", "npz", "mtx":
	case "":
		return nil, fmt.Errorf("%s: cannot tell the format from the file name; give it explicitly", path)
	default:
		return nil, fmt.Errorf("%s: unknown format %q; want csv, tsv, txt, npy, npz or mtx", path, format)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if format == "csv" || format == "tsv" || format == "txt" {
		opt.Format = format
		return ParseTable(f, path, opt)
	}
	if opt.Label != "" {
		return nil, inputErr(path, 0, "a label column needs a text format (csv, tsv or txt), not %s", format)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var x linalg.Matrix
	switch format {
	case "npy":
		x, err = readNPY(bufio.NewReader(f), st.Size(), path, memory.Check, opt.Missing)
	case "npz":
		x, err = readNPZ(f, st.Size(), path, memory.Check, opt.Missing)
	default:
		x, err = readMTX(f, path, memory.Check, opt.Missing)
	}
	if err != nil {
		return nil, err
	}
	return &Table{X: x}, nil
}

// ParseTable reads delimited text from r, as ReadMatrix does for a csv,
// tsv or txt file; name is used in error messages. The input may be
// gzip-compressed.
func ParseTable(r io.Reader, name string, opt MatrixOptions) (*Table, error) {
	var rec records
	switch opt.Format {
	case "", "csv", "tsv":
		r, err := decompress(r, name)
		if err != nil {
			return nil, err
		}
		cr := csv.NewReader(r)
		if opt.Format == "tsv" {
			cr.Comma = '\t'
		}
		cr.Comment = '#'
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		rec = &csvRecords{r: cr, name: name}
	case "txt":
		l, err := newLineScanner(r, name)
		if err != nil {
			return nil, err
		}
		rec = txtRecords{l}
	default:
		return nil, fmt.Errorf("%s: %q is not a text format; want csv, tsv or txt", name, opt.Format)
	}

	fields, line, err := rec.read()
	if err == io.EOF {
		return nil, inputErr(name, 0, "no data")
	} else if err != nil {
		return nil, err
	}
	_, labelErr := strconv.Atoi(opt.Label)
	byName := opt.Label != "" && labelErr != nil
	header, err := isHeader(fields, opt, byName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var names []string
	hline := line
	if header {
		names = slices.Clone(fields)
		if fields, line, err = rec.read(); err == io.EOF {
			return nil, inputErr(name, 0, "no data after the header")
		} else if err != nil {
			return nil, err
		}
	}

	width := len(fields)
	lab := -1
	if byName {
		if lab = slices.Index(names, opt.Label); lab < 0 {
			return nil, inputErr(name, hline, "no column named %q in the header", opt.Label)
		}
		if len(names) != width {
			return nil, inputErr(name, line, "header has %d fields, but rows have %d", len(names), width)
		}
	} else if opt.Label != "" {
		var ok bool
		if lab, ok = labelColumn(opt.Label, width); !ok {
			return nil, inputErr(name, line, "label column %s is out of range for %d columns", opt.Label, width)
		}
	}
	d := width
	if lab >= 0 {
		d--
	}
	if d == 0 {
		return nil, inputErr(name, line, "no feature columns")
	}

	t := &Table{}
	if len(names) == width {
		t.ColumnNames = names
		if lab >= 0 {
			t.ColumnNames = slices.Delete(names, lab, lab+1)
		}
	}
	var data []float64
	for n := 0; ; n++ {
		if len(fields) != width {
			return nil, inputErr(name, line, "row has %d fields, want %d", len(fields), width)
		}
		for j, f := range fields {
			if j == lab {
				t.Labels = append(t.Labels, strings.Clone(f))
				continue
			}
			if opt.Missing && isMissing(f) {
				data = append(data, math.NaN())
				continue
			}
			v, err := strconv.ParseFloat(f, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, inputErr(name, line, "column %d: %q is not a number%s", j+1, f, missingHint(isMissing(f)))
			}
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, inputErr(name, line, "column %d: %q is not finite%s", j+1, f, missingHint(math.IsNaN(v)))
			}
			data = append(data, v)
		}
		if fields, line, err = rec.read(); err == io.EOF {
			t.X = linalg.NewDense(mat.NewDense(n+1, d, data))
			return t, nil
		} else if err != nil {
			return nil, err
		}
	}
}

// isHeader reports whether fields, the first record of a file, are a
// header, following opt.Header.
func isHeader(fields []string, opt MatrixOptions, byName bool) (bool, error) {
	switch opt.Header {
	case "yes":
		return true, nil
	case "no":
		if byName {
			return false, fmt.Errorf("label column %q is named, but the file has no header", opt.Label)
		}
		return false, nil
	case "", "auto":
		lab, _ := labelColumn(opt.Label, len(fields))
		for j, f := range fields {
			if j != lab && !isNumber(f) && !(opt.Missing && isMissing(f)) {
				return true, nil
			}
		}
		return byName, nil
	}
	return false, fmt.Errorf("unknown header option %q; want auto, yes or no", opt.Header)
}

// isNumber reports whether f is a number, perhaps too large for a float64.
func isNumber(f string) bool {
	_, err := strconv.ParseFloat(f, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// isMissing reports whether a text field is an unknown cell: empty, NA or
// NaN.
func isMissing(f string) bool {
	f = strings.TrimSpace(f)
	return f == "" || f == "NA" || strings.EqualFold(f, "nan")
}

// missingHint is the advice appended to the refusal of an unknown cell.
func missingHint(nan bool) string {
	if nan {
		return " (if it marks an unknown cell: --missing nan, MatrixOptions.Missing in Go)"
	}
	return ""
}

// labelColumn resolves a numeric label column for rows of the given width.
func labelColumn(label string, width int) (int, bool) {
	i, err := strconv.Atoi(label)
	if err != nil {
		return -1, false
	}
	if i < 0 {
		i += width
	}
	return i, i >= 0 && i < width
}

// records yields the fields of successive records with their line
// numbers, and io.EOF at the end.
type records interface {
	read() (fields []string, line int, err error)
}

type csvRecords struct {
	r    *csv.Reader
	name string
}

func (c *csvRecords) read() ([]string, int, error) {
	fields, err := c.r.Read()
	if err == io.EOF {
		return nil, 0, err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, inputErr(c.name, pe.Line, "%v", pe.Err)
		}
		return nil, 0, readErr(c.name, 0, err)
	}
	line, _ := c.r.FieldPos(0)
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return fields, line, nil
}

type txtRecords struct{ l *lineScanner }

func (t txtRecords) read() ([]string, int, error) {
	if t.l.next() {
		return strings.Fields(t.l.text), t.l.line, nil
	}
	if err := t.l.err(); err != nil {
		return nil, 0, err
	}
	return nil, 0, io.EOF
}
