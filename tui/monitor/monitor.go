// Package monitor is the Monitor screen: outcomes against predictions, drift and
// champion/challenger. Until the screen lands it explains itself and points to the CLI.
package monitor

import "github.com/acrm-dev/acrm/tui/common"

// New returns the Monitor screen.
func New(c *common.Common) common.Screen {
	return common.NewInfo(c, "monitor", "Monitor", []string{
		"Evaluate the loop: registered campaign outcomes against the predicted conversion per model and decile, population drift (PSI) of the scored base, and champion/challenger comparisons that say when to retrain.",
	}, []string{
		"acrm models                       the model registry with holdout metrics",
		"acrm chart pred-decile -o p.png   predicted against actual per score decile",
		"acrm chart calibration -o c.png   predicted against observed rates",
	})
}
