package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/beta"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
	"github.com/deepnmf/deepnmf/solve"
)

// EDNMFBeta is encoder-decoder NMF with the β-divergence and graph
// regularization (β-REDNMF: Soleymanbaigi, Seyedi, Akhlaghian Tab and
// Daneshfar, "Encoder-decoder nonnegative matrix factorization with
// β-divergence for data clustering", Pattern Recognition 171, 2026). In the
// paper's orientation (X d x n, W d x k, H k x n) it minimizes
//
//	D_β(X | W·H) + λ·D_β(H | Wᵀ·X) + γ·Tr(H L Hᵀ),  W, H ≥ 0,
//
// with D_β the β-divergence (β = 2: ½‖·‖², β = 1: generalized
// Kullback-Leibler, the "semantic" variant; β = 0: Itakura-Saito) and
// L = D − S the Laplacian of a p-nearest-neighbour graph on the samples.
// Here X is n x d and V = Hᵀ (n x k) is the embedding: D_β(X | V·Wᵀ) +
// λ·D_β(V | X·W) + γ·Tr(VᵀLV). The factors are W (d x k) and H (k x n).
//
// The paper's text was not available. The updates are majorization-
// minimization steps derived here (docs/models/ednmf-beta.md): W's is the
// Févotte-Idier update of both divergence terms, with their exponent
// γ(β); V's majorizes each term by a power of V/Ṽ and combines them with
// the exponent 1/(a − b) of Yang and Oja (2011), which is γ(β) when λ =
// γ = 0 and at most that otherwise. The objective does not increase.
type EDNMFBeta struct {
	Rank int
	// Beta is β (nil: 1); Lambda weights the encoder term (nil: 1), Gamma
	// the graph term (nil: 1).
	Beta   *float64 `param:"beta" default:"1" help:"β of the divergence (2 Frobenius, 1 KL, 0 Itakura-Saito)"`
	Lambda *float64 `param:"lambda" default:"1" check:">=0" help:"weight λ of the encoder term"`
	Gamma  *float64 `param:"gamma" default:"1" check:">=0" help:"weight γ of the graph term"`
	// Weight is the kNN graph weighting (graph.KNN) and Neighbors its p.
	Weight    GraphWeight `param:"graph" choices:"heat|binary|cosine" help:"kNN graph weighting"`
	Neighbors int         `param:"neighbors" default:"5" check:">=1" help:"p of the p-nearest-neighbour graph"`
	// Graph, if not nil, is the n x n similarity S to use instead of the
	// kNN graph; it is symmetrized by max(S, Sᵀ).
	Graph *linalg.CSR
	Init  initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	Seed  uint64
}

var ednmfBetaSpec = Spec{
	Name:      "ednmf-beta",
	Kind:      Data,
	Objective: "min D_β(X | WH) + λ D_β(H | WᵀX) + γ Tr(HLHᵀ), W, H ≥ 0 (β = 1: KL)",
	Reference: "Soleymanbaigi, Seyedi, Akhlaghian Tab & Daneshfar, Pattern Recognition 171 (2026) 112211",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(EDNMFBeta) },
}

func (*EDNMFBeta) spec() *Spec { return &ednmfBetaSpec }

// Fit factorizes x (n x d).
func (m *EDNMFBeta) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *EDNMFBeta) fit(r *run, x linalg.Matrix) (*Result, error) {
	b, gamma := *m.Beta, *m.Gamma
	if b <= 0 && x.Stats().Min <= 0 {
		return nil, invalidf("β = %g needs strictly positive data: the divergence is undefined at zero entries", b)
	}
	lap, err := sampleGraph(x, m.Graph, m.Weight, m.Neighbors, gamma > 0, nil, nil)
	if err != nil {
		return nil, err
	}
	v, w, err := encdec.Start(x, m.Rank, m.Init, r.rng)
	if err != nil {
		return nil, invalid(err)
	}
	run := newEDNMFBetaRun(x, v, w, b, *m.Lambda, gamma)
	run.lap = lap
	run.setExponents()
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Embedding: v,
			Approx:    &Approx{L: v, R: w},
			Assign:    AssignKMeans, // the paper's read-out
			Factors: []Factor{
				{Name: W, Doc: "d x k basis, X ≈ Hᵀ·Wᵀ", M: w},
				{Name: H, Doc: "k x n encoding, H ≈ Wᵀ·Xᵀ", M: linalg.Transpose(v)},
			},
		}
	})
}

