package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/solve"
)

// Result is what every model returns: the solver's report of the final
// phase, the embedding and the named factors.
type Result struct {
	solve.Result
	Model  string `json:"model"`
	Rank   int    `json:"rank,omitempty"`
	Layers []int  `json:"layers,omitempty"`
	// Embedding is n x k: one row per input sample or node, in the input's
	// row order (for an edge list, the order of its node ids: see
	// dataio.Graph).
	Embedding *mat.Dense `json:"-"`
	// Factors are the model's own factors, in a fixed order.
	Factors []Factor `json:"-"`
	// Assign is the read-out the model's reference uses on Embedding.
	Assign Assign `json:"-"`
	// Pretrain holds the solver report of each pre-training phase (one per
	// layer) of a deep model, in order; the embedded Result is the final
	// phase's.
	Pretrain []solve.Result `json:"pretrain,omitempty"`
	// Approx is the model's reconstruction of its (preprocessed) input: what
	// matrix completion and link prediction score.
	Approx *Approx `json:"-"`
	// ReconstructionErr is scikit-learn's reconstruction_err_ for the
	// models that report it (nmf): sqrt(2·D_β(X | WH)), which is
	// ‖X − WH‖_F for the Frobenius loss.
	ReconstructionErr float64 `json:"reconstruction_err,omitempty"`
}

// Approx is a reconstruction X̂ = L·Rᵀ of an n x d input as a product of
// two factors, L n x k (one row per row of the input) and R d x k (one
// row per column): for NMF L = W and R = Hᵀ, for a deep model L = Vpᵀ and
// R = Ψ, for a tri-factorization L = HW and R = H.
type Approx struct{ L, R *mat.Dense }

// At returns X̂_ij.
func (a *Approx) At(i, j int) float64 { return floats.Dot(a.L.RawRowView(i), a.R.RawRowView(j)) }

// Assign is a read-out of hard assignments from an embedding.
type Assign string

// The read-outs.
const (
	// AssignArgmax takes the largest entry of each row.
	AssignArgmax Assign = "argmax"
	// AssignKMeans runs k-means on the rows scaled to unit length.
	AssignKMeans Assign = "kmeans"
	// AssignKMeansPlain runs k-means on the rows as they are.
	AssignKMeansPlain Assign = "kmeans-plain"
)

// Name names a factor of a Result. The models use the names below, their
// papers' letters, with a layer number for deep models (U.Layer(2) is
// "U2"); each model's documentation lists its factors.
type Name string

// The factor names.
const (
	W   Name = "W"
	H   Name = "H"
	S   Name = "S"
	U   Name = "U"
	V   Name = "V"
	Z   Name = "Z"
	Psi Name = "Psi"
)

// Layer returns the name of the factor of layer i (1-based), such as U2.
func (n Name) Layer(i int) Name { return n + Name(strconv.Itoa(i)) }

// Factor is a named factor matrix of a result.
type Factor struct {
	Name Name   // file-safe name, such as "W"
	Doc  string // what it holds, one line
	M    *mat.Dense
}

// Factor returns the factor called n. It panics if the result has no such
// factor: which factors a model returns is fixed by the model and its
// configuration (HasFactor tells the optional ones).
func (r *Result) Factor(n Name) *mat.Dense {
	for _, f := range r.Factors {
		if f.Name == n {
			return f.M
		}
	}
	names := make([]string, len(r.Factors))
	for i, f := range r.Factors {
		names[i] = string(f.Name)
	}
	panic(fmt.Sprintf("model: %s has no factor %q (factors: %s)", r.Model, n, strings.Join(names, ", ")))
}

// HasFactor reports whether the result has the factor called n.
func (r *Result) HasFactor(n Name) bool {
	return slices.ContainsFunc(r.Factors, func(f Factor) bool { return f.Name == n })
}

// layerFactors names one factor per layer: name.Layer(i) with the doc
// that doc gives for the 1-based layer i.
func layerFactors(name Name, ms []*mat.Dense, doc func(i int, m *mat.Dense) string) []Factor {
	out := make([]Factor, len(ms))
	for l, m := range ms {
		out[l] = Factor{Name: name.Layer(l + 1), Doc: doc(l+1, m), M: m}
	}
	return out
}

// dims returns "r x c" for m.
func dims(m *mat.Dense) string {
	r, c := m.Dims()
	return fmt.Sprintf("%d x %d", r, c)
}
