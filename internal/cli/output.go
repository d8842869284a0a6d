package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/deepnmf/deepnmf/dataio"
)

// The --out directory. fit writes every file it writes into the "files"
// list of its result.json (or summary.json with --seeds), so that a later
// run into the same directory can remove them first: a directory never
// holds the factors of two runs. It never removes a file it did not write.

// checkOut checks, before any input is read or fit run, that dir can take
// the results: it is created if need be and must be a writable directory.
func checkOut(dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usageError{fmt.Errorf("--out %s is a file, not a directory", dir)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError{fmt.Errorf("--out %s: %w", dir, err)}
	}
	f, err := os.CreateTemp(dir, ".deepnmf-write-test*")
	if err != nil {
		return usageError{fmt.Errorf("--out %s is not writable: %w", dir, err)}
	}
	f.Close()
	return os.Remove(f.Name())
}

// tmpFile matches the temporary files of dataio.WriteFileAtomic, left
// behind when a write is killed.
var tmpFile = regexp.MustCompile(`^\..+\.tmp[0-9]+$`)

// cleanOut removes from dir what an earlier run left there: the files its
// result.json or summary.json lists, the per-seed directories they leave
// empty, and the temporary files of killed writes. It returns the number
// of files removed.
func cleanOut(dir string) (int, error) {
	var listed []string
	for _, name := range []string{"result.json", "summary.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		var m struct {
			Files []string `json:"files"`
		}
		if json.Unmarshal(b, &m) == nil {
			listed = append(listed, m.Files...)
		}
	}
	removed := 0
	subdirs := map[string]bool{}
	for _, f := range listed {
		// Only names inside dir, as fit writes them.
		if f == "" || filepath.IsAbs(f) || strings.Contains(filepath.ToSlash(f), "..") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, f)); err == nil {
			removed++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		if d := filepath.Dir(f); d != "." {
			subdirs[d] = true
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && tmpFile.MatchString(d.Name()) {
			if err := os.Remove(path); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, err
	}
	for d := range subdirs {
		os.Remove(filepath.Join(dir, d)) // only if empty
	}
	return removed, nil
}

// writeFit writes a fit's results into dir (below root, which holds the
// manifest) and returns the names of the files written, relative to root:
// the model's factors, embedding.npy, ids.txt (the id of each row of the
// embedding and of every per-sample factor, in row order), assignments.txt
// and result.json.
func writeFit(root, sub string, rep *report, ids []string, pred []int) ([]string, error) {
	dir := filepath.Join(root, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	rel := func(name string) string { return filepath.ToSlash(filepath.Join(sub, name)) }
	rep.Factors = map[string]string{}
	for _, f := range rep.Result.Factors {
		name := string(f.Name) + ".npy"
		if err := dataio.WriteNPY(filepath.Join(dir, name), f.M); err != nil {
			return files, err
		}
		rep.Factors[name] = f.Doc
		files = append(files, rel(name))
	}
	if err := dataio.WriteNPY(filepath.Join(dir, "embedding.npy"), rep.Embedding); err != nil {
		return files, err
	}
	files = append(files, rel("embedding.npy"))
	if err := writeIDs(filepath.Join(dir, "ids.txt"), ids); err != nil {
		return files, err
	}
	files = append(files, rel("ids.txt"))
	if err := dataio.WriteAssignments(filepath.Join(dir, "assignments.txt"), ids, pred); err != nil {
		return files, err
	}
	files = append(files, rel("assignments.txt"), rel("result.json"))
	rep.Files = make([]string, len(files))
	for i, f := range files {
		rep.Files[i] = strings.TrimPrefix(f, filepath.ToSlash(sub)+"/")
	}
	sort.Strings(rep.Files)
	return files, dataio.WriteJSON(filepath.Join(dir, "result.json"), rep)
}

// writeIDs writes one id per line.
func writeIDs(path string, ids []string) error {
	return dataio.WriteFileAtomic(path, func(w io.Writer) error {
		for _, id := range ids {
			if _, err := fmt.Fprintln(w, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// outLine is the line fit prints about what it wrote.
func outLine(dir string, files []string, removed int) string {
	s := fmt.Sprintf("wrote %d files to %s", len(files), dir)
	if len(files) <= 8 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = filepath.Base(f)
		}
		s += ": " + strings.Join(names, ", ")
	}
	if removed > 0 {
		s += fmt.Sprintf(" (removed %d files of an earlier run there)", removed)
	}
	return s
}
