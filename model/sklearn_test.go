package model

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/sbinet/npyio"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// The fixtures in testdata/sklearn are made by testdata/sklearn/gen.py
// with Debian's scikit-learn; see the README there.
const fixtureDir = "../testdata/sklearn"

type skManifest struct {
	Data map[string]struct {
		File string
		CSR  *struct{ Data, Indices, Indptr string }
	}
	IterateCases []struct {
		Name, Solver, Data string
		BetaLoss           float64 `json:"beta_loss"`
		K                  int     `json:"n_components"`
		AlphaW             float64 `json:"alpha_W"`
		L1Ratio            float64 `json:"l1_ratio"`
		W0, H0             string
		Iters              []struct {
			MaxIter int `json:"max_iter"`
			W, H    string
			BetaDiv float64 `json:"beta_divergence"`
		}
	} `json:"iterate_cases"`
	TransformCases []struct {
		Name, Data string
		Params     struct {
			Solver  string
			K       int     `json:"n_components"`
			AlphaW  float64 `json:"alpha_W"`
			L1Ratio float64 `json:"l1_ratio"`
		}
		BetaLoss   float64 `json:"beta_loss"`
		Components string
		FixedIters []struct {
			MaxIter int `json:"max_iter"`
			W       string
		} `json:"fixed_iters"`
	} `json:"transform_cases"`
	DigitsInits struct {
		Inits map[string]struct{ W, H string }
	} `json:"digits_inits"`
	ConvergedDigits []struct {
		Solver    string
		BetaLoss  float64 `json:"beta_loss"`
		Init      string
		InitFiles *struct{ W, H string } `json:"init_files"`
		K         int                    `json:"n_components"`
		MaxIter   int                    `json:"max_iter"`
		Tol       float64
		BetaDiv   float64 `json:"beta_divergence"`
		NIter     int     `json:"n_iter"`
	} `json:"converged_digits"`
}

func loadManifest(t *testing.T) *skManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m skManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func loadNPY(t *testing.T, name string, ptr any) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := npyio.Read(f, ptr); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func loadDense(t *testing.T, name string) *mat.Dense {
	var m mat.Dense
	loadNPY(t, name, &m)
	return &m
}

