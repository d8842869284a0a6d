package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// KMeans clusters the rows of a matrix by k-means: greedy k-means++ seeding
// and Lloyd iterations, restarted several times, keeping the run of least
// inertia (the sum of squared distances from each row to its center), as
// scikit-learn's KMeans does with its default lloyd algorithm. Restarts,
// MaxIter and Tol take scikit-learn's defaults when zero.
//
// Every random draw comes from one PCG generator seeded by Seed, and the
// restarts run in order, so a seed gives the same labels whatever
// GOMAXPROCS is, as long as the BLAS in use (gonum's by default) computes
// each entry of a product the same way at every thread count.
type KMeans struct {
	// K is the number of clusters, at least 1.
	K int
	// Restarts is the number of seedings tried. Zero means 10.
	Restarts int
	// MaxIter bounds the Lloyd iterations of each run. Zero means 300.
	MaxIter int
	// Tol ends a run once the centers move, in summed squared distance,
	// by at most Tol times the mean variance of the columns. Zero means
	// 1e-4.
	Tol float64
	// Seed seeds the random generator.
	Seed uint64
	// Normalize scales every row to unit Euclidean norm before clustering,
	// leaving zero rows as they are; the inertia is then of the scaled rows.
	Normalize bool
}

// Fit clusters the rows of x and returns the label in [0, K) of each row and
// the inertia of the best run. It returns an error if a field is out of
// range, x has a NaN or infinite entry, or x has fewer than K distinct rows.
//
// Any finite x can be clustered: the rows are scaled by a power of two
// first, which changes no label (see newLloyd). The inertia is in the units
// of x, so for data whose squared distances do not fit in a float64 it is
// +Inf (entries near 1e160), or rounds towards 0 (entries near 1e-160).
func (km KMeans) Fit(x mat.Matrix) (labels []int, inertia float64, err error) {
	restarts, maxIter, tol := km.Restarts, km.MaxIter, km.Tol
	if restarts == 0 {
		restarts = 10
	}
	if maxIter == 0 {
		maxIter = 300
	}
	if tol == 0 {
		tol = 1e-4
	}
	switch {
	case km.K < 1:
		return nil, 0, fmt.Errorf("cluster: K = %d, want at least 1", km.K)
	case restarts < 0 || maxIter < 0:
		return nil, 0, fmt.Errorf("cluster: Restarts = %d and MaxIter = %d, want them nonnegative", km.Restarts, km.MaxIter)
	case !(tol >= 0) || math.IsInf(tol, 1):
		return nil, 0, fmt.Errorf("cluster: Tol = %v, want it finite and nonnegative", km.Tol)
	}
	n, _ := x.Dims()
	if km.K > n {
		return nil, 0, fmt.Errorf("cluster: K = %d but only %d rows", km.K, n)
	}
	w, err := newLloyd(x, km.K, km.Normalize)
	if err != nil {
		return nil, 0, err
	}
	tol *= w.meanVariance()
	rng := rand.New(rand.NewPCG(km.Seed, 0))
	inertia = math.Inf(1)
	for range restarts {
		if err := w.seed(rng); err != nil {
			return nil, 0, err
		}
		if in := w.run(maxIter, tol); in < inertia {
			inertia = in
			labels = append(labels[:0], w.labels...)
		}
	}
	return labels, math.Ldexp(inertia, 2*w.exp), nil
}

// lloyd holds the data and the state of one k-means run.
type lloyd struct {
	x       *mat.Dense // rows to cluster, scaled by 2^-exp, with the column means subtracted
	exp     int        // squared distances in x are those of the input times 2^(-2·exp)
	xnorm   []float64  // ‖x_i‖²
	centers *mat.Dense // k×d
	prod    *mat.Dense // n×k, x·centersᵀ
	labels  []int
	dist    []float64 // squared distance of each row to its center
}

