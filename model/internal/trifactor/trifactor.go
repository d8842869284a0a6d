// Package trifactor holds the machinery of the tri-factor graph models,
// A ≈ H·W·Hᵀ with H n x k and W k x k: the multiplicative updates of
// asymmetric NMF (Wang, Li, Wang, Zhu and Ding, DMKD 2011; DAsNMF eqs.
// 4-5), which asymnmf and ifairnmtf drive and the deep asymmetric models
// use to pre-train each layer, and the graph those deep models factorize
// (A_S = A + ηS and the PageRank influence C).
package trifactor

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/linalg"
)

// Factorization is one factorization A ≈ HWHᵀ (A n x n, H n x k, W k x k)
// updated in place by the multiplicative rules of AsNMF:
//
//	H ← H ⊙ [(AᵀHW + AHWᵀ + R⁺) / (H(WᵀGW + WGWᵀ) + R⁻)]^{1/4},  G = HᵀH,
//	W ← W ⊙ (HᵀAH) / (GWG),
//
// where R⁺ and R⁻ are the terms a regularizer adds (Reg; none for plain
// AsNMF). Only k x k matrices are formed besides A·H and Aᵀ·H. It
// implements solve.Model with the objective ‖A − HWHᵀ‖², each step a
// majorization-minimization step that does not increase it.
type Factorization struct {
	A    linalg.Matrix
	H, W *mat.Dense
	// Reg, if not nil, adds the regularizer's terms to the numerator and
	// the denominator of the H update at the current H.
	Reg func(num, den, h *mat.Dense)

	sqNorm             float64    // ‖A‖²
	ah, ath, num, den  *mat.Dense // n x k
	g, m1, m2, hah, kk *mat.Dense // k x k
	fresh              bool       // ah, g and hah = HᵀAH hold for the current H
}

// New returns the factorization of a from h and w, which it updates in
// place.
func New(a linalg.Matrix, h, w *mat.Dense) *Factorization {
	n, k := h.Dims()
	nk := func() *mat.Dense { return mat.NewDense(n, k, nil) }
	kk := func() *mat.Dense { return mat.NewDense(k, k, nil) }
	return &Factorization{
		A: a, H: h, W: w, sqNorm: a.Stats().SquaredNorm,
		ah: nk(), ath: nk(), num: nk(), den: nk(),
		g: kk(), m1: kk(), m2: kk(), hah: kk(), kk: kk(),
	}
}

// Step implements solve.Model: H, then W with the new H.
func (t *Factorization) Step() error {
	t.UpdateH()
	t.UpdateW()
	return nil
}

// Objective implements solve.Model: ‖A − HWHᵀ‖².
func (t *Factorization) Objective() float64 { return t.Loss() }

// UpdateH applies the 1/4-power rule to H.
func (t *Factorization) UpdateH() {
	t.refresh()
	t.A.TMul(t.ath, t.H)
	t.num.Mul(t.ath, t.W) // AᵀHW
	linalg.MulABt(t.den, t.ah, t.W)
	t.num.Add(t.num, t.den) // + AHWᵀ
	t.kk.Mul(t.g, t.W)
	linalg.MulAtB(t.m1, t.W, t.kk) // WᵀGW
	linalg.MulABt(t.kk, t.g, t.W)
	t.m2.Mul(t.W, t.kk) // WGWᵀ
	t.m1.Add(t.m1, t.m2)
	t.den.Mul(t.H, t.m1)
	if t.Reg != nil {
		t.Reg(t.num, t.den, t.H)
	}
	linalg.MulUpdate(t.H, t.num, t.den, 0.25, linalg.Eps)
	t.fresh = false
}

// UpdateW applies the multiplicative rule to W.
func (t *Factorization) UpdateW() {
	t.refresh()
	t.kk.Mul(t.W, t.g)
	t.m1.Mul(t.g, t.kk) // GWG
	linalg.MulUpdate(t.W, t.hah, t.m1, 1, linalg.Eps)
}

// Changed tells the factorization that H was changed from outside.
func (t *Factorization) Changed() { t.fresh = false }

// refresh recomputes A·H, G = HᵀH and HᵀAH after H changed.
func (t *Factorization) refresh() {
	if t.fresh {
		return
	}
	t.A.Mul(t.ah, t.H)
	linalg.GramTo(t.g, t.H)
	linalg.MulAtB(t.hah, t.H, t.ah)
	t.fresh = true
}

