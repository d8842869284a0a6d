package model

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/cluster"
	"github.com/deepnmf/deepnmf/graph"
	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// S4NMF is self-supervised semi-supervised NMF (Chavoshinejad, Seyedi,
// Akhlaghian Tab and Salahian, "Self-supervised semi-supervised
// nonnegative matrix factorization for data clustering", Pattern
// Recognition 137, 2023). From a data matrix X (n x d, one sample per row)
// it builds the p-nearest-neighbour graph A with Gaussian weights
// exp(−‖x_i − x_j‖²/σ²), and from the labelled samples (and the pairs
// given) the 0-1 must-link matrix S and cannot-link matrix D. Each of an
// ensemble of b symmetric NMFs minimizes, from its own random start,
//
//	J(H) = ‖A − HHᵀ‖²_F + λ1 Σ_ij D_ij (HHᵀ)_ij + λ2 Σ_ij S_ij ‖h_i − h_j‖²,  H ≥ 0 (n x k),
//
// by the reference notebook's multiplicative rule (a majorization step:
// J does not increase)
//
//	H ← H ⊙ ((A H + λ2 S H) / (H HᵀH + λ2 D_S H + (λ1/2) D H))^(1/4),
//
// D_S = diag(Σ_j S_ij). The members are weighted by a_k ∝ h_k^(−1/(τ−1)),
// the minimizer of Σ_k a_k^τ h_k over the simplex (h_k the member's error;
// τ = 2 gives the notebook's a_k ∝ 1/h_k), and their argmax assignments M_k
// (one-hot, n x k) give the consensus (co-association) matrix
// sA = Σ_k a_k M_k M_kᵀ / max(·). A round is the ensemble's fit and its
// consensus; the consensus is fed back as the next round's similarity
// (Feedback), with fresh starts, for Rounds rounds. The result is the
// member with the largest weight in the last round (Readout "best": its H,
// read out by argmax) or the consensus itself (Readout "consensus").
// docs/models/s4nmf.md gives the derivation and every choice where the
// paper and its notebook leave one open.
//
// One iteration of the solver is one update of every member; the schedule
// (Rounds rounds of Inner iterations) ends the run. The factor is H (n x k)
// of the member read out, and with Readout "consensus" also M (n x bk), the
// consensus embedding [√a_1 M_1, …, √a_b M_b] whose Gram matrix is sA.
type S4NMF struct {
	Rank int
	// Ensemble is b, the number of symmetric NMFs (0: 20, the paper's).
	Ensemble int `param:"ensemble" default:"20" check:">=1" help:"b, the symmetric NMFs of the ensemble"`
	// Tau is τ of the member weights a_k ∝ h_k^(−1/(τ−1)) (0: 2).
	Tau float64 `param:"tau" default:"2" check:">1" help:"exponent τ of the ensemble weights, a_k ∝ h_k^(−1/(τ−1))"`
	// Neighbors is p of the p-nearest-neighbour graph (0: 5, the paper's).
	Neighbors int `param:"neighbors" default:"5" check:">=1" help:"p of the p-nearest-neighbour graph"`
	// Sigma is σ of the graph's weights exp(−d²/σ²) (0: 100, the
	// notebook's, which makes the weights of data scaled to [0, 1] nearly
	// binary).
	Sigma float64 `param:"sigma" default:"100" check:">0" help:"σ of the graph weights exp(−d²/σ²)"`
	// Scale "minmax" maps every feature onto [0, 1] before the graph is
	// built; "none" uses the data as they are.
	Scale Scale `param:"scale" choices:"minmax|none" help:"per-feature scaling of the data before the graph"`
	// Norm "none" factorizes the graph's weights as they are, "ncut" the
	// normalized D^{-1/2} A D^{-1/2} (SymNMF's reference similarity).
	Norm Normalize `param:"norm" choices:"none|ncut" help:"normalization of the graph: none, or D^(-1/2) A D^(-1/2)"`
	// Lambda1 weighs the cannot-link term (nil: 10, the notebook's).
	Lambda1 *float64 `param:"lambda1" default:"10" check:">=0" help:"weight λ1 of the cannot-link term"`
	// Lambda2 weighs the must-link term (nil: 0.001, the notebook's).
	Lambda2 *float64 `param:"lambda2" default:"0.001" check:">=0" help:"weight λ2 of the must-link term"`
	// Rounds is the number of rounds of ensemble and consensus (0: 10, the
	// notebook's).
	Rounds int `param:"rounds" default:"10" check:">=1" help:"rounds of ensemble fit and consensus"`
	// Inner is the number of updates of each member per round (0: 500, the
	// notebook's).
	Inner int `param:"inner" default:"500" check:">=1" help:"updates of each member per round"`
	// Feedback says what the next round factorizes: "replace", the
	// consensus sA; "add", the graph plus the consensus A + sA; "none", the
	// graph again (the notebook as published, whose rounds are independent).
	Feedback Feedback `param:"feedback" choices:"replace|add|none" help:"next round's similarity: the consensus, the graph plus the consensus, or the graph"`
	// Error is the member error h_k behind the weights: "objective", J(H_k);
	// "notebook", the notebook's, whose must-link term sums distances
	// ‖h_i − h_j‖ instead of their squares.
	Error EnsembleError `param:"error" choices:"objective|notebook" help:"member error behind the ensemble weights"`
	// Readout "best" returns the member of the last round with the largest
	// weight (argmax of its rows); "consensus" the consensus embedding, read
	// out by k-means.
	Readout Readout `param:"readout" choices:"best|consensus" help:"result: the best-weighted member, or the consensus (k-means)"`
	// Graph, if not nil, is the n x n similarity A to use instead of the
	// kNN graph; it is symmetrized by max(A, Aᵀ).
	Graph *linalg.CSR
	// Labelled holds the class of each sample, or −1 where it is unknown:
	// every pair of labelled samples is a must-link (same class) or a
	// cannot-link (different classes). Nil: no sample is labelled.
	Labelled []int
	// Must and Cannot are pairwise constraints between samples (0-based
	// rows), in addition to those of Labelled.
	Must, Cannot [][2]int
	// Init "random" starts each member at U(0,1) entries, as the notebook.
	Init initialize.Method `choices:"random"`
	Seed uint64
}

