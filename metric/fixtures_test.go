package metric

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deepnmf/deepnmf/linalg"
)

// fixtures are reference values from scikit-learn, scipy and networkx,
// written by testdata/metric/gen.py.
type fixtures struct {
	Clustering []struct {
		Name          string
		Truth, Pred   []int
		ACC, Purity   float64
		NMISqrt       float64 `json:"nmi_sqrt"`
		NMIArithmetic float64 `json:"nmi_arithmetic"`
		NMIMax        float64 `json:"nmi_max"`
		NMIMin        float64 `json:"nmi_min"`
		ARI           float64
		F1, Jaccard   float64
	}
	Graphs []struct {
		Name       string
		N          int
		Directed   bool
		Rows, Cols []int
		Vals       []float64
		Partitions []struct {
			Pred        []int
			Modularity  float64
			Conductance []float64
		}
	}
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "metric", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Clustering) == 0 || len(f.Graphs) == 0 {
		t.Fatal("fixtures.json has no cases")
	}
	return f
}

// same reports whether got equals want to 1e-12 relative.
func same(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-12*math.Abs(want)
}

func TestClusteringFixtures(t *testing.T) {
	for _, c := range loadFixtures(t).Clustering {
		s := Cluster(c.Truth, c.Pred)
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"ACC", ACC(c.Truth, c.Pred), c.ACC},
			{"Purity", Purity(c.Truth, c.Pred), c.Purity},
			{"NMI Sqrt", NMI(c.Truth, c.Pred, Sqrt), c.NMISqrt},
			{"NMI Arithmetic", NMI(c.Truth, c.Pred, Arithmetic), c.NMIArithmetic},
			{"NMI Max", NMI(c.Truth, c.Pred, Max), c.NMIMax},
			{"NMI Min", NMI(c.Truth, c.Pred, Min), c.NMIMin},
			{"ARI", ARI(c.Truth, c.Pred), c.ARI},
			{"PairF1", PairF1(c.Truth, c.Pred), c.F1},
			{"PairJaccard", PairJaccard(c.Truth, c.Pred), c.Jaccard},
			{"Scores.ACC", s.ACC, c.ACC},
			{"Scores.NMI", s.NMI, c.NMISqrt},
			{"Scores.NMIArithmetic", s.NMIArithmetic, c.NMIArithmetic},
			{"Scores.NMIMax", s.NMIMax, c.NMIMax},
			{"Scores.ARI", s.ARI, c.ARI},
			{"Scores.Purity", s.Purity, c.Purity},
			{"Scores.F1", s.F1, c.F1},
			{"Scores.Jaccard", s.Jaccard, c.Jaccard},
		} {
			if !same(m.got, m.want) {
				t.Errorf("%s: %s = %.17g, want %.17g", c.Name, m.name, m.got, m.want)
			}
		}
	}
}

func TestGraphFixtures(t *testing.T) {
	for _, g := range loadFixtures(t).Graphs {
		adj, err := linalg.NewCSRFromTriplets(g.N, g.N, g.Rows, g.Cols, g.Vals, false)
		if err != nil {
			t.Fatalf("%s: %v", g.Name, err)
		}
		for k, p := range g.Partitions {
			if q := Modularity(adj, p.Pred, g.Directed); !same(q, p.Modularity) {
				t.Errorf("%s, partition %d: modularity %.17g, want %.17g", g.Name, k, q, p.Modularity)
			}
			if g.Directed {
				continue
			}
			phi := Conductance(adj, p.Pred)
			if len(phi) != len(p.Conductance) {
				t.Fatalf("%s, partition %d: %d conductances, want %d", g.Name, k, len(phi), len(p.Conductance))
			}
			var mean float64
			for c, want := range p.Conductance {
				if !same(phi[c], want) {
					t.Errorf("%s, partition %d: community %d conductance %.17g, want %.17g", g.Name, k, c, phi[c], want)
				}
				mean += want / float64(len(p.Conductance))
			}
			if got := MeanConductance(adj, p.Pred); !same(got, mean) {
				t.Errorf("%s, partition %d: mean conductance %.17g, want %.17g", g.Name, k, got, mean)
			}
		}
	}
}
