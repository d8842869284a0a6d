package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

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
// 7th neighbour, normalized as D^{-1/2} W D^{-1/2}. Pairwise constraints
// (Labelled, Must, Cannot) edit the similarity as Kamvar, Klein and
// Manning's constrained spectral clustering does: A_ij = max(A) for a
// must-link, 0 for a cannot-link. docs/models/symnmf.md gives the details.
// The factors are H (n x k, the embedding) and, for anls, its penalty
// partner W.
type SymNMF struct {
	Rank   int
	Solver Solver `param:"solver" choices:"anls|mu" help:"ANLS (block principal pivoting) or multiplicative updates"`
	// Alpha is the ANLS penalty weight α; 0 means the reference default
	// max(A)².
	Alpha float64 `param:"alpha" check:">=0" help:"ANLS penalty α (0: max(A)²)"`
	// Input "auto" takes a square matrix as a similarity or adjacency
	// matrix and any other as data; "graph" requires a square symmetric
	// matrix; "data" always builds the kNN similarity graph.
	Input InputKind `param:"input" choices:"auto|graph|data" help:"how to read the input"`
	// Init "random" is the reference start, H = 2·sqrt(mean(A)/k)·U(0,1).
	// A non-nil H0 (n x k, nonnegative) overrides it.
	Init initialize.Method `choices:"random"`
	H0   *mat.Dense
	// Labelled holds the class of each node, or −1 where it is unknown:
	// every pair of labelled nodes is a must-link (same class) or a
	// cannot-link. Must and Cannot add pairs (0-based rows).
	Labelled     []int
	Must, Cannot [][2]int
	Seed         uint64
}

var symnmfSpec = Spec{
	Name:      "symnmf",
	Kind:      Graph,
	Objective: "min ‖A − HHᵀ‖², H ≥ 0, A symmetric (anls: ‖A − WHᵀ‖² + α‖W − H‖²); data → self-tuning kNN similarity",
	Reference: "Kuang, Ding & Park, SDM 2012 (code dakuang/symnmf); Wang, Li, Wang, Zhu & Ding, DMKD 2011",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(SymNMF) },
}

func (*SymNMF) spec() *Spec { return &symnmfSpec }

// signed implements signedInput: data of any sign go through the kNN
// similarity.
func (m *SymNMF) signed(x linalg.Matrix) bool {
	g, err := isGraph(m.Input, x)
	return err == nil && !g
}

// rankLimit implements rankLimiter: the factorized similarity is n x n
// whatever the shape of x.
func (*SymNMF) rankLimit(x linalg.Matrix) int {
	n, _ := x.Dims()
	return n
}

// Fit factorizes the similarity of x.
func (m *SymNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

// symmetricInput returns the symmetric matrix a SymNMF-type model
// factorizes for x: x itself when it is read as a graph (it must then be
// symmetric), otherwise the self-tuning kNN similarity of its rows.
func symmetricInput(kind InputKind, x linalg.Matrix) (linalg.Matrix, error) {
	g, err := isGraph(kind, x)
	if err != nil {
		return nil, err
	}
	if !g {
		return selfTuning(x)
	}
	if !isSymmetric(x) {
		return nil, invalidf("the matrix is not symmetric: read the graph as undirected, symmetrize it, or use asymnmf for a directed graph")
	}
	return x, nil
}

func (m *SymNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	a, err := symmetricInput(m.Input, x)
	if err != nil {
		return nil, err
	}
	n, _ := a.Dims()
	must, cannot, err := linkMatrices(n, m.Labelled, m.Must, m.Cannot)
	if err != nil {
		return nil, err
	}
	if must != nil || cannot != nil {
		a = constrained(a, must, cannot)
	}
	k := m.Rank
	var h *mat.Dense
	if m.H0 != nil {
		if err := checkFactor("H0", m.H0, n, k); err != nil {
			return nil, err
		}
		h = mat.DenseCopyOf(m.H0)
	} else {
		h = initialize.Uniform(n, k, 2*math.Sqrt(linalg.Mean(a)/float64(k)), r.rng)
	}
	st := a.Stats()
	run := &symRun{a: a, h: h, sqNorm: st.SquaredNorm, anls: m.Solver != SolverMU}
	if run.anls {
		run.alpha = m.Alpha
		if run.alpha == 0 {
			run.alpha = st.Max * st.Max
		}
		run.w = mat.DenseCopyOf(h)
	}
	run.start()
	factors := []Factor{{Name: H, Doc: "n x k cluster memberships, A ≈ H·Hᵀ", M: run.h}}
	if run.anls {
		factors = append(factors, Factor{Name: W, Doc: "n x k ANLS partner of H (W ≈ H), A ≈ W·Hᵀ", M: run.w})
	}
	return r.final(run, func() *Result {
		return &Result{Rank: k, Embedding: run.h, Factors: factors, Approx: &Approx{L: run.h, R: run.h}}
	})
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
	nnls             linalg.NNLSScratch
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
	linalg.GramTo(r.gh, r.h)
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
	linalg.Scale(r.den, 2)
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
	r.nnls.Solve(r.w, r.gram, r.num)
	linalg.GramTo(r.gw, r.w)
	r.a.Mul(r.aw, r.w)
	r.penalized(r.gram, r.gw, r.num, r.aw, r.w)
	r.nnls.Solve(r.h, r.gram, r.num)
	r.refreshH()
	// ∇_H = H·WᵀW − AW + α(H − W), ∇_W = W·HᵀH − AH − α(H − W).
	diff := r.den
	diff.Sub(r.h, r.w)
	linalg.Scale(diff, r.alpha)
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
	// gw and den are free between steps: the step recomputes both first.
	linalg.GramTo(r.gw, r.w)
	fit := r.sqNorm - 2*linalg.Dot(r.ah, r.w) + linalg.Dot(r.gw, r.gh)
	diff := r.den
	diff.Sub(r.w, r.h)
	return max(fit, 0) + r.alpha*linalg.Dot(diff, diff)
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

// extraBytes implements footprinter: the dense copy of data the kNN
// similarity needs (the input is read as data when not square).
func (m *SymNMF) extraBytes(n, d int) uint64 {
	if m.Input == InputGraph || m.Input == InputAuto && n == d {
		return 0
	}
	return knnBytes(n, d)
}
