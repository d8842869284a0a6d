package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// SymNMF is symmetric nonnegative matrix factorization of a symmetric
// similarity matrix A (n x n), a graph's adjacency matrix or a similarity
// built from data,
//
//	min_{H ≥ 0} ‖A − HHᵀ‖²_F,  H n x k,
//
// whose row i gives the cluster memberships of node i (Kuang, Ding and
// Park, SDM 2012; Wang, Li, Wang, Zhu and Ding, DMKD 2011). Two solvers:
//
//   - anls (the default), the ANLS algorithm of the reference code
//     dakuang/symnmf (symnmf_anls.m), which solves the penalty form
//     min_{W, H ≥ 0} ‖A − WHᵀ‖² + α‖W − H‖² by alternating nonnegative
//     least squares (block principal pivoting, linalg.NNLS);
//   - mu, the multiplicative update H ← H ⊙ (½ + AH / (2 HHᵀH)) (Ding, He
//     and Simon 2005 with β = ½; the "SNMF" of Wang et al. 2011).
//
// Given a data matrix (n x d, one sample per row), it first builds the
// similarity graph of the reference symnmf_cluster.m: the kNN graph with
// self-tuning Gaussian weights, k = ⌊log₂ n⌋ + 1, σ_i the distance to the
// 7th neighbour, normalized as D^{-1/2} W D^{-1/2}. docs/models/symnmf.md
// gives the details.
type SymNMF struct {
	Rank int
	// Solver is "anls" (the default, also "") or "mu".
	Solver string
	// Alpha is the ANLS penalty weight α; 0 means the reference default
	// max(A)². It must not be negative.
	Alpha float64
	// Input says how to read the matrix given to Fit: "auto" (the
	// default, also "") takes a square matrix as a similarity or
	// adjacency matrix and any other as data; "graph" requires a square
	// symmetric matrix; "data" always builds the kNN similarity graph.
	Input string
	// Init is "random" (the default, also ""): H = 2·sqrt(mean(A)/k)·U(0,1),
	// the reference start. A non-nil H0 (n x k, nonnegative) overrides it.
	Init string
	H0   *mat.Dense
	Seed uint64
}

var symnmfSpec = Spec{
	Name:      "symnmf",
	Kind:      Graph,
	Objective: "min ‖A − HHᵀ‖², H ≥ 0, A symmetric (anls: ‖A − WHᵀ‖² + α‖W − H‖²); data → self-tuning kNN similarity",
	Reference: "Kuang, Ding & Park, SDM 2012 (code dakuang/symnmf); Wang, Li, Wang, Zhu & Ding, DMKD 2011",
	Params:    "solver=anls|mu alpha=0 (0: max(A)²) input=auto|graph|data",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		m := &SymNMF{
			Rank:   c.Rank,
			Solver: p.String("solver", "anls", "anls", "mu"),
			Input:  p.String("input", "auto", "auto", "graph", "data"),
			Alpha:  p.Float("alpha", 0),
			Init:   c.Init,
			Seed:   c.Seed,
		}
		return m, nil
	},
}

