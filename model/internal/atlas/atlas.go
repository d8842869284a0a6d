// Package atlas holds the machinery of the group atlas (model.Atlas): a
// stack of symmetric m x m matrices A_1, ..., A_L factorized with one
// shared nonnegative H and one symmetric k x k matrix per member of the
// stack,
//
//	min Σ_l ‖A_l − H W_l Hᵀ‖²_F,  H ≥ 0 (m x k),  W_l = W_lᵀ (k x k),
//
// the W_l either free in sign (each set to its least-squares value given
// H) or nonnegative (a multiplicative update). The A_l may have any sign.
//
// With W fixed the objective is a polynomial of degree 4 in the entries of
// H. Writing A = A⁺ − A⁻ and W = W⁺ − W⁻ (positive and negative parts)
// splits it into terms with nonnegative coefficients and terms with
// nonpositive ones, F = F⁺ − F⁻ + const, with gradients (G = HᵀH)
//
//	∇F⁺/4 = Σ_l A⁺_l H W⁻_l + A⁻_l H W⁺_l  +  H(W⁺_l G W⁺_l + W⁻_l G W⁻_l)
//	∇F⁻/4 = Σ_l A⁺_l H W⁺_l + A⁻_l H W⁻_l  +  H(W⁺_l G W⁻_l + W⁻_l G W⁺_l)
//
// in which every product is of nonnegative matrices; the first sum of
// ∇F⁺ comes from quadratic monomials (Quad), the second from quartic ones
// (Quart). Bounding each monomial of F⁺ above by the weighted AM-GM
// inequality at its own degree and each of −F⁻ by its tangent in log H
// gives an auxiliary function of F, separable in the entries of H, whose
// minimizer is the update of Update: H ⊙ t with Quart·t⁴ + Quad·t² = ∇F⁻/4
// entry by entry. It does not increase F (docs/models/atlas.md gives the
// derivation). For a nonnegative stack and nonnegative W_l, Quad is zero
// and the rule is the fourth-root rule of asymmetric NMF (package
// trifactor) summed over the stack. The same parts, projected, update
// each factor of a deep H = H1⋯Hp (package deep).
package atlas

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Factorization is the factorization of a stack, updated in place. It
// implements solve.Model with the objective Σ_l ‖A_l − HW_lHᵀ‖²: each Step
// updates H by the fourth-root rule, then every W_l, and neither update
// increases the objective.
type Factorization struct {
	A []*mat.Dense // the stack: symmetric m x m matrices
	H *mat.Dense   // m x k, nonnegative; a deep model points it at H1⋯Hp
	W []*mat.Dense // k x k, symmetric, one per A_l
	// Free says the W_l are free in sign, each set to its least-squares
	// value G⁺HᵀA_lHG⁺; otherwise they are nonnegative, updated by
	// W_l ← W_l ⊙ HᵀA_lH / GW_lG (which needs A_l ≥ 0).
	Free bool

	signed      []bool  // A_l has negative entries
	sqNorm      float64 // Σ_l ‖A_l‖²
	p, n, t     *mat.Dense
	num, quad   *mat.Dense // m x k
	quart       *mat.Dense
	g, gi, hah  *mat.Dense // k x k
	wp, wn, kk  *mat.Dense
	kk2, qp, qn *mat.Dense
}

// New returns the factorization of the stack a from h, which it updates in
// place, with every W_l at its start (Start). Nonnegative W_l (free false)
// need a nonnegative stack.
func New(a []*mat.Dense, h *mat.Dense, free bool) (*Factorization, error) {
	m, k := h.Dims()
	mk := func() *mat.Dense { return mat.NewDense(m, k, nil) }
	kk := func() *mat.Dense { return mat.NewDense(k, k, nil) }
	f := &Factorization{
		A: a, H: h, Free: free, signed: make([]bool, len(a)), W: make([]*mat.Dense, len(a)),
		p: mk(), n: mk(), t: mk(), num: mk(), quad: mk(), quart: mk(),
		g: kk(), gi: kk(), hah: kk(), wp: kk(), wn: kk(), kk: kk(), kk2: kk(), qp: kk(), qn: kk(),
	}
	for l, x := range a {
		st := linalg.NewDense(x).Stats()
		f.signed[l] = st.Min < 0
		f.sqNorm += st.SquaredNorm
		f.W[l] = kk()
		if f.signed[l] && !free {
			return nil, fmt.Errorf("atlas: matrix %d has negative entries (min %g); nonnegative W needs a nonnegative stack", l, st.Min)
		}
	}
	return f, f.Start()
}

