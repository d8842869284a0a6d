// Package model holds the factorization models of deepnmf, one file each:
// the model's configuration (a struct whose zero value means the
// documented defaults, field by field, as gonum's optimize.Settings), its
// objective, its update rules and its reference. Every model is an
// Estimator, listed in the registry (registry.go) under the name the
// command line uses.
//
// Orientation: an input X is n x d with one sample (or node) per row, as
// in scikit-learn and CSV files. Models produce an n x k Embedding, one
// row per sample, from which assignments are read.
//
// # Configuration
//
// A model's settings are the fields of its struct. A zero field means its
// documented default: NMF{Rank: 10} is scikit-learn's NMF, DANMF{Layers:
// []int{256, 64, 7}} uses λ = 1 as the paper. Settings whose zero is a
// meaningful value other than the default are pointers, set with Go's
// new: DANMF{Layers: l, Lambda: new(0.0)} turns the graph term off. The
// defaults, the allowed values of every enumeration and the ranges of the
// numbers are declared once, in the struct tags, which the command line's
// --param key=value reads too (New, Spec.Params), so that the library and
// the command line cannot disagree.
//
// # The fit
//
// Every model's Fit runs the same skeleton: the configuration is resolved
// and validated, the input checked (not empty, finite, not all zero, its
// scale representable, nonnegative where the model needs it), then the
// model builds what it needs (a graph, a start), pre-trains its layers
// and iterates, all under one solve.Session: the caller's time limit,
// cancellation and progress cover the pre-training as well as the final
// iterations. The settings' zero fields take the model's own defaults
// (Spec.Settings).
package model

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// Estimator fits a model to an input matrix.
type Estimator interface {
	// Fit fits the model to x under s; the zero fields of s take the
	// model's defaults (Spec.Settings).
	Fit(ctx context.Context, x linalg.Matrix, s solve.Settings) (*Result, error)
}

// Transformer is implemented by models that embed new samples with the
// learned components held fixed, as scikit-learn's transform.
type Transformer interface {
	// Transform returns the m x k embedding of x (m x d) given the k x d
	// components h of a fit.
	Transform(ctx context.Context, x linalg.Matrix, h *mat.Dense, s solve.Settings) (*mat.Dense, *solve.Result, error)
}

// ErrInvalid marks errors caused by the input or the configuration rather
// than by the computation; the command line exits with status 2 on them.
var ErrInvalid = errors.New("invalid input")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// invalid marks err as caused by the input: errors of graph construction,
// starts and k-means on degenerate data.
func invalid(err error) error {
	if err == nil || errors.Is(err, ErrInvalid) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}
