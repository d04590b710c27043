package nbo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"sync/atomic"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// A registered selection or plan is written as ordinary campaigns, so that acrm sample respond
// --campaign ID and the evaluation step read it like any other campaign:
//
//   - campaigns: one row per product × channel offered (campaigns.product_id is one product):
//     campaign_id (max + 1 …), name "<kind> Pnn <channel> <start>", product_id, channel,
//     start_date, end_date, cost_per_contact, selection = 'model', period NULL;
//   - campaign_members: campaign_id, customer_id, cell ('target' contacted = true, 'control'
//     contacted = false: selected by the same rules and held out at random);
//   - acrm_campaign_offers: what each member (both cells) was offered: p_accept,
//     expected_value and the model version at selection time.
//
// All three are written in one transaction: either the whole campaign set exists or none.

// regMember is one member of a campaign to register.
type regMember struct {
	CustomerID int64
	Offer      Candidate
	Control    bool
}

// regResult are the ids given, in the order of the (product, channel) keys sorted.
type regCampaign struct {
	ID      int
	Product int
	Channel string
}

var stageSeq atomic.Int64

// registerCampaigns writes members as campaigns of kind ("select", "plan") over [start, end].
func registerCampaigns(ctx context.Context, ws *workspace.Workspace, kind string, start, end time.Time, members []regMember) ([]regCampaign, error) {
	if len(members) == 0 {
		return nil, errors.New("no customer passes the rules; nothing to register")
	}
	for _, t := range []string{"campaigns", "campaign_members"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("the workspace has no %s table to register the campaign in", t)
		}
	}
	type key struct {
		p  int
		ch string
	}
	idx := map[key]int{}
	var camps []regCampaign
	cost := map[key]float64{}
	for _, m := range members {
		k := key{m.Offer.Product, m.Offer.Channel}
		if _, ok := idx[k]; !ok {
			idx[k] = -1
			camps = append(camps, regCampaign{Product: k.p, Channel: k.ch})
			cost[k] = m.Offer.Cost
		}
	}
	sort.Slice(camps, func(a, b int) bool {
		if camps[a].Product != camps[b].Product {
			return camps[a].Product < camps[b].Product
		}
		return camps[a].Channel < camps[b].Channel
	})
	for i, c := range camps {
		idx[key{c.Product, c.Channel}] = i
	}
	// Members are staged by the appender (outside the transaction), then moved with the
	// campaign rows in one transaction.
	stage := fmt.Sprintf("acrm_stage_register_%s_%d", kind, stageSeq.Add(1))
	qs := workspace.QuoteIdent(stage)
	drop := func() { _, _ = ws.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+qs) }
	drop()
	defer drop()
	if _, err := ws.ExecContext(ctx, "CREATE TABLE "+qs+` (k INTEGER, customer_id BIGINT, product_id INTEGER, channel VARCHAR,
		cell VARCHAR, p_accept DOUBLE, expected_value DOUBLE, model_version VARCHAR)`); err != nil {
		return nil, err
	}
	err := ws.Append(ctx, stage, func(add workspace.AppendFunc) error {
		for _, m := range members {
			cell := "target"
			if m.Control {
				cell = "control"
			}
			o := m.Offer
			if err := add(int32(idx[key{o.Product, o.Channel}]), m.CustomerID, int32(o.Product), o.Channel, cell, o.P, o.Value, o.Model); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(campaign_id), 0) + 1 FROM campaigns`).Scan(&next); err != nil {
			return err
		}
		for i := range camps {
			c := &camps[i]
			c.ID = next + i
			name := fmt.Sprintf("%s P%02d %s %s", kind, c.Product, c.Channel, start.Format(time.DateOnly))
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (campaign_id, name, product_id, channel, start_date, end_date, cost_per_contact, selection)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'model')`, c.ID, name, c.Product, c.Channel, start, end, cost[key{c.Product, c.Channel}]); err != nil {
				return fmt.Errorf("register campaign: %w", err)
			}
		}
		// One member row per customer and campaign (a plan may offer a product twice through
		// one channel only once; the rules never repeat a product within a period).
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_members (campaign_id, customer_id, cell, contacted)
			SELECT DISTINCT ? + k, customer_id, cell, cell = 'target' FROM `+qs, next); err != nil {
			return fmt.Errorf("register members: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO acrm_campaign_offers (campaign_id, customer_id, product_id, channel, cell, p_accept, expected_value, model_version)
			SELECT ? + k, customer_id, product_id, channel, cell, p_accept, expected_value, model_version FROM `+qs, next); err != nil {
			return fmt.Errorf("register offers: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return camps, nil
}

// controlDraw is the deterministic control-cell draw of one customer: true for about share of
// customers, the same customer always drawn alike for a given seed.
func controlDraw(seed uint64, customerID int64, share float64) bool {
	if share <= 0 {
		return false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d", seed, customerID)
	return float64(h.Sum64()>>11)/(1<<53) < share
}
