package linalg_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/deepnmf/deepnmf/backend"
)

// TestMain runs the tests and benchmarks on the backend that
// DEEPNMF_BACKEND names (OpenBLAS when it is installed, by default), so
// that the dense products in BenchmarkFilledCSR are the ones models get.
func TestMain(m *testing.M) {
	if err := backend.FromEnv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
