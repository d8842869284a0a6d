package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/model/internal/deep"
	"github.com/deepnmf/deepnmf/solve"
)

// DSymNMF is deep symmetric NMF (De Handschutter, Gillis and Blekic, "Deep
// symmetric matrix factorization", EUSIPCO 2023), the objective on the
// seed talk's "Deep Symmetric NMF" slide: for a symmetric matrix X (n x n,
// a graph's adjacency matrix or a similarity),
//
//	½[‖X − W1H1‖² + μ1‖W1 − H1ᵀ‖² + λ1(‖W1 − W2H2‖² + μ2‖W2 − (H2H1)ᵀ‖²) + ⋯
//	  + λ_{L−1}(‖W_{L−1} − W_L H_L‖² + μ_L‖W_L − (H_L⋯H1)ᵀ‖²)]
//
// over nonnegative W_l (n x r_l) and H_l (r_l x r_{l−1}, r_0 = n): a deep
// NMF of X in which every layer's W_l is pulled towards the transposed
// product of the H's, so that X ≈ W1H1 ≈ H1ᵀH1 as in symmetric NMF, W1 ≈
// W2H2 ≈ H1ᵀH2ᵀH2H1, and so on. W_L (n x k) gives the clusters.
//
// The code keeps G_l = H_lᵀ (r_{l−1} x r_l), so that Ψ_l = G1⋯G_l = (H_l⋯H1)ᵀ
// is n x r_l with one row per node, like W_l. Every block is updated by a
// multiplicative rule derived from the objective (the paper prints none):
// each block's sub-objective is a convex quadratic whose gradient splits
// into a nonnegative linear operator and a nonnegative constant, so each
// update does not increase the objective. Layers are pre-trained one by
// one, then fine-tuned jointly. docs/models/dsymnmf.md gives the
// derivation and every choice made. The factors are W1..WL (n x r_l),
// H1..HL (transposed: G_l = H_lᵀ, r_{l−1} x r_l) and Psi (Ψ_L).
type DSymNMF struct {
	// Layers are r1, ..., rL = k.
	Layers []int
	// Mu holds μ_l per layer, or one value for every layer; nil means 1.
	Mu []float64 `param:"mu" default:"1" check:">=0" help:"μ_l, one value or one per layer"`
	// Lambda holds λ_1, ..., λ_{L−1}, or one value for every layer; nil
	// balances the layers: λ_{l−1} = e_1/e_l with e_l layer l's
	// pre-training objective.
	Lambda []float64 `param:"lambda" default:"auto" check:">0" help:"λ_l of the layers after the first, one value or one per layer (auto: balanced)"`
	// Readout chooses the Embedding: "w" (W_L) or "psi" (Ψ_L =
	// (H_L⋯H1)ᵀ).
	Readout Readout `param:"readout" choices:"w|psi" help:"the embedding: W_L or Ψ_L"`
	// Input says how to read the matrix given to Fit, as SymNMF.Input. A
	// graph that is not symmetric is symmetrized as max(A, Aᵀ).
	Input InputKind `param:"input" choices:"auto|graph|data" help:"how to read the input"`
	// SelfLoops says whether a graph keeps its diagonal.
	SelfLoops Loops `param:"self_loops" choices:"drop|keep" help:"the graph's self-loops"`
	// PreIter is the number of pre-training iterations of each layer.
	PreIter *int `param:"pre_iter" default:"100" check:">=0" help:"pre-training iterations per layer"`
	Seed    uint64
}

var dsymnmfSpec = Spec{
	Name:      "dsymnmf",
	Kind:      Graph,
	Objective: "min ½[‖X − W1H1‖² + μ1‖W1 − H1ᵀ‖² + Σ_l λ_{l−1}(‖W_{l−1} − W_lH_l‖² + μ_l‖W_l − (H_l⋯H1)ᵀ‖²)], W_l, H_l ≥ 0",
	Reference: "De Handschutter, Gillis & Blekic, Deep symmetric matrix factorization, EUSIPCO 2023",
	Settings:  solve.Settings{MaxIter: 200, Tol: new(1e-4)},
	new:       func() fitter { return new(DSymNMF) },
}

func (*DSymNMF) spec() *Spec { return &dsymnmfSpec }

// signed implements signedInput: data of any sign go through SymNMF's kNN
// similarity.
func (m *DSymNMF) signed(x linalg.Matrix) bool {
	g, err := isGraph(m.Input, x)
	return err == nil && !g
}

// perLayer expands one value or a list to n values.
func perLayer(name string, v []float64, n int) ([]float64, error) {
	if len(v) == 1 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v[0]
		}
		v = out
	}
	if len(v) != n {
		return nil, invalidf("%s has %d values; give one or %d", name, len(v), n)
	}
	return v, nil
}

