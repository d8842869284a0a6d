package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// AsymNMF is asymmetric NMF, or symmetric nonnegative matrix
// tri-factorization, of a directed (or undirected) graph's adjacency
// matrix A (n x n):
//
//	min_{H ≥ 0, W ≥ 0} ‖A − HWHᵀ‖²_F,  H n x k, W k x k,
//
// where row i of H holds node i's cluster memberships and W the weights of
// the links between clusters, asymmetric for a directed graph (Wang, Li,
// Wang, Zhu and Ding, "Community discovery using nonnegative matrix
// factorization", DMKD 22, 2011). The multiplicative updates are
//
//	H ← H ⊙ [(AᵀHW + AHWᵀ) / (HWᵀHᵀHW + HWHᵀHWᵀ)]^{1/4}
//	W ← W ⊙ (HᵀAH) / (HᵀHWHᵀH)
//
// with HWᵀHᵀHW computed as H·(Wᵀ(HᵀH)W) from k x k products only. The
// update core (triFactor) is also the pre-training block of deep
// asymmetric NMF (DAsNMF). docs/models/asymnmf.md gives the details.
type AsymNMF struct {
	Rank int
	// Init is "random" (the default, also "") or "svd"; custom starting
	// factors H0 (n x k) and W0 (k x k) override it.
	Init   string
	H0, W0 *mat.Dense
	Seed   uint64
}

var asymnmfSpec = Spec{
	Name:      "asymnmf",
	Kind:      Graph,
	Objective: "min ‖A − HWHᵀ‖², H, W ≥ 0 (A directed or undirected; W k x k cluster links)",
	Reference: "Wang, Li, Wang, Zhu & Ding, DMKD 2011 (ANMF); DAsNMF eqs. 4-5 (Hajiveiseh et al., PR 2024)",
	Params:    "(none; --init random|svd)",
	New: func(c Config) (Estimator, error) {
		return &AsymNMF{Rank: c.Rank, Init: c.Init, Seed: c.Seed}, nil
	},
}

// Fit factorizes the adjacency matrix a. The result's Embedding is H
// (n x k); its factors are H and W.
func (m *AsymNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := checkGraph(a, m.Rank); err != nil {
		return nil, err
	}
	h, w, err := asymStart(a, m.Rank, m.Init, m.H0, m.W0, m.Seed)
	if err != nil {
		return nil, err
	}
	run := &asymRun{t: newTriFactor(a, h, w)}
	sr, err := solve.Fit(ctx, run, s)
	if err != nil {
		return nil, fmt.Errorf("asymnmf: %w", err)
	}
	return &Result{
		Result:    *sr,
		Model:     "asymnmf",
		Rank:      m.Rank,
		Embedding: h,
		Factors: []Factor{
			{Name: "H", Doc: "n x k cluster memberships, A ≈ H·W·Hᵀ", M: h},
			{Name: "W", Doc: "k x k links between clusters (W_ab: from cluster a to cluster b)", M: w},
		},
	}, nil
}

// asymStart returns the starting H (n x k) and W (k x k) of a tri-factor
// model: the custom h0, w0 if given, otherwise by method:
//
//   - "random" (or ""): H = |N(0,1)|·sqrt(mean(A)/k), W = |N(0,1)|/k, so
//     that HWHᵀ has about the mean of A;
//   - "svd": svdStart, the RAsNMF reference code's SVD-based start.
func asymStart(a linalg.Matrix, k int, method string, h0, w0 *mat.Dense, seed uint64) (h, w *mat.Dense, err error) {
	n, _ := a.Dims()
	if h0 != nil || w0 != nil {
		if err := checkFactor("H0", h0, n, k); err != nil {
			return nil, nil, err
		}
		if err := checkFactor("W0", w0, k, k); err != nil {
			return nil, nil, err
		}
		return mat.DenseCopyOf(h0), mat.DenseCopyOf(w0), nil
	}
	rng := initialize.NewRand(seed)
	switch method {
	case "", initialize.Random:
		h = initialize.RandomDense(n, k, math.Sqrt(linalg.Mean(a)/float64(k)), rng)
		w = initialize.RandomDense(k, k, 1/float64(k), rng)
		return h, w, nil
	case "svd":
		if h, w, err = svdStart(a, k, rng); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		return h, w, nil
	}
	return nil, nil, invalidf("unknown init %q (want random or svd)", method)
}

// asymRun is one AsymNMF fit: it implements solve.Model.
type asymRun struct{ t *triFactor }