// Similarity returns the matrix SymNMF factorizes for the input x: x itself
// when it is read as a graph, otherwise the normalized self-tuning kNN
// similarity of its rows. A data matrix given sparse is made dense here:
// the kNN graph needs every distance.
func (m *SymNMF) Similarity(x linalg.Matrix) (linalg.Matrix, error) {
	n, d := x.Dims()
	data := m.Input == "data"
	switch m.Input {
	case "", "auto":
		data = n != d
	case "graph":
		if n != d {
			return nil, invalidf("input=graph needs a square similarity matrix, got %dx%d", n, d)
		}
	case "data":
	default:
		return nil, invalidf("unknown input %q (want auto, graph or data)", m.Input)
	}
	if !data {
		if err := checkGraph(x, m.Rank); err != nil {
			return nil, err
		}
		if !isSymmetric(x) {
			return nil, invalidf("symnmf needs a symmetric matrix: read the graph as undirected, symmetrize it, or use asymnmf for a directed graph")
		}
		return x, nil
	}
	if n < 2 || d == 0 {
		return nil, invalidf("empty data (%dx%d)", n, d)
	}
	if !x.Stats().Finite {
		return nil, invalidf("input has NaN or infinite entries")
	}
	if m.Rank < 1 || m.Rank >= n {
		return nil, invalidf("rank %d must be in [1, %d) for %d samples", m.Rank, n, n)
	}
	w, err := graph.KNN(linalg.DenseOf(x), 0, &graph.KNNOptions{Weight: graph.SelfTuning})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	a, err := graph.NormalizedAdjacency(w)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Fit factorizes the similarity of x (see Similarity). The result's
// Embedding is H (n x k); its factors are H and, for anls, the penalty
// partner W.
func (m *SymNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if m.Solver != "" && m.Solver != "anls" && m.Solver != "mu" {
		return nil, invalidf("unknown solver %q (want anls or mu)", m.Solver)
	}
	if m.Alpha < 0 || math.IsNaN(m.Alpha) || math.IsInf(m.Alpha, 0) {
		return nil, invalidf("alpha %g must be finite and ≥ 0 (0 means max(A)²)", m.Alpha)
	}
	if m.Init != "" && m.Init != initialize.Random {
		return nil, invalidf("unknown init %q: symnmf starts from random", m.Init)
	}
	a, err := m.Similarity(x)
	if err != nil {
		return nil, err
	}
	n, _ := a.Dims()
	k := m.Rank
	var h *mat.Dense
	if m.H0 != nil {
		if hr, hc := m.H0.Dims(); hr != n || hc != k {
			return nil, invalidf("H0 is %dx%d, want %dx%d", hr, hc, n, k)
		}
		if st := linalg.NewDense(m.H0).Stats(); !st.Finite || st.Min < 0 {
			return nil, invalidf("H0 must be finite and nonnegative")
		}
		h = mat.DenseCopyOf(m.H0)
	} else {
		rng := initialize.NewRand(m.Seed)
		h = uniformDense(n, k, 2*math.Sqrt(linalg.Mean(a)/float64(k)), rng)
	}
	st := a.Stats()
	run := &symRun{a: a, h: h, sqNorm: st.SquaredNorm, anls: m.Solver != "mu"}
	if run.anls {
		run.alpha = m.Alpha
		if run.alpha == 0 {
			run.alpha = st.Max * st.Max
		}
		run.w = mat.DenseCopyOf(h)
	}
	run.start()
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("symnmf: %w", err)
	}
	res := &Result{
		Result:    *sr,
		Model:     "symnmf",
		Rank:      k,
		Embedding: run.h,
		Factors:   []Factor{{Name: "H", Doc: "n x k cluster memberships, A ≈ H·Hᵀ", M: run.h}},
	}
	if run.anls {
		res.Factors = append(res.Factors, Factor{Name: "W", Doc: "n x k ANLS partner of H (W ≈ H), A ≈ W·Hᵀ", M: run.w})
	}
	return res, nil
}

// symRun is one SymNMF fit: it implements solve.Model and, for anls,
// solve.Monitor. The invariant between steps: ah = A·H and gh = HᵀH for
// the current H.
type symRun struct {
	a      linalg.Matrix
	h, w   *mat.Dense
	anls   bool
	alpha  float64
	sqNorm float64 // ‖A‖²_F

	ah, aw, num, den *mat.Dense // n x k
	gh, gw, gram     *mat.Dense // k x k
	pg               float64    // projected gradient norm (anls)
}

func (r *symRun) start() {
	n, k := r.h.Dims()
	r.ah, r.num, r.den = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	r.gh, r.gram = mat.NewDense(k, k, nil), mat.NewDense(k, k, nil)
	if r.anls {
		r.aw, r.gw = mat.NewDense(n, k, nil), mat.NewDense(k, k, nil)
	}
	r.refreshH()
}

