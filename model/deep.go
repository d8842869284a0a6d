package model

// The machinery of the deep models (dnmf, deepseminmf, danmf, danmf-crfr
// and the models built on them): a stack of layers, layer-wise
// pre-training with a shallow model, and the bookkeeping of joint
// fine-tuning through solve.Fit. docs/deep.md describes it.
//
// Orientation. The papers factorize a matrix M with one sample (or node)
// per column,
//
//	M ≈ U1 U2 ⋯ Up Vp,   U_i r_{i−1} x r_i (r_0 = m),   Vp r_p x n,
//
// while deepnmf's inputs have one sample per row: M = Xᵀ for a data matrix
// X (n x d, so m = d), and M = A for a symmetric adjacency matrix (m = n).
// The stack keeps the U_i in the papers' orientation and the coefficient
// matrices transposed, V_iᵀ (n x r_i), one row per sample. Products with M
// go through the input's own X·B and Xᵀ·B: M·B = Xᵀ·B and Mᵀ·B = X·B, so a
// sparse input is never densified.
//
// Notation (0-based layer l = i−1 in the code): Ψ_i = U1⋯Ui (m x r_i),
// Φ_i = U_i⋯Up (r_{i−1} x k), and for the update of layer i
//
//	Ψ̃_i = Ψ_{i−1} Φ_i = Ψ_{i−1} U_i Φ_{i+1}   (m x k),
//
// the full product with layers 1..i−1 already updated in this sweep and
// layers i..p not yet. Φ is computed once at the start of each sweep (the
// layers above i have not changed when layer i is updated) and Ψ_i once
// after U_i is updated, so neither is recomputed per use.
//
// Every multiplicative update of U_i in these models has the form
//
//	U_i ← U_i ⊙ (Ψ_{i−1}ᵀ N Φ_{i+1}ᵀ) / max(Ψ_{i−1}ᵀ D Φ_{i+1}ᵀ, ε)
//
// with m x k matrices N and D that the model computes from Ψ̃_i (for DANMF,
// N = 2MVpᵀ and D = Ψ̃_i Vp Vpᵀ + M Mᵀ Ψ̃_i): forming N and D first and
// projecting them costs O(m·r·k) per layer instead of the O(m·r²) of the
// papers' order of products, and M Mᵀ Ψ̃_i is M(MᵀΨ̃_i), two products with
// k columns, never an m x m matrix for a sparse input.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// deepLayer is one pre-trained layer: its input (n x m_in, one sample per
// row) ≈ H·Uᵀ.
type deepLayer struct {
	U *mat.Dense // m_in x r: the layer's factor, the i-th factor of Ψ
	H *mat.Dense // n x r: its coefficients V_iᵀ, one row per sample
	// Next is the input of the next layer; nil means H, the coefficients,
	// as in every model of this file. A model whose next layer factorizes
	// something else (DAsNMF's W, say) sets it.
	Next linalg.Matrix
}

// pretrainer fits the shallow model of one layer to its input x (n x m,
// one sample per row) at rank r, drawing any randomness from rng, and
// returns the layer and the solver's report.
type pretrainer func(ctx context.Context, x linalg.Matrix, r int, rng *rand.Rand) (deepLayer, *solve.Result, error)

// pretrainLayers runs layer-wise pre-training: layer 1 factorizes x, and
// layer i the Next (by default the coefficients H) of layer i−1. It returns
// the layers and each layer's report, in order. A cancelled ctx makes each
// remaining layer stop at once (solve.Fit returns at its first iteration).
func pretrainLayers(ctx context.Context, x linalg.Matrix, layers []int, rng *rand.Rand, fit pretrainer) ([]deepLayer, []solve.Result, error) {
	in := x
	out := make([]deepLayer, 0, len(layers))
	hist := make([]solve.Result, 0, len(layers))
	for i, r := range layers {
		l, res, err := fit(ctx, in, r, rng)
		if err != nil {
			return nil, nil, fmt.Errorf("pre-training layer %d: %w", i+1, err)
		}
		out = append(out, l)
		hist = append(hist, *res)
		if in = l.Next; in == nil {
			in = linalg.NewDense(l.H)
		}
	}
	return out, hist, nil
}

// deepLayers returns the layer sizes of a deep model: c.Layers, or the
// single layer [c.Rank] when no layers are given. When both are given and
// topIsRank is set, the last layer must equal the rank.
func deepLayers(c Config, topIsRank bool) ([]int, error) {
	layers := append([]int(nil), c.Layers...)
	if len(layers) == 0 {
		if c.Rank < 1 {
			return nil, invalidf("give the layer sizes r1,...,k (--layers) or a rank")
		}
		layers = []int{c.Rank}
	}
	for _, r := range layers {
		if r < 1 {
			return nil, invalidf("layer sizes %v must be positive", layers)
		}
	}
	if topIsRank && c.Rank > 0 && c.Rank != layers[len(layers)-1] {
		return nil, invalidf("the last layer (%d) must equal the rank (%d)", layers[len(layers)-1], c.Rank)
	}
	return layers, nil
}

