package dataio

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/internal/memory"
)

// limitTo returns a memCheck that allows limit bytes, so that tests do not
// depend on the memory of the machine.
func limitTo(limit uint64) memCheck {
	return func(bytes uint64, what string) error {
		if bytes > limit {
			return fmt.Errorf("%s needs %d bytes, more than %d: %w", what, bytes, limit, memory.ErrTooLarge)
		}
		return nil
	}
}

// allocated returns the bytes that fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// npyBytes returns a version 1.0 .npy file of float64 values in C order.
func npyBytes(descr, shape string, data any) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	dict += strings.Repeat(" ", 63-(10+len(dict))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	if data != nil {
		binary.Write(&b, binary.LittleEndian, data)
	}
	return b.Bytes()
}

// zipBytes returns a zip archive of the members, given as name, content
// pairs, stored uncompressed as numpy.savez stores them.
func zipBytes(members ...any) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for k := 0; k < len(members); k += 2 {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: members[k].(string), Method: zip.Store})
		w.Write(members[k+1].([]byte))
	}
	zw.Close()
	return b.Bytes()
}

// TestDeclaredShapeTooLarge reads tiny files whose headers declare shapes
// too large for a limit of 1 GB: each must be refused with an InputError
// naming the file and the shape, before allocating for it.
func TestDeclaredShapeTooLarge(t *testing.T) {
	const limit = 1 << 30
	csc := zipBytes(
		"format.npy", npyBytes("|S3", "()", []byte("csc")),
		"shape.npy", npyBytes("<i8", "(2,)", []int64{100_000_000, 1}),
		"indptr.npy", npyBytes("<i8", "(2,)", []int64{0, 0}),
		"indices.npy", npyBytes("<i4", "(0,)", nil),
		"data.npy", npyBytes("<f8", "(0,)", nil),
	)
	bigNPY := npyBytes("<f8", "(1, 20)", make([]float64, 20))
	for _, tc := range []struct {
		name string
		read func() error
		want string
	}{
		{"mtx coordinate", func() error {
			_, err := readMTX(strings.NewReader("%%MatrixMarket matrix coordinate real general\n100000000 100000000 1\n1 1 1\n"), "m.mtx", limitTo(limit), false)
			return err
		}, "m.mtx:2: size line declares 100000000 x 100000000 with 1 entries: storing it needs 2400000064 bytes"},
		{"mtx array", func() error {
			_, err := readMTX(strings.NewReader("%%MatrixMarket matrix array real general\n100000 100000\n1\n"), "m.mtx", limitTo(limit), false)
			return err
		}, "m.mtx:2: size line declares 100000 x 100000: storing it needs 160000000000 bytes"},
		{"npz csc", func() error {
			_, err := readNPZ(bytes.NewReader(csc), int64(len(csc)), "x.npz", limitTo(limit), false)
			return err
		}, "x.npz: shape (100000000, 1) with 0 entries: building the matrix needs 2400000024 bytes"},
		// A dense array must be in the file, so the limit is made small.
		{"npy", func() error {
			_, err := readNPY(bufio.NewReader(bytes.NewReader(bigNPY)), int64(len(bigNPY)), "x.npy", limitTo(100), false)
			return err
		}, "x.npy: header declares shape [1 20]: storing it needs 160 bytes"},
		{"npz member", func() error {
			z := zipBytes("arr_0.npy", bigNPY)
			_, err := readNPZ(bytes.NewReader(z), int64(len(z)), "x.npz", limitTo(100), false)
			return err
		}, "x.npz/arr_0.npy: header declares shape [1 20]: storing it needs 160 bytes"},
	} {
		var err error
		if n := allocated(func() { err = tc.read() }); n > 16<<20 {
			t.Errorf("%s: allocated %d bytes", tc.name, n)
		}
		var ie *InputError
		if !errors.As(err, &ie) || !errors.Is(err, memory.ErrTooLarge) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want an InputError wrapping memory.ErrTooLarge containing %q", tc.name, err, tc.want)
		}
	}
}

// TestLargeSparseWithinLimit checks the policy on a hypersparse matrix
// that a normal machine holds: 1000000 x 1000000 with 10000000 entries
// is allowed under 1 GB.
func TestLargeSparseWithinLimit(t *testing.T) {
	if n := mtxBytes("coordinate", "general", 1_000_000, 1_000_000, 10_000_000); n > 1<<30 {
		t.Errorf("1e6 x 1e6 with 1e7 entries: estimate %d bytes, over 1 GB", n)
	}
	m, err := readMTX(strings.NewReader("%%MatrixMarket matrix coordinate real general\n1000000 1000000 2\n1 1 1\n1000000 1000000 2\n"), "m.mtx", limitTo(1<<30), false)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 1_000_000 || c != 1_000_000 || m.At(999_999, 999_999) != 2 {
		t.Errorf("got %dx%d with (999999, 999999) = %v", r, c, m.At(999_999, 999_999))
	}
}

func TestSatMul(t *testing.T) {
	if satMul(3, 8) != 24 || satMul(1<<62, 8) != 1<<64-1 || satMul(0, 1<<63) != 0 {
		t.Error("satMul")
	}
}