// ednmfBetaRun implements solve.Model in the n x d orientation.
type ednmfBetaRun struct {
	x                   linalg.Matrix
	v, w                *mat.Dense // n x k, d x k
	kk                  mat.Dense  // k x k scratch
	beta, lambda, gamma float64
	lap                 *graph.Laplacian
	expV, expW          float64 // exponents of the V and W updates

	bw, vw *beta.Work    // scratch of the divergences of X and of V
	vx     *linalg.Dense // V, for λ·D_β(V | E)

	wt                  *mat.Dense // k x d, Wᵀ
	e, numV, denV, tmpV *mat.Dense // n x k scratch; e = X·W
	numW, denW, tmpW    *mat.Dense // d x k scratch
	tmpKD               *mat.Dense // k x d scratch
	eye                 *mat.Dense // k x k identity
}

func newEDNMFBetaRun(x linalg.Matrix, v, w *mat.Dense, b, lambda, gamma float64) *ednmfBetaRun {
	n, d := x.Dims()
	_, k := v.Dims()
	eye := mat.NewDense(k, k, nil)
	for i := range k {
		eye.Set(i, i, 1)
	}
	return &ednmfBetaRun{
		x: x, v: v, w: w, beta: b, lambda: lambda, gamma: gamma,
		bw: beta.NewWork(b), vw: beta.NewWork(b), vx: linalg.NewDense(v),
		wt: mat.NewDense(k, d, nil),
		e:  mat.NewDense(n, k, nil), numV: mat.NewDense(n, k, nil), denV: mat.NewDense(n, k, nil), tmpV: mat.NewDense(n, k, nil),
		numW: mat.NewDense(d, k, nil), denW: mat.NewDense(d, k, nil), tmpW: mat.NewDense(d, k, nil),
		tmpKD: mat.NewDense(k, d, nil),
		eye:   eye,
	}
}

// setExponents sets the exponents of the updates: γ(β) for W, and
// 1/(a − b) for V, where a is the largest exponent of V/Ṽ in the gradients
// of the positive parts of the majorizers and b the smallest in the
// negative parts (docs/models/ednmf-beta.md).
func (r *ednmfBetaRun) setExponents() {
	r.expW = beta.Gamma(r.beta)
	a, b := max(r.beta-1, 0), min(r.beta-2, 0)
	if r.lap != nil {
		a = max(a, 1) // the graph majorizer is quadratic
	}
	if r.beta == 1 && r.lambda > 0 {
		a = max(a, 1) // log u ≤ (u − 1/u)/2 for u ≥ 1, ≥ for u ≤ 1
	}
	r.expV = 1 / (a - b)
}

// Step implements solve.Model: V, then W with the new V.
func (r *ednmfBetaRun) Step() error {
	r.stepV()
	r.stepW()
	return nil
}

func (r *ednmfBetaRun) stepV() {
	b, num, den := r.beta, r.numV, r.denV
	// Decoder: ∇ = (V·Wᵀ)^(β−1)·W − (X ⊙ (V·Wᵀ)^(β−2))·W, nmf's W gradient
	// with H = Wᵀ.
	linalg.TransposeTo(r.wt, r.w)
	r.bw.GradW(num, den, &r.kk, r.x, r.v, r.wt, r.w)
	// Encoder: ∂/∂V of λ·D_β(V | E), E = X·W, entrywise.
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		lam, e := r.lambda, r.e
		switch {
		case b == 1:
			// λ log(V/E) = λ log(Ṽ/E) + λ log u, log u majorized by (u − 1/u)/2.
			r.tmpV.Apply(func(i, j int, v float64) float64 {
				return lam * math.Log(max(v, linalg.Eps)/max(e.At(i, j), linalg.Eps))
			}, r.v)
			linalg.Map(num, func(i, j int, s float64) float64 { return s + lam/2 + max(-r.tmpV.At(i, j), 0) })
			linalg.Map(den, func(i, j int, s float64) float64 { return s + lam/2 + max(r.tmpV.At(i, j), 0) })
		case b > 1:
			c := lam / (b - 1)
			linalg.Map(num, func(i, j int, s float64) float64 { return s + c*math.Pow(max(e.At(i, j), linalg.Eps), b-1) })
			linalg.Map(den, func(i, j int, s float64) float64 { return s + c*math.Pow(max(r.v.At(i, j), linalg.Eps), b-1) })
		default:
			c := lam / (1 - b)
			linalg.Map(num, func(i, j int, s float64) float64 { return s + c*math.Pow(max(r.v.At(i, j), linalg.Eps), b-1) })
			linalg.Map(den, func(i, j int, s float64) float64 { return s + c*math.Pow(max(e.At(i, j), linalg.Eps), b-1) })
		}
	}
	// Graph: γ·tr(VᵀLV) majorized with positive part 2γ(D+S)V·u and
	// negative part 4γ·SV.
	if r.lap != nil {
		r.lap.MulA(r.tmpV, r.v)
		linalg.Scale(r.tmpV, 2*r.gamma)
		linalg.AddScaled(den, 1, r.tmpV)
		linalg.AddScaled(num, 1, r.tmpV)
		linalg.AddScaled(num, 1, r.tmpV)
		r.lap.MulD(r.tmpV, r.v)
		linalg.Scale(r.tmpV, 2*r.gamma)
		linalg.AddScaled(den, 1, r.tmpV)
	}
	linalg.MulUpdate(r.v, num, den, r.expV, linalg.Eps)
}

