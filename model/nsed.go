package model

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/encdec"
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
// 2018, package encdec's AE) and each is a majorization-minimization step:
//
//	W ← W ⊙ 2XᵀV / (W·VᵀV + XᵀX·W),   V ← V ⊙ 2X·W / (V·WᵀW + V).
//
// docs/models/nsed.md gives the derivation and the choices. The factors
// are W (d x k) and H (k x n).
type NSED struct {
	Rank int
	// Normalize "none" is the paper's X = A; "row" is X = D⁻¹A with D the
	// row sums, as karateclub's NNSED.
	Normalize Normalize `param:"normalize" choices:"none|row" help:"row-normalize the input first (karateclub)"`
	// Membership selects the embedding: "h", V = Hᵀ, the encoder's output;
	// or "w", the decoder basis W, which is n x k only for a square input.
	Membership Readout           `param:"membership" choices:"h|w" help:"embedding: the encoding H or the basis W"`
	Init       initialize.Method `choices:"nndsvda|random|nndsvd|nndsvdar"`
	Seed       uint64
}

// Normalize names a normalization.
type Normalize string

// The normalizations.
const (
	NormalizeNone Normalize = "none"
	NormalizeRow  Normalize = "row"
	NormalizeSum  Normalize = "sum"
	NormalizeUnit Normalize = "unit"
	NormalizeEnd  Normalize = "end"
	NormalizeEach Normalize = "each"
)

// Readout names the factor, or its form, a model's embedding is read from.
type Readout string

// The read-outs of the models that offer several.
const (
	ReadoutH      Readout = "h"
	ReadoutW      Readout = "w"
	ReadoutVp     Readout = "vp"
	ReadoutPsi    Readout = "psi"
	ReadoutKMeans Readout = "kmeans"
	ReadoutRaw    Readout = "raw"
)

var nsedSpec = Spec{
	Name:      "nsed",
	Kind:      Graph,
	Objective: "min ‖X − WH‖² + ‖H − WᵀX‖², W, H ≥ 0 (X = adjacency; decoder W, encoder Wᵀ)",
	Reference: "Sun, Shen, Gao, Ouyang & Cheng, CIKM 2017 (karateclub NNSED)",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(NSED) },
}

func (*NSED) spec() *Spec { return &nsedSpec }

// Fit factorizes x (n x d: an adjacency matrix, or any nonnegative data
// matrix).
func (m *NSED) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *NSED) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, d := x.Dims()
	if m.Normalize == NormalizeRow {
		x = rowNormalized(x)
	}
	if m.Membership == ReadoutW && n != d {
		return nil, invalidf("membership w needs a square input (W is %dx%d)", d, m.Rank)
	}
	v, w, err := encdec.Start(x, m.Rank, m.Init, r.rng)
	if err != nil {
		return nil, invalid(err)
	}
	encdec.Balance(x, v, w)
	emb := v
	if m.Membership == ReadoutW {
		emb = w
	}
	return r.final(encdec.NewAE(x, w, v, linalg.Eps), func() *Result {
		return &Result{
			Rank:      m.Rank,
			Embedding: emb,
			Approx:    &Approx{L: v, R: w},
			Factors: []Factor{
				{Name: W, Doc: "d x k decoder basis, X ≈ Hᵀ·Wᵀ (for a graph: n x k)", M: w},
				{Name: H, Doc: "k x n encoding, H ≈ Wᵀ·Xᵀ", M: linalg.Transpose(v)},
			},
		}
	})
}

// rowNormalized returns D⁻¹X with D the row sums of X, computed on the
// stored entries only (a sparse X stays sparse); a zero row stays zero.
func rowNormalized(x linalg.Matrix) linalg.Matrix {
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
	return x.Apply(nil, inv, ones, func(v, s float64) float64 { return v * s })
}
