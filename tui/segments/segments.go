// Package segments is the Segments screen.
package segments

import "github.com/acrm-dev/acrm/tui/common"

// New returns the Segments screen.
func New(c *common.Common) common.Screen {
	return common.NewInfo(c, "segments", "Segments", []string{"Segments, KPIs, comparison and crosstabs."}, nil)
}
