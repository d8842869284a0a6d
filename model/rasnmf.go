package model

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// RAsNMF is regularized asymmetric semi-NMF for directed graph clustering
// (Abdollahi, Seyedi and Noorimehr, ICCKE 2020; code rabdollahi/RAsNMF):
//
//	min_{H ≥ 0, W} ‖A − HWHᵀ‖²_F + λ[Tr(HᵀDH) − Tr(HᵀSH)],
//
// with H (n x k) the nonnegative memberships and W (k x k) free in sign,
// S the asymmetric cosine similarity of the out-neighbourhoods,
//
//	S_uv = a_u·a_v / (d_u^α d_v^{1−α}),  d_u = Σ_v A_uv,
//
// and D = diag(Σ_v S_uv). Each iteration sets W to its least-squares
// value W = H⁺A(Hᵀ)⁺ and then updates H by a 1/8-power multiplicative rule
// built on the positive and negative parts of W: the reference code's
// rule, whose 50 iterations reproduce the published NMI on WebKB, or one
// derived from the objective's gradient.
// docs/models/rasnmf.md gives the details and where this departs from
// the reference code. The embedding is H with each column divided by its
// sum, the matrix the reference code reads its labels from by argmax; the
// factors are H and W.
type RAsNMF struct {
	Rank int
	// Lambda and Alpha are λ and α; nil means the reference code's 400 and
	// 0.49.
	Lambda *float64 `param:"lambda" default:"400" check:">=0" help:"weight λ of the regularizer"`
	Alpha  *float64 `param:"alpha" default:"0.49" check:"[0,1]" help:"exponent α of the asymmetric cosine"`
	// Rule is the H update: "reference", the rule of the reference code
	// RAsNMF.m, or "gradient", the rule derived from the objective's
	// gradient (see updateH).
	Rule Rule `param:"rule" choices:"reference|gradient" help:"H update rule"`
	// Init "svd" is initialize.TriSVD, "random" initialize.TriRandom; a
	// custom H0 (n x k) overrides it.
	Init initialize.Method `choices:"svd|random"`
	H0   *mat.Dense
	Seed uint64
}

// Rule names an update rule.
type Rule string

// The update rules.
const (
	RuleReference Rule = "reference"
	RuleGradient  Rule = "gradient"
	RuleMonotone  Rule = "monotone"
	RuleOja       Rule = "oja"
)

var rasnmfSpec = Spec{
	Name:      "rasnmf",
	Kind:      Graph,
	Objective: "min ‖A − HWHᵀ‖² + λ[Tr(HᵀDH) − Tr(HᵀSH)], H ≥ 0, W free; S asymmetric cosine a_u·a_v/(d_u^α d_v^(1−α))",
	Reference: "Abdollahi, Seyedi & Noorimehr, ICCKE 2020 (code rabdollahi/RAsNMF)",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(RAsNMF) },
}

func (*RAsNMF) spec() *Spec { return &rasnmfSpec }

// Fit factorizes the adjacency matrix a.
func (m *RAsNMF) Fit(ctx context.Context, a linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, a, s)
}

func (m *RAsNMF) fit(r *run, a linalg.Matrix) (*Result, error) {
	var w0 *mat.Dense
	if m.H0 != nil {
		w0 = mat.NewDense(m.Rank, m.Rank, nil) // unused: W is solved for first
	}
	h, w, err := triStart(a, m.Rank, m.Init, m.H0, w0, r.rng)
	if err != nil {
		return nil, err
	}
	run := newRASRun(toCSR(a), h, w, *m.Lambda, *m.Alpha, m.Rule == RuleGradient)
	return r.final(run, func() *Result {
		return &Result{
			Rank:      m.Rank,
			Approx:    &Approx{L: linalg.Product(h, w), R: h},
			Embedding: columnSumNormalized(h),
			Factors: []Factor{
				{Name: H, Doc: "n x k nonnegative cluster memberships, A ≈ H·W·Hᵀ", M: h},
				{Name: W, Doc: "k x k links between clusters, of either sign: H⁺A(Hᵀ)⁺ at the last iteration's H", M: w},
			},
		}
	})
}

