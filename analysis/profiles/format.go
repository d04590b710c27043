package profiles

import (
	"fmt"
	"math"
)

// FormatCV writes a cross-validated AUC with its spread over the folds, "0.8123 ± 0.0091"
// (the CLI, the registry listing and the Profiles screen all use it).
func FormatCV(mean, sd float64) string {
	if math.IsNaN(mean) {
		return "–"
	}
	if math.IsNaN(sd) {
		return fmt.Sprintf("%.4f", mean)
	}
	return fmt.Sprintf("%.4f ± %.4f", mean, sd)
}

// PositivesNote is the warning printed beside a model's numbers when they rest on fewer
// than FewPositives positives ("" otherwise).
func PositivesNote(positives int) string {
	if positives < FewPositives {
		return fmt.Sprintf("< %d positives", FewPositives)
	}
	return ""
}

// Registered is the number of the run's models written to the registry (the kept one).
func (r *Result) Registered() int {
	n := 0
	for _, m := range r.Models {
		if m.ModelID != "" {
			n++
		}
	}
	return n
}
