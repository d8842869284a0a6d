package model

import (
	"fmt"
	"os"
	"testing"

	"github.com/deepnmf/deepnmf/backend"
)

// TestMain runs the tests on the backend that DEEPNMF_BACKEND names
// (OpenBLAS when it is installed, by default): CI runs them on both.
func TestMain(m *testing.M) {
	if err := backend.FromEnv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "model tests: backend", backend.Current())
	os.Exit(m.Run())
}
