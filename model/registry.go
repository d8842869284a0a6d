package model

import (
	"fmt"
	"reflect"
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

// Config is a model's configuration as the command line gives it.
type Config struct {
	Rank   int    // k, for shallow models; one layer of that size for deep ones
	Layers []int  // layer sizes r1, ..., k, for deep models
	Init   string // initialization method; "" for the model's default
	Seed   uint64 // fixes every random draw
	// Params are "key=value" settings of the model (Spec.Params), each key
	// at most once.
	Params []string
	// Groups holds the sensitive group of each sample or node, for
	// fairness-aware models (ifairnmtf); other models ignore it.
	Groups []int
	// Graph is a given n x n similarity between the samples, for the
	// graph-regularized data models (gnmf, oedfs, ednmf-beta), which
	// otherwise build a kNN graph.
	Graph *linalg.CSR
	// Labelled holds the class of each sample, or −1 where it is unknown,
	// for the semi-supervised models (s4nmf, symnmf, gnmf): every pair of
	// labelled samples is a must-link or a cannot-link.
	Labelled []int
	// Must and Cannot are pairwise constraints between samples (0-based
	// rows), for the same models.
	Must, Cannot [][2]int
	// Masked says the input is a masked one (linalg.ObservedNaN and its
	// kind: the stored entries are the observed cells), for the models
	// that complete matrices (nmf, eadnmf).
	Masked bool
	// Float32 runs the fit in float32 (--dtype float32), for the models
	// that can (nmf, with its Frobenius multiplicative updates); the others
	// refuse it.
	Float32 bool
}

// Spec describes a registered model.
type Spec struct {
	Name      string
	Kind      Kind
	Objective string // the objective, in one line
	Reference string // the paper
	// Settings are the model's defaults for the zero fields of the
	// solve.Settings given to Fit: MaxIter, Tol and CheckEvery (its
	// reference code's where it has one).
	Settings solve.Settings
	// Layered models take --layers; their top layer is the rank (the
	// number of clusters) unless the layers are representation sizes
	// (deepseminmf, danmf-crfr), which then may differ from --rank.
	topNotRank bool
	new        func() fitter
}

// Params lists the settings the model reads from --param, with their
// defaults, choices and ranges.
func (s Spec) Params() []Param { return params(s.new()) }

// Inits lists the initialization methods the model takes (--init), its
// default first; nil when it takes none.
func (s Spec) Inits() []string {
	for _, f := range fieldsOf(reflect.TypeOf(s.new()).Elem()) {
		if f.Key == "init" {
			return f.Choices
		}
	}
	return nil
}

// specs is the registry: adding a model adds its line here.
var specs = []*Spec{
	&nmfSpec,
	&symnmfSpec,
	&asymnmfSpec,
	&rasnmfSpec,
	&ifairnmtfSpec,
	&seminmfSpec,
	&onmfSpec,
	&dnmfSpec,
	&deepseminmfSpec,
	&danmfSpec,
	&danmfcrfrSpec,
	&nsedSpec,
	&pnmfSpec,
	&gnmfSpec,
	&oedfsSpec,
	&ednmfBetaSpec,
	&dsymnmfSpec,
	&masnmfSpec,
	&dasnmfSpec,
	&lpanmfSpec,
	&lpadnmfSpec,
	&eadnmfSpec,
	&s4nmfSpec,
}

// All returns the registered models in registry order.
func All() []Spec {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		out[i] = *s
	}
	return out
}

// Lookup returns the model called name.
func Lookup(name string) (Spec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return *s, true
		}
	}
	return Spec{}, false
}

