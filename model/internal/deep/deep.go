// Package deep holds the machinery of the deep (multi-layer) models: a
// stack of layers, layer-wise pre-training, and the bookkeeping of joint
// fine-tuning. docs/deep.md describes it; the models (dnmf, deepseminmf,
// danmf, danmf-crfr, dasnmf and the models built on them) supply the
// shallow model of each layer and the update rules.
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
package deep

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
)

// Layer is one pre-trained layer: its input (n x m_in, one sample per
// row) ≈ H·Uᵀ.
type Layer struct {
	U *mat.Dense // m_in x r: the layer's factor, the i-th factor of Ψ
	H *mat.Dense // n x r: its coefficients V_iᵀ, one row per sample
	// Next is the input of the next layer; nil means H, the coefficients.
	// A model whose next layer factorizes something else (DAsNMF's W,
	// say) sets it.
	Next linalg.Matrix
}

// Input returns the input of the layer after l: l.Next, or H.
func (l Layer) Input() linalg.Matrix {
	if l.Next != nil {
		return l.Next
	}
	return linalg.NewDense(l.H)
}

// Pretrain runs layer-wise pre-training: layer 1 fits x, and layer i the
// Input of layer i−1, each by fit (given the layer's 0-based index, its
// input and its size). It returns the layers in order.
func Pretrain(x linalg.Matrix, layers []int, fit func(l int, x linalg.Matrix, r int) (Layer, error)) ([]Layer, error) {
	in := x
	out := make([]Layer, 0, len(layers))
	for l, r := range layers {
		layer, err := fit(l, in, r)
		if err != nil {
			return nil, fmt.Errorf("pre-training layer %d: %w", l+1, err)
		}
		out = append(out, layer)
		in = layer.Input()
	}
	return out, nil
}

// CheckLayers validates the layer sizes of a deep model: at least one
// layer, every size in [1, limit) (limit is below the dimensions the
// model's layers factorize: min(n, m) for most, n for those whose layers
// may be wider than the features), and, when decreasing, each below the
// one before (a layer that factorizes its predecessor's r-column
// coefficients needs a smaller size). It is the one place layer sizes are
// checked.
func CheckLayers(layers []int, limit int, decreasing bool) error {
	if len(layers) == 0 {
		return fmt.Errorf("no layers: give the layer sizes r1,...,k")
	}
	for i, r := range layers {
		if r < 1 || r >= limit {
			return fmt.Errorf("layer %d has size %d; sizes must be in [1, %d) for this input", i+1, r, limit)
		}
		if decreasing && i > 0 && r >= layers[i-1] {
			return fmt.Errorf("layer sizes %v must decrease: layer %d factorizes the %d-column coefficients of layer %d", layers, i+1, layers[i-1], i)
		}
	}
	return nil
}

// Stack is the state of a deep factorization during fine-tuning.
type Stack struct {
	X      linalg.Matrix // n x m input, M = xᵀ
	N, M   int
	Layers []int
	U      []*mat.Dense // U_i, r_{i−1} x r_i
	V      []*mat.Dense // V_iᵀ, n x r_i; V[p−1] is H = Vpᵀ, the top layer
	Psi    []*mat.Dense // Ψ_i = U1⋯Ui, m x r_i; Psi[0] is U[0] itself
	phi    []*mat.Dense // Φ_i = U_i⋯Up, r_{i−1} x k, as of the sweep start
	tilde  *mat.Dense   // Ψ̃ of the layer being updated, m x k
	proj   linalg.Scratch

	// The products of the decoder M ≈ ΨVp every model's updates and
	// objective use: valid after RefreshPsi (XPsi, PtP) and RefreshTop
	// (MH, HtH).
	SqNorm float64    // ‖M‖²
	XPsi   *mat.Dense // X·Ψ = (ΨᵀM)ᵀ, n x k
	PtP    *mat.Dense // ΨᵀΨ, k x k
	MH     *mat.Dense // M·Vpᵀ = Xᵀ·H, m x k
	HtH    *mat.Dense // HᵀH = VpVpᵀ, k x k
}

// NewStack starts fine-tuning from pre-trained layers and computes Ψ.
func NewStack(x linalg.Matrix, ls []Layer) *Stack {
	n, m := x.Dims()
	p := len(ls)
	s := &Stack{X: x, N: n, M: m}
	for _, l := range ls {
		_, r := l.U.Dims()
		s.Layers = append(s.Layers, r)
		s.U = append(s.U, l.U)
		s.V = append(s.V, l.H)
	}
	k := s.Layers[p-1]
	s.Psi = make([]*mat.Dense, p)
	s.phi = make([]*mat.Dense, p)
	for l := range p {
		if l > 0 {
			s.Psi[l] = mat.NewDense(m, s.Layers[l], nil)
		}
		rin, _ := s.U[l].Dims()
		s.phi[l] = mat.NewDense(rin, k, nil)
	}
	s.tilde = mat.NewDense(m, k, nil)
	for l := range p {
		s.SetPsi(l)
	}
	s.SqNorm = x.Stats().SquaredNorm
	s.XPsi, s.PtP = mat.NewDense(n, k, nil), mat.NewDense(k, k, nil)
	s.MH, s.HtH = mat.NewDense(m, k, nil), mat.NewDense(k, k, nil)
	return s
}

