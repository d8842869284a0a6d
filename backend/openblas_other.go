//go:build !(linux && (amd64 || arm64))

package backend

import (
	"errors"
	"runtime"
)

func loadOpenBLAS() (implementation, string, error) {
	return nil, "", errors.New("backend: OpenBLAS is not supported on " + runtime.GOOS + "/" + runtime.GOARCH)
}