// Fit factorizes x.
func (m *DSymNMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *DSymNMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	nl := len(m.Layers)
	mu, err := perLayer("mu", m.Mu, nl)
	if err != nil {
		return nil, err
	}
	var lambda []float64
	if m.Lambda != nil {
		if nl == 1 {
			if len(m.Lambda) > 1 {
				return nil, invalidf("lambda weighs the layers after the first; a single layer takes none")
			}
		} else if lambda, err = perLayer("lambda", m.Lambda, nl-1); err != nil {
			return nil, err
		}
	}
	a, err := m.similarity(x)
	if err != nil {
		return nil, err
	}
	n, _ := a.Dims()
	if err := deep.CheckLayers(m.Layers, n, false); err != nil {
		return nil, invalid(err)
	}
	dr := newDSymRun(a, m.Layers, mu)
	for l := range nl {
		dr.startLayer(l, r.rng)
		dr.active, dr.only = l+1, l
		if err := r.pretrain(l, dr, solve.Settings{MaxIter: *m.PreIter, Tol: new(0.0)}); err != nil {
			return nil, err
		}
	}
	dr.only = -1
	if lambda == nil {
		dr.balance()
	} else {
		copy(dr.omega[1:], lambda)
	}
	dr.fresh = false
	return r.final(dr, func() *Result {
		emb := dr.w[nl-1]
		if m.Readout == ReadoutPsi {
			emb = dr.psi[nl-1]
		}
		return &Result{
			Rank:      m.Layers[nl-1],
			Layers:    append([]int(nil), m.Layers...),
			Embedding: emb,
			Factors:   dr.factors(),
			Approx:    &Approx{L: dr.w[0], R: dr.g[0]},
		}
	})
}

// factors names the factors of a fit.
func (r *dsymRun) factors() []Factor {
	nl := len(r.sizes)
	fs := layerFactors(W, r.w, func(i int, _ *mat.Dense) string {
		return fmt.Sprintf("n x %d factor of layer %d (W_l ≈ (H_l⋯H1)ᵀ)", r.sizes[i-1], i)
	})
	fs = append(fs, layerFactors(H, r.g, func(i int, g *mat.Dense) string {
		return fmt.Sprintf("%s: H%d transposed (layer %d)", dims(g), i, i)
	})...)
	return append(fs, Factor{Name: Psi, Doc: fmt.Sprintf("n x %d product (H_L⋯H1)ᵀ, one row per node", r.sizes[nl-1]), M: r.psi[nl-1]})
}

// similarity returns the symmetric matrix to factorize.
func (m *DSymNMF) similarity(x linalg.Matrix) (linalg.Matrix, error) {
	g, err := isGraph(m.Input, x)
	if err != nil {
		return nil, err
	}
	if !g {
		return selfTuning(x)
	}
	if isSymmetric(x) && m.SelfLoops == KeepLoops {
		return x, nil
	}
	return undirected(x, m.SelfLoops)
}

// dsymRun is DSymNMF's pre-training and fine-tuning: it implements
// solve.Model. Layer l (0-based) has W_l (n x r_l), G_l = H_lᵀ
// (r_{l−1} x r_l) and Ψ_l = G_0⋯G_l; its input is W_{l−1} (x for l = 0).
type dsymRun struct {
	x      linalg.Matrix
	sqNorm float64
	sizes  []int
	mu     []float64
	omega  []float64 // the layer weights: 1, λ1, ..., λ_{L−1}
	w, g   []*mat.Dense
	psi    []*mat.Dense
	active int // the layers in the objective: 0..active−1
	only   int // the layer updated, or −1 for all
	obj    float64
	fresh  bool
	tmp    linalg.Scratch
}

// The slots of dsymRun's scratch matrices.
const (
	dsNum = iota
	dsDen
	dsT
	dsGram
	dsQ
	dsPhi // and dsPhi+1: the product Φ_m alternates between them
	dsPW  = dsPhi + 2
	dsPP  = dsPW + 1
	dsP   = dsPP + 1
	dsTQ  = dsP + 1
)

func newDSymRun(x linalg.Matrix, layers []int, mu []float64) *dsymRun {
	nl := len(layers)
	r := &dsymRun{
		x: x, sqNorm: x.Stats().SquaredNorm, sizes: layers, mu: mu, omega: make([]float64, nl),
		w: make([]*mat.Dense, nl), g: make([]*mat.Dense, nl), psi: make([]*mat.Dense, nl),
	}
	for l := range r.omega {
		r.omega[l] = 1
	}
	return r
}