// columnSumNormalized returns h with each column divided by its sum (a
// zero column is left as it is): the embedding the RAsNMF reference code
// reads its labels from.
func columnSumNormalized(h *mat.Dense) *mat.Dense {
	s := linalg.ColSums(h)
	for j, v := range s {
		if v > 0 {
			s[j] = 1 / v
		} else {
			s[j] = 1
		}
	}
	out := mat.DenseCopyOf(h)
	linalg.ScaleCols(out, s)
	return out
}

// rasRun is one RAsNMF fit: it implements solve.Model. S is never formed:
// its products are S·X = D_α A Aᵀ D_{1−α} X and Sᵀ·X = D_{1−α} A Aᵀ D_α X
// with the diagonal D_p = diag(d^{−p}) (zero where d = 0).
type rasRun struct {
	a        *linalg.CSR
	h, w     *mat.Dense
	lambda   float64
	gradient bool // the gradient rule rather than the reference one
	sqNorm   float64
	pa, pb   []float64 // d^{−α}, d^{−(1−α)}
	ds       []float64 // row sums of S: the diagonal of D

	ah, ath, sh, sth, num, den, tmp, tmpT    *mat.Dense // n x k
	g, gi, hah, wp, wn, mp, mn, kk, kk2, kk3 *mat.Dense // k x k
	pinv                                     linalg.PinvScratch
	fresh                                    bool // ah, ath, sh, sth, g, hah hold for the current H
}

func newRASRun(a *linalg.CSR, h, w *mat.Dense, lambda, alpha float64, gradient bool) *rasRun {
	n, k := h.Dims()
	deg, _ := graph.Degrees(a)
	r := &rasRun{
		a: a, h: h, w: w, lambda: lambda, gradient: gradient, sqNorm: a.Stats().SquaredNorm,
		pa: make([]float64, n), pb: make([]float64, n),
	}
	for i, d := range deg {
		if d > 0 {
			r.pa[i], r.pb[i] = math.Pow(d, -alpha), math.Pow(d, alpha-1)
		}
	}
	for _, p := range []**mat.Dense{&r.ah, &r.ath, &r.sh, &r.sth, &r.num, &r.den, &r.tmp, &r.tmpT} {
		*p = mat.NewDense(n, k, nil)
	}
	for _, p := range []**mat.Dense{&r.g, &r.gi, &r.kk3, &r.hah, &r.wp, &r.wn, &r.mp, &r.mn, &r.kk, &r.kk2} {
		*p = mat.NewDense(k, k, nil)
	}
	one := mat.NewDense(n, 1, nil)
	for i := range n {
		one.Set(i, 0, 1)
	}
	sOne := mat.NewDense(n, 1, nil)
	r.mulS(sOne, one, r.pa, r.pb, mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil))
	r.ds = sOne.RawMatrix().Data
	return r
}

// mulS sets dst = diag(left)·A·Aᵀ·diag(right)·x, using tmp and tmp2 (the
// shape of x) as scratch: S·x for (pa, pb), Sᵀ·x for (pb, pa).
func (r *rasRun) mulS(dst, x *mat.Dense, left, right []float64, tmp, tmp2 *mat.Dense) {
	linalg.ScaleRows(tmp, x, right)
	r.a.TMul(tmp2, tmp)
	r.a.Mul(dst, tmp2)
	linalg.ScaleRows(dst, dst, left)
}

// refresh recomputes the products that depend on H.
func (r *rasRun) refresh() {
	if r.fresh {
		return
	}
	r.a.Mul(r.ah, r.h)
	r.a.TMul(r.ath, r.h)
	linalg.GramTo(r.g, r.h)
	linalg.MulAtB(r.hah, r.h, r.ah)
	if r.lambda > 0 {
		r.mulS(r.sh, r.h, r.pa, r.pb, r.tmp, r.tmpT)
		r.mulS(r.sth, r.h, r.pb, r.pa, r.tmp, r.tmpT)
	}
	r.fresh = true
}

// Step implements solve.Model: W = H⁺A(Hᵀ)⁺, then the H rule.
func (r *rasRun) Step() error {
	r.refresh()
	// H⁺ = (HᵀH)⁺Hᵀ for every H, so W = G⁺(HᵀAH)G⁺ from k x k matrices.
	if err := r.pinv.Pinv(r.gi, r.g); err != nil {
		return err
	}
	r.kk.Mul(r.hah, r.gi)
	r.w.Mul(r.gi, r.kk)
	r.updateH()
	return nil
}

