package metric_test

import (
	"fmt"

	"github.com/deepnmf/deepnmf/metric"
)

func ExampleCluster() {
	truth := []int{0, 0, 0, 1, 1, 1, 2, 2, -1} // the last sample is unlabelled
	pred := []int{1, 1, 0, 0, 0, 0, 2, 2, 2}
	s := metric.Cluster(truth, pred)
	fmt.Printf("ACC %.3f  NMI %.3f  ARI %.3f  purity %.3f\n", s.ACC, s.NMI, s.ARI, s.Purity)
	// Output:
	// ACC 0.875  NMI 0.755  ARI 0.545  purity 0.875
}