// newLloyd prepares the rows of m for k-means with k centers.
//
// Squares of entries beyond about 1.3e154 overflow and those below about
// 1e-162 vanish, which would leave k-means++ sampling from infinite or zero
// weights. As k-means does not change when every row is multiplied by one
// factor, the rows are scaled by the power of two that brings the largest
// magnitude into [1/2, 1): centered entries then lie in (-2, 2), so no
// squared distance, nor a sum of them over fewer than 1e307 entries, can
// overflow, and the largest cannot underflow. The scaling is exact, except
// for entries it makes subnormal, under 2^-1021 times the largest, whose
// squares vanish in any case. Normalized rows are scaled one by one in the
// same way before their norm is taken, and end at unit norm.
func newLloyd(m mat.Matrix, k int, normalize bool) (*lloyd, error) {
	x := mat.DenseCopyOf(m)
	n, d := x.Dims()
	var largest float64
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		var rowLargest float64
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("cluster: entry (%d,%d) is %v", i, j, v)
			}
			rowLargest = max(rowLargest, math.Abs(v))
		}
		if normalize && rowLargest > 0 {
			scale(row, rowLargest)
			norm := math.Sqrt(dot(row, row))
			for j := range row {
				row[j] /= norm
			}
		}
		largest = max(largest, rowLargest)
	}
	var exp int
	if !normalize && largest > 0 {
		exp = scale(x.RawMatrix().Data, largest)
	}
	// Distances do not change when the mean is subtracted, and the
	// expansion ‖x‖² + ‖c‖² − 2x·c loses less to cancellation near it.
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			mean[j] += v / float64(n)
		}
	}
	w := &lloyd{
		x:       x,
		exp:     exp,
		xnorm:   make([]float64, n),
		centers: mat.NewDense(k, d, nil),
		prod:    mat.NewDense(n, k, nil),
		labels:  make([]int, n),
		dist:    make([]float64, n),
	}
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for j := range row {
			row[j] -= mean[j]
		}
		w.xnorm[i] = dot(row, row)
	}
	return w, nil
}

// meanVariance returns the mean over the columns of their variance.
func (w *lloyd) meanVariance() float64 {
	n, d := w.x.Dims()
	var s float64
	for _, v := range w.xnorm {
		s += v
	}
	return s / float64(n*d)
}

// seed chooses the initial centers among the rows by greedy k-means++: each
// new center is the best, by the potential it leaves, of 2 + ⌊ln k⌋ rows
// drawn with probability proportional to their squared distance to the
// nearest center so far.
func (w *lloyd) seed(rng *rand.Rand) error {
	n, _ := w.x.Dims()
	k, _ := w.centers.Dims()
	trials := 2 + int(math.Log(float64(k)))
	closest := make([]float64, n) // squared distance to the nearest center
	cand := make([]float64, n)    // the same with a candidate center added
	best := make([]float64, n)    // the same with the best candidate so far
	cum := make([]float64, n)

	first := w.x.RawRowView(rng.IntN(n))
	w.centers.SetRow(0, first)
	var pot float64
	for i := range closest {
		closest[i] = sqDist(w.x.RawRowView(i), first)
		pot += closest[i]
	}
	for c := 1; c < k; c++ {
		if pot == 0 {
			// Every row coincides with a center, so they are too few.
			return fmt.Errorf("cluster: fewer than K = %d distinct rows", k)
		}
		var sum float64
		for i, v := range closest {
			sum += v
			cum[i] = sum
		}
		bestPot, bestRow := math.Inf(1), -1
		for range trials {
			r := sample(cum, rng)
			row := w.x.RawRowView(r)
			var p float64
			for i := range cand {
				cand[i] = min(closest[i], sqDist(w.x.RawRowView(i), row))
				p += cand[i]
			}
			// The first candidate is taken whatever its potential, so
			// that bestRow is a row even if no potential is below +Inf.
			if bestRow < 0 || p < bestPot {
				bestPot, bestRow = p, r
				best, cand = cand, best
			}
		}
		closest, best = best, closest
		pot = bestPot
		w.centers.SetRow(c, w.x.RawRowView(bestRow))
	}
	return nil
}

