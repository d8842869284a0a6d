package model

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/deepnmf/deepnmf/linalg"
	"github.com/deepnmf/deepnmf/solve"
)

// nmfRun32 is an NMF fit in float32 (NMF.Float32): the Frobenius loss by
// multiplicative updates or coordinate descent, with the input, the
// factors and the scratch in float32 (linalg.Matrix32, blas32.General)
// and the objective's and the violation's sums taken in float64. It
// implements solve.Model and solve.Monitor as nmfRun does, with the same
// update rules, stopping tests and start.
type nmfRun32 struct {
	x                  linalg.Matrix32
	sqNorm             float64        // ‖X‖², from the float64 input
	w, h               blas32.General // n x k, k x d
	l1W, l2W, l1H, l2H float32
	cd, shuffle        bool
	rng                *rand.Rand
	perm               []int   // coordinate order of the cd solver
	violation          float64 // of the last cd step

	loss       float64 // D_β at the current factors, valid when fresh
	fresh      bool
	numW, denW blas32.General // n x k scratch
	numH, denH blas32.General // k x d scratch
	ht, ht2    blas32.General // d x k scratch: Hᵀ, or Xᵀ·W; Hᵀ for cd
	kk, kk2    blas32.General // k x k scratch
}

// newRun32 returns the float32 form of run, a resolved Frobenius run with
// its start.
func newRun32(run *nmfRun) (*nmfRun32, error) {
	x, err := linalg.ToFloat32(run.x)
	if err != nil {
		return nil, invalid(err)
	}
	n, d := x.Dims()
	k := run.w.RawMatrix().Cols
	return &nmfRun32{
		x: x, sqNorm: run.x.Stats().SquaredNorm,
		w: linalg.General32(run.w), h: linalg.General32(run.h),
		l1W: float32(run.l1W), l2W: float32(run.l2W), l1H: float32(run.l1H), l2H: float32(run.l2H),
		cd: run.cd, shuffle: run.shuffle, rng: run.rng,
		numW: general32(n, k), denW: general32(n, k),
		numH: general32(k, d), denH: general32(k, d),
		ht: general32(d, k), ht2: general32(d, k), kk: general32(k, k), kk2: general32(k, k),
	}, nil
}

// general32 returns a new r x c float32 matrix of zeros.
func general32(r, c int) blas32.General {
	return blas32.General{Rows: r, Cols: c, Stride: c, Data: make([]float32, r*c)}
}

// eps32 floors the denominators of the float32 updates: linalg.Eps, the
// machine epsilon of float32, which the float64 solver and scikit-learn
// use too; its size suits float32, whose numbers near 1 are that far apart.
const eps32 = float32(linalg.Eps)

// Step implements solve.Model: W, then H, as nmfRun's steps compute them
// for the Frobenius loss.
func (r *nmfRun32) Step() error {
	r.fresh = false
	if r.cd {
		r.violation = r.cdW() + r.cdH()
		return nil
	}
	linalg.Transpose32To(r.ht, r.h)
	r.x.Mul(r.numW, r.ht)
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.ht, r.ht, 0, r.kk) // H·Hᵀ
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, r.w, r.kk, 0, r.denW)
	penalize32(r.denW, r.w, r.l1W, r.l2W)
	linalg.MulUpdate32(r.w, r.numW, r.denW, eps32)

	r.x.TMul(r.ht, r.w)
	linalg.Transpose32To(r.numH, r.ht)
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.w, r.w, 0, r.kk) // Wᵀ·W
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, r.kk, r.h, 0, r.denH)
	penalize32(r.denH, r.h, r.l1H, r.l2H)
	linalg.MulUpdate32(r.h, r.numH, r.denH, eps32)
	return nil
}

// cdW runs one coordinate-descent sweep over W, as nmfRun.cdW.
func (r *nmfRun32) cdW() float64 {
	linalg.Transpose32To(r.ht, r.h)
	r.x.Mul(r.numW, r.ht)
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.ht, r.ht, 0, r.kk)
	return r.cdSweep(r.w, r.kk, r.numW, r.l1W, r.l2W)
}

