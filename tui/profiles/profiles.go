// Package profiles is the Profiles screen: per-product propensity profiles, the model
// leaderboard and rule profiles. Until the screen lands it explains itself and points to the
// CLI.
package profiles

import "github.com/acrm-dev/acrm/tui/common"

// New returns the Profiles screen.
func New(c *common.Common) common.Screen {
	return common.NewInfo(c, "profiles", "Profiles", []string{
		"A leaderboard of the propensity models trained for every product (holdout AUC next to the oracle AUC, lift in the top 10 %, calibration error), the cumulative-gains chart of the selected model, and its rule profile: readable rules such as \"sector = retail and mobile_subs ≥ 5: 4.1× the average rate, 2.3 % of customers\".",
		"Keys will be: t train, T train all products, c compare, e export chart.",
	}, []string{
		"acrm train --db acrm.duckdb --all        train look-alike profiles per product",
		"acrm models --db acrm.duckdb             list trained models and their metrics",
		"acrm score --db acrm.duckdb              score the whole base",
	})
}
