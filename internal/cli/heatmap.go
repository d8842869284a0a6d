package cli

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/deepnmf/deepnmf/dataio"
)

// byCommunity returns the ROIs ordered by community and, within one, by
// decreasing strength (their entry in the community's column of h, when h
// is given), with the positions where each community after the first
// begins.
func byCommunity(comm []int, h *mat.Dense) (order, starts []int) {
	order = make([]int, len(comm))
	for i := range order {
		order[i] = i
	}
	strength := func(i int) float64 {
		if h == nil {
			return 0
		}
		return h.At(i, comm[i])
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if comm[i] != comm[j] {
			return comm[i] < comm[j]
		}
		return strength(i) > strength(j)
	})
	for p := 1; p < len(order); p++ {
		if comm[order[p]] != comm[order[p-1]] {
			starts = append(starts, p)
		}
	}
	return order, starts
}

// reordered is a connectivity matrix with its rows and columns permuted,
// as the GridXYZ of a heat map whose first row is drawn at the top.
type reordered struct {
	a     *mat.Dense
	order []int
}

func (g reordered) Dims() (c, r int) { return len(g.order), len(g.order) }
func (g reordered) Z(c, r int) float64 {
	return g.a.At(g.order[len(g.order)-1-r], g.order[c])
}
func (g reordered) X(c int) float64 { return float64(c) }
func (g reordered) Y(r int) float64 { return float64(r) }

// writeHeatMap draws the mean connectivity a with its ROIs in the order
// given, the communities (which begin at starts) marked by lines, on a
// blue-white-red scale symmetric around 0, and writes it to path as a
// PNG, atomically.
func writeHeatMap(path string, a *mat.Dense, order, starts []int, title string) error {
	m := len(order)
	lim := max(math.Abs(mat.Min(a)), math.Abs(mat.Max(a)), math.SmallestNonzeroFloat64)
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-lim)
	cm.SetMax(lim)
	hm := plotter.NewHeatMap(reordered{a: a, order: order}, cm.Palette(255))
	hm.Min, hm.Max = -lim, lim
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fmt.Sprintf("ROI, by community (colour: -%.3g blue, 0 white, %.3g red)", lim, lim)
	p.Y.Label.Text = "ROI, by community"
	p.Add(hm)
	for _, s := range starts {
		x := float64(s) - 0.5
		y := float64(m-s) - 0.5
		for _, xy := range []plotter.XYs{{{X: x, Y: -0.5}, {X: x, Y: float64(m) - 0.5}}, {{X: -0.5, Y: y}, {X: float64(m) - 0.5, Y: y}}} {
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color = color.Black
			l.Width = vg.Points(0.75)
			p.Add(l)
		}
	}
	// Label the rows from the top, where the first is drawn.
	var ticks []plot.Tick
	for i := 0; i < m; i += max(1, m/10) {
		ticks = append(ticks, plot.Tick{Value: float64(m - 1 - i), Label: fmt.Sprint(i)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(m)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(m)-0.5
	wt, err := p.WriterTo(6*vg.Inch, 6*vg.Inch, "png")
	if err != nil {
		return err
	}
	return dataio.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
