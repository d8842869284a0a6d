package model

import (
	"context"
	"testing"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/datasets"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// BenchmarkMU times one Frobenius multiplicative-update iteration (b.N
// iterations from a random start, no objective evaluation) on each
// backend: digits (1797x64, k=10), a random dense 2000x5000 matrix (k=50)
// and a random sparse 20000x5000 matrix at 1% density (k=50).
//
//	go test -run '^$' -bench MU ./model
func BenchmarkMU(b *testing.B) {
	t, _, err := datasets.Table("digits")
	if err != nil {
		b.Fatal(err)
	}
	rng := initialize.NewRand(1)
	dense := linalg.NewDense(initialize.RandomDense(2000, 5000, 1, rng))
	problems := []struct {
		name string
		x    linalg.Matrix
		k    int
	}{
		{"digits", t.X, 10},
		{"dense2000x5000", dense, 50},
		{"sparse20000x5000", randomSparse(20000, 5000, 0.01, rng.Uint64()), 50},
	}
	defer backend.FromEnv()
	for _, be := range []string{"gonum", "openblas"} {
		if err := backend.Use(be); err != nil {
			continue
		}
		for _, p := range problems {
			b.Run(be+"/"+p.name, func(b *testing.B) {
				m := NMF{Rank: p.k, Init: initialize.Random, Solver: SolverMU}
				// Warm up: the first iteration builds the cached transpose.
				if _, err := m.Fit(context.Background(), p.x, solve.Settings{MaxIter: 1, Tol: new(0.0)}); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				if _, err := m.Fit(context.Background(), p.x, solve.Settings{MaxIter: b.N, CheckEvery: 1 << 30, Tol: new(0.0)}); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

func randomSparse(n, d int, density float64, seed uint64) *linalg.CSR {
	rng := initialize.NewRand(seed)
	var rows, cols []int
	var vals []float64
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			if rng.Float64() < density {
				rows, cols, vals = append(rows, i), append(cols, j), append(vals, rng.Float64())
			}
		}
	}
	x, err := linalg.NewCSRFromTriplets(n, d, rows, cols, vals, false)
	if err != nil {
		panic(err)
	}
	return x
}
