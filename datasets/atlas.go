package datasets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/deepnmf/deepnmf/initialize"
)

// PlantedAtlas describes synthetic subjects drawn around a planted group
// atlas, the test bed of model.Atlas: m ROIs in k communities (sizes that
// differ by at most one, the ROIs assigned in a random order), each ROI p
// with a strength u_p in [0.7, 1]; a symmetric k x k group pattern B with
// within-community correlations in [0.3, 0.7] on its diagonal and
// between-community ones in [−0.3, 0.3] off it; and for subject i
//
//	A_i = H W_i Hᵀ + E_i,  W_i = B + Spread·S_i,
//
// with H_pc = u_p if ROI p is in community c (else 0), S_i and E_i
// symmetric with independent N(0, 1) and N(0, Noise²) entries, and the
// diagonal of A_i set to zero (as NeuroGraph's connectivity matrices).
// Entries are not clipped to [−1, 1].
type PlantedAtlas struct {
	Subjects, ROIs, Communities int
	// Noise is the standard deviation of the entries of E_i.
	Noise float64
	// Spread is the standard deviation of the subjects' departures from
	// the group pattern.
	Spread float64
	// Seed fixes every draw.
	Seed uint64
}

// Generate draws the subjects' matrices (each ROIs x ROIs) and returns
// them with the planted community of each ROI. It returns an error if a
// count is not positive, there are fewer ROIs than communities, or Noise
// or Spread is negative or not finite.
func (p PlantedAtlas) Generate() (stack []*mat.Dense, communities []int, err error) {
	finite := func(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }
	switch {
	case p.Subjects < 1 || p.Communities < 1:
		return nil, nil, fmt.Errorf("datasets: planted atlas of %d subjects and %d communities: want at least 1 of each", p.Subjects, p.Communities)
	case p.ROIs < p.Communities:
		return nil, nil, fmt.Errorf("datasets: planted atlas of %d ROIs in %d communities: want at least one ROI per community", p.ROIs, p.Communities)
	case !finite(p.Noise) || !finite(p.Spread):
		return nil, nil, fmt.Errorf("datasets: planted atlas noise %g and spread %g: want finite numbers ≥ 0", p.Noise, p.Spread)
	}
	m, k := p.ROIs, p.Communities
	rng := initialize.NewRand(p.Seed)
	communities = make([]int, m)
	for i, j := range rng.Perm(m) {
		communities[j] = i * k / m
	}
	h := mat.NewDense(m, k, nil)
	for i, c := range communities {
		h.Set(i, c, 0.7+0.3*rng.Float64())
	}
	sym := func(n int, draw func(i, j int) float64) *mat.Dense {
		s := mat.NewDense(n, n, nil)
		for i := range n {
			for j := i; j < n; j++ {
				v := draw(i, j)
				s.Set(i, j, v)
				s.Set(j, i, v)
			}
		}
		return s
	}
	b := sym(k, func(i, j int) float64 {
		if i == j {
			return 0.3 + 0.4*rng.Float64()
		}
		return 0.6*rng.Float64() - 0.3
	})
	stack = make([]*mat.Dense, p.Subjects)
	for s := range stack {
		w := sym(k, func(i, j int) float64 { return b.At(i, j) + p.Spread*rng.NormFloat64() })
		var hw mat.Dense
		hw.Mul(h, w)
		a := sym(m, func(i, j int) float64 {
			if i == j {
				return 0
			}
			return mat.Dot(hw.RowView(i), h.RowView(j)) + p.Noise*rng.NormFloat64()
		})
		stack[s] = a
	}
	return stack, communities, nil
}
