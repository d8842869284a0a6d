package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/metric"
)

func newEval() *cobra.Command {
	var truthPath, predPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a given assignment against ground truth",
		Long: `Score a clustering against ground truth. Each file holds either one label per
line (row i of the data is line i) or "id label" lines, such as the
assignments.txt that fit writes. Rows are matched by id; a line-per-row file
has ids 0, 1, 2, ..., and an id given twice in a file is an error. Predicted
samples without a true label are not scored; the output gives the number
scored and the number predicted.`,
		Example: `  deepnmf eval --truth labels.txt --pred out/assignments.txt
  deepnmf eval --truth karate/labels.txt --pred pred.txt --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if truthPath == "" || predPath == "" {
				return usageError{errors.New("--truth and --pred are required")}
			}
			truth, pred, scored, err := alignLabels(truthPath, predPath)
			if err != nil {
				return err
			}
			// metric.Cluster skips the samples whose truth is -1.
			s := metric.Cluster(truth, pred)
			m := map[string]float64{"acc": s.ACC, "nmi": s.NMI, "nmi_arithmetic": s.NMIArithmetic, "nmi_max": s.NMIMax,
				"ari": s.ARI, "purity": s.Purity, "f1": s.F1, "jaccard": s.Jaccard}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"n": scored, "predicted": len(pred), "metrics": m})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d samples scored of %d predicted\n", scored, len(pred))
			for _, k := range []string{"acc", "nmi", "nmi_arithmetic", "nmi_max", "ari", "purity", "f1", "jaccard"} {
				fmt.Fprintf(cmd.OutOrStdout(), "%-15s %.4f\n", k, m[k])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&truthPath, "truth", "", "ground-truth labels (required)")
	cmd.Flags().StringVar(&predPath, "pred", "", "predicted labels (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// alignLabels reads both files and returns class indices aligned by id, in
// the order of the prediction file, and the number of predicted samples
// with a true label; truth is -1 where a sample has none.
func alignLabels(truthPath, predPath string) (truth, pred []int, matched int, err error) {
	tIDs, tLab, err := dataio.ReadKeyedLabels(truthPath)
	if err != nil {
		return nil, nil, 0, err
	}
	pIDs, pLab, err := dataio.ReadKeyedLabels(predPath)
	if err != nil {
		return nil, nil, 0, err
	}
	tIDs, pIDs = rowIDs(tIDs, len(tLab)), rowIDs(pIDs, len(pLab))
	byID := make(map[string]string, len(tIDs))
	for i, id := range tIDs {
		byID[id] = tLab[i]
	}
	aligned := make([]string, len(pIDs))
	for i, id := range pIDs {
		if l, ok := byID[id]; ok {
			aligned[i] = l
			matched++
		}
	}
	if matched == 0 {
		return nil, nil, 0, &dataio.InputError{File: predPath, Msg: "no id in common with " + truthPath}
	}
	return dataio.LabelsFromStrings(aligned).Values, dataio.LabelsFromStrings(pLab).Values, matched, nil
}

// rowIDs returns ids, or 0..n-1 for a file without ids.
func rowIDs(ids []string, n int) []string {
	if ids != nil {
		return ids
	}
	ids = make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	return ids
}