// Feedback says what the next round of S4NMF factorizes.
type Feedback string

// The feedback choices.
const (
	FeedbackReplace Feedback = "replace"
	FeedbackAdd     Feedback = "add"
	FeedbackNone    Feedback = "none"
)

// EnsembleError is the error of an ensemble member behind its weight.
type EnsembleError string

// NormalizeNcut is the normalized adjacency D^{-1/2} A D^{-1/2}.
const NormalizeNcut Normalize = "ncut"

// The member errors.
const (
	ErrorObjective EnsembleError = "objective"
	ErrorNotebook  EnsembleError = "notebook"
)

// The read-outs of S4NMF.
const (
	ReadoutBest      Readout = "best"
	ReadoutConsensus Readout = "consensus"
)

// M names the consensus embedding of S4NMF.
const M Name = "M"

var s4nmfSpec = Spec{
	Name:      "s4nmf",
	Kind:      Data,
	Objective: "min Σ_k a_k^τ [‖A − H_kH_kᵀ‖² + λ1 Σ D⊙H_kH_kᵀ + λ2 Σ S_ij‖h_i − h_j‖²], H_k ≥ 0; A the p-NN graph, then the ensemble's consensus; S, D must/cannot links of the labelled samples",
	Reference: "Chavoshinejad, Seyedi, Akhlaghian Tab & Salahian, Self-supervised semi-supervised NMF for data clustering, Pattern Recognition 137 (2023) 109282 (ChavoshiNejad/S4NMF)",
	// The schedule (rounds of inner updates) ends the run; MaxIter only
	// caps it.
	Settings: solve.Settings{MaxIter: 100000, Tol: new(0.0)},
	new:      func() fitter { return new(S4NMF) },
}

func (*S4NMF) spec() *Spec { return &s4nmfSpec }

// signed implements signedInput: the data go through the kNN graph only.
func (*S4NMF) signed(linalg.Matrix) bool { return true }

// rankLimit implements rankLimiter: the factorized similarity is n x n.
func (*S4NMF) rankLimit(x linalg.Matrix) int {
	n, _ := x.Dims()
	return n
}