// RefreshPsi recomputes XPsi and PtP for the current Ψ.
func (s *Stack) RefreshPsi() {
	psi := s.Product()
	s.X.Mul(s.XPsi, psi)
	linalg.GramTo(s.PtP, psi)
}

// RefreshTop recomputes MH and HtH for the current top coefficients.
func (s *Stack) RefreshTop() {
	h := s.Top()
	s.X.TMul(s.MH, h)
	linalg.GramTo(s.HtH, h)
}

// DecoderResidual returns ‖M − ΨVp‖²_F = ‖M‖² − 2⟨MVpᵀ, Ψ⟩ + ⟨ΨᵀΨ, VpVpᵀ⟩
// from the refreshed products, never forming ΨVp.
func (s *Stack) DecoderResidual() float64 {
	return max(s.SqNorm-2*linalg.Dot(s.MH, s.Product())+linalg.Dot(s.PtP, s.HtH), 0)
}

// P returns the number of layers.
func (s *Stack) P() int { return len(s.U) }

// K returns the size of the top layer.
func (s *Stack) K() int { return s.Layers[len(s.Layers)-1] }

// Top returns H = Vpᵀ, the top layer's coefficients, n x k.
func (s *Stack) Top() *mat.Dense { return s.V[len(s.V)-1] }

// Product returns Ψ_p = U1⋯Up, m x k, as of the last update.
func (s *Stack) Product() *mat.Dense { return s.Psi[len(s.Psi)-1] }

// PsiBefore returns Ψ_{l} in 0-based terms, the product of the layers
// below layer l, or nil for the identity when l = 0.
func (s *Stack) PsiBefore(l int) *mat.Dense {
	if l == 0 {
		return nil
	}
	return s.Psi[l-1]
}

// PhiAfter returns the product of the layers above layer l (Φ_{i+1}), or
// nil for the identity when l is the top layer.
func (s *Stack) PhiAfter(l int) *mat.Dense {
	if l+1 >= s.P() {
		return nil
	}
	return s.phi[l+1]
}

// BeginSweep computes Φ_i = U_i⋯Up for every layer from the current
// factors. Call it once at the start of each sweep.
func (s *Stack) BeginSweep() {
	p := s.P()
	s.phi[p-1].Copy(s.U[p-1])
	for l := p - 2; l >= 0; l-- {
		s.phi[l].Mul(s.U[l], s.phi[l+1])
	}
}

// PsiTilde sets and returns Ψ̃ for layer l: Ψ_{l} (as updated) times Φ_l
// (as of the sweep start), the current m x k product.
func (s *Stack) PsiTilde(l int) *mat.Dense {
	if l == 0 {
		s.tilde.Copy(s.phi[0])
	} else {
		s.tilde.Mul(s.Psi[l-1], s.phi[l])
	}
	return s.tilde
}

// SetPsi recomputes Ψ for layer l from Ψ of the layer below and U_l. Call
// it once after U_l changes, in increasing order of l.
func (s *Stack) SetPsi(l int) {
	if l == 0 {
		s.Psi[0] = s.U[0]
		return
	}
	s.Psi[l].Mul(s.Psi[l-1], s.U[l])
}

// Project returns Ψ_{l}ᵀ · a · Φ_{l+1}ᵀ, the r_{l−1} x r_l projection of an
// m x k matrix onto layer l's factor. The result lives in scratch memory
// of the slot (0 or 1), valid until the next projection of its shape in
// the same slot; it is a itself for a single layer.
func (s *Stack) Project(l int, a *mat.Dense, slot int) *mat.Dense {
	left := a
	if pb := s.PsiBefore(l); pb != nil {
		_, r := pb.Dims()
		_, k := a.Dims()
		left = s.proj.Get(2*slot, r, k)
		linalg.MulAtB(left, pb, a)
	}
	pa := s.PhiAfter(l)
	if pa == nil {
		return left
	}
	rl, _ := left.Dims()
	rout, _ := pa.Dims()
	out := s.proj.Get(2*slot+1, rl, rout)
	linalg.MulABt(out, left, pa)
	return out
}

// UpdateU applies the multiplicative update U_l ← U_l ⊙ (Ψᵀ num Φᵀ) /
// max(Ψᵀ den Φᵀ, eps) for m x k matrices num and den (see the package
// comment), then recomputes Ψ_l.
func (s *Stack) UpdateU(l int, num, den *mat.Dense, eps float64) {
	linalg.MulUpdate(s.U[l], s.Project(l, num, 0), s.Project(l, den, 1), 1, eps)
	s.SetPsi(l)
}
