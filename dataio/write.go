package dataio

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"
)

// WriteFileAtomic creates or replaces the named file with what write
// writes to a buffered writer. The data go to a temporary file in the same
// directory, which is synced and then renamed over path, so path is never
// left half-written; on error it is left as it was.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<16)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteNPY writes m to the named file as a float64 .npy array in C order.
func WriteNPY(path string, m mat.Matrix) error {
	d, ok := m.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(m)
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return npy.Write(w, d) })
}

// WriteCSV writes m to the named file as comma-separated values, one row
// per line, without a header. Values are written in the shortest form
// that reads back exactly.
func WriteCSV(path string, m mat.Matrix) error {
	r, c := m.Dims()
	return WriteFileAtomic(path, func(w io.Writer) error {
		var b []byte
		for i := range r {
			b = b[:0]
			for j := range c {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, m.At(i, j), 'g', -1, 64)
			}
			if _, err := w.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteAssignments writes "id label" lines to the named file, one per
// element of labels. If ids is nil, the ids are the indices 0, 1, ...
func WriteAssignments(path string, ids []string, labels []int) error {
	if ids != nil && len(ids) != len(labels) {
		return fmt.Errorf("writing %s: %d ids for %d labels", path, len(ids), len(labels))
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		for i, l := range labels {
			id := strconv.Itoa(i)
			if ids != nil {
				id = ids[i]
			}
			if _, err := fmt.Fprintf(w, "%s %d\n", id, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteJSON writes v to the named file as indented JSON.
func WriteJSON(path string, v any) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}