// refreshH restores the invariant after H changes.
func (r *symRun) refreshH() {
	r.a.Mul(r.ah, r.h)
	r.gh.Mul(r.h.T(), r.h)
}

// Step implements solve.Model.
func (r *symRun) Step() error {
	if r.anls {
		r.anlsStep()
		return nil
	}
	// H ← H ⊙ (HHᵀH + AH) / (2 HHᵀH), which is H ⊙ (½ + AH/(2HHᵀH)).
	r.den.Mul(r.h, r.gh)
	r.num.Add(r.ah, r.den)
	r.den.Scale(2, r.den)
	linalg.MulUpdate(r.h, r.num, r.den, 1, linalg.Eps)
	r.refreshH()
	return nil
}

// anlsStep is one iteration of symnmf_anls.m: W then H each solve their
// penalized least-squares problem exactly,
//
//	W = argmin_{W ≥ 0} ‖A − WHᵀ‖² + α‖W − H‖²: W(HᵀH + αI) = AH + αH,
//	H = argmin_{H ≥ 0} ‖A − WHᵀ‖² + α‖W − H‖²: H(WᵀW + αI) = AW + αW,
//
// row by row under nonnegativity, warm-started from the previous factors.
// It then records the projected gradient norm the reference stops on.
func (r *symRun) anlsStep() {
	r.penalized(r.gram, r.gh, r.num, r.ah, r.h)
	linalg.NNLS(r.w, r.gram, r.num)
	r.gw.Mul(r.w.T(), r.w)
	r.a.Mul(r.aw, r.w)
	r.penalized(r.gram, r.gw, r.num, r.aw, r.w)
	linalg.NNLS(r.h, r.gram, r.num)
	r.refreshH()
	// ∇_H = H·WᵀW − AW + α(H − W), ∇_W = W·HᵀH − AH − α(H − W).
	diff := r.den
	diff.Sub(r.h, r.w)
	diff.Scale(r.alpha, diff)
	r.num.Mul(r.h, r.gw)
	r.num.Sub(r.num, r.aw)
	r.num.Add(r.num, diff)
	pgH := linalg.ProjectedGradientNorm(r.h, r.num)
	r.num.Mul(r.w, r.gh)
	r.num.Sub(r.num, r.ah)
	r.num.Sub(r.num, diff)
	pgW := linalg.ProjectedGradientNorm(r.w, r.num)
	r.pg = math.Hypot(pgH, pgW)
}

// penalized sets gram = g + αI and cross = af + α·f.
func (r *symRun) penalized(gram, g, cross, af, f *mat.Dense) {
	gram.Copy(g)
	k, _ := g.Dims()
	for t := 0; t < k; t++ {
		gram.Set(t, t, gram.At(t, t)+r.alpha)
	}
	cross.Scale(r.alpha, f)
	cross.Add(cross, af)
}

// Objective implements solve.Model: ‖A − HHᵀ‖² for mu and the penalized
// ‖A − WHᵀ‖² + α‖W − H‖² that ANLS decreases for anls, from k x k Gram
// matrices and A·H, never from an n x n product.
func (r *symRun) Objective() float64 {
	if !r.anls {
		return max(r.sqNorm-2*linalg.Dot(r.ah, r.h)+linalg.Dot(r.gh, r.gh), 0)
	}
	var gw mat.Dense
	gw.Mul(r.w.T(), r.w)
	fit := r.sqNorm - 2*linalg.Dot(r.ah, r.w) + linalg.Dot(&gw, r.gh)
	var diff mat.Dense
	diff.Sub(r.w, r.h)
	return max(fit, 0) + r.alpha*linalg.Dot(&diff, &diff)
}

// Monitor implements solve.Monitor. For anls it watches the projected
// gradient norm relative to its value after the first iteration, the
// reference's test (its tol 1e-3 is --tol 1e-3); for mu the objective's
// relative decrease.
func (r *symRun) Monitor() (float64, solve.Rule) {
	if r.anls {
		return r.pg, solve.RelativeToFirst
	}
	return r.Objective(), solve.RelativeDecrease
}
