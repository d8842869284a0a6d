package encdec

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
	"github.com/deepnmf/deepnmf/linalg"
)

func data(n, d int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			if rng.Float64() < 0.6 {
				m.Set(i, j, rng.Float64())
			}
		}
	}
	return m
}

// TestAE checks the residuals against dense formulas and the monotone
// decrease the majorization-minimization updates guarantee, on dense and
// sparse input.
func TestAE(t *testing.T) {
	xd := data(30, 12, 1)
	for _, x := range []linalg.Matrix{linalg.NewDense(xd), linalg.CSRFromDense(xd)} {
		v, w, err := Start(x, 3, initialize.Random, initialize.NewRand(2))
		if err != nil {
			t.Fatal(err)
		}
		Balance(x, v, w)
		ae := NewAE(x, w, v, linalg.Eps)
		prev := math.Inf(1)
		for range 50 {
			if err := ae.Step(); err != nil {
				t.Fatal(err)
			}
			obj := ae.Objective()
			if obj > prev*(1+1e-12) {
				t.Fatalf("%T: objective rose from %g to %g", x, prev, obj)
			}
			prev = obj
		}
		var dec, enc mat.Dense
		dec.Mul(ae.V, ae.W.T())
		dec.Sub(xd, &dec)
		enc.Mul(xd, ae.W)
		enc.Sub(ae.V, &enc)
		gotDec, gotEnc := ae.Residuals()
		wantDec, wantEnc := linalg.Dot(&dec, &dec), linalg.Dot(&enc, &enc)
		if math.Abs(gotDec-wantDec) > 1e-9*wantDec || math.Abs(gotEnc-wantEnc) > 1e-9*max(wantEnc, 1) {
			t.Errorf("%T: residuals %g, %g, want %g, %g", x, gotDec, gotEnc, wantDec, wantEnc)
		}
		xw := mat.NewDense(30, 3, nil)
		x.Mul(xw, ae.W)
		if d := DecoderResidual(x, xw, ae.V, ae.W); math.Abs(d-wantDec) > 1e-9*wantDec {
			t.Errorf("DecoderResidual %g, want %g", d, wantDec)
		}
		if e := EncoderResidual(xw, ae.V); math.Abs(e-wantEnc) > 1e-9*max(wantEnc, 1) {
			t.Errorf("EncoderResidual %g, want %g", e, wantEnc)
		}
	}
}

// TestBalance checks that balancing leaves V·Wᵀ as it is and minimizes the
// encoder residual over the rescalings.
func TestBalance(t *testing.T) {
	x := linalg.NewDense(data(20, 8, 3))
	v, w, err := Start(x, 2, initialize.NNDSVDA, initialize.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	v.Scale(10, v)
	var before, after mat.Dense
	before.Mul(v, w.T())
	Balance(x, v, w)
	after.Mul(v, w.T())
	if !mat.EqualApprox(&before, &after, 1e-12) {
		t.Error("balancing changed V·Wᵀ")
	}
	enc := func(s float64) float64 {
		xw := mat.NewDense(20, 2, nil)
		ws := mat.DenseCopyOf(w)
		ws.Scale(1/s, ws)
		x.Mul(xw, ws)
		vs := mat.DenseCopyOf(v)
		vs.Scale(s, vs)
		return EncoderResidual(xw, vs)
	}
	if e := enc(1); e > enc(1.01) || e > enc(0.99) {
		t.Errorf("encoder residual %g is not the least over rescalings (%g, %g)", e, enc(1.01), enc(0.99))
	}
}

// TestLayer checks the pre-training layer's monitor: ‖X − VWᵀ‖ + ‖V − XW‖.
func TestLayer(t *testing.T) {
	x := linalg.NewDense(data(15, 6, 4))
	l := NewLayer(x, 2, initialize.NewRand(5), 1e-10)
	dec, enc := l.Residuals()
	got, _ := l.Monitor()
	if want := math.Sqrt(dec) + math.Sqrt(enc); math.Abs(got-want) > 1e-12*want {
		t.Errorf("monitor %g, want %g", got, want)
	}
	if r, c := l.W.Dims(); r != 6 || c != 2 || mat.Min(l.W) < 0 || mat.Max(l.W) >= 1 {
		t.Errorf("W is %dx%d with entries outside [0, 1)", r, c)
	}
}
