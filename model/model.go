// Package model holds the factorization models of deepnmf, one file each:
// the objective, the update step, the defaults and the reference. Every
// model is an Estimator whose Fit runs through solve.Fit, and every model
// is listed in the registry (registry.go) under the name the CLI uses.
//
// Orientation: an input X is n x d with one sample (or node) per row, as
// in scikit-learn and CSV files. Models produce an n x k Embedding, one
// row per sample, from which assignments are read.
package model

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// Estimator fits a model to an input matrix.
type Estimator interface {
	Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error)
}

// Transformer is implemented by models that embed new samples with the
// learned components held fixed, as scikit-learn's transform.
type Transformer interface {
	// Transform returns the m x k embedding of x (m x d) given the k x d
	// components h of a fit.
	Transform(ctx context.Context, x linalg.Matrix, h *mat.Dense, s solve.Settings) (*mat.Dense, *solve.Result, error)
}

// Result is what every model returns: the solver's report, the embedding
// and the named factors.
type Result struct {
	solve.Result
	Model  string `json:"model"`
	Rank   int    `json:"rank,omitempty"`
	Layers []int  `json:"layers,omitempty"`
	// Embedding is n x k: one row per input sample or node, in input order.
	Embedding *mat.Dense `json:"-"`
	// Factors are the model's own factors, in a fixed order.
	Factors []Factor `json:"-"`
	// Assign is the read-out the model's reference uses on Embedding:
	// "kmeans" (k-means on the L2-normalized rows), "kmeans-plain"
	// (k-means on the rows as they are), or "argmax" (the largest entry of
	// each row), which is meant when it is empty.
	Assign string `json:"-"`
	// Pretrain holds the solver report of each layer's pre-training, in
	// layer order, for deep models; the embedded Result is the fine-tuning.
	Pretrain []solve.Result `json:"pretrain,omitempty"`
}

// Factor is a named factor matrix of a result.
type Factor struct {
	Name string // file-safe name, such as "W"
	Doc  string // what it holds, one line
	M    *mat.Dense
}

// Factor returns the factor called name, or nil.
func (r *Result) Factor(name string) *mat.Dense {
	for _, f := range r.Factors {
		if f.Name == name {
			return f.M
		}
	}
	return nil
}

// ErrInvalid marks errors caused by the input or the configuration rather
// than by the computation; the CLI exits with status 2 on them.
var ErrInvalid = errors.New("invalid input")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checkEntries validates the entries of x: not empty, finite, and
// nonnegative when nonneg.
func checkEntries(x linalg.Matrix, nonneg bool) error {
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return invalidf("empty input (%dx%d)", n, d)
	}
	st := x.Stats()
	if !st.Finite {
		return invalidf("input has NaN or infinite entries")
	}
	if nonneg && st.Min < 0 {
		return invalidf("input has negative entries (min %g); this model needs nonnegative data", st.Min)
	}
	return nil
}

// checkInput validates x for a rank-k factorization: the entries as
// checkEntries does, and 1 ≤ k < min(n, d).
func checkInput(x linalg.Matrix, k int, nonneg bool) error {
	if err := checkEntries(x, nonneg); err != nil {
		return err
	}
	n, d := x.Dims()
	if k < 1 || k >= min(n, d) {
		return invalidf("rank %d must be in [1, %d) for a %dx%d input", k, min(n, d), n, d)
	}
	return nil
}

// checkGraph validates an adjacency matrix for a rank-k graph model:
// square, finite, nonnegative, and 1 ≤ k < n.
func checkGraph(a linalg.Matrix, k int) error {
	n, d := a.Dims()
	if n != d {
		return invalidf("adjacency matrix is %dx%d, not square (give an edge list or a square matrix)", n, d)
	}
	return checkInput(a, k, true)
}

// Params are a model's named settings given as strings (the CLI's
// --param key=value). Each getter records the keys it was asked for, so
// that Unused can reject misspelt ones.
type Params struct {
	m    map[string]string
	used map[string]bool
	err  error
}

// ParseParams parses "key=value" pairs.
func ParseParams(kv []string) (*Params, error) {
	p := &Params{m: map[string]string{}, used: map[string]bool{}}
	for _, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, invalidf("parameter %q is not key=value", s)
		}
		p.m[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	return p, nil
}

// Float returns the value of key, or def when it is absent.
func (p *Params) Float(key string, def float64) float64 {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		p.fail("parameter %s=%q is not a number", key, v)
	}
	return f
}

// Int returns the value of key, or def when it is absent.
func (p *Params) Int(key string, def int) int {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		p.fail("parameter %s=%q is not an integer", key, v)
	}
	return i
}

// String returns the value of key, which must be one of choices when
// choices are given, or def when it is absent.
func (p *Params) String(key, def string, choices ...string) string {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	if len(choices) > 0 {
		for _, c := range choices {
			if v == c {
				return v
			}
		}
		p.fail("parameter %s=%q must be one of %s", key, v, strings.Join(choices, ", "))
	}
	return v
}

// Bool returns the value of key, or def when it is absent.
func (p *Params) Bool(key string, def bool) bool {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail("parameter %s=%q is not true or false", key, v)
	}
	return b
}

func (p *Params) get(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	p.used[key] = true
	v, ok := p.m[key]
	return v, ok
}

func (p *Params) fail(format string, args ...any) {
	if p.err == nil {
		p.err = invalidf(format, args...)
	}
}

// Err returns the first parse error, or an error naming any key that no
// getter asked for.
func (p *Params) Err() error {
	if p == nil {
		return nil
	}
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for k := range p.m {
		if !p.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalidf("unknown parameter(s) %s", strings.Join(unknown, ", "))
	}
	return nil
}
