package cli

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/deepnmf/deepnmf/dataio"
)

// The side information of the semi-supervised models: labelled samples
// drawn from the ground truth (--labelled-fraction) and pairwise
// constraints read from a file (--constraints).

// labelStream is the PCG stream of the labelled draw, apart from the
// model's own draws from the same seed.
const labelStream = 0x5be1ab5e1ed

// drawLabelled returns the class of each sample drawn as labelled, −1
// for the others: in every class of truth (−1: unknown, never drawn),
// round(fraction·n_c) samples, at least one, rounding half to even as
// NumPy's round, drawn at random from seed.
func drawLabelled(truth []int, fraction float64, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, labelStream))
	classes := map[int][]int{}
	top := -1
	for i, c := range truth {
		if c >= 0 {
			classes[c] = append(classes[c], i)
			top = max(top, c)
		}
	}
	out := make([]int, len(truth))
	for i := range out {
		out[i] = -1
	}
	for c := 0; c <= top; c++ { // in class order, so that the draw is reproducible
		members := classes[c]
		if len(members) == 0 {
			continue
		}
		rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		l := min(max(1, int(math.RoundToEven(fraction*float64(len(members))))), len(members))
		for _, i := range members[:l] {
			out[i] = c
		}
	}
	return out
}

// countLabelled returns the number of labelled samples.
func countLabelled(labelled []int) int {
	n := 0
	for _, c := range labelled {
		if c >= 0 {
			n++
		}
	}
	return n
}

// constraints are the pairwise constraints of a --constraints file.
type constraints struct {
	must, cannot [][2]int
}

// count returns the number of constraints, 0 for nil.
func (c *constraints) count() int {
	if c == nil {
		return 0
	}
	return len(c.must) + len(c.cannot)
}

// readConstraints reads "i j must|cannot" lines (0-based row numbers below
// n; blank lines and lines starting with # are skipped).
func readConstraints(path string, n int) (*constraints, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &constraints{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		bad := func(format string, args ...any) error {
			return &dataio.InputError{File: path, Line: line, Msg: fmt.Sprintf(format, args...)}
		}
		fields := strings.Fields(text)
		if len(fields) != 3 {
			return nil, bad("want \"i j must\" or \"i j cannot\", got %q", text)
		}
		var p [2]int
		for k, s := range fields[:2] {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v >= n {
				return nil, bad("%q is not a row number in [0, %d)", s, n)
			}
			p[k] = v
		}
		if p[0] == p[1] {
			return nil, bad("row %d is linked with itself", p[0])
		}
		switch strings.ToLower(fields[2]) {
		case "must":
			c.must = append(c.must, p)
		case "cannot":
			c.cannot = append(c.cannot, p)
		default:
			return nil, bad("%q: want must or cannot", fields[2])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &dataio.InputError{File: path, Line: line + 1, Msg: err.Error(), Err: err}
	}
	if len(c.must)+len(c.cannot) == 0 {
		return nil, &dataio.InputError{File: path, Msg: "no constraint"}
	}
	return c, nil
}