// Start sets every W_l to its start given H: the least-squares value
// G⁺HᵀA_lHG⁺, and for nonnegative W_l that value with its entries below a
// thousandth of its largest raised to it (a multiplicative update cannot
// move an entry away from zero).
func (f *Factorization) Start() error {
	if err := f.gram(true); err != nil {
		return err
	}
	for l := range f.A {
		f.leastSquares(l)
		if f.Free {
			continue
		}
		floor := 1e-3 * max(mat.Max(f.W[l]), 0)
		raw := f.W[l].RawMatrix().Data
		for i, v := range raw {
			raw[i] = max(v, floor)
		}
	}
	return nil
}

// gram sets G = HᵀH and, if pinv, its pseudo-inverse.
func (f *Factorization) gram(pinv bool) error {
	linalg.GramTo(f.g, f.H)
	if !pinv {
		return nil
	}
	gi, err := linalg.Pinv(f.g)
	if err != nil {
		return err
	}
	f.gi.Copy(gi)
	return nil
}

// leastSquares sets W_l = G⁺HᵀA_lHG⁺, symmetrized, from the current gram.
func (f *Factorization) leastSquares(l int) {
	f.projected(l)
	f.kk.Mul(f.hah, f.gi)
	f.W[l].Mul(f.gi, f.kk)
	symmetrize(f.W[l])
}

// projected sets hah = HᵀA_lH.
func (f *Factorization) projected(l int) {
	f.t.Mul(f.A[l], f.H)
	f.hah.Mul(f.H.T(), f.t)
}

// Step implements solve.Model: H, then every W_l with the new H.
func (f *Factorization) Step() error {
	Update(f.H, f.HParts(f.H))
	return f.UpdateW()
}

// Parts are the parts of the gradient of the objective with respect to H
// (or to a layer of a deep H, projected), each m x k and nonnegative: Num
// is ∇F⁻/4, Quad and Quart the terms of ∇F⁺/4 of the quadratic and the
// quartic monomials, so that the gradient is 4(Quad + Quart − Num).
type Parts struct{ Num, Quad, Quart *mat.Dense }

// HParts returns the parts of the gradient at H = h with the current W_l
// (see the package documentation), in scratch matrices valid until the
// next call:
//
//	Num   = Σ_l A⁺_l h W⁺_l + A⁻_l h W⁻_l + h(W⁺_l G W⁻_l + W⁻_l G W⁺_l)
//	Quad  = Σ_l A⁺_l h W⁻_l + A⁻_l h W⁺_l
//	Quart = Σ_l h(W⁺_l G W⁺_l + W⁻_l G W⁻_l)
func (f *Factorization) HParts(h *mat.Dense) Parts {
	linalg.GramTo(f.g, h)
	f.num.Zero()
	f.quad.Zero()
	f.qp.Zero()
	f.qn.Zero()
	for l, a := range f.A {
		linalg.PosNeg(f.wp, f.wn, f.W[l])
		if f.signed[l] {
			posNegMul(f.p, f.n, a, h)
			addMul(f.num, f.n, f.wn, f.t)
			addMul(f.quad, f.n, f.wp, f.t)
		} else {
			f.p.Mul(a, h)
		}
		addMul(f.num, f.p, f.wp, f.t)
		addMul(f.quad, f.p, f.wn, f.t)
		// qp += W⁺GW⁺ + W⁻GW⁻; qn += X + Xᵀ with X = W⁺GW⁻ (W⁻GW⁺ = Xᵀ).
		for _, w := range []*mat.Dense{f.wp, f.wn} {
			f.kk.Mul(f.g, w)
			f.kk2.Mul(w, f.kk)
			f.qp.Add(f.qp, f.kk2)
		}
		f.kk.Mul(f.g, f.wn)
		f.kk2.Mul(f.wp, f.kk)
		f.qn.Add(f.qn, f.kk2)
		f.qn.Add(f.qn, f.kk2.T())
	}
	addMul(f.num, h, f.qn, f.t)
	f.quart.Mul(h, f.qp)
	return Parts{Num: f.num, Quad: f.quad, Quart: f.quart}
}