// extraBytes implements footprinter: the dense copy of the data for the
// kNN graph and, per member, its factor and six n x k products.
func (m *S4NMF) extraBytes(n, d int) uint64 {
	b := mulSat(uint64(m.Ensemble), mulSat(7, denseBytes(n, m.Rank)))
	if m.Graph != nil {
		return b
	}
	return addSat(b, knnBytes(n, d))
}

// Fit clusters the samples of x (n x d).
func (m *S4NMF) Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error) {
	return fit(ctx, m, x, s)
}

func (m *S4NMF) fit(r *run, x linalg.Matrix) (*Result, error) {
	n, _ := x.Dims()
	s, d, err := linkMatrices(n, m.Labelled, m.Must, m.Cannot)
	if err != nil {
		return nil, err
	}
	a, err := m.similarity(x)
	if err != nil {
		return nil, err
	}
	run := newS4Run(a, s, d, m, r.rng)
	return r.final(run, func() *Result { return run.result(m.Readout) })
}

// similarity returns the graph A of the first round: the given one, or
// the p-nearest-neighbour graph of the (scaled) rows of x with the weights
// exp(−d²/σ²).
func (m *S4NMF) similarity(x linalg.Matrix) (*linalg.CSR, error) {
	n, _ := x.Dims()
	if m.Graph != nil {
		if r, c := m.Graph.Dims(); r != n || c != n {
			return nil, invalidf("graph is %dx%d, want %dx%d (one node per sample)", r, c, n, n)
		}
		if st := m.Graph.Stats(); !st.Finite || st.Min < 0 {
			return nil, invalidf("the graph must be finite and nonnegative")
		}
		a, err := graph.Symmetrize(m.Graph, graph.Max)
		if err != nil {
			return nil, invalid(err)
		}
		if a.NNZ() == 0 {
			return nil, invalidf("the graph has no edges")
		}
		return a, nil
	}
	if m.Neighbors >= n {
		return nil, invalidf("neighbors = %d must be below the number of samples %d", m.Neighbors, n)
	}
	if m.Scale == ScaleMinMax {
		var err error
		if x, err = linalg.MinMaxCols(x); err != nil {
			return nil, invalidf("%v (use scale=none)", err)
		}
	}
	t := m.Sigma * m.Sigma
	if t == 0 || math.IsInf(t, 1) {
		return nil, invalidf("sigma = %g: its square is not a positive finite number", m.Sigma)
	}
	a, err := graph.KNN(linalg.DenseOf(x), m.Neighbors, &graph.KNNOptions{Weight: graph.Heat, T: t})
	if err != nil {
		return nil, invalid(err)
	}
	if a.NNZ() == 0 {
		return nil, invalidf("the kNN graph has no edge of positive weight (σ too small for the distances?)")
	}
	if m.Norm == NormalizeNcut {
		if a, err = graph.NormalizedAdjacency(a); err != nil {
			return nil, invalid(err)
		}
	}
	return a, nil
}

