package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/internal/memory"
	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// fitter is what every model's configuration implements: the registry
// entry, and the model's own part of a fit.
type fitter interface {
	Estimator
	spec() *Spec
	// fit runs the model on x, with its configuration resolved and x
	// checked, under r: it builds what the model needs, pre-trains through
	// r.pretrain, iterates through r.final, and returns the result.
	fit(r *run, x linalg.Matrix) (*Result, error)
}

// signedInput is implemented by models that take input of any sign, given
// their configuration (the others need nonnegative input).
type signedInput interface {
	signed(x linalg.Matrix) bool
}

// rankLimiter is implemented by models whose rank is bounded by something
// else than min(n, d), the bound of the others.
type rankLimiter interface {
	rankLimit(x linalg.Matrix) int
}

// footprinter is implemented by models that form large matrices besides
// their factors (a dense copy of a sparse input for a kNN graph, n x n
// distances): extraBytes estimates them for an n x d input.
type footprinter interface {
	extraBytes(n, d int) uint64
}

// footprint estimates the bytes of the dense matrices a fit of c keeps for
// an n x d input: about ten matrices of n x w and d x w (factors,
// numerators, denominators, cached products), w the rank or the sum of the
// layer sizes, and what the model forms besides. It saturates instead of
// overflowing.
func footprint(c fitter, n, d int) uint64 {
	v := reflect.ValueOf(c).Elem()
	w := 0
	if f := v.FieldByName("Rank"); f.IsValid() {
		w = int(f.Int())
	}
	if f := v.FieldByName("Layers"); f.IsValid() {
		for _, r := range f.Interface().([]int) {
			w += r
		}
	}
	b := mulSat(10*8, mulSat(uint64(n)+uint64(d), uint64(max(w, 1))))
	if fp, ok := c.(footprinter); ok {
		b = addSat(b, fp.extraBytes(n, d))
	}
	return b
}

// denseBytes returns the bytes of an r x c float64 matrix, saturating.
func denseBytes(r, c int) uint64 { return mulSat(8, mulSat(uint64(r), uint64(c))) }

func mulSat(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// run is one fit of a model: the session every phase runs in (the
// caller's settings, time limit, cancellation and progress), the random
// generator of the seed, and the reports of the pre-training phases.
type run struct {
	*solve.Session
	seed uint64
	rng  *rand.Rand
	pre  []solve.Result
}

// pretrain runs m as the pre-training of layer l (0-based) with the
// iteration limit of limits (0: no iteration, the layer keeps its start)
// and its tolerance and test interval (nil or zero: the session's), and
// records its report.
func (r *run) pretrain(l int, m solve.Model, limits solve.Settings) error {
	if limits.MaxIter == 0 {
		obj := m.Objective()
		r.pre = append(r.pre, solve.Result{Reason: solve.MaxIter, Objective: obj, History: []solve.Point{{Objective: obj}}})
		return nil
	}
	res, err := r.Run(fmt.Sprintf("pre-training layer %d", l+1), m, limits)
	if err != nil {
		return err
	}
	r.pre = append(r.pre, *res)
	return nil
}

// final runs m under the session's settings and returns the result that
// collect assembles once it has run, with the run's report.
func (r *run) final(m solve.Model, collect func() *Result) (*Result, error) {
	sr, err := r.Run("", m, solve.Settings{})
	if err != nil {
		return nil, err
	}
	res := collect()
	res.Result = *sr
	return res, nil
}

// fit is the skeleton of every model's Fit: resolve and validate the
// configuration, check the input, fill the settings' defaults, run the
// model's own part in a session, and check its result.
func fit(ctx context.Context, m fitter, x linalg.Matrix, s solve.Settings) (*Result, error) {
	spec := m.spec()
	res, err := fitChecked(ctx, m, x, s.WithDefaults(spec.Settings))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Name, err)
	}
	res.Model = spec.Name
	return res, nil
}

