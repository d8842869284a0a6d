//go:build !(linux && (amd64 || arm64))

package backend

import (
	"errors"
	"runtime"

	"gonum.org/v1/gonum/blas"
)

func loadOpenBLAS() (blas.Float64, string, error) {
	return nil, "", errors.New("backend: OpenBLAS is not supported on " + runtime.GOOS + "/" + runtime.GOARCH)
}