// startLayer draws the starting factors of layer l: for the first layer
// G = W = 2·sqrt(mean(X)/r1)·U(0,1), SymNMF's start; for a later one
// G_l ~ U(0,1) and W_l = Ψ_{l−1}G_l, both scaled by the c that minimizes
// ‖W_{l−1} − c²W_lG_lᵀ‖, so that the penalty starts at zero and the fit
// at its best scale.
func (r *dsymRun) startLayer(l int, rng *rand.Rand) {
	n, _ := r.x.Dims()
	rl := r.sizes[l]
	r.fresh = false
	if l == 0 {
		r.g[0] = initialize.Uniform(n, rl, 2*math.Sqrt(linalg.Mean(r.x)/float64(rl)), rng)
		r.w[0] = mat.DenseCopyOf(r.g[0])
		r.psi[0] = r.g[0]
		return
	}
	g := initialize.Uniform(r.sizes[l-1], rl, 1, rng)
	w := mat.NewDense(n, rl, nil)
	w.Mul(r.psi[l-1], g)
	var wg mat.Dense
	wg.Mul(w, g.T())
	if num, den := linalg.Dot(r.w[l-1], &wg), linalg.Dot(&wg, &wg); num > 0 && den > 0 {
		c := math.Sqrt(math.Sqrt(num / den))
		linalg.Scale(g, c)
		linalg.Scale(w, c)
	}
	r.g[l], r.w[l] = g, w
	r.psi[l] = mat.NewDense(n, rl, nil)
	r.psi[l].Mul(r.psi[l-1], g)
}

// Step implements solve.Model: for each layer updated, G_l, then Ψ, then
// W_l.
func (r *dsymRun) Step() error {
	r.fresh = false
	lo, hi := 0, r.active
	if r.only >= 0 {
		lo, hi = r.only, r.only+1
	}
	for l := lo; l < hi; l++ {
		r.updateG(l)
		for m := max(l, 1); m < r.active; m++ {
			r.psi[m].Mul(r.psi[m-1], r.g[m])
		}
		r.updateW(l)
	}
	return nil
}

// updateW applies the rule for W_l, the gradient of the objective split
// into its nonnegative parts:
//
//	W_l ← W_l ⊙ [ω_l(W_{l−1}G_l + μ_lΨ_l) + ω_{l+1}W_{l+1}G_{l+1}ᵀ] /
//	            W_l[ω_l(G_lᵀG_l + μ_l I) + ω_{l+1} I],
//
// the last terms only below the top layer (W_{−1} = X).
func (r *dsymRun) updateW(l int) {
	num, den := r.wParts(l)
	linalg.MulUpdate(r.w[l], num, den, 1, linalg.Eps)
}

// wParts returns the numerator and the denominator of W_l's rule: the
// gradient of the objective with respect to W_l is den − num.
func (r *dsymRun) wParts(l int) (num, den *mat.Dense) {
	n, rl := r.w[l].Dims()
	num, den = r.tmp.Get(dsNum, n, rl), r.tmp.Get(dsDen, n, rl)
	t := r.tmp.Get(dsT, n, rl)
	if l == 0 {
		r.x.Mul(num, r.g[0])
	} else {
		num.Mul(r.w[l-1], r.g[l])
	}
	t.Scale(r.mu[l], r.psi[l])
	num.Add(num, t)
	linalg.Scale(num, r.omega[l])
	gram := r.tmp.Get(dsGram, rl, rl)
	linalg.MulAtB(gram, r.g[l], r.g[l])
	linalg.Scale(gram, r.omega[l])
	diag := r.omega[l] * r.mu[l]
	if l+1 < r.active {
		linalg.MulABt(t, r.w[l+1], r.g[l+1])
		linalg.Scale(t, r.omega[l+1])
		num.Add(num, t)
		diag += r.omega[l+1]
	}
	for i := range rl {
		gram.Set(i, i, gram.At(i, i)+diag)
	}
	den.Mul(r.w[l], gram)
	return num, den
}

// updateG applies the rule for G_l = H_lᵀ. With Φ_m = G_{l+1}⋯G_m (the
// identity for m = l) and P = Ψ_{l−1}ᵀΨ_{l−1} (the identity for l = 0),
//
//	G_l ← G_l ⊙ [ω_l W_{l−1}ᵀW_l + Σ_{m≥l} ω_mμ_m Ψ_{l−1}ᵀW_mΦ_mᵀ] /
//	            [ω_l G_l W_lᵀW_l + P G_l Σ_{m≥l} ω_mμ_m Φ_mΦ_mᵀ],
//
// over the layers m in the objective.
func (r *dsymRun) updateG(l int) {
	num, den := r.gParts(l)
	linalg.MulUpdate(r.g[l], num, den, 1, linalg.Eps)
}

