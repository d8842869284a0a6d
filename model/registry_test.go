package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// TestRegistryDeclarations checks every model's declaration: its defaults
// parse and pass its own checks, a zero numeric field with a default is
// not a legal value (else a user could not set it: such fields must be
// pointers), its parameters list, and its settings defaults.
func TestRegistryDeclarations(t *testing.T) {
	for _, s := range All() {
		m := s.new()
		if m.spec().Name != s.Name {
			t.Errorf("%s: its config says it is %s", s.Name, m.spec().Name)
		}
		if err := resolve(m); err != nil {
			t.Errorf("%s: the defaults do not pass the checks: %v", s.Name, err)
		}
		v := reflect.ValueOf(s.new()).Elem()
		for _, f := range fieldsOf(v.Type()) {
			fv := v.FieldByIndex(f.index)
			switch fv.Kind() {
			case reflect.Int, reflect.Float64, reflect.Bool:
				if f.Default == fmt.Sprint(fv.Interface()) {
					continue // the default is the zero value
				}
				var x float64
				if fv.Kind() == reflect.Bool {
					t.Errorf("%s: %s is a bool with default %s: make it *bool", s.Name, f.Key, f.Default)
					continue
				}
				if err := checkNumber(x, f.Check); err == nil {
					t.Errorf("%s: %s defaults to %s but 0 is legal (%q): make it a pointer", s.Name, f.Key, f.Default, f.Check)
				}
			}
		}
		if s.Settings.MaxIter < 1 || s.Settings.Tol == nil {
			t.Errorf("%s: default settings %+v lack MaxIter or Tol", s.Name, s.Settings)
		}
		for _, p := range s.Params() {
			if p.Help == "" {
				t.Errorf("%s: parameter %s has no help", s.Name, p.Key)
			}
		}
	}
}

// TestNewRefusesBadConfigs checks that every setting given as text is
// checked by New, with an error wrapping ErrInvalid.
func TestNewRefusesBadConfigs(t *testing.T) {
	cases := []struct {
		name, model string
		c           Config
	}{
		{"unknown parameter", "nmf", Config{Rank: 2, Params: []string{"alpah_w=1"}}},
		{"repeated parameter", "nmf", Config{Rank: 2, Params: []string{"alpha_w=1", "alpha_w=2"}}},
		{"not key=value", "nmf", Config{Rank: 2, Params: []string{"alpha_w"}}},
		{"infinite value", "nmf", Config{Rank: 2, Params: []string{"alpha_w=inf"}}},
		{"NaN value", "nmf", Config{Rank: 2, Params: []string{"alpha_w=nan"}}},
		{"out of range", "nmf", Config{Rank: 2, Params: []string{"l1_ratio=2"}}},
		{"negative", "gnmf", Config{Rank: 2, Params: []string{"lambda=-1"}}},
		{"bad choice", "nmf", Config{Rank: 2, Params: []string{"loss=l2"}}},
		{"bad init", "nmf", Config{Rank: 2, Init: "svd"}},
		{"init of a fixed start", "danmf", Config{Layers: []int{4, 2}, Init: "random"}},
		{"layers for a shallow model", "nmf", Config{Rank: 2, Layers: []int{4, 2}}},
		{"graph for a model without one", "nmf", Config{Rank: 2, Graph: linalg.CSRFromDense(mat.NewDense(2, 2, nil))}},
		{"negative rank", "nmf", Config{Rank: -1}},
		{"top layer is not the rank", "danmf", Config{Rank: 3, Layers: []int{4, 2}}},
		{"unknown model", "nope", Config{Rank: 2}},
	}
	for _, tc := range cases {
		if _, err := New(tc.model, tc.c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
	// A model given to the registry and to the struct fits the same.
	e, err := New("gnmf", Config{Rank: 3, Seed: 2, Params: []string{"lambda=10", "graph=heat"}})
	if err != nil {
		t.Fatal(err)
	}
	x := linalg.NewDense(randomData(40, 12, 3, 0, 1))
	s := solve.Settings{MaxIter: 20}
	a, err := e.Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := (&GNMF{Rank: 3, Seed: 2, Lambda: new(10.0), Weight: WeightHeat}).Fit(context.Background(), x, s)
	if err != nil {
		t.Fatal(err)
	}
	checkSameFactors(t, "registry vs struct", a, b)
}

// TestBadDataEveryModel checks that every model refuses degenerate input
// with a one-line ErrInvalid and never panics: all zeros, a graph of
// self-loops only, entries whose squares overflow or underflow, and
// constant data, which a model either fits or refuses as invalid.
func TestBadDataEveryModel(t *testing.T) {
	const n = 12
	fill := func(v float64) *mat.Dense {
		m := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				if i != j {
					m.Set(i, j, v)
				}
			}
		}
		return m
	}
	loops := mat.NewDense(n, n, nil)
	for i := range n {
		loops.Set(i, i, 1)
	}
	huge, tiny := fill(1e160), fill(1e-200)
	huge.Set(0, 1, 2e160)
	tiny.Set(0, 1, 2e-200)
	refused := map[string]*mat.Dense{"zeros": mat.NewDense(n, n, nil), "huge": huge, "tiny": tiny}
	for _, s := range All() {
		c := Config{Rank: 2, Groups: make([]int, n)}
		for i := range c.Groups {
			c.Groups[i] = i % 2
		}
		fitOn := func(x *mat.Dense) (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", s.Name, r)
				}
			}()
			e, err := New(s.Name, c)
			if err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
			_, err = e.Fit(context.Background(), linalg.NewDense(x), solve.Settings{MaxIter: 5})
			return err
		}
		for what, x := range refused {
			if err := fitOn(x); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s on %s: err = %v, want a one-line ErrInvalid", s.Name, what, err)
			}
		}
		if s.Kind == Graph && s.Name != "nmf" {
			if err := fitOn(loops); err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("%s on self-loops only: err = %v, want none or ErrInvalid", s.Name, err)
			}
		}
		if err := fitOn(fill(1)); err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s on constant data: err = %v, want none or ErrInvalid", s.Name, err)
		}
	}
}