// linkMatrices returns the must-link matrix S and the cannot-link matrix D
// of n samples: symmetric, 0-1, zero on the diagonal, nil when empty. Every
// pair of labelled samples (labelled[i] ≥ 0) is a must-link if their
// classes agree and a cannot-link otherwise; the given pairs are added. A
// pair that is both, a pair of a sample with itself or out of range, a
// class below −1 or a labelling of another length is an error.
func linkMatrices(n int, labelled []int, must, cannot [][2]int) (s, d *linalg.CSR, err error) {
	if labelled != nil && len(labelled) != n {
		return nil, nil, invalidf("%d labels for %d samples", len(labelled), n)
	}
	links := map[[2]int]bool{} // (i, j), i < j → must-link
	add := func(i, j int, must bool) error {
		if i < 0 || j < 0 || i >= n || j >= n {
			return invalidf("constraint (%d, %d) is out of range for %d samples", i, j, n)
		}
		if i == j {
			return invalidf("constraint (%d, %d) links a sample with itself", i, j)
		}
		p := [2]int{min(i, j), max(i, j)}
		if was, ok := links[p]; ok && was != must {
			return invalidf("samples %d and %d are both a must-link and a cannot-link", p[0], p[1])
		}
		links[p] = must
		return nil
	}
	var known []int
	for i, c := range labelled {
		switch {
		case c < -1:
			return nil, nil, invalidf("sample %d has class %d: want a class ≥ 0, or −1 for unlabelled", i, c)
		case c >= 0:
			known = append(known, i)
		}
	}
	for a, i := range known {
		for _, j := range known[a+1:] {
			if err := add(i, j, labelled[i] == labelled[j]); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, set := range []struct {
		pairs [][2]int
		must  bool
	}{{must, true}, {cannot, false}} {
		for _, p := range set.pairs {
			if err := add(p[0], p[1], set.must); err != nil {
				return nil, nil, err
			}
		}
	}
	var sr, sc, dr, dc []int
	for p, isMust := range links {
		if isMust {
			sr, sc = append(sr, p[0], p[1]), append(sc, p[1], p[0])
		} else {
			dr, dc = append(dr, p[0], p[1]), append(dc, p[1], p[0])
		}
	}
	build := func(rows, cols []int) (*linalg.CSR, error) {
		if len(rows) == 0 {
			return nil, nil
		}
		ones := make([]float64, len(rows))
		for i := range ones {
			ones[i] = 1
		}
		return linalg.NewCSRFromTriplets(n, n, rows, cols, ones, false)
	}
	if s, err = build(sr, sc); err != nil {
		return nil, nil, fmt.Errorf("must-link matrix: %w", err)
	}
	if d, err = build(dr, dc); err != nil {
		return nil, nil, fmt.Errorf("cannot-link matrix: %w", err)
	}
	return s, d, nil
}

// constrained returns the similarity a with the pairwise constraints
// imposed as in constrained spectral clustering (Kamvar, Klein and Manning,
// IJCAI 2003): A_ij = max(A) for a must-link pair, 0 for a cannot-link
// pair (s and d as linkMatrices returns them, either may be nil).
func constrained(a linalg.Matrix, s, d *linalg.CSR) *linalg.CSR {
	n, _ := a.Dims()
	top := a.Stats().Max
	var rows, cols []int
	var vals []float64
	a.Each(func(i, j int, v float64) {
		if v != 0 && (s == nil || s.At(i, j) == 0) && (d == nil || d.At(i, j) == 0) {
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, v)
		}
	})
	if s != nil {
		s.Each(func(i, j int, _ float64) {
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, top)
		})
	}
	c, err := linalg.NewCSRFromTriplets(n, n, rows, cols, vals, false)
	if err != nil {
		panic(err) // every index is within a's shape
	}
	return c
}

// s4Sim is the similarity a round of S4NMF factorizes.
type s4Sim interface {
	// mul sets dst = A·h.
	mul(dst, h *mat.Dense)
	// sqNorm returns ‖A‖²_F.
	sqNorm() float64
}

// csrSim is a sparse similarity, the graph of the first round.
type csrSim struct{ *linalg.CSR }

func (a csrSim) mul(dst, h *mat.Dense) { a.Mul(dst, h) }
func (a csrSim) sqNorm() float64       { return a.Stats().SquaredNorm }

// coassoc is the consensus of a round, sA = Σ_m w_m M_m M_mᵀ with w the
// weights scaled to sum 1, which is the division by max(sA): the largest
// entry is on the diagonal, Σ_m w_m. Entry (i, j) is the weighted share of
// the members that put samples i and j in one cluster. It is never formed:
// the samples that every member assigns alike form a group, and with P the
// n x G indicator of the G groups sA = P C Pᵀ, C_gh the weighted share of
// the members that put groups g and h together, so that A·H costs
// O(n·k + G²·k).
type coassoc struct {
	labels [][]int    // labels[m][i]: member m's cluster of sample i
	w      []float64  // the weights, summing to 1
	k      int        // clusters
	group  []int      // the group of each sample
	size   []float64  // the samples in each group
	c      *mat.Dense // G x G
}

// newCoassoc returns the consensus of the members' assignments with the
// weights w (summing to 1) over k clusters.
func newCoassoc(labels [][]int, w []float64, k int) *coassoc {
	n := len(labels[0])
	c := &coassoc{labels: labels, w: w, k: k, group: make([]int, n)}
	ids := map[string]int{}
	var first []int // a sample of each group
	key := make([]byte, 0, 4*len(labels))
	for i := range n {
		key = key[:0]
		for _, lab := range labels {
			key = binary.AppendUvarint(key, uint64(lab[i]))
		}
		g, ok := ids[string(key)]
		if !ok {
			g = len(first)
			ids[string(key)] = g
			first = append(first, i)
			c.size = append(c.size, 0)
		}
		c.group[i] = g
		c.size[g]++
	}
	c.c = mat.NewDense(len(first), len(first), nil)
	for g, i := range first {
		for h, j := range first[:g+1] {
			var v float64
			for m, lab := range labels {
				if lab[i] == lab[j] {
					v += w[m]
				}
			}
			c.c.Set(g, h, v)
			c.c.Set(h, g, v)
		}
	}
	return c
}