// fitTerms returns ⟨HᵀAH, W⟩ and ⟨W, GWG⟩ = ‖HWHᵀ‖².
func (t *Factorization) fitTerms() (cross, sq float64) {
	t.refresh()
	t.kk.Mul(t.W, t.g)
	t.m1.Mul(t.g, t.kk)
	return linalg.Dot(t.hah, t.W), linalg.Dot(t.W, t.m1)
}

// Loss returns ‖A − HWHᵀ‖² = ‖A‖² − 2⟨HᵀAH, W⟩ + ⟨W, GWG⟩, without
// forming HWHᵀ.
func (t *Factorization) Loss() float64 {
	cross, sq := t.fitTerms()
	return max(t.sqNorm-2*cross+sq, 0)
}

// ScaleH scales H by the c minimizing ‖A − c²HWHᵀ‖, c² = ⟨A, HWHᵀ⟩ /
// ‖HWHᵀ‖², when both are positive.
func (t *Factorization) ScaleH() {
	if cross, sq := t.fitTerms(); cross > 0 && sq > 0 {
		c := cross / sq
		linalg.Scale(t.H, math.Sqrt(c))
		t.fresh = false
	}
}

// Graph holds the matrices of the deep asymmetric models: A, A_S = A + ηS,
// and the PageRank influence C with its row sums D.
type Graph struct {
	A  *linalg.CSR
	AS linalg.Matrix // A_S in linalg.ForProducts' form
	C  *linalg.CSR   // nil without the regularizer
	D  []float64
}

// GraphOptions are the choices in building a Graph.
type GraphOptions struct {
	Eta       float64 // the weight of S in A_S = A + ηS
	ZeroDiag  bool    // drop the diagonal of S
	KeepLoops bool    // keep the self-loops of A
	Influence bool    // build C and D
	Printed   bool    // PageRank in the printed index order (graph.Printed)
}

// NewGraph builds the matrices of the adjacency matrix a, which must be
// square, finite and nonnegative. They are built sparse: S has the pattern
// of AAᵀ and C that of A. A_S is then kept dense only if two-hop
// neighbourhoods fill it (linalg.ForProducts), as on the 1000-node LFR
// graph, where half of its entries are stored and dense products made the
// fit twice as fast. A graph without edges (once self-loops are dropped)
// is an error.
func NewGraph(a *linalg.CSR, o GraphOptions) (*Graph, error) {
	if !o.KeepLoops {
		a = graph.DropSelfLoops(a)
	}
	if a.NNZ() == 0 {
		return nil, fmt.Errorf("the graph has no edges")
	}
	g := &Graph{A: a, AS: a}
	if o.Eta > 0 {
		as, err := graph.SecondOrder(a, o.Eta, o.ZeroDiag)
		if err != nil {
			return nil, err
		}
		g.AS = linalg.ForProducts(as)
	}
	if o.Influence {
		order := graph.Standard
		if o.Printed {
			order = graph.Printed
		}
		c, err := graph.PageRankInfluence(a, &graph.PageRankOptions{Order: order})
		if err != nil {
			return nil, err
		}
		g.C = c
		g.D, _ = graph.Degrees(c)
	}
	return g, nil
}

// Regularizer returns Tr(ΨᵀDΨ) − Tr(ΨᵀCΨ), half the PageRank regularizer
// of DAsNMF (Tr(ΨᵀCᵀΨ) = Tr(ΨᵀCΨ)), using scratch (the shape of psi).
func (g *Graph) Regularizer(psi, scratch *mat.Dense) float64 {
	linalg.ScaleRows(scratch, psi, g.D)
	t := linalg.Dot(psi, scratch)
	g.C.Mul(scratch, psi)
	return t - linalg.Dot(psi, scratch)
}

// Embedding returns the embedding read from Ψ by a readout: "raw", Ψ as it
// is; "kmeans", unit-norm rows (for k-means); otherwise unit-norm columns
// (for argmax over rows).
func Embedding(psi *mat.Dense, readout string) *mat.Dense {
	e := mat.DenseCopyOf(psi)
	switch readout {
	case "raw":
	case "kmeans":
		n, _ := e.Dims()
		inv := make([]float64, n)
		for i := range n {
			if v := mat.Norm(e.RowView(i), 2); v > 0 {
				inv[i] = 1 / v
			}
		}
		linalg.ScaleRows(e, e, inv)
	default:
		linalg.UnitColumns(e)
	}
	return e
}