// TestSelfLoopsOnlyGraph checks the graph models that drop self-loops: a
// graph of self-loops only has no edges left and is refused.
func TestSelfLoopsOnlyGraph(t *testing.T) {
	const n = 10
	loops := mat.NewDense(n, n, nil)
	for i := range n {
		loops.Set(i, i, 1)
	}
	for _, e := range []Estimator{
		&DANMF{Layers: []int{4, 2}},
		&DSymNMF{Layers: []int{4, 2}},
		&DAsNMF{Layers: []int{4, 2}},
		&MAsNMF{Layers: []int{4, 2}},
	} {
		_, err := e.Fit(context.Background(), linalg.CSRFromDense(loops), solve.Settings{MaxIter: 5})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no edges") {
			t.Errorf("%T: err = %v, want an ErrInvalid about the missing edges", e, err)
		}
	}
}

// TestFactorNames checks the typed factor accessor: a factor a model does
// not return panics with a message naming the ones it does.
func TestFactorNames(t *testing.T) {
	res, err := (&NMF{Rank: 2}).Fit(context.Background(), linalg.NewDense(randomData(20, 8, 2, 0, 1)), solve.Settings{MaxIter: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.HasFactor(W) || res.HasFactor(S) || res.Factor(W) != res.Embedding {
		t.Error("nmf's factors are not W and H with W the embedding")
	}
	if U.Layer(2) != "U2" {
		t.Errorf("U.Layer(2) = %q", U.Layer(2))
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `"w"`) || !strings.Contains(msg, "W, H") {
			t.Errorf("panic %q, want one naming the factor asked for and those there are", msg)
		}
	}()
	res.Factor("w")
}

// TestDefaultsAgree checks that a zero configuration, the registry with no
// parameter and the documented defaults give the same fit (DANMF: λ = 1
// on a graph).
func TestDefaultsAgree(t *testing.T) {
	a, _ := deepGraph(t, "karate")
	s := solve.Settings{MaxIter: 5}
	e, err := New("danmf", Config{Layers: []int{8, 2}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	viaNew := fitDeep(t, e, a, s)
	zero := fitDeep(t, &DANMF{Layers: []int{8, 2}, Seed: 1}, a, s)
	explicit := fitDeep(t, &DANMF{Layers: []int{8, 2}, Seed: 1, Lambda: new(1.0), PreIter: new(500), PreTol: new(5e-4)}, a, s)
	checkSameFactors(t, "New vs zero config", viaNew, zero)
	checkSameFactors(t, "zero vs explicit defaults", zero, explicit)
	off := fitDeep(t, &DANMF{Layers: []int{8, 2}, Seed: 1, Lambda: new(0.0)}, a, s)
	if math.Abs(off.Objective-zero.Objective) < 1e-9*zero.Objective {
		t.Error("λ = 0 fits the same as the default λ = 1")
	}
}

// hugeMatrix declares a huge shape and stores one entry, as a MatrixMarket
// header may: any product with it would allocate the factors first.
type hugeMatrix struct{ n int }

func (h hugeMatrix) Dims() (int, int) { return h.n, h.n }
func (h hugeMatrix) At(i, j int) float64 {
	if i == 0 && j == 1 {
		return 1
	}
	return 0
}
func (hugeMatrix) Mul(*mat.Dense, mat.Matrix)  { panic("a product was formed") }
func (hugeMatrix) TMul(*mat.Dense, mat.Matrix) { panic("a product was formed") }
func (hugeMatrix) Stats() linalg.Stats {
	return linalg.Stats{Sum: 1, SquaredNorm: 1, Max: 1, Finite: true}
}
func (hugeMatrix) Apply(linalg.Matrix, *mat.Dense, *mat.Dense, func(x, wh float64) float64) linalg.Matrix {
	panic("a product was formed")
}
func (hugeMatrix) Each(fn func(i, j int, v float64)) { fn(0, 1, 1) }
func (hugeMatrix) NNZ() int                          { return 1 }

// TestHugeShapeRefused checks that every model refuses, before it
// allocates anything, an input whose shape its dense factors cannot fit
// in memory.
func TestHugeShapeRefused(t *testing.T) {
	for _, s := range All() {
		c := Config{Rank: 2}
		if _, ok := reflect.TypeOf(s.new()).Elem().FieldByName("Layers"); ok {
			c = Config{Layers: []int{4, 2}}
		}
		e, err := New(s.Name, c)
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: %v before refusing the shape", s.Name, r)
				}
			}()
			_, err = e.Fit(context.Background(), hugeMatrix{n: 1e13}, solve.Settings{MaxIter: 1})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "this process may use") {
				t.Errorf("%s: err = %v, want a refusal of the memory it needs", s.Name, err)
			}
		}()
	}
}
