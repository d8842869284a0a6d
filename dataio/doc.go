// Package dataio reads the inputs of deepnmf and writes its results.
//
// # Orientation
//
// Data files hold one sample per row and one feature per column, an n x d
// matrix, as in scikit-learn and in CSV files. Graphs are read as n x n
// adjacency matrices.
//
// # Matrix formats
//
// ReadMatrix picks the format from the file name unless told:
//
//   - .csv, .tsv, .txt: delimited text (comma, tab, runs of white space).
//     The first line may be a header of column names, and one column may
//     hold class labels, which is then removed from the matrix. Lines
//     starting with # are comments (and, in .txt files, lines starting
//     with %). The result is dense.
//   - .npy: a NumPy array of 2 dimensions, in C or Fortran order, of
//     float32, float64, bool or any integer type. The result is dense.
//   - .npz: a SciPy sparse matrix saved by scipy.sparse.save_npz, in CSR or
//     CSC format, which gives a *linalg.CSR; or an archive of a single
//     array, which gives a dense matrix.
//   - .mtx: a MatrixMarket file; coordinate (real, integer or pattern) gives
//     a *linalg.CSR and array gives a dense matrix. Symmetric and
//     skew-symmetric matrices are expanded to both triangles.
//
// ReadStack reads a stack of matrices of one shape (one connectivity
// matrix per subject): a 3-D .npy array (n x r x c), or a directory of
// matrix files, one per member, in the order of their names.
//
// Text inputs, edge lists and label files included, may be gzip-compressed;
// compression is detected from the content, so data.csv.gz reads as CSV.
// Every value must be finite.
//
// # Graphs and labels
//
// An edge list has one edge "u v" or "u v weight" per line, with arbitrary
// node names; blank lines and lines starting with # or % are skipped. A
// label file has one label per line (ReadLabels), or "node label" per line
// (ReadNodeLabels). Labels are mapped to class indices 0..k-1 in sorted
// order, numeric when every label is an integer.
//
// # Errors and writing
//
// Problems with the contents of a file are reported as *InputError, whose
// message names the file and, where it applies, the line. Readers store
// values as they arrive rather than as a header counts them, and refuse a
// declared shape whose storage (row pointers included) exceeds the memory
// the process may use, as internal/memory tells, before allocating it, with
// an InputError that wraps memory.ErrTooLarge. Every writer
// replaces its file atomically: it writes a temporary file in the same
// directory and renames it over the target only once the data are on disk,
// so an interrupted run never leaves a half-written file behind.
package dataio