// gParts returns the numerator and the denominator of G_l's rule: the
// gradient of the objective with respect to G_l is den − num.
func (r *dsymRun) gParts(l int) (num, den *mat.Dense) {
	rin, rl := r.g[l].Dims()
	num, den = r.tmp.Get(dsNum, rin, rl), r.tmp.Get(dsDen, rin, rl)
	if l == 0 {
		r.x.TMul(num, r.w[0])
	} else {
		linalg.MulAtB(num, r.w[l-1], r.w[l])
	}
	linalg.Scale(num, r.omega[l])
	q := r.tmp.Get(dsQ, rl, rl) // Σ ω_mμ_m Φ_mΦ_mᵀ
	q.Zero()
	phi := r.tmp.Get(dsPhi, rl, rl)
	phi.Zero()
	for i := range rl {
		phi.Set(i, i, 1)
	}
	t := r.tmp.Get(dsT, rin, rl)
	for m := l; m < r.active; m++ {
		if m > l {
			_, rm := r.g[m].Dims()
			next := r.tmp.Get(dsPhi+(m-l)%2, rl, rm)
			next.Mul(phi, r.g[m])
			phi = next
		}
		c := r.omega[m] * r.mu[m]
		if c == 0 {
			continue
		}
		_, rm := phi.Dims()
		if l == 0 {
			linalg.MulABt(t, r.w[m], phi)
		} else {
			pw := r.tmp.Get(dsPW, rin, rm)
			linalg.MulAtB(pw, r.psi[l-1], r.w[m])
			linalg.MulABt(t, pw, phi)
		}
		linalg.Scale(t, c)
		num.Add(num, t)
		pp := r.tmp.Get(dsPP, rl, rl)
		linalg.MulABt(pp, phi, phi)
		linalg.Scale(pp, c)
		q.Add(q, pp)
	}
	gram := r.tmp.Get(dsGram, rl, rl)
	linalg.MulAtB(gram, r.w[l], r.w[l])
	linalg.Scale(gram, r.omega[l])
	if l == 0 {
		gram.Add(gram, q)
		den.Mul(r.g[0], gram)
	} else {
		den.Mul(r.g[l], gram)
		p := r.tmp.Get(dsP, rin, rin)
		linalg.MulAtB(p, r.psi[l-1], r.psi[l-1])
		t.Mul(p, r.g[l])
		tq := r.tmp.Get(dsTQ, rin, rl)
		tq.Mul(t, q)
		den.Add(den, tq)
	}
	return num, den
}

// layerObjective returns layer l's terms, ‖W_{l−1} − W_lG_lᵀ‖² +
// μ_l‖W_l − Ψ_l‖², from Gram matrices (X is never multiplied out).
func (r *dsymRun) layerObjective(l int) float64 {
	n, rl := r.w[l].Dims()
	cross := r.tmp.Get(dsT, n, rl)
	sq := r.sqNorm
	if l == 0 {
		r.x.Mul(cross, r.g[0])
	} else {
		cross.Mul(r.w[l-1], r.g[l])
		sq = linalg.Dot(r.w[l-1], r.w[l-1])
	}
	ww, gg := r.tmp.Get(dsGram, rl, rl), r.tmp.Get(dsPP, rl, rl)
	linalg.MulAtB(ww, r.w[l], r.w[l])
	linalg.MulAtB(gg, r.g[l], r.g[l])
	fit := max(sq-2*linalg.Dot(cross, r.w[l])+linalg.Dot(ww, gg), 0)
	d := cross
	d.Sub(r.w[l], r.psi[l])
	return fit + r.mu[l]*linalg.Dot(d, d)
}

// Objective implements solve.Model: the objective of the layers in it,
// or layer only's terms alone during its pre-training.
func (r *dsymRun) Objective() float64 {
	if r.fresh {
		return r.obj
	}
	if r.only >= 0 {
		r.obj = r.layerObjective(r.only) / 2
	} else {
		r.obj = 0
		for l := range r.active {
			r.obj += r.omega[l] * r.layerObjective(l)
		}
		r.obj /= 2
	}
	r.fresh = true
	return r.obj
}

// balance sets λ_{l−1} = e_0/e_l from the layer objectives e_l after
// pre-training, so that every layer weighs the same at the start of
// fine-tuning.
func (r *dsymRun) balance() {
	e0 := r.layerObjective(0)
	for l := 1; l < len(r.omega); l++ {
		r.omega[l] = 1
		if e := r.layerObjective(l); e > 0 && e0 > 0 {
			r.omega[l] = e0 / e
		}
	}
}

// extraBytes implements footprinter: the dense copy of data the kNN
// similarity needs (the input is read as data when not square).
func (m *DSymNMF) extraBytes(n, d int) uint64 {
	if m.Input == InputGraph || m.Input == InputAuto && n == d {
		return 0
	}
	return knnBytes(n, d)
}