// checkLayers validates layer sizes against an input with m columns and n
// rows: every size positive and below both.
func checkLayers(layers []int, n, m int) error {
	if len(layers) == 0 {
		return invalidf("no layers")
	}
	for i, r := range layers {
		if r < 1 || r >= n || r >= m {
			return invalidf("layer %d has size %d; sizes must be in [1, %d) for a %dx%d input", i+1, r, min(n, m), n, m)
		}
	}
	return nil
}

// deepStack is the state of a deep factorization during fine-tuning.
type deepStack struct {
	x      linalg.Matrix // n x m input, M = xᵀ
	n, m   int
	layers []int
	u      []*mat.Dense  // U_i, r_{i−1} x r_i
	v      []*mat.Dense  // V_iᵀ, n x r_i; v[p−1] is H = Vpᵀ, the top layer
	psi    []*mat.Dense  // Ψ_i = U1⋯Ui, m x r_i; psi[0] is u[0] itself
	phi    []*mat.Dense  // Φ_i = U_i⋯Up, r_{i−1} x k, as of the sweep start
	tilde  *mat.Dense    // Ψ̃ of the layer being updated, m x k
	proj   [4]*mat.Dense // project's scratch: the memory of its results
}

// newDeepStack starts fine-tuning from pre-trained layers and computes Ψ.
func newDeepStack(x linalg.Matrix, ls []deepLayer) *deepStack {
	n, m := x.Dims()
	p := len(ls)
	s := &deepStack{x: x, n: n, m: m}
	for _, l := range ls {
		_, r := l.U.Dims()
		s.layers = append(s.layers, r)
		s.u = append(s.u, l.U)
		s.v = append(s.v, l.H)
	}
	k := s.layers[p-1]
	s.psi = make([]*mat.Dense, p)
	s.phi = make([]*mat.Dense, p)
	for l := range p {
		if l > 0 {
			s.psi[l] = mat.NewDense(m, s.layers[l], nil)
		}
		rin, _ := s.u[l].Dims()
		s.phi[l] = mat.NewDense(rin, k, nil)
	}
	s.tilde = mat.NewDense(m, k, nil)
	for l := range p {
		s.setPsi(l)
	}
	return s
}

// p returns the number of layers.
func (s *deepStack) p() int { return len(s.u) }

// k returns the size of the top layer.
func (s *deepStack) k() int { return s.layers[len(s.layers)-1] }

// top returns H = Vpᵀ, the top layer's coefficients, n x k.
func (s *deepStack) top() *mat.Dense { return s.v[len(s.v)-1] }

// Psi returns Ψ_p = U1⋯Up, m x k, as of the last update.
func (s *deepStack) Psi() *mat.Dense { return s.psi[len(s.psi)-1] }

// psiBefore returns Ψ_{l} in 0-based terms, the product of the layers
// below layer l, or nil for the identity when l = 0.
func (s *deepStack) psiBefore(l int) *mat.Dense {
	if l == 0 {
		return nil
	}
	return s.psi[l-1]
}

// phiAfter returns the product of the layers above layer l (Φ_{i+1}), or
// nil for the identity when l is the top layer.
func (s *deepStack) phiAfter(l int) *mat.Dense {
	if l+1 >= s.p() {
		return nil
	}
	return s.phi[l+1]
}

// beginSweep computes Φ_i = U_i⋯Up for every layer from the current
// factors. Call it once at the start of each sweep.
func (s *deepStack) beginSweep() {
	p := s.p()
	s.phi[p-1].Copy(s.u[p-1])
	for l := p - 2; l >= 0; l-- {
		s.phi[l].Mul(s.u[l], s.phi[l+1])
	}
}

// psiTilde sets and returns Ψ̃ for layer l: Ψ_{l} (as updated) times Φ_l
// (as of the sweep start), the current m x k product.
func (s *deepStack) psiTilde(l int) *mat.Dense {
	if l == 0 {
		s.tilde.Copy(s.phi[0])
	} else {
		s.tilde.Mul(s.psi[l-1], s.phi[l])
	}
	return s.tilde
}

// setPsi recomputes Ψ for layer l from Ψ of the layer below and U_l. Call
// it once after U_l changes, in increasing order of l.
func (s *deepStack) setPsi(l int) {
	if l == 0 {
		s.psi[0] = s.u[0]
		return
	}
	s.psi[l].Mul(s.psi[l-1], s.u[l])
}

// project returns Ψ_{l}ᵀ · a · Φ_{l+1}ᵀ, the r_{l−1} x r_l projection of an
// m x k matrix onto layer l's factor. The result lives in scratch memory
// of the slot (0 or 1), valid until the next projection in the same slot;
// it is a itself for a single layer.
func (s *deepStack) project(l int, a *mat.Dense, slot int) *mat.Dense {
	left := a
	if pb := s.psiBefore(l); pb != nil {
		_, r := pb.Dims()
		_, k := a.Dims()
		left = s.scratch(2*slot, r, k)
		left.Mul(pb.T(), a)
	}
	pa := s.phiAfter(l)
	if pa == nil {
		return left
	}
	rl, _ := left.Dims()
	rout, _ := pa.Dims()
	out := s.scratch(2*slot+1, rl, rout)
	out.Mul(left, pa.T())
	return out
}

