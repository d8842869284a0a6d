package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
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
// λ·D_β(V | X·W) + γ·Tr(VᵀLV).
//
// The paper's text was not available. The updates are majorization-
// minimization steps derived here (docs/models/ednmf-beta.md): W's is the
// Févotte-Idier update of both divergence terms, with their exponent
// γ(β); V's majorizes each term by a power of V/Ṽ and combines them with
// the exponent 1/(a − b) of Yang and Oja (2011), which is γ(β) when λ =
// γ = 0 and at most that otherwise. The objective does not increase.
type EDNMFBeta struct {
	Rank int
	// Beta is β; Lambda weights the encoder term, Gamma the graph term.
	Beta, Lambda, Gamma float64
	// Weight is the kNN graph weighting: "heat" (the default, also ""),
	// "binary" or "cosine" (see graph.KNN). Neighbors is p (5 by default).
	Weight    string
	Neighbors int
	// Graph, if not nil, is the n x n similarity S to use instead of the
	// kNN graph; it is symmetrized by max(S, Sᵀ).
	Graph *linalg.CSR
	// Init is an initialize method; "" means nndsvda.
	Init string
	Seed uint64
}

var ednmfBetaSpec = Spec{
	Name:      "ednmf-beta",
	Kind:      Data,
	Objective: "min D_β(X | WH) + λ D_β(H | WᵀX) + γ Tr(HLHᵀ), W, H ≥ 0 (β = 1: KL)",
	Reference: "Soleymanbaigi, Seyedi, Akhlaghian Tab & Daneshfar, Pattern Recognition 171 (2026) 112211",
	Params:    "beta=1 lambda=1 gamma=1 graph=heat|binary|cosine neighbors=5",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		return &EDNMFBeta{
			Rank:      c.Rank,
			Beta:      p.Float("beta", 1),
			Lambda:    p.Float("lambda", 1),
			Gamma:     p.Float("gamma", 1),
			Weight:    p.String("graph", "heat", edGraphWeights...),
			Neighbors: p.Int("neighbors", 5),
			Init:      c.Init,
			Graph:     c.Graph,
			Seed:      c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d). The embedding is V = Hᵀ (n x k); the factors
// are W (d x k) and H (k x n).
func (m *EDNMFBeta) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkInput(x, m.Rank, true); err != nil {
		return nil, err
	}
	if math.IsNaN(m.Beta) || math.IsInf(m.Beta, 0) {
		return nil, invalidf("beta %g is not finite", m.Beta)
	}
	if m.Beta <= 0 && x.Stats().Min <= 0 {
		return nil, invalidf("β = %g needs strictly positive data: the divergence is undefined at zero entries", m.Beta)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"lambda", m.Lambda}, {"gamma", m.Gamma}} {
		if !(p.v >= 0) || math.IsInf(p.v, 1) {
			return nil, invalidf("%s = %g must be finite and ≥ 0", p.name, p.v)
		}
	}
	sim, err := edGraph(x, m.Graph, m.Gamma > 0, m.Weight, "heat", m.Neighbors)
	if err != nil {
		return nil, err
	}
	v, w, err := edInit(x, m.Rank, m.Init, m.Seed)
	if err != nil {
		return nil, err
	}
	run := newEDNMFBetaRun(x, v, w, m.Beta, m.Lambda, m.Gamma)
	if sim != nil && m.Gamma > 0 {
		run.lap = edNewLaplacian(sim)
	}
	run.setExponents()
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("ednmf-beta: %w", err)
	}
	return &Result{
		Result:    *sr,
		Model:     "ednmf-beta",
		Rank:      m.Rank,
		Embedding: v,
		Assign:    "kmeans", // the paper's read-out
		Factors: []Factor{
			{Name: "W", Doc: "d x k basis, X ≈ Hᵀ·Wᵀ", M: w},
			{Name: "H", Doc: "k x n encoding, H ≈ Wᵀ·Xᵀ", M: linalg.Transpose(v)},
		},
	}, nil
}

// ednmfBetaRun implements solve.Model in the n x d orientation.
type ednmfBetaRun struct {
	x                   linalg.Matrix
	v, w                *mat.Dense // n x k, d x k
	beta, lambda, gamma float64
	lap                 *edLaplacian
	expV, expW          float64 // exponents of the V and W updates

	wt                  *mat.Dense // k x d, Wᵀ
	e, numV, denV, tmpV *mat.Dense // n x k scratch; e = X·W
	numW, denW, tmpW    *mat.Dense // d x k scratch
	tmpKD               *mat.Dense // k x d scratch
	eye                 *mat.Dense // k x k identity
}