func (r *ednmfBetaRun) stepW() {
	b, num, den := r.beta, r.numW, r.denW
	linalg.TransposeTo(r.wt, r.w)
	// Decoder: ∇ = ((V·Wᵀ)^(β−1))ᵀ·V − (X ⊙ (V·Wᵀ)^(β−2))ᵀ·V.
	switch b {
	case 2:
		r.x.TMul(num, r.v)
		linalg.GramTo(&r.kk, r.v)
		den.Mul(r.w, &r.kk)
	case 1:
		r.bw.Ratio(r.x, r.v, r.wt).TMul(num, r.v)
		r.bw.KLDen(den, r.v)
	default:
		r.bw.Ratio(r.x, r.v, r.wt).TMul(num, r.v)
		r.bw.TPowMul(r.tmpKD, r.v, r.wt)
		linalg.TransposeTo(den, r.tmpKD)
	}
	// Encoder: λ·D_β(V | X·W) is β-NMF of V with dictionary X and
	// coefficients W: ∇ = λXᵀ(E^(β−1)) − λXᵀ(V ⊙ E^(β−2)).
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		e := r.e
		switch b {
		case 2:
			r.x.TMul(r.tmpW, r.v)
			linalg.Scale(r.tmpW, r.lambda)
			linalg.AddScaled(num, 1, r.tmpW)
			r.x.TMul(r.tmpW, e)
			linalg.Scale(r.tmpW, r.lambda)
			linalg.AddScaled(den, 1, r.tmpW)
		default:
			r.tmpV.Apply(func(i, j int, v float64) float64 {
				return v * math.Pow(max(e.At(i, j), linalg.Eps), b-2)
			}, r.v)
			r.x.TMul(r.tmpW, r.tmpV)
			linalg.Scale(r.tmpW, r.lambda)
			linalg.AddScaled(num, 1, r.tmpW)
			r.tmpV.Apply(func(_, _ int, s float64) float64 { return math.Pow(max(s, linalg.Eps), b-1) }, e)
			r.x.TMul(r.tmpW, r.tmpV)
			linalg.Scale(r.tmpW, r.lambda)
			linalg.AddScaled(den, 1, r.tmpW)
		}
	}
	linalg.MulUpdate(r.w, num, den, r.expW, linalg.Eps)
}

// Objective implements solve.Model: D_β(X | V·Wᵀ) + λ·D_β(V | X·W) +
// γ·tr(VᵀLV), both divergences computed by BetaDivergence.
func (r *ednmfBetaRun) Objective() float64 {
	linalg.TransposeTo(r.wt, r.w) // the steps' scratch, free between them
	obj := r.bw.Divergence(r.x, r.v, r.wt)
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		r.vx.Changed()
		obj += r.lambda * r.vw.Divergence(r.vx, r.e, r.eye)
	}
	if r.lap != nil {
		obj += r.gamma * r.lap.Trace(r.v, r.tmpV)
	}
	return obj
}

// extraBytes implements footprinter: the dense copy of the data the kNN
// graph needs, when it is built.
func (m *EDNMFBeta) extraBytes(n, d int) uint64 {
	if m.Graph != nil {
		return 0
	}
	return knnBytes(n, d)
}