// cdH runs one sweep over H, through Hᵀ, as nmfRun.cdH.
func (r *nmfRun32) cdH() float64 {
	r.x.TMul(r.ht, r.w)
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.w, r.w, 0, r.kk)
	linalg.Transpose32To(r.ht2, r.h)
	v := r.cdSweep(r.ht2, r.kk, r.ht, r.l1H, r.l2H)
	linalg.Transpose32To(r.h, r.ht2)
	return v
}

// cdSweep folds the penalties into gram and cross and runs the sweep over
// f, as nmfRun.cdSweep.
func (r *nmfRun32) cdSweep(f, gram, cross blas32.General, l1, l2 float32) float64 {
	k := gram.Cols
	for t := range k {
		gram.Data[t*gram.Stride+t] += l2
	}
	if l1 != 0 {
		for i := range cross.Rows {
			for j := range k {
				cross.Data[i*cross.Stride+j] -= l1
			}
		}
	}
	r.perm = coordOrder(r.perm, k, r.shuffle, r.rng)
	return linalg.CoordinateDescent32(f, gram, cross, r.perm)
}

// penalize32 adds the gradient of the elastic-net penalty to a
// denominator, as penalize does.
func penalize32(den, f blas32.General, l1, l2 float32) {
	if l1 == 0 && l2 == 0 {
		return
	}
	for i := range den.Rows {
		ds := den.Data[i*den.Stride : i*den.Stride+den.Cols]
		fs := f.Data[i*f.Stride : i*f.Stride+f.Cols]
		for j := range ds {
			ds[j] += l1 + l2*fs[j]
		}
	}
}

// Objective implements solve.Model: the loss plus the penalties.
func (r *nmfRun32) Objective() float64 {
	obj := r.lossValue()
	if r.l1W > 0 || r.l2W > 0 {
		obj += float64(r.l1W)*sum32(r.w) + 0.5*float64(r.l2W)*dot32(r.w, r.w)
	}
	if r.l1H > 0 || r.l2H > 0 {
		obj += float64(r.l1H)*sum32(r.h) + 0.5*float64(r.l2H)*dot32(r.h, r.h)
	}
	return obj
}

// Monitor implements solve.Monitor as nmfRun's: the violation relative
// to the first for cd, sqrt(2·D_β) with the relative-decrease rule for mu.
func (r *nmfRun32) Monitor() (float64, solve.Rule) {
	if r.cd {
		return r.violation, solve.RelativeToFirst
	}
	return math.Sqrt(2 * max(r.lossValue(), 0)), solve.RelativeDecrease
}

// lossValue returns ½‖X − WH‖²_F = ½(‖X‖² − 2⟨XHᵀ, W⟩ + ⟨WᵀW, HHᵀ⟩), as
// beta.Frobenius computes it, with the products in float32 and the inner
// products summed in float64.
func (r *nmfRun32) lossValue() float64 {
	if !r.fresh {
		linalg.Transpose32To(r.ht, r.h)
		r.x.Mul(r.numW, r.ht)
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.w, r.w, 0, r.kk)
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, r.ht, r.ht, 0, r.kk2)
		r.loss = max(r.sqNorm-2*dot32(r.numW, r.w)+dot32(r.kk, r.kk2), 0) / 2
		r.fresh = true
	}
	return r.loss
}

// dot32 returns Σ a_ij·b_ij, summed in float64.
func dot32(a, b blas32.General) float64 {
	var s float64
	for i := range a.Rows {
		bs := b.Data[i*b.Stride : i*b.Stride+a.Cols]
		for j, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
			s += float64(v) * float64(bs[j])
		}
	}
	return s
}

// sum32 returns Σ a_ij, summed in float64.
func sum32(a blas32.General) float64 {
	var s float64
	for i := range a.Rows {
		for _, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
			s += float64(v)
		}
	}
	return s
}