// scratch returns an r x c matrix, with arbitrary contents, on the memory
// of scratch matrix i, which it grows as needed: the projections of every
// sweep reuse it instead of allocating wide matrices anew.
func (s *deepStack) scratch(i, r, c int) *mat.Dense {
	if m := s.proj[i]; m != nil && cap(m.RawMatrix().Data) >= r*c {
		return mat.NewDense(r, c, m.RawMatrix().Data[:r*c])
	}
	s.proj[i] = mat.NewDense(r, c, nil)
	return s.proj[i]
}

// updateU applies the multiplicative update U_l ← U_l ⊙ (Ψᵀ num Φᵀ) /
// max(Ψᵀ den Φᵀ, eps) for m x k matrices num and den (see the file
// comment), then recomputes Ψ_l.
func (s *deepStack) updateU(l int, num, den *mat.Dense, eps float64) {
	linalg.MulUpdate(s.u[l], s.project(l, num, 0), s.project(l, den, 1), 1, eps)
	s.setPsi(l)
}

// factorNames name the factors of a deep result: uName+i for U_i and
// vName+i for V_iᵀ, i = 1..p, then Psi1..Psip.
type factorNames struct {
	u, v   string
	vFresh bool // whether the lower V_i are fine-tuned too
}

// factors returns the stack's factors: U1..Up (r_{i−1} x r_i), V1..Vp
// (transposed, n x r_i, one row per sample) and Psi1..Psip (m x r_i).
func (s *deepStack) factors(names factorNames) []Factor {
	p := s.p()
	var out []Factor
	for l, u := range s.u {
		r, c := u.Dims()
		out = append(out, Factor{Name: names.u + strconv.Itoa(l+1), Doc: fmt.Sprintf("%d x %d factor of layer %d", r, c, l+1), M: u})
	}
	for l, v := range s.v {
		doc := fmt.Sprintf("n x %d coefficients of layer %d, transposed (one row per sample)", s.layers[l], l+1)
		switch {
		case l == p-1:
			doc = fmt.Sprintf("n x %d top-layer coefficients, transposed (one row per sample), fine-tuned", s.layers[l])
		case !names.vFresh:
			doc += ", from pre-training"
		}
		out = append(out, Factor{Name: names.v + strconv.Itoa(l+1), Doc: doc, M: v})
	}
	for l, ps := range s.psi {
		out = append(out, Factor{Name: "Psi" + strconv.Itoa(l+1), Doc: fmt.Sprintf("m x %d product of the factors of layers 1..%d", s.layers[l], l+1), M: ps})
	}
	return out
}

// result assembles the Result of a deep model.
func (s *deepStack) result(name string, sr *solve.Result, pre []solve.Result, emb *mat.Dense, names factorNames) *Result {
	return &Result{
		Result:    *sr,
		Model:     name,
		Rank:      s.k(),
		Layers:    append([]int(nil), s.layers...),
		Embedding: emb,
		Factors:   s.factors(names),
		Pretrain:  pre,
	}
}

// deepGramOp computes M Mᵀ B = Xᵀ(X B) for m x c matrices B. For a dense input
// with m ≤ n it precomputes the m x m matrix XᵀX once (cheaper than two
// products with X per call); otherwise, sparse inputs included, it makes
// the two products and never forms an m x m matrix.
type deepGramOp struct {
	x  linalg.Matrix
	g  *mat.Dense // XᵀX, or nil
	xb *mat.Dense // n x c scratch
}

func newDeepGramOp(x linalg.Matrix) *deepGramOp {
	n, m := x.Dims()
	o := &deepGramOp{x: x}
	if d, ok := x.(*linalg.Dense); ok && m <= n {
		o.g = mat.NewDense(m, m, nil)
		o.g.Mul(d.Raw().T(), d.Raw())
	}
	return o
}

// apply sets dst = Xᵀ(X b). When xb is not nil it must hold X·b already
// (n x c), which saves a product when the caller has it.
func (o *deepGramOp) apply(dst, b, xb *mat.Dense) {
	if o.g != nil {
		dst.Mul(o.g, b)
		return
	}
	if xb == nil {
		n, _ := o.x.Dims()
		_, c := b.Dims()
		if o.xb == nil || o.xb.RawMatrix().Cols != c {
			o.xb = mat.NewDense(n, c, nil)
		}
		o.x.Mul(o.xb, b)
		xb = o.xb
	}
	o.x.TMul(dst, xb)
}

// deepRandUniform returns an r x c matrix of uniform [0, 1) entries, drawn in
// row order: MATLAB's rand(r, c), the start of DANMF's pre-training.
func deepRandUniform(r, c int, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.Float64()
	}
	return m
}
