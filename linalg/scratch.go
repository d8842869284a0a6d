package linalg

import "gonum.org/v1/gonum/mat"

// Scratch hands out the temporary matrices that every iteration of a
// solver needs again, so that the iterations allocate nothing: the matrix
// of each slot and shape is allocated on its first request and returned
// by every later one, holding what its last user left in it. The zero
// value is ready to use; a Scratch is not safe for concurrent use.
type Scratch struct {
	m map[[3]int]*mat.Dense
}

// Get returns the r x c matrix of the given slot. Matrices of different
// slots, or of different shapes in one slot, never share storage.
func (s *Scratch) Get(slot, r, c int) *mat.Dense {
	key := [3]int{slot, r, c}
	if d, ok := s.m[key]; ok {
		return d
	}
	if s.m == nil {
		s.m = make(map[[3]int]*mat.Dense)
	}
	d := mat.NewDense(r, c, nil)
	s.m[key] = d
	return d
}