func (c *coassoc) mul(dst, h *mat.Dense) {
	_, r := h.Dims()
	g, _ := c.c.Dims()
	t := mat.NewDense(g, r, nil)
	for i, gi := range c.group {
		floats.Add(t.RawRowView(gi), h.RawRowView(i))
	}
	var u mat.Dense
	u.Mul(c.c, t)
	for i, gi := range c.group {
		copy(dst.RawRowView(i), u.RawRowView(gi))
	}
}

// at returns sA_ij.
func (c *coassoc) at(i, j int) float64 { return c.c.At(c.group[i], c.group[j]) }

// sqNorm returns ‖sA‖²_F = Σ_gh n_g n_h C_gh².
func (c *coassoc) sqNorm() float64 {
	var s float64
	for g, ng := range c.size {
		for h, nh := range c.size {
			v := c.c.At(g, h)
			s += ng * nh * v * v
		}
	}
	return s
}

// embedding returns [√w_1 M_1, …, √w_b M_b] (n x bk), whose rows are at
// squared distance 2(1 − sA_ij): k-means on them clusters by the
// consensus.
func (c *coassoc) embedding() *mat.Dense {
	n := len(c.labels[0])
	e := mat.NewDense(n, len(c.labels)*c.k, nil)
	for m, lab := range c.labels {
		v := math.Sqrt(c.w[m])
		for i, l := range lab {
			e.Set(i, m*c.k+l, v)
		}
	}
	return e
}

// sumSim is A + sA, the graph plus the consensus (Feedback "add").
type sumSim struct {
	a *linalg.CSR
	c *coassoc
}

func (s sumSim) mul(dst, h *mat.Dense) {
	s.c.mul(dst, h)
	t := mat.NewDense(h.RawMatrix().Rows, h.RawMatrix().Cols, nil)
	s.a.Mul(t, h)
	dst.Add(dst, t)
}

func (s sumSim) sqNorm() float64 {
	var cross float64
	s.a.Each(func(i, j int, v float64) { cross += v * s.c.at(i, j) })
	return s.a.Stats().SquaredNorm + 2*cross + s.c.sqNorm()
}

// s4Member is one symmetric NMF of the ensemble. The invariant between
// updates: ah = A·H, sh = S·H, dh = D·H (where S, D exist) and gram = HᵀH
// for the current H.
type s4Member struct {
	h, ah, sh, dh, num, den, tmp *mat.Dense // n x k
	gram                         *mat.Dense // k x k
}

// s4Run is one S4NMF fit after the graphs are built: the ensemble's
// rounds. It implements solve.Model and solve.Finisher.
type s4Run struct {
	a        *linalg.CSR // the graph of the first round
	sim      s4Sim       // what the current round factorizes
	simSq    float64     // ‖sim‖²_F
	s, d     *linalg.CSR // must- and cannot-links, nil when empty
	ds       []float64   // row sums of S
	lambda1  float64
	lambda2  float64
	tau      float64
	notebook bool // the notebook's member error
	feedback Feedback
	k        int
	members  []*s4Member
	rng      *rand.Rand
	rounds   int      // rounds to run
	round    int      // rounds ended
	inner    int      // updates per round
	in       int      // updates done in the current round
	last     *coassoc // the consensus of the last round ended
}