// New returns the model called name configured by c, with every setting
// checked: an unknown model, parameter or value, a repeated parameter, or
// a setting that does not apply to the model (--layers for a shallow
// model, --init for a model with a fixed start, --graph for a model
// without a similarity graph) is an error wrapping ErrInvalid.
func New(name string, c Config) (Estimator, error) {
	s, ok := Lookup(name)
	if !ok {
		names := make([]string, len(specs))
		for i, s := range specs {
			names[i] = s.Name
		}
		return nil, invalidf("unknown model %q (models: %s)", name, strings.Join(names, ", "))
	}
	m := s.new()
	if err := bind(m, s, c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Check the values now, so that a bad one is reported before any data
	// is read; Fit resolves its own copy again.
	probe := reflect.New(reflect.TypeOf(m).Elem())
	probe.Elem().Set(reflect.ValueOf(m).Elem())
	if err := resolve(probe.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// bind sets the fields of the configuration m from c.
func bind(m fitter, s Spec, c Config) error {
	v := reflect.ValueOf(m).Elem()
	has := func(name string) (reflect.Value, bool) {
		f := v.FieldByName(name)
		return f, f.IsValid()
	}
	layers, hasLayers := has("Layers")
	switch {
	case c.Rank < 0:
		return invalidf("rank %d must be positive", c.Rank)
	case len(c.Layers) > 0 && !hasLayers:
		return invalidf("--layers applies to deep models; %s is shallow: give --rank", s.Name)
	}
	for _, r := range c.Layers {
		if r < 1 {
			return invalidf("layer sizes %v must be positive", c.Layers)
		}
	}
	if rank, ok := has("Rank"); ok {
		rank.SetInt(int64(c.Rank))
	} else if hasLayers {
		ls := c.Layers
		switch {
		case len(ls) == 0 && c.Rank > 0:
			ls = []int{c.Rank}
		case len(ls) > 0 && c.Rank > 0 && !s.topNotRank && ls[len(ls)-1] != c.Rank:
			return invalidf("the last layer (%d) must equal the rank (%d)", ls[len(ls)-1], c.Rank)
		}
		layers.Set(reflect.ValueOf(append([]int(nil), ls...)))
	}
	if seed, ok := has("Seed"); ok {
		seed.SetUint(c.Seed)
	}
	if c.Groups != nil {
		if g, ok := has("Groups"); ok {
			g.Set(reflect.ValueOf(c.Groups))
		}
	}
	if c.Graph != nil {
		g, ok := has("Graph")
		if !ok {
			return invalidf("a given similarity graph (--graph) applies to the graph-regularized data models; %s has none", s.Name)
		}
		g.Set(reflect.ValueOf(c.Graph))
	}
	if c.Labelled != nil || c.Must != nil || c.Cannot != nil {
		if _, ok := has("Labelled"); !ok {
			return invalidf("%s takes no labelled samples or pairwise constraints (models that do: s4nmf, symnmf, gnmf)", s.Name)
		}
		for name, v := range map[string]any{"Labelled": c.Labelled, "Must": c.Must, "Cannot": c.Cannot} {
			if f, _ := has(name); !reflect.ValueOf(v).IsNil() {
				f.Set(reflect.ValueOf(v))
			}
		}
	}
	if c.Masked {
		f, ok := has("Masked")
		if !ok {
			return invalidf("%s does not take missing entries (models that do: nmf, eadnmf)", s.Name)
		}
		f.SetBool(true)
	}
	if c.Float32 {
		f, ok := has("Float32")
		if !ok {
			return invalidf("%s does not run in float32 (models that do: nmf)", s.Name)
		}
		f.SetBool(true)
	}
	fs := fieldsOf(v.Type())
	if c.Init != "" {
		init, ok := has("Init")
		if !ok {
			return invalidf("%s has a fixed start; --init does not apply", s.Name)
		}
		i := 0
		for fs[i].Key != "init" {
			i++
		}
		if err := parseInto(init, fs[i], c.Init); err != nil {
			return invalidf("init %q: %v", c.Init, err)
		}
	}
	seen := map[string]bool{}
	for _, kv := range c.Params {
		k, val, ok := strings.Cut(kv, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return invalidf("parameter %q is not key=value", kv)
		}
		if seen[k] {
			return invalidf("parameter %s is given twice", k)
		}
		seen[k] = true
		if err := setParam(v, fs, k, val); err != nil {
			return err
		}
	}
	return nil
}
