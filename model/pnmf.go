package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// PNMF is projective nonnegative matrix factorization (Yuan and Oja, SCIA
// 2005; Yang and Oja, "Linear and nonlinear projective nonnegative matrix
// factorization", IEEE TNN 21(5), 2010). The paper approximates the d x n
// data matrix by its projection W·Wᵀ·X onto the span of a nonnegative
// d x k matrix W; in our n x d orientation that is
//
//	min ½‖X − X·W·Wᵀ‖²_F  subject to W ≥ 0 (d x k),
//
// a projection acting on the features, and the embedding is the n x k
// matrix of projections P = X·W. With A = XᵀX (never formed: AW = Xᵀ(XW)),
// the multiplicative update is
//
//	W ← W ⊙ ( 2AW / (W·WᵀAW + AW·WᵀW) )^γ,
//
// with γ = 1/3 for Rule "monotone" (the default), which makes every step
// non-increasing (Yang and Oja 2010), and γ = 1 for Rule "oja" (Yuan and
// Oja 2005), after rescaling W by the optimal factor every iteration as
// Gillis' nmfbook code does. docs/models/pnmf.md gives the derivation and
// the choices made. The factor is W (d x k).
type PNMF struct {
	Rank int
	Rule Rule `param:"rule" choices:"monotone|oja" help:"update: Yang-Oja's monotone 1/3 power, or Oja's with rescaling"`
	// Init is an initialize.Factors method; its H (k x d), transposed, is
	// the starting W.
	Init initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	Seed uint64
}

var pnmfSpec = Spec{
	Name:      "pnmf",
	Kind:      Data,
	Objective: "min ½‖X − X·W·Wᵀ‖²_F, W ≥ 0 (d x k); embedding X·W",
	Reference: "Yuan & Oja, SCIA 2005; Yang & Oja, Linear and nonlinear projective NMF, IEEE TNN 2010",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(PNMF) },
}

func (*PNMF) spec() *Spec { return &pnmfSpec }

// Fit factorizes x (n x d).
func (m *PNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *PNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	run := &pnmfRun{x: x, gamma: 1.0 / 3}
	if m.Rule == RuleOja {
		run.gamma, run.rescale = 1, true
	}
	_, h, err := initialize.Factors(x, m.Rank, m.Init, r.rng)
	if err != nil {
		return nil, invalid(err)
	}
	run.w = linalg.Transpose(h)
	// Start at the best multiple of W: the first objective is then at most
	// ½‖X‖², which the relative-decrease stopping rule divides by.
	run.scale()
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Embedding: run.project(),
			Approx:    &Approx{L: run.project(), R: run.w},
			Assign:    AssignKMeans, // the paper's read-out
			Factors: []Factor{
				{Name: W, Doc: "d x k nonnegative projection basis, X ≈ X·W·Wᵀ", M: run.w},
			},
		}
	})
}

// pnmfRun is one PNMF fit: it implements solve.Model.
type pnmfRun struct {
	x       linalg.Matrix
	w       *mat.Dense // d x k
	gamma   float64
	rescale bool

	p                 *mat.Dense     // n x k, X·W
	wt                *mat.Dense     // k x d, Wᵀ
	aw, num, den, tmp *mat.Dense     // d x k
	ptp, wtw          mat.Dense      // k x k
	scaleScratch      linalg.Scratch // OptimalScale's
}

// scratch allocates, once, the scratch matrices of the steps.
func (r *pnmfRun) scratch() {
	if r.p != nil {
		return
	}
	n, _ := r.x.Dims()
	d, k := r.w.Dims()
	r.p, r.wt = mat.NewDense(n, k, nil), mat.NewDense(k, d, nil)
	r.aw, r.num, r.den, r.tmp = mat.NewDense(d, k, nil), mat.NewDense(d, k, nil), mat.NewDense(d, k, nil), mat.NewDense(d, k, nil)
}

// project returns P = X·W (n x k).
func (r *pnmfRun) project() *mat.Dense {
	n, _ := r.x.Dims()
	_, k := r.w.Dims()
	p := mat.NewDense(n, k, nil)
	r.x.Mul(p, r.w)
	return p
}

// scale multiplies W by the c that minimizes ‖X − c²·XWWᵀ‖: c² is the
// optimal scale of the product (XW)·Wᵀ.
func (r *pnmfRun) scale() {
	r.scratch()
	linalg.TransposeTo(r.wt, r.w)
	r.x.Mul(r.p, r.w)
	linalg.Scale(r.w, math.Sqrt(linalg.OptimalScale(r.x, r.p, r.wt, &r.scaleScratch)))
}

// Step implements solve.Model.
func (r *pnmfRun) Step() error {
	if r.rescale {
		r.scale()
	}
	r.scratch()
	p, aw, num, den := r.p, r.aw, r.num, r.den
	r.x.Mul(p, r.w)
	r.x.TMul(aw, p) // XᵀX·W
	num.Scale(2, aw)
	linalg.GramTo(&r.ptp, p)
	den.Mul(r.w, &r.ptp) // W·(WᵀAW), WᵀAW = PᵀP
	linalg.GramTo(&r.wtw, r.w)
	r.tmp.Mul(aw, &r.wtw)
	den.Add(den, r.tmp)
	linalg.MulUpdate(r.w, num, den, r.gamma, linalg.Eps)
	return nil
}

// Objective implements solve.Model: ½‖X − XWWᵀ‖²_F =
// ½(‖X‖² − 2‖XW‖² + ⟨WᵀW, (XW)ᵀXW⟩), without forming XWWᵀ.
func (r *pnmfRun) Objective() float64 {
	p := r.project()
	v := r.x.Stats().SquaredNorm - 2*linalg.Dot(p, p) + linalg.Dot(linalg.Gram(r.w), linalg.Gram(p))
	return max(v, 0) / 2
}