// Step implements solve.Model.
func (r *asymRun) Step() error { r.t.step(); return nil }

// Objective implements solve.Model: ‖A − HWHᵀ‖².
func (r *asymRun) Objective() float64 { return r.t.loss() }

// triFactor is one factorization A ≈ HWHᵀ (A n x n, H n x k, W k x k)
// updated in place by the multiplicative rules of AsNMF (Wang et al. 2011;
// DAsNMF eqs. 4-5):
//
//	H ← H ⊙ [(AᵀHW + AHWᵀ + R⁺) / (H(WᵀGW + WGWᵀ) + R⁻)]^{1/4},  G = HᵀH,
//	W ← W ⊙ (HᵀAH) / (GWG),
//
// where R⁺ and R⁻ are the terms a regularizer adds (reg; none for
// AsymNMF). Only k x k matrices are formed besides A·H and Aᵀ·H. It is the
// reusable core of the tri-factor graph models: AsymNMF and iFairNMTF
// (with its fairness regularizer) drive it, and a deep asymmetric NMF
// pre-trains each layer with it — newTriFactor(A_S, H1, W1) for the first
// layer, newTriFactor(linalg.NewDense(W_{i−1}), H_i, W_i) for the next —
// calling step until its own stopping rule fires.
type triFactor struct {
	a    linalg.Matrix
	h, w *mat.Dense
	// reg, if not nil, adds the regularizer's terms to the numerator and
	// the denominator of the H update at the current H.
	reg func(num, den, h *mat.Dense)

	sqNorm             float64    // ‖A‖²
	ah, ath, num, den  *mat.Dense // n x k
	g, m1, m2, hah, kk *mat.Dense // k x k
	fresh              bool       // ah, g and hah = HᵀAH hold for the current H
}

// newTriFactor returns the factorization of a from h and w, which it
// updates in place.
func newTriFactor(a linalg.Matrix, h, w *mat.Dense) *triFactor {
	n, k := h.Dims()
	nk := func() *mat.Dense { return mat.NewDense(n, k, nil) }
	kk := func() *mat.Dense { return mat.NewDense(k, k, nil) }
	return &triFactor{
		a: a, h: h, w: w, sqNorm: a.Stats().SquaredNorm,
		ah: nk(), ath: nk(), num: nk(), den: nk(),
		g: kk(), m1: kk(), m2: kk(), hah: kk(), kk: kk(),
	}
}

// step updates H, then W with the new H.
func (t *triFactor) step() {
	t.updateH()
	t.updateW()
}

// updateH applies the 1/4-power rule to H.
func (t *triFactor) updateH() {
	t.refresh()
	t.a.TMul(t.ath, t.h)
	t.num.Mul(t.ath, t.w) // AᵀHW
	t.den.Mul(t.ah, t.w.T())
	t.num.Add(t.num, t.den) // + AHWᵀ
	t.kk.Mul(t.g, t.w)
	t.m1.Mul(t.w.T(), t.kk) // WᵀGW
	t.kk.Mul(t.g, t.w.T())
	t.m2.Mul(t.w, t.kk) // WGWᵀ
	t.m1.Add(t.m1, t.m2)
	t.den.Mul(t.h, t.m1)
	if t.reg != nil {
		t.reg(t.num, t.den, t.h)
	}
	linalg.MulUpdate(t.h, t.num, t.den, 0.25, linalg.Eps)
	t.fresh = false
}

// updateW applies the multiplicative rule to W.
func (t *triFactor) updateW() {
	t.refresh()
	t.kk.Mul(t.w, t.g)
	t.m1.Mul(t.g, t.kk) // GWG
	linalg.MulUpdate(t.w, t.hah, t.m1, 1, linalg.Eps)
}

// refresh recomputes A·H, G = HᵀH and HᵀAH after H changed.
func (t *triFactor) refresh() {
	if t.fresh {
		return
	}
	t.a.Mul(t.ah, t.h)
	t.g.Mul(t.h.T(), t.h)
	t.hah.Mul(t.h.T(), t.ah)
	t.fresh = true
}

// loss returns ‖A − HWHᵀ‖² = ‖A‖² − 2⟨HᵀAH, W⟩ + ⟨W, GWG⟩, without
// forming HWHᵀ.
func (t *triFactor) loss() float64 {
	t.refresh()
	t.kk.Mul(t.w, t.g)
	t.m1.Mul(t.g, t.kk)
	return max(t.sqNorm-2*linalg.Dot(t.hah, t.w)+linalg.Dot(t.w, t.m1), 0)
}