func fitChecked(ctx context.Context, m fitter, x linalg.Matrix, s solve.Settings) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, invalid(err)
	}
	cv := reflect.New(reflect.TypeOf(m).Elem())
	cv.Elem().Set(reflect.ValueOf(m).Elem())
	c := cv.Interface().(fitter)
	if err := resolve(c); err != nil {
		return nil, err
	}
	signed := false
	if si, ok := c.(signedInput); ok {
		signed = si.signed(x)
	}
	if err := checkInput(x, signed); err != nil {
		return nil, err
	}
	n, d := x.Dims()
	if f := cv.Elem().FieldByName("Rank"); f.IsValid() {
		limit := min(n, d)
		if rl, ok := c.(rankLimiter); ok {
			limit = rl.rankLimit(x)
		}
		if err := checkRank(int(f.Int()), limit, x); err != nil {
			return nil, err
		}
	}
	if err := memory.Check(footprint(c, n, d), fmt.Sprintf("fitting it to a %dx%d input", n, d)); err != nil {
		return nil, invalid(err)
	}
	se, err := solve.NewSession(ctx, s)
	if err != nil {
		return nil, invalid(err)
	}
	var seed uint64
	if f := cv.Elem().FieldByName("Seed"); f.IsValid() {
		seed = f.Uint()
	}
	r := &run{Session: se, seed: seed, rng: initialize.NewRand(seed)}
	res, err := c.fit(r, x)
	if errors.Is(err, solve.ErrNotFinite) {
		st := x.Stats()
		return nil, invalidf("%v: the input's scale (entries in [%g, %g]) makes the objective overflow or undefined; rescale the data", err, st.Min, st.Max)
	}
	if err != nil {
		return nil, err
	}
	res.Pretrain = r.pre
	if st := linalg.NewDense(res.Embedding).Stats(); !st.Finite {
		return nil, fmt.Errorf("the embedding has NaN or infinite entries (objective %g)", res.Objective)
	}
	return res, nil
}

// minScale is the smallest largest-magnitude entry an input may have:
// the products of factors of data below it underflow.
const minScale = 1e-100

// checkInput validates the entries of x: not empty, finite, of a scale
// whose squares float64 represents (neither overflowing nor all vanishing),
// not all zero, and nonnegative unless signed.
func checkInput(x linalg.Matrix, signed bool) error {
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return invalidf("empty input (%dx%d)", n, d)
	}
	st := x.Stats()
	switch big := max(math.Abs(st.Min), math.Abs(st.Max)); {
	case !st.Finite:
		return invalidf("input has NaN or infinite entries")
	case big == 0:
		return invalidf("input is all zero: there is nothing to factorize")
	case math.IsInf(st.SquaredNorm, 0):
		return invalidf("input entries reach %g: their squares overflow float64; rescale the data", big)
	case big < minScale:
		return invalidf("input entries are at most %g in magnitude: below %g the updates' products underflow; rescale the data", big, minScale)
	case !signed && st.Min < 0:
		return invalidf("input has negative entries (min %g); this model needs nonnegative data", st.Min)
	}
	return nil
}

// checkRank checks 1 ≤ k < limit for an input of the given shape.
func checkRank(k, limit int, x linalg.Matrix) error {
	if k < 1 || k >= limit {
		n, d := x.Dims()
		if k < 1 {
			return invalidf("rank %d must be positive", k)
		}
		return invalidf("rank %d must be below %d for a %dx%d input", k, limit, n, d)
	}
	return nil
}

// checkFactor validates a custom starting factor f of shape r x c.
func checkFactor(name string, f *mat.Dense, r, c int) error {
	if f == nil {
		return invalidf("%s is missing", name)
	}
	if fr, fc := f.Dims(); fr != r || fc != c {
		return invalidf("%s is %dx%d, want %dx%d", name, fr, fc, r, c)
	}
	if st := linalg.NewDense(f).Stats(); !st.Finite || st.Min < 0 {
		return invalidf("%s must be finite and nonnegative", name)
	}
	return nil
}

// square returns x's size, or an error if x is not square.
func square(x linalg.Matrix) (int, error) {
	n, d := x.Dims()
	if n != d {
		return 0, invalidf("adjacency matrix is %dx%d, not square (give an edge list or a square matrix)", n, d)
	}
	return n, nil
}
