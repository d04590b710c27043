// Package simulate is the Simulate screen: campaign ROI and contact-frequency what-ifs.
// Until the screen lands it explains itself and points to the CLI.
package simulate

import "github.com/acrm-dev/acrm/tui/common"

// New returns the Simulate screen.
func New(c *common.Common) common.Screen {
	return common.NewInfo(c, "simulate", "Simulate", []string{
		"Campaign ROI (mailings × conversion × margin against cost, model-targeted versus random) and contact-frequency scenarios per segment: the response curve against contacts a year, its optimum, and what moving from 3 to 4 contacts per half year does to contracts, revenue growth and opt-outs, with 95 % intervals.",
		"Keys will be: ←/→ change value, s save scenario, c compare scenarios, e export chart.",
	}, []string{
		"acrm simulate --db acrm.duckdb           run ROI and frequency scenarios",
		"acrm chart --db acrm.duckdb              export deck charts (PNG/SVG/PDF)",
	})
}