func newS4Run(a, s, d *linalg.CSR, m *S4NMF, rng *rand.Rand) *s4Run {
	r := &s4Run{a: a, sim: csrSim{a}, s: s, d: d, lambda1: *m.Lambda1, lambda2: *m.Lambda2, tau: m.Tau,
		notebook: m.Error == ErrorNotebook, feedback: m.Feedback, k: m.Rank, rng: rng, rounds: m.Rounds, inner: m.Inner}
	r.simSq = r.sim.sqNorm()
	if s != nil {
		n, _ := s.Dims()
		r.ds = make([]float64, n)
		s.Each(func(i, _ int, v float64) { r.ds[i] += v })
	}
	n, _ := a.Dims()
	r.members = make([]*s4Member, m.Ensemble)
	for i := range r.members {
		r.members[i] = &s4Member{ah: mat.NewDense(n, r.k, nil), sh: mat.NewDense(n, r.k, nil), dh: mat.NewDense(n, r.k, nil),
			num: mat.NewDense(n, r.k, nil), den: mat.NewDense(n, r.k, nil), tmp: mat.NewDense(n, r.k, nil), gram: mat.NewDense(r.k, r.k, nil)}
	}
	r.start()
	return r
}

// start begins a round: every member from a fresh U(0,1) start, drawn in
// member order.
func (r *s4Run) start() {
	n, _ := r.a.Dims()
	for _, m := range r.members {
		m.h = initialize.Uniform(n, r.k, 1, r.rng)
	}
	r.each(r.refresh)
}

// each calls fn on every member in turn. The members run one after the
// other, not on goroutines of their own: each member's dense products go
// to the BLAS backend, whose own threads (OpenBLAS's pool) compete with
// concurrent callers; members in parallel ran five times slower on two
// cores with OpenBLAS.
func (r *s4Run) each(fn func(m *s4Member)) {
	for _, m := range r.members {
		fn(m)
	}
}

// refresh restores a member's invariant after its H changes.
func (r *s4Run) refresh(m *s4Member) {
	r.sim.mul(m.ah, m.h)
	if r.s != nil {
		r.s.Mul(m.sh, m.h)
	}
	if r.d != nil {
		r.d.Mul(m.dh, m.h)
	}
	linalg.GramTo(m.gram, m.h)
}

// parts returns the numerator and the denominator of a member's update,
// the negative and positive parts of a quarter of J's gradient:
// A H + λ2 S H and H(HᵀH) + λ2 D_S H + (λ1/2) D H.
func (r *s4Run) parts(m *s4Member) (num, den *mat.Dense) {
	m.num.Copy(m.ah)
	m.den.Mul(m.h, m.gram)
	if r.s != nil && r.lambda2 > 0 {
		addScaled(m.num, r.lambda2, m.sh)
		linalg.ScaleRows(m.tmp, m.h, r.ds)
		addScaled(m.den, r.lambda2, m.tmp)
	}
	if r.d != nil && r.lambda1 > 0 {
		addScaled(m.den, r.lambda1/2, m.dh)
	}
	return m.num, m.den
}

// addScaled sets dst += alpha·x for two matrices of one shape, each
// stored contiguously (as mat.NewDense makes them).
func addScaled(dst *mat.Dense, alpha float64, x *mat.Dense) {
	floats.AddScaled(dst.RawMatrix().Data, alpha, x.RawMatrix().Data)
}

// update is the member's multiplicative step.
func (r *s4Run) update(m *s4Member) {
	num, den := r.parts(m)
	linalg.MulUpdate(m.h, num, den, 0.25, linalg.Eps)
	r.refresh(m)
}

// objective returns J(H) = ‖A − HHᵀ‖² + λ1 tr(HᵀDH) + 2λ2 tr(HᵀL_S H),
// L_S = D_S − S (2 tr(HᵀL_S H) = Σ_ij S_ij ‖h_i − h_j‖²), from the
// invariant's products.
func (r *s4Run) objective(m *s4Member) float64 {
	j := max(r.simSq-2*linalg.Dot(m.ah, m.h)+linalg.Dot(m.gram, m.gram), 0)
	if r.d != nil {
		j += r.lambda1 * linalg.Dot(m.dh, m.h)
	}
	if r.s != nil {
		j += 2 * r.lambda2 * max(r.degreeTerm(m.h)-linalg.Dot(m.sh, m.h), 0)
	}
	return j
}

// degreeTerm returns Σ_i (D_S)_ii ‖h_i‖².
func (r *s4Run) degreeTerm(h *mat.Dense) float64 {
	var s float64
	for i, v := range r.ds {
		if v != 0 {
			row := h.RawRowView(i)
			s += v * floats.Dot(row, row)
		}
	}
	return s
}

