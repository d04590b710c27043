// Package offers is the Offers screen: next best offers for one customer at the moment of
// contact. Until the screen lands it explains itself and points to the CLI.
package offers

import "github.com/acrm-dev/acrm/tui/common"

// New returns the Offers screen.
func New(c *common.Common) common.Screen {
	return common.NewInfo(c, "offers", "Offers", []string{
		"An inbound contact: find a customer, see holdings, value segment, recent contacts and opt-outs, add what the customer just said (a new location, a contract ending), and get the next best offers ranked by expected value with the reason for each, plus a decision trace of the offers removed by business rules (cool-down, opt-out, minimum propensity).",
		"Keys will be: / find customer, a add fact, 1-3 choose, A accepted, D declined.",
	}, []string{
		"acrm train --all                  propensity profiles for every product",
		"acrm score --model NAME           score the customer base into acrm_scores",
		"acrm simulate inbound             value of offers on inbound contacts",
	})
}
