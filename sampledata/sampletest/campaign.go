package sampletest

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// TrueCampaign registers campaign id after the snapshot: product offered through channel to
// every customer who does not hold it and has no opt-out (every third in the control cell),
// with each member's true P(accept) × scale recorded as the selection's prediction in
// acrm_campaign_offers (model version "truth-test"), then draws the contacted members'
// outcomes with the market simulator (seed). A prediction that is the truth lets a test check
// the monitor's intervals; scale ≠ 1 makes a miscalibrated one.
func TrueCampaign(ctx context.Context, ws *workspace.Workspace, id, product int, channel string, scale float64, seed uint64) error {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaigns (campaign_id, name, product_id, channel, start_date, end_date, cost_per_contact, selection)
		VALUES (?, ?, ?, ?, ?, ?, 5, 'model')`, id, fmt.Sprintf("test P%02d by %s", product, channel), product, channel, start, start.AddDate(0, 0, 20)); err != nil {
		return err
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaign_members SELECT ?, customer_id, CASE WHEN customer_id % 3 = 0 THEN 'control' ELSE 'target' END,
		customer_id % 3 <> 0 FROM customers WHERE customer_id NOT IN
		(SELECT customer_id FROM holdings WHERE product_id = ? AND end_date IS NULL)
		AND customer_id NOT IN (SELECT customer_id FROM optouts)`, id, product); err != nil {
		return err
	}
	profiles, err := sampledata.LoadProfiles(ctx, ws)
	if err != nil {
		return err
	}
	prior, err := sampledata.LoadPrior(ctx, ws, start.AddDate(-1, 0, 0))
	if err != nil {
		return err
	}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, cell FROM campaign_members WHERE campaign_id = ?`, id)
	if err != nil {
		return err
	}
	var plans []sampledata.PlannedContact
	cells := map[int64]string{}
	for rows.Next() {
		var cid int64
		var cell string
		if err := rows.Scan(&cid, &cell); err != nil {
			rows.Close()
			return err
		}
		cells[cid] = cell
		plans = append(plans, sampledata.PlannedContact{CustomerID: cid, ProductID: product, Channel: channel, TS: start.Add(36 * time.Hour)})
	}
	rows.Close()
	outs, err := sampledata.Simulate(ctx, plans, profiles, prior, 1)
	if err != nil {
		return err
	}
	err = ws.Append(ctx, "acrm_campaign_offers", func(add workspace.AppendFunc) error {
		for _, o := range outs {
			if err := add(int32(id), o.CustomerID, int32(product), channel, cells[o.CustomerID], math.Min(1, o.PAccept*scale), 100.0, "truth-test"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = sampledata.Respond(ctx, ws, id, seed)
	return err
}

// RegisterCampaign registers campaign id without outcomes: product offered through channel
// from start for days days to the customers with customer_id % parts = part who do not hold
// it and have no opt-out; those with (customer_id / parts) % controlEvery = 0 form the control
// cell (not contacted). acrm sample next-period (sampledata.NextPeriod) answers it.
func RegisterCampaign(ctx context.Context, ws *workspace.Workspace, id, product int, channel string, start time.Time, days, parts, part, controlEvery int) error {
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaigns (campaign_id, name, product_id, channel, start_date, end_date, cost_per_contact, selection)
		VALUES (?, ?, ?, ?, ?, ?, 5, 'model')`, id, fmt.Sprintf("test P%02d by %s", product, channel), product, channel, start, start.AddDate(0, 0, days-1)); err != nil {
		return err
	}
	_, err := ws.ExecContext(ctx, `INSERT INTO campaign_members SELECT ?, customer_id,
		CASE WHEN (customer_id // ?) % ? = 0 THEN 'control' ELSE 'target' END, (customer_id // ?) % ? <> 0
		FROM customers WHERE customer_id % ? = ? AND customer_id NOT IN
		(SELECT customer_id FROM holdings WHERE product_id = ? AND end_date IS NULL)
		AND customer_id NOT IN (SELECT customer_id FROM optouts)`, id, parts, controlEvery, parts, controlEvery, parts, part, product)
	return err
}

// PredictTruth records, as campaign id's prediction in acrm_campaign_offers (model version
// version), each member's true P(accept | offered) in the market as it is now
// (sampledata.CampaignTruth): what a selection by a perfect response model trained on today's
// data registers (the monitor adds the organic purchases it measures in the control cell).
func PredictTruth(ctx context.Context, ws *workspace.Workspace, id int, version string) error {
	truth, err := sampledata.CampaignTruth(ctx, ws, id, 30)
	if err != nil {
		return err
	}
	_, err = ws.ExecContext(ctx, `DELETE FROM acrm_campaign_offers WHERE campaign_id = ?`, id)
	if err != nil {
		return err
	}
	rows, err := ws.QueryContext(ctx, `SELECT m.customer_id, m.cell, c.product_id, c.channel FROM campaign_members m
		JOIN campaigns c USING (campaign_id) WHERE campaign_id = ?`, id)
	if err != nil {
		return err
	}
	type row struct {
		cust     int64
		cell, ch string
		product  int32
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.cust, &r.cell, &r.product, &r.ch); err != nil {
			rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	rows.Close()
	return ws.Append(ctx, "acrm_campaign_offers", func(add workspace.AppendFunc) error {
		for _, r := range rs {
			if err := add(int32(id), r.cust, r.product, r.ch, r.cell, truth[r.cust].Accept, 100.0, version); err != nil {
				return err
			}
		}
		return nil
	})
}