// sample draws an index with probability proportional to its weight, given
// the cumulative sums of the weights, which must end above zero. It never
// returns an index of weight zero.
func sample(cum []float64, rng *rand.Rand) int {
	total := cum[len(cum)-1]
	u := rng.Float64() * total
	if i := sort.Search(len(cum), func(i int) bool { return cum[i] > u }); i < len(cum) {
		return i
	}
	// u rounded up to the total; the last index if the total is NaN.
	return min(sort.SearchFloat64s(cum, total), len(cum)-1)
}

// run performs Lloyd iterations from the current centers and returns the
// inertia of the final labels.
func (w *lloyd) run(maxIter int, tol float64) float64 {
	for i := range w.labels {
		w.labels[i] = -1
	}
	for it := 0; it < maxIter; it++ {
		if !w.assign() {
			// The centers are already the means of these labels.
			return w.inertia()
		}
		if w.update() <= tol {
			break
		}
	}
	// Make the labels those of the final centers.
	w.assign()
	return w.inertia()
}

// assign labels each row with its nearest center, lowest index on ties,
// and reports whether any label changed.
func (w *lloyd) assign() (changed bool) {
	k, _ := w.centers.Dims()
	cnorm := make([]float64, k)
	for c := range cnorm {
		row := w.centers.RawRowView(c)
		cnorm[c] = dot(row, row)
	}
	w.prod.Mul(w.x, w.centers.T())
	for i := range w.labels {
		d, label := math.Inf(1), 0
		for c, p := range w.prod.RawRowView(i) {
			if v := cnorm[c] - 2*p; v < d {
				d, label = v, c
			}
		}
		w.dist[i] = max(w.xnorm[i]+d, 0)
		if w.labels[i] != label {
			w.labels[i], changed = label, true
		}
	}
	return changed
}

// update moves each center to the mean of its rows and returns the summed
// squared distance the centers moved. A center left without rows is moved
// onto the row farthest from its own center among those of clusters with
// rows to spare, lowest index on ties, and that row is relabelled.
func (w *lloyd) update() (shift float64) {
	k, d := w.centers.Dims()
	sums := mat.NewDense(k, d, nil)
	count := make([]int, k)
	for i, c := range w.labels {
		addTo(sums.RawRowView(c), w.x.RawRowView(i), 1)
		count[c]++
	}
	for c := range count {
		if count[c] > 0 {
			continue
		}
		far := -1
		for i, l := range w.labels {
			if count[l] > 1 && (far < 0 || w.dist[i] > w.dist[far]) {
				far = i
			}
		}
		row, old := w.x.RawRowView(far), w.labels[far]
		addTo(sums.RawRowView(old), row, -1)
		count[old]--
		sums.SetRow(c, row)
		count[c] = 1
		w.labels[far] = c
	}
	for c := range count {
		center, sum := w.centers.RawRowView(c), sums.RawRowView(c)
		for j := range center {
			v := sum[j] / float64(count[c])
			shift += (v - center[j]) * (v - center[j])
			center[j] = v
		}
	}
	return shift
}

// inertia returns the summed squared distance of the rows to their centers,
// computed directly rather than from the expansion assign uses.
func (w *lloyd) inertia() float64 {
	var s float64
	for i, c := range w.labels {
		s += sqDist(w.x.RawRowView(i), w.centers.RawRowView(c))
	}
	return s
}

// scale multiplies v, whose largest magnitude is largest > 0, by the power
// of two 2^-exp that brings largest into [1/2, 1), and returns exp.
func scale(v []float64, largest float64) (exp int) {
	_, exp = math.Frexp(largest)
	for i := range v {
		v[i] = math.Ldexp(v[i], -exp)
	}
	return exp
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += (v - b[i]) * (v - b[i])
	}
	return s
}

// addTo sets dst += alpha·x.
func addTo(dst, x []float64, alpha float64) {
	for i, v := range x {
		dst[i] += alpha * v
	}
}
