package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/deepnmf/deepnmf/model"
)

// TestREADMEListsModels checks that the README's model table and docs/
// cover every registered model.
func TestREADMEListsModels(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range model.All() {
		if !strings.Contains(string(b), "| `"+s.Name+"` |") {
			t.Errorf("README.md's model table lacks %s", s.Name)
		}
		if _, err := os.Stat("../../docs/models/" + s.Name + ".md"); err != nil {
			t.Errorf("model %s has no docs/models page: %v", s.Name, err)
		}
	}
}
