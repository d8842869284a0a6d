package model

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// NSED is the non-negative symmetric encoder-decoder of Sun, Shen, Gao,
// Ouyang and Cheng ("A non-negative symmetric encoder-decoder approach for
// community detection", CIKM 2017). In the paper's orientation (X d x n,
// W d x k, H k x n) it minimizes
//
//	‖X − W·H‖²_F + ‖H − Wᵀ·X‖²_F,  W, H ≥ 0,
//
// a decoder X ≈ WH and an encoder H ≈ WᵀX that share W. For community
// detection X is the adjacency matrix A (n x n). Here X is n x d with one
// sample or node per row and V = Hᵀ (n x k) is the embedding:
//
//	‖X − V·Wᵀ‖²_F + ‖V − X·W‖²_F.
//
// The multiplicative updates are derived from the gradient (no paper text
// was available; they are those of DANMF's shallow layer, Ye et al. CIKM
// 2018) and each is a majorization-minimization step:
//
//	W ← W ⊙ 2XᵀV / (W·VᵀV + XᵀX·W),   V ← V ⊙ 2X·W / (V·WᵀW + V).
//
// docs/models/nsed.md gives the derivation and the choices.
type NSED struct {
	Rank int
	// Normalize is "none" (the default, also "": the paper's X = A) or
	// "row", X = D⁻¹A with D the row sums, as karateclub's NNSED.
	Normalize string
	// Membership selects the embedding: "h" (the default, also ""), V = Hᵀ,
	// the encoder's output; or "w", the decoder basis W, which is n x k
	// only for a square input.
	Membership string
	// Init is an initialize method; "" means nndsvda.
	Init string
	Seed uint64
}

var nsedSpec = Spec{
	Name:      "nsed",
	Kind:      Graph,
	Objective: "min ‖X − WH‖² + ‖H − WᵀX‖², W, H ≥ 0 (X = adjacency; decoder W, encoder Wᵀ)",
	Reference: "Sun, Shen, Gao, Ouyang & Cheng, CIKM 2017 (karateclub NNSED)",
	Params:    "normalize=none|row membership=h|w",
	New: func(c Config) (Estimator, error) {
		p := c.Params
		return &NSED{
			Rank:       c.Rank,
			Normalize:  p.String("normalize", "none", "none", "row"),
			Membership: p.String("membership", "h", "h", "w"),
			Init:       c.Init,
			Seed:       c.Seed,
		}, nil
	},
}

// Fit factorizes x (n x d: an adjacency matrix, or any nonnegative data
// matrix). The embedding is V = Hᵀ (n x k), or W for membership "w"; the
// factors are W (d x k) and H (k x n).
func (m *NSED) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkInput(x, m.Rank, true); err != nil {
		return nil, err
	}
	n, d := x.Dims()
	switch m.Normalize {
	case "", "none":
	case "row":
		x = nsedRowNormalize(x)
	default:
		return nil, invalidf("unknown normalize %q (want none or row)", m.Normalize)
	}
	switch m.Membership {
	case "", "h":
	case "w":
		if n != d {
			return nil, invalidf("membership w needs a square input (W is %dx%d)", d, m.Rank)
		}
	default:
		return nil, invalidf("unknown membership %q (want h or w)", m.Membership)
	}
	v, w, err := edInit(x, m.Rank, m.Init, m.Seed)
	if err != nil {
		return nil, err
	}
	edBalance(x, v, w)
	run := &nsedRun{x: x, v: v, w: w}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("nsed: %w", err)
	}
	emb := v
	if m.Membership == "w" {
		emb = w
	}
	return &Result{
		Result:    *sr,
		Model:     "nsed",
		Rank:      m.Rank,
		Embedding: emb,
		Factors: []Factor{
			{Name: "W", Doc: "d x k decoder basis, X ≈ Hᵀ·Wᵀ (for a graph: n x k)", M: w},
			{Name: "H", Doc: "k x n encoding, H ≈ Wᵀ·Xᵀ", M: linalg.Transpose(v)},
		},
	}, nil
}

// nsedRowNormalize returns D⁻¹X with D the row sums of X, computed on the
// stored entries only (a sparse X stays sparse); a zero row stays zero.
func nsedRowNormalize(x linalg.Matrix) linalg.Matrix {
	n, d := x.Dims()
	ones := mat.NewDense(1, d, nil)
	linalg.AddScalar(ones, 1)
	inv := mat.NewDense(n, 1, nil)
	x.Mul(inv, ones.T())
	inv.Apply(func(_, _ int, s float64) float64 {
		if s == 0 {
			return 0
		}
		return 1 / s
	}, inv)
	return x.Apply(inv, ones, func(v, s float64) float64 { return v * s })
}

// nsedRun implements solve.Model in the n x d orientation: X ≈ V·Wᵀ and
// V ≈ X·W.
type nsedRun struct {
	x    linalg.Matrix
	v, w *mat.Dense // n x k, d x k

	xw, numV, denV *mat.Dense // n x k scratch
	xtv, numW      *mat.Dense // d x k scratch
	denW           *mat.Dense // d x k scratch
}

func (r *nsedRun) scratch() {
	if r.xw != nil {
		return
	}
	n, d := r.x.Dims()
	_, k := r.v.Dims()
	r.xw, r.numV, r.denV = mat.NewDense(n, k, nil), mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	r.xtv, r.numW, r.denW = mat.NewDense(d, k, nil), mat.NewDense(d, k, nil), mat.NewDense(d, k, nil)
}

// Step implements solve.Model: W, then V with the new W.
func (r *nsedRun) Step() error {
	r.scratch()
	// W ← W ⊙ 2XᵀV / (W·VᵀV + Xᵀ(X·W)).
	r.x.TMul(r.numW, r.v)
	r.numW.Scale(2, r.numW)
	r.x.Mul(r.xw, r.w)
	r.x.TMul(r.xtv, r.xw)
	r.denW.Mul(r.w, edGram(r.v))
	r.denW.Add(r.denW, r.xtv)
	linalg.MulUpdate(r.w, r.numW, r.denW, 1, linalg.Eps)
	// V ← V ⊙ 2X·W / (V·WᵀW + V).
	r.x.Mul(r.xw, r.w)
	r.numV.Scale(2, r.xw)
	r.denV.Mul(r.v, edGram(r.w))
	r.denV.Add(r.denV, r.v)
	linalg.MulUpdate(r.v, r.numV, r.denV, 1, linalg.Eps)
	return nil
}

// Objective implements solve.Model: ‖X − V·Wᵀ‖² + ‖V − X·W‖².
func (r *nsedRun) Objective() float64 {
	r.scratch()
	r.x.Mul(r.xw, r.w)
	return edFrobResidual(r.x, r.xw, r.v, r.w) + edEncoderResidual(r.xw, r.v)
}
