package dataio

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/internal/memory"
	"github.com/deepnmf/deepnmf/linalg"
)

// ReadStack reads a stack of matrices of one shape, such as one
// connectivity matrix per subject: a .npy array of 3 dimensions (n x r x c,
// the first index the matrix; a 2-D array is a stack of one), a directory
// holding one matrix file per member (.npy, .csv, .tsv or .txt, text
// possibly gzip-compressed), read in the order of their names (hidden
// files, subdirectories and files of other extensions are skipped), or
// any other matrix file ReadMatrix reads, a stack of one. It returns the
// matrices and a name for each: in a directory its file name without the
// extension, otherwise its index.
func ReadStack(path string) (mats []*mat.Dense, names []string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return readStackDir(path)
	}
	if strings.ToLower(filepath.Ext(path)) == ".npy" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		mats, err = readNPYStack(bufio.NewReader(f), st.Size(), path, memory.Check)
		if err != nil {
			return nil, nil, err
		}
	} else {
		t, err := ReadMatrix(path, MatrixOptions{})
		if err != nil {
			return nil, nil, err
		}
		mats = []*mat.Dense{linalg.DenseOf(t.X)}
	}
	names = make([]string, len(mats))
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return mats, names, nil
}

// stackExts are the extensions of the files of a stack directory.
var stackExts = []string{".npy", ".csv", ".tsv", ".txt"}

// readStackDir reads one matrix per file of the directory dir.
func readStackDir(dir string) ([]*mat.Dense, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var mats []*mat.Dense
	var names []string
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".gz")
		ext := strings.ToLower(filepath.Ext(base))
		if e.IsDir() || strings.HasPrefix(name, ".") || !slices.Contains(stackExts, ext) || (ext == ".npy" && base != name) {
			continue
		}
		path := filepath.Join(dir, name)
		t, err := ReadMatrix(path, MatrixOptions{})
		if err != nil {
			return nil, nil, err
		}
		m := linalg.DenseOf(t.X)
		if len(mats) > 0 {
			r0, c0 := mats[0].Dims()
			if r, c := m.Dims(); r != r0 || c != c0 {
				return nil, nil, inputErr(path, 0, "matrix is %dx%d, %s's %dx%d", r, c, names[0], r0, c0)
			}
		}
		mats = append(mats, m)
		names = append(names, strings.TrimSuffix(base, filepath.Ext(base)))
	}
	if len(mats) == 0 {
		return nil, nil, inputErr(dir, 0, "no matrix files (%s) in the directory", strings.Join(stackExts, ", "))
	}
	return mats, names, nil
}

// readNPYStack reads a .npy array of 3 dimensions (or 2, a stack of one)
// of size bytes from r, refusing by check a shape larger than the process
// may hold.
func readNPYStack(r io.Reader, size int64, name string, check memCheck) ([]*mat.Dense, error) {
	h, err := readNPYHeader(r, name)
	if err != nil {
		return nil, err
	}
	if h.decode == nil {
		return nil, inputErr(name, 0, "unsupported dtype %q", h.descr)
	}
	shape := h.shape
	if len(shape) == 2 {
		shape = []int{1, shape[0], shape[1]}
	}
	if len(shape) != 3 {
		return nil, inputErr(name, 0, "array has %d dimensions, want 3 (matrices x rows x columns) or 2 (one matrix)", len(h.shape))
	}
	n, rows, cols := shape[0], shape[1], shape[2]
	if n == 0 || rows == 0 || cols == 0 {
		return nil, inputErr(name, 0, "array of shape %v is empty", h.shape)
	}
	total, err := h.elems(size-h.length, name)
	if err != nil {
		return nil, err
	}
	// As readNPY: 8 bytes a value, twice that for the reordered copy of a
	// Fortran-order array.
	perValue := uint64(8)
	if h.fortran {
		perValue = 16
	}
	if err := check(satMul(uint64(total), perValue), "storing it"); err != nil {
		return nil, memErr(name, 0, err, "header declares shape %v", h.shape)
	}
	vals, err := h.values(r, total, name)
	if err != nil {
		return nil, err
	}
	// index returns the matrix, row and column of the k-th stored value.
	index := func(k int) (s, i, j int) {
		if h.fortran {
			return k % n, (k / n) % rows, k / (n * rows)
		}
		return k / (rows * cols), (k / cols) % rows, k % cols
	}
	if k := slices.IndexFunc(vals, refused(false)); k >= 0 {
		s, i, j := index(k)
		return nil, inputErr(name, 0, "entry (%d, %d, %d) is %v", s, i, j, vals[k])
	}
	mats := make([]*mat.Dense, n)
	if !h.fortran {
		for s := range mats {
			mats[s] = mat.NewDense(rows, cols, vals[s*rows*cols:(s+1)*rows*cols:(s+1)*rows*cols])
		}
		return mats, nil
	}
	for s := range mats {
		mats[s] = mat.NewDense(rows, cols, nil)
	}
	for k, v := range vals {
		s, i, j := index(k)
		mats[s].Set(i, j, v)
	}
	return mats, nil
}
