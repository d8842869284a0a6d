package model

import (
	"fmt"
	"strings"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// Kind says what input a model factorizes.
type Kind string

// The input kinds.
const (
	Data  Kind = "data"  // a data matrix, one sample per row
	Graph Kind = "graph" // an adjacency matrix, one node per row
)

// Config is what the CLI gives every model.
type Config struct {
	Rank   int    // k, for shallow models
	Layers []int  // layer sizes r1, ..., k, for deep models
	Init   string // initialization method; "" for the model's default
	Seed   uint64 // fixes every random draw
	Params *Params
	// Groups holds the sensitive group of each sample or node, for
	// fairness-aware models (ifairnmtf); nil when not given.
	Groups []int
	// Graph is a given n x n similarity between the samples, for the
	// graph-regularized data models (gnmf, oedfs, ednmf-beta), which
	// otherwise build a kNN graph; nil when not given.
	Graph *linalg.CSR
}

// Spec describes a registered model.
type Spec struct {
	Name      string
	Kind      Kind
	Objective string // the objective, in one line
	Reference string // the paper
	Params    string // the parameters New reads, with their defaults
	New       func(Config) (Estimator, error)
	// Defaults, if not nil, replace the CLI's default iteration limit and
	// tolerance (200 and 1e-4) with the reference code's; flags given on
	// the command line still win. A zero Tol here disables the test.
	Defaults *solve.Settings
}

// specs is the registry: adding a model adds its line here.
var specs = []Spec{
	nmfSpec,
	symnmfSpec,
	asymnmfSpec,
	rasnmfSpec,
	ifairnmtfSpec,
	seminmfSpec,
	onmfSpec,
	dnmfSpec,
	deepseminmfSpec,
	danmfSpec,
	danmfcrfrSpec,
	nsedSpec,
	pnmfSpec,
	gnmfSpec,
	oedfsSpec,
	ednmfBetaSpec,
	dsymnmfSpec,
	masnmfSpec,
	dasnmfSpec,
}

// All returns the registered models in registry order.
func All() []Spec { return append([]Spec(nil), specs...) }

// Lookup returns the model called name.
func Lookup(name string) (Spec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// New returns the model called name configured by c. It fails on an
// unknown model, a bad parameter value or an unknown parameter key.
func New(name string, c Config) (Estimator, error) {
	s, ok := Lookup(name)
	if !ok {
		names := make([]string, len(specs))
		for i, s := range specs {
			names[i] = s.Name
		}
		return nil, invalidf("unknown model %q (models: %s)", name, strings.Join(names, ", "))
	}
	e, err := s.New(c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := c.Params.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return e, nil
}