// Update applies the multiplicative update of H (or of a layer, with the
// parts projected on it) that minimizes the auxiliary function of the
// package documentation, entry by entry,
//
//	H ← H ⊙ sqrt( 2·Num / max(Quad + sqrt(Quad² + 4·Quart·Num), ε) ),
//
// the positive root t² of Quart·t⁴ + Quad·t² = Num with t the ratio of the
// new entry to the old; without quadratic terms (Quad = 0: a nonnegative
// stack and W) it is the fourth-root rule H ⊙ (Num/Quart)^{1/4}. ε is
// linalg.Eps.
func Update(h *mat.Dense, p Parts) {
	r, c := h.Dims()
	for i := range r {
		hs := h.RawRowView(i)
		ns, qs, ws := p.Num.RawRowView(i), p.Quad.RawRowView(i), p.Quart.RawRowView(i)
		for j := range c {
			n, b := ns[j], qs[j]
			hs[j] *= math.Sqrt(2 * n / max(b+math.Sqrt(b*b+4*ws[j]*n), linalg.Eps))
		}
	}
}

// UpdateW updates every W_l for the current H: its least-squares value
// when free, one multiplicative step otherwise.
func (f *Factorization) UpdateW() error {
	if err := f.gram(f.Free); err != nil {
		return err
	}
	for l := range f.A {
		if f.Free {
			f.leastSquares(l)
			continue
		}
		num, den := f.WParts(l)
		linalg.MulUpdate(f.W[l], num, den, 1, linalg.Eps)
		symmetrize(f.W[l])
	}
	return nil
}

// WParts returns HᵀA_lH and GW_lG for the current H (G as of the last
// gram), in scratch matrices valid until the next call: the gradient of
// the objective with respect to W_l is 2(den − num).
func (f *Factorization) WParts(l int) (num, den *mat.Dense) {
	f.projected(l)
	f.kk.Mul(f.W[l], f.g)
	f.kk2.Mul(f.g, f.kk)
	return f.hah, f.kk2
}

// Objective implements solve.Model: Σ_l ‖A_l‖² − 2⟨HᵀA_lH, W_l⟩ +
// ⟨W_l, GW_lG⟩, never forming HW_lHᵀ.
func (f *Factorization) Objective() float64 {
	linalg.GramTo(f.g, f.H)
	obj := f.sqNorm
	for l := range f.A {
		num, den := f.WParts(l)
		obj += linalg.Dot(f.W[l], den) - 2*linalg.Dot(num, f.W[l])
	}
	return max(obj, 0)
}

// posNegMul sets p = A⁺h and n = A⁻h for the positive and negative parts
// of the m x m matrix a, in one pass over a.
func posNegMul(p, n, a, h *mat.Dense) {
	p.Zero()
	n.Zero()
	m, k := h.Dims()
	ar, hr, pr, nr := a.RawMatrix(), h.RawMatrix(), p.RawMatrix(), n.RawMatrix()
	for i := range m {
		pi := pr.Data[i*pr.Stride : i*pr.Stride+k]
		ni := nr.Data[i*nr.Stride : i*nr.Stride+k]
		for j, v := range ar.Data[i*ar.Stride : i*ar.Stride+m] {
			hj := hr.Data[j*hr.Stride : j*hr.Stride+k]
			switch {
			case v > 0:
				floats.AddScaled(pi, v, hj)
			case v < 0:
				floats.AddScaled(ni, -v, hj)
			}
		}
	}
}

// addMul sets dst += a·b, using tmp (the shape of dst) as scratch.
func addMul(dst, a, b, tmp *mat.Dense) {
	tmp.Mul(a, b)
	dst.Add(dst, tmp)
}

// symmetrize sets the square w to (w + wᵀ)/2.
func symmetrize(w *mat.Dense) {
	k, _ := w.Dims()
	for i := range k {
		for j := i + 1; j < k; j++ {
			v := (w.At(i, j) + w.At(j, i)) / 2
			w.Set(i, j, v)
			w.Set(j, i, v)
		}
	}
}
