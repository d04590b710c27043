package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ErrNoData is wrapped when the workspace lacks what an analysis (and the chart of it) needs;
// the message after it says what is missing.
var ErrNoData = errors.New("no data for this chart")

// NoData is an error wrapping ErrNoData with the reason.
func NoData(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNoData, fmt.Sprintf(format, args...))
}

// Economics are what a campaign for a product costs and earns, from the workspace.
type Economics struct {
	ProductID int
	Product   string
	Base      float64 // customers not owning the product at the snapshot
	Response  float64 // acceptance of randomly selected offers of the product
	Offers    float64 // random offers the response is measured on
	Margin    float64 // profit per contract over its horizon
	Cost      float64 // mean cost per contact of those campaigns
}

// ProductEconomics reads a product's margin, the eligible base and the response of the
// randomly selected campaign cells (an unbiased mass-mailing response rate).
func ProductEconomics(ctx context.Context, ws *workspace.Workspace, productID int) (Economics, error) {
	e := Economics{ProductID: productID}
	for _, t := range []string{"products", "customers", "holdings", "contacts", "campaigns"} {
		if ok, err := ws.HasTable(ctx, t); err != nil || !ok {
			return e, NoData("the workspace has no %s table (acrm sample creates the datamart)", t)
		}
	}
	db := ws
	p, err := datamart.ProductByID(ctx, ws, productID)
	if errors.Is(err, datamart.ErrNoProduct) {
		return e, NoData("product %d is not in products", productID)
	}
	if err != nil {
		return e, fmt.Errorf("sim: product %d: %w", productID, err)
	}
	e.Product, e.Margin = p.Name, p.Margin
	if p.Objective == datamart.Retention {
		// Retention offers go to the owners; a look-alike model ranks the non-owners.
		return e, NoData("%s is a retention product: its offers go to owners, so a look-alike selection of non-owners has no profit curve", e.Product)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE customer_id NOT IN
		(SELECT customer_id FROM holdings WHERE product_id = ? AND end_date IS NULL)`, productID).Scan(&e.Base); err != nil {
		return e, fmt.Errorf("sim: eligible base of product %d: %w", productID, err)
	}
	var resp, cost sql.NullFloat64
	if err := db.QueryRowContext(ctx, `SELECT count(*), avg((ct.outcome = 'accepted')::DOUBLE), avg(cp.cost_per_contact)
		FROM contacts ct JOIN campaigns cp ON cp.campaign_id = ct.campaign_id
		WHERE cp.selection = 'random' AND ct.product_id = ? AND ct.direction = 'outbound'`, productID).Scan(&e.Offers, &resp, &cost); err != nil {
		return e, fmt.Errorf("sim: response of product %d: %w", productID, err)
	}
	if e.Offers == 0 || !resp.Valid {
		return e, NoData("no randomly selected offers of %s in the contact history, so its mass-mailing response is unknown", e.Product)
	}
	if resp.Float64 <= 0 {
		return e, NoData("none of the %.0f randomly selected offers of %s was accepted, so its mass-mailing response is unknown", e.Offers, e.Product)
	}
	e.Response, e.Cost = resp.Float64, cost.Float64
	return e, nil
}