func newEDNMFBetaRun(x linalg.Matrix, v, w *mat.Dense, beta, lambda, gamma float64) *ednmfBetaRun {
	n, d := x.Dims()
	_, k := v.Dims()
	eye := mat.NewDense(k, k, nil)
	for i := range k {
		eye.Set(i, i, 1)
	}
	return &ednmfBetaRun{
		x: x, v: v, w: w, beta: beta, lambda: lambda, gamma: gamma,
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
	r.expW = gammaMU(r.beta)
	a, b := max(r.beta-1, 0), min(r.beta-2, 0)
	if r.lap != nil {
		a = max(a, 1) // the graph majorizer is quadratic
	}
	if r.beta == 1 && r.lambda > 0 {
		a = max(a, 1) // log u ≤ (u − 1/u)/2 for u ≥ 1, ≥ for u ≤ 1
	}
	r.expV = 1 / (a - b)
}

// decoder returns the run of the decoder term D_β(X | V·Wᵀ), whose ratio
// and floors are nmf.go's.
func (r *ednmfBetaRun) decoder() *nmfRun {
	r.wt.Copy(r.w.T())
	return &nmfRun{x: r.x, w: r.v, h: r.wt, beta: r.beta}
}

// Step implements solve.Model: V, then W with the new V.
func (r *ednmfBetaRun) Step() error {
	r.stepV()
	r.stepW()
	return nil
}

func (r *ednmfBetaRun) stepV() {
	beta, num, den := r.beta, r.numV, r.denV
	// Decoder: ∇ = (V·Wᵀ)^(β−1)·W − (X ⊙ (V·Wᵀ)^(β−2))·W, nmf's W gradient
	// with H = Wᵀ.
	r.decoder().gradW(num, den, r.w)
	// Encoder: ∂/∂V of λ·D_β(V | E), E = X·W, entrywise.
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		lam, e := r.lambda, r.e
		switch {
		case beta == 1:
			// λ log(V/E) = λ log(Ṽ/E) + λ log u, log u majorized by (u − 1/u)/2.
			r.tmpV.Apply(func(i, j int, v float64) float64 {
				return lam * math.Log(max(v, linalg.Eps)/max(e.At(i, j), linalg.Eps))
			}, r.v)
			num.Apply(func(i, j int, s float64) float64 { return s + lam/2 + max(-r.tmpV.At(i, j), 0) }, num)
			den.Apply(func(i, j int, s float64) float64 { return s + lam/2 + max(r.tmpV.At(i, j), 0) }, den)
		case beta > 1:
			c := lam / (beta - 1)
			num.Apply(func(i, j int, s float64) float64 { return s + c*math.Pow(max(e.At(i, j), linalg.Eps), beta-1) }, num)
			den.Apply(func(i, j int, s float64) float64 { return s + c*math.Pow(max(r.v.At(i, j), linalg.Eps), beta-1) }, den)
		default:
			c := lam / (1 - beta)
			num.Apply(func(i, j int, s float64) float64 { return s + c*math.Pow(max(r.v.At(i, j), linalg.Eps), beta-1) }, num)
			den.Apply(func(i, j int, s float64) float64 { return s + c*math.Pow(max(e.At(i, j), linalg.Eps), beta-1) }, den)
		}
	}
	// Graph: γ·tr(VᵀLV) majorized with positive part 2γ(D+S)V·u and
	// negative part 4γ·SV.
	if r.lap != nil {
		r.lap.sv(r.tmpV, r.v)
		r.tmpV.Scale(2*r.gamma, r.tmpV)
		den.Add(den, r.tmpV)
		num.Add(num, r.tmpV)
		num.Add(num, r.tmpV)
		r.lap.dv(r.tmpV, r.v)
		r.tmpV.Scale(2*r.gamma, r.tmpV)
		den.Add(den, r.tmpV)
	}
	linalg.MulUpdate(r.v, num, den, r.expV, linalg.Eps)
}

func (r *ednmfBetaRun) stepW() {
	beta, num, den := r.beta, r.numW, r.denW
	dec := r.decoder()
	// Decoder: ∇ = ((V·Wᵀ)^(β−1))ᵀ·V − (X ⊙ (V·Wᵀ)^(β−2))ᵀ·V.
	switch beta {
	case 2:
		r.x.TMul(num, r.v)
		den.Mul(r.w, edGram(r.v))
	case 1:
		dec.ratio().TMul(num, r.v)
		vs := linalg.ColSums(r.v)
		den.Apply(func(_, j int, _ float64) float64 { return vs[j] }, den)
	default:
		dec.ratio().TMul(num, r.v)
		linalg.TPowMul(r.tmpKD, r.v, r.wt, beta-1, dec.powFloor())
		den.Copy(r.tmpKD.T())
	}
	// Encoder: λ·D_β(V | X·W) is β-NMF of V with dictionary X and
	// coefficients W: ∇ = λXᵀ(E^(β−1)) − λXᵀ(V ⊙ E^(β−2)).
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		e := r.e
		switch beta {
		case 2:
			r.x.TMul(r.tmpW, r.v)
			r.tmpW.Scale(r.lambda, r.tmpW)
			num.Add(num, r.tmpW)
			r.x.TMul(r.tmpW, e)
			r.tmpW.Scale(r.lambda, r.tmpW)
			den.Add(den, r.tmpW)
		default:
			r.tmpV.Apply(func(i, j int, v float64) float64 {
				return v * math.Pow(max(e.At(i, j), linalg.Eps), beta-2)
			}, r.v)
			r.x.TMul(r.tmpW, r.tmpV)
			r.tmpW.Scale(r.lambda, r.tmpW)
			num.Add(num, r.tmpW)
			r.tmpV.Apply(func(_, _ int, s float64) float64 { return math.Pow(max(s, linalg.Eps), beta-1) }, e)
			r.x.TMul(r.tmpW, r.tmpV)
			r.tmpW.Scale(r.lambda, r.tmpW)
			den.Add(den, r.tmpW)
		}
	}
	linalg.MulUpdate(r.w, num, den, r.expW, linalg.Eps)
}

// Objective implements solve.Model: D_β(X | V·Wᵀ) + λ·D_β(V | X·W) +
// γ·tr(VᵀLV), both divergences computed by BetaDivergence.
func (r *ednmfBetaRun) Objective() float64 {
	obj := BetaDivergence(r.x, r.v, linalg.Transpose(r.w), r.beta)
	if r.lambda > 0 {
		r.x.Mul(r.e, r.w)
		obj += r.lambda * BetaDivergence(linalg.NewDense(r.v), r.e, r.eye, r.beta)
	}
	if r.lap != nil {
		obj += r.gamma * r.lap.trace(r.v, r.tmpV)
	}
	return obj
}