func loadData(t *testing.T, m *skManifest, key string) linalg.Matrix {
	d := m.Data[key]
	if d.CSR == nil {
		return linalg.NewDense(loadDense(t, d.File))
	}
	var data []float64
	var indices, indptr []int64
	loadNPY(t, d.CSR.Data, &data)
	loadNPY(t, d.CSR.Indices, &indices)
	loadNPY(t, d.CSR.Indptr, &indptr)
	x, err := linalg.NewCSR(len(indptr)-1, loadDense(t, d.File).RawMatrix().Cols, ints(indptr), ints(indices), data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func ints(a []int64) []int {
	b := make([]int, len(a))
	for i, v := range a {
		b[i] = int(v)
	}
	return b
}

// maxRel is max |a−b| / max|b|.
func maxRel(a, b *mat.Dense) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return math.Max(mat.Max(&d), -mat.Min(&d)) / math.Max(mat.Max(b), 1e-300)
}

func lossName(beta float64) (string, float64) {
	switch beta {
	case 2:
		return "frobenius", 0
	case 1:
		return "kl", 0
	case 0:
		return "is", 0
	}
	return "beta", beta
}

// TestSklearnIterates checks that from the same W0, H0 our iterates match
// scikit-learn's to 1e-8 relative, for every loss, solver and penalty.
func TestSklearnIterates(t *testing.T) {
	m := loadManifest(t)
	for _, c := range m.IterateCases {
		x := loadData(t, m, c.Data)
		loss, beta := lossName(c.BetaLoss)
		for _, it := range c.Iters {
			nmf := NMF{Rank: c.K, Loss: Loss(loss), Beta: new(beta), Solver: Solver(c.Solver), W0: loadDense(t, c.W0), H0: loadDense(t, c.H0),
				AlphaW: c.AlphaW, AlphaH: new(c.AlphaW), L1Ratio: c.L1Ratio}
			res, err := nmf.Fit(context.Background(), x, solve.Settings{MaxIter: it.MaxIter, Tol: new(0.0)})
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if res.Iterations != it.MaxIter {
				t.Errorf("%s: %d iterations, want %d", c.Name, res.Iterations, it.MaxIter)
			}
			for _, f := range []struct {
				name string
				got  *mat.Dense
			}{{it.W, res.Factor("W")}, {it.H, res.Factor("H")}} {
				if d := maxRel(f.got, loadDense(t, f.name)); d > 1e-8 {
					t.Errorf("%s after %d iterations: %s differs by %.3g relative", c.Name, it.MaxIter, f.name, d)
				}
			}
			got := BetaDivergence(x, res.Factor("W"), res.Factor("H"), c.BetaLoss)
			if d := math.Abs(got-it.BetaDiv) / math.Abs(it.BetaDiv); d > 1e-8 {
				t.Errorf("%s after %d iterations: divergence %.12g, scikit-learn %.12g", c.Name, it.MaxIter, got, it.BetaDiv)
			}
		}
	}
}

// TestSklearnTransform checks transform with H fixed against
// scikit-learn. The KL case with an L1 penalty is skipped: scikit-learn
// 1.2 adds the L1 term to a cached denominator in place, so it grows with
// every iteration of transform (a bug we do not copy).
func TestSklearnTransform(t *testing.T) {
	m := loadManifest(t)
	for _, c := range m.TransformCases {
		if c.BetaLoss == 1 && c.Params.AlphaW > 0 && c.Params.L1Ratio > 0 {
			continue
		}
		x := loadData(t, m, c.Data)
		loss, beta := lossName(c.BetaLoss)
		nmf := NMF{Rank: c.Params.K, Loss: Loss(loss), Beta: new(beta), Solver: Solver(c.Params.Solver),
			AlphaW: c.Params.AlphaW, AlphaH: new(c.Params.AlphaW), L1Ratio: c.Params.L1Ratio}
		for _, it := range c.FixedIters {
			w, _, err := nmf.Transform(context.Background(), x, loadDense(t, c.Components), solve.Settings{MaxIter: it.MaxIter, Tol: new(0.0)})
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if d := maxRel(w, loadDense(t, it.W)); d > 1e-8 {
				t.Errorf("%s after %d iterations: W differs by %.3g relative", c.Name, it.MaxIter, d)
			}
		}
	}
}

// TestSklearnConverged checks that after convergence on digits the
// objective is within 1% of scikit-learn's for each loss and solver.
func TestSklearnConverged(t *testing.T) {
	if testing.Short() {
		t.Skip("converges on digits")
	}
	m := loadManifest(t)
	x := loadData(t, m, "digits")
	for _, c := range m.ConvergedDigits {
		loss, beta := lossName(c.BetaLoss)
		nmf := NMF{Rank: c.K, Loss: Loss(loss), Beta: new(beta), Solver: Solver(c.Solver)}
		if c.InitFiles != nil {
			nmf.W0, nmf.H0 = loadDense(t, c.InitFiles.W), loadDense(t, c.InitFiles.H)
		} else {
			nmf.Init = initialize.Method(c.Init)
		}
		res, err := nmf.Fit(context.Background(), x, solve.Settings{MaxIter: c.MaxIter, Tol: new(c.Tol)})
		if err != nil {
			t.Fatal(err)
		}
		got := BetaDivergence(x, res.Factor("W"), res.Factor("H"), c.BetaLoss)
		rel := (got - c.BetaDiv) / c.BetaDiv
		t.Logf("%s β=%g init=%s custom=%v: ours %.6g in %d its, scikit-learn %.6g in %d its (%+.3f%%)",
			c.Solver, c.BetaLoss, c.Init, c.InitFiles != nil, got, res.Iterations, c.BetaDiv, c.NIter, 100*rel)
		if rel > 0.01 {
			t.Errorf("%s β=%g init=%s: objective %.6g is %.2f%% above scikit-learn's %.6g",
				c.Solver, c.BetaLoss, c.Init, got, 100*rel, c.BetaDiv)
		}
	}
}

// TestSklearnInit checks nndsvd against the exact-SVD version of
// scikit-learn's formula, and loosely against scikit-learn's own
// (randomized SVD) factors.
func TestSklearnInit(t *testing.T) {
	m := loadManifest(t)
	x := loadData(t, m, "digits")
	for _, name := range []string{"nndsvd", "nndsvda"} {
		w, h, err := initFactors(x, 10, name)
		if err != nil {
			t.Fatal(err)
		}
		exact := m.DigitsInits.Inits[name+"_exact"]
		if d := maxRel(w, loadDense(t, exact.W)); d > 1e-8 {
			t.Errorf("%s: W differs from the exact-SVD fixture by %.3g", name, d)
		}
		if d := maxRel(h, loadDense(t, exact.H)); d > 1e-8 {
			t.Errorf("%s: H differs from the exact-SVD fixture by %.3g", name, d)
		}
		var wh, skwh mat.Dense
		sk := m.DigitsInits.Inits[name]
		wh.Mul(w, h)
		skwh.Mul(loadDense(t, sk.W), loadDense(t, sk.H))
		if d := relDiff(&wh, &skwh); d > 0.02 {
			t.Errorf("%s: W·H differs from scikit-learn's by %.3g", name, d)
		}
	}
}