// memberError returns h_k, the error behind the member's weight: J, or
// the notebook's ‖A − HHᵀ‖² + λ1 Σ D⊙HHᵀ + λ2 Σ_ij S_ij ‖h_i − h_j‖.
func (r *s4Run) memberError(m *s4Member) float64 {
	if !r.notebook {
		return r.objective(m)
	}
	e := max(r.simSq-2*linalg.Dot(m.ah, m.h)+linalg.Dot(m.gram, m.gram), 0)
	if r.d != nil {
		e += r.lambda1 * linalg.Dot(m.dh, m.h)
	}
	if r.s != nil {
		diff := make([]float64, r.k)
		r.s.Each(func(i, j int, v float64) {
			floats.SubTo(diff, m.h.RawRowView(i), m.h.RawRowView(j))
			e += r.lambda2 * v * floats.Norm(diff, 2)
		})
	}
	return e
}

// weights returns the members' errors and the weights a_k ∝ h_k^(−1/(τ−1))
// summing to 1 (computed from logarithms, an error of zero counting as the
// smallest positive float64).
func (r *s4Run) weights() (errs, a []float64) {
	errs = make([]float64, len(r.members))
	for i, m := range r.members {
		errs[i] = r.memberError(m)
	}
	return errs, ensembleWeights(errs, r.tau)
}

// ensembleWeights returns the minimizer over the simplex of Σ_k a_k^τ h_k:
// a_k = h_k^e / Σ_l h_l^e, e = −1/(τ−1).
func ensembleWeights(h []float64, tau float64) []float64 {
	e := -1 / (tau - 1)
	a := make([]float64, len(h))
	top := math.Inf(-1)
	for i, v := range h {
		a[i] = e * math.Log(max(v, math.SmallestNonzeroFloat64))
		top = max(top, a[i])
	}
	for i := range a {
		a[i] = math.Exp(a[i] - top)
	}
	floats.Scale(1/floats.Sum(a), a)
	return a
}

// consensus returns the co-association matrix of the current members.
func (r *s4Run) consensus() *coassoc {
	_, w := r.weights()
	labels := make([][]int, len(r.members))
	for i, m := range r.members {
		labels[i] = cluster.Argmax(m.h)
	}
	return newCoassoc(labels, w, r.k)
}

// Step implements solve.Model: the start of a round after one has ended
// (the consensus fed back, fresh starts), then one update of every member.
// The last update of a round ends it with its consensus.
func (r *s4Run) Step() error {
	if r.in == r.inner {
		switch r.feedback {
		case FeedbackReplace:
			r.sim = r.last
		case FeedbackAdd:
			r.sim = sumSim{r.a, r.last}
		}
		r.simSq = r.sim.sqNorm()
		r.start()
		r.in = 0
	}
	r.each(r.update)
	r.in++
	if r.in == r.inner {
		r.last = r.consensus()
		r.round++
	}
	return nil
}

// Finished implements solve.Finisher: the last round has ended.
func (r *s4Run) Finished() bool { return r.round == r.rounds }

// Objective implements solve.Model: the ensemble's Σ_k a_k^τ h_k at the
// optimal weights, for the current round's similarity.
func (r *s4Run) Objective() float64 {
	errs, a := r.weights()
	var s float64
	for i, h := range errs {
		s += math.Pow(a[i], r.tau) * h
	}
	return s
}

// result returns the read-out of the current members: the member with the
// largest weight, and with ReadoutConsensus their consensus embedding.
func (r *s4Run) result(readout Readout) *Result {
	_, a := r.weights()
	h := r.members[slices.Index(a, slices.Max(a))].h
	res := &Result{Rank: r.k, Embedding: h, Approx: &Approx{L: h, R: h},
		Factors: []Factor{{Name: H, Doc: "n x k memberships of the member with the largest weight in the last round, A ≈ HHᵀ", M: h}}}
	if readout == ReadoutConsensus {
		e := r.consensus().embedding()
		res.Embedding, res.Assign = e, AssignKMeansPlain
		res.Factors = append(res.Factors, Factor{Name: M, Doc: fmt.Sprintf("n x %d consensus embedding [√a_k M_k], M·Mᵀ the co-association matrix", len(r.members)*r.k), M: e})
	}
	return res
}
