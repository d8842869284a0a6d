// Package backend chooses the BLAS implementation behind gonum's mat
// package, and so behind every dense matrix product in deepnmf.
//
// The choice is the project's single piece of global mutable state. It is
// global because mat calls the package-level implementation installed with
// blas64.Use (and the float32 code the one installed with blas32.Use)
// instead of taking one as an argument, and passing one through
// every model would mean forking mat. It is mutable so that a single binary
// runs with or without OpenBLAS, decided when it starts. Everything else in
// deepnmf is configured through arguments; linalg.ForProducts reads
// Optimized to choose a sparse matrix's form.
//
// There are two backends:
//
//   - "gonum": pure Go, no C: gonum's BLAS with deepnmf's blocked,
//     goroutine-parallel Dgemm, Dsyrk and Sgemm (see gemm.go), whose
//     float64 micro-kernel
//     is Go assembly on amd64 CPUs with AVX-512, or AVX2 and FMA, and Go on
//     other architectures (amd64 CPUs without them keep gonum's products).
//     With an assembly kernel, the products NMF makes run several times as
//     fast as gonum's own and about as fast as OpenBLAS
//     (docs/performance.md).
//     The package installs it when it is initialized, so it is also what
//     runs when Use has never been called.
//   - "openblas": the system's OpenBLAS, loaded at run time without cgo, so
//     that deepnmf still builds with CGO_ENABLED=0 and no C toolchain. It
//     computes the matrix–matrix (Dgemm, and Sgemm in float32), symmetric
//     rank-k (Dsyrk) and matrix–vector (Dgemv) products that mat's products
//     are made of, when
//     they are large enough to gain from it; gonum does everything else. On
//     Debian and Ubuntu OpenBLAS comes with the libopenblas0 package. It is
//     available on linux/amd64 and linux/arm64 only.
//
// A third name, "auto", picks openblas when OpenBLAS can be loaded and gonum
// otherwise. Programs call FromEnv or Use once at start-up, before any matrix
// work, because switching is not synchronized with the products running.
//
// OpenBLAS computes each large product on its own pool of threads, one per
// CPU unless OPENBLAS_NUM_THREADS says otherwise, which busy-wait for a
// while after a call before they sleep. deepnmf's own goroutine-parallel
// kernels, such as sparse products and elementwise updates, therefore run in
// phases separate from BLAS calls rather than alongside them, so that the two
// kinds of workers do not compete for the same cores.
package backend

import (
	"fmt"
	"os"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// current describes the implementation installed by the last Use.
var current = "gonum"

func init() {
	install(pureGo{})
}

// implementation is a backend: BLAS in float64 and in float32.
type implementation interface {
	blas.Float64
	blas.Float32
}

// install makes impl the BLAS of blas64 and blas32.
func install(impl implementation) {
	blas64.Use(impl)
	blas32.Use(impl)
}

// Use installs the named backend: "gonum", "openblas" or "auto". It returns
// an error, and changes nothing, if the name is unknown or if it is
// "openblas" and OpenBLAS cannot be loaded.
func Use(name string) error {
	switch name {
	case "gonum":
	case "openblas", "auto":
		impl, desc, err := loadOpenBLAS()
		if err == nil {
			install(impl)
			current = "openblas (" + desc + ")"
			return nil
		}
		if name == "openblas" {
			return err
		}
	default:
		return fmt.Errorf("backend: unknown backend %q, want gonum, openblas or auto", name)
	}
	install(pureGo{})
	current = "gonum"
	return nil
}

// Current describes the backend in use: "gonum", or "openblas" followed by
// the library loaded and its build configuration in parentheses.
func Current() string {
	return current
}

// Optimized reports whether dense products run on OpenBLAS rather than on
// the pure-Go backend. Code that may choose a dense form over a sparse one
// for speed asks this first. It is false for the pure-Go backend even with
// its assembly kernel, which on NMF's shapes is about as fast as OpenBLAS
// (docs/performance.md): linalg.ForProducts' threshold was measured on
// OpenBLAS only.
func Optimized() bool {
	return current != "gonum"
}

// FromEnv calls Use with the value of the environment variable
// DEEPNMF_BACKEND, or with "auto" if it is unset or empty.
func FromEnv() error {
	name := os.Getenv("DEEPNMF_BACKEND")
	if name == "" {
		name = "auto"
	}
	if err := Use(name); err != nil {
		return fmt.Errorf("DEEPNMF_BACKEND=%s: %w", name, err)
	}
	return nil
}