// updateH applies the 1/8-power rule H ← H ⊙ (num/den)^{1/8}. With W =
// W⁺ − W⁻ split into its positive and negative parts, both rules share
//
//	num = AHW⁺ᵀ + AᵀHW⁺ + …,  den = AHW⁻ᵀ + AᵀHW⁻ + …
//
// and differ in the rest. The reference rule (RAsNMF.m) adds
//
//	num: HW⁻GW⁻ᵀ + HW⁻ᵀGW⁻ + 2λSᵀH,  den: HW⁺GW⁺ᵀ + HW⁺ᵀGW⁺ + 4λDH;
//
// the gradient rule splits M = WGWᵀ + WᵀGW = M⁺ − M⁻ instead (Ding, Li and
// Jordan's semi-NMF split) and adds the regularizer's exact gradient,
//
//	num: HM⁻ + (λ/2)(S + Sᵀ)H,  den: HM⁺ + λDH,
//
// so that den − num is half the gradient of the objective.
func (r *rasRun) updateH() {
	linalg.PosNeg(r.wp, r.wn, r.w)
	linalg.MulABt(r.num, r.ah, r.wp)
	r.tmp.Mul(r.ath, r.wp)
	r.num.Add(r.num, r.tmp)
	linalg.MulABt(r.den, r.ah, r.wn)
	r.tmp.Mul(r.ath, r.wn)
	r.den.Add(r.den, r.tmp)
	if r.gradient {
		r.quad(r.kk2, r.w)
		linalg.PosNeg(r.mp, r.mn, r.kk2)
	} else {
		r.quad(r.mn, r.wn)
		r.quad(r.mp, r.wp)
	}
	r.tmp.Mul(r.h, r.mn)
	r.num.Add(r.num, r.tmp)
	r.tmp.Mul(r.h, r.mp)
	r.den.Add(r.den, r.tmp)
	if r.lambda > 0 {
		sFactor, dFactor := 2*r.lambda, 4*r.lambda
		r.tmp.Copy(r.sth)
		if r.gradient {
			sFactor, dFactor = r.lambda/2, r.lambda
			r.tmp.Add(r.sh, r.sth)
		}
		r.tmpT.Scale(sFactor, r.tmp)
		r.num.Add(r.num, r.tmpT)
		linalg.ScaleRows(r.tmp, r.h, r.ds)
		r.tmpT.Scale(dFactor, r.tmp)
		r.den.Add(r.den, r.tmpT)
	}
	linalg.MulUpdate(r.h, r.num, r.den, 0.125, linalg.Eps)
	r.fresh = false
}

// quad sets dst = XGXᵀ + XᵀGX (k x k) for the current G = HᵀH.
func (r *rasRun) quad(dst, x *mat.Dense) {
	linalg.MulABt(r.kk, r.g, x)
	dst.Mul(x, r.kk)
	r.kk.Mul(r.g, x)
	linalg.MulAtB(r.kk3, x, r.kk)
	dst.Add(dst, r.kk3)
}

// Objective implements solve.Model: ‖A − HWHᵀ‖² + λ[Tr(HᵀDH) − Tr(HᵀSH)]
// at the current H and the W solved from the previous H, from k x k
// matrices and products with A (‖A − HWHᵀ‖² = ‖A‖² − 2⟨HᵀAH, W⟩ +
// ⟨W, GWG⟩), never an n x n one.
func (r *rasRun) Objective() float64 {
	r.refresh()
	r.kk.Mul(r.w, r.g)
	r.kk2.Mul(r.g, r.kk)
	fit := max(r.sqNorm-2*linalg.Dot(r.hah, r.w)+linalg.Dot(r.w, r.kk2), 0)
	if r.lambda == 0 {
		return fit
	}
	linalg.ScaleRows(r.tmp, r.h, r.ds)
	return fit + r.lambda*(linalg.Dot(r.h, r.tmp)-linalg.Dot(r.h, r.sh))
}
