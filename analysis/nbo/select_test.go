package nbo

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/sampledata"
)

func TestSelectRegistersExportsAndResponds(t *testing.T) {
	ctx := context.Background()
	ws, err := newScored(ctx, 3000)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := ws.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	campaignsBefore := count(`SELECT count(*) FROM campaigns`)
	// Bad input: a clear message, nothing registered.
	for _, spec := range []SelectSpec{
		{Product: 99, Channel: "mail", Size: 10},
		{Product: 20, Channel: "fax", Size: 10},
		{Product: 20, Channel: "mail", Budget: -1},
		{Product: 20, Channel: "mail", Size: 10, Budget: 10},
		{Product: 20, Channel: "mail", Size: 10, Segment: "no such segment"},
		{Product: 20, Channel: "mail", Size: 10, Control: 0.9},
	} {
		if _, err := Select(ctx, ws, spec, nil); err == nil {
			t.Errorf("%+v: no error", spec)
		}
	}
	if n := count(`SELECT count(*) FROM campaigns`); n != campaignsBefore {
		t.Fatalf("bad input registered %d campaigns", n-campaignsBefore)
	}
	res, err := Select(ctx, ws, SelectSpec{Product: 20, Channel: "mail", Size: 200, Control: 0.1, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Contacted != 200 || res.Controls != 22 {
		t.Errorf("contacted %d, control %d; want 200 and 22", res.Contacted, res.Controls)
	}
	for i := 1; i < len(res.Picks); i++ {
		if res.Picks[i].Offer.Value > res.Picks[i-1].Offer.Value {
			t.Fatalf("picks not by expected value at %d", i)
		}
	}
	if res.Removed[RuleOwned] == 0 {
		t.Errorf("no customer removed as an owner of product 20: %v", res.Removed)
	}
	if err := res.Register(ctx, ws, "test"); err != nil {
		t.Fatal(err)
	}
	if len(res.Campaigns) != 1 {
		t.Fatalf("campaigns %v, want one", res.Campaigns)
	}
	id := res.Campaigns[0]
	if n := count(`SELECT count(*) FROM campaign_members m JOIN holdings h ON h.customer_id = m.customer_id AND h.product_id = 20 AND h.end_date IS NULL WHERE m.campaign_id = ?`, id); n != 0 {
		t.Errorf("%d owners of product 20 selected", n)
	}
	if n := count(`SELECT count(*) FROM campaign_members m JOIN optouts o ON o.customer_id = m.customer_id
		AND coalesce(o.product_id, 20) = 20 AND coalesce(o.channel, 'mail') = 'mail' WHERE m.campaign_id = ?`, id); n != 0 {
		t.Errorf("%d opted-out customers selected", n)
	}
	out := filepath.Join(t.TempDir(), "sel.csv")
	n, err := res.Export(ctx, ws, out)
	if err != nil || n != 200 {
		t.Fatalf("export: %d rows, %v", n, err)
	}
	f, _ := os.Open(out)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 201 || strings.Join(recs[0][:5], ",") != "customer_id,product_id,channel,p_accept,expected_value" {
		t.Fatalf("export file: %d rows, header %v, %v", len(recs), recs[0], err)
	}
	// A second selection while the first is pending never picks its members (target or control).
	res2, err := Select(ctx, ws, SelectSpec{Product: 20, Channel: "mail", Size: 200, Control: 0.1, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := map[int64]bool{}
	for _, p := range res.Picks {
		if !p.Control {
			first[p.CustomerID] = true
		}
	}
	for _, p := range res2.Picks {
		if first[p.CustomerID] {
			t.Fatalf("customer %d selected again while the first offer is pending", p.CustomerID)
		}
	}
	if res2.Removed[RulePending] != 200 {
		t.Errorf("pending offers removed %d customers, want 200", res2.Removed[RulePending])
	}
	sum, err := sampledata.Respond(ctx, ws, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Contacts != 200 {
		t.Errorf("sample respond wrote %d contacts, want 200 (the control cell is not contacted)", sum.Contacts)
	}
	// The plan registers too: one campaign per product × channel, each control customer held
	// out of every campaign the plan gave them, and the market answers the target cell.
	plan, err := Plan(ctx, ws, PlanSpec{Budget: 3000, PeriodMonths: 6, Curves: map[string]sim.ResponseCurve{}, Control: 0.2, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Offers) == 0 {
		t.Fatal("the plan offers nothing")
	}
	before := count(`SELECT count(*) FROM campaigns`)
	if err := plan.Register(ctx, ws); err != nil {
		t.Fatal(err)
	}
	pairs := map[string]bool{}
	ctlOf := map[int64]bool{}
	for _, o := range plan.Offers {
		pairs[fmt.Sprintf("%d/%s", o.Product, o.Channel)] = true
		ctlOf[o.CustomerID] = controlDraw(5, o.CustomerID, 0.2)
		if first[o.CustomerID] && o.Product == 20 {
			t.Fatalf("customer %d planned product 20 while the selected offer of it is pending", o.CustomerID)
		}
	}
	if got := count(`SELECT count(*) FROM campaigns`) - before; got != len(pairs) || len(plan.Campaigns) != len(pairs) {
		t.Fatalf("plan registered %d campaigns (%v), want %d (product × channel)", got, plan.Campaigns, len(pairs))
	}
	lo, hi := plan.Campaigns[0], plan.Campaigns[len(plan.Campaigns)-1]
	if n := count(`SELECT count(*) FROM campaign_members WHERE campaign_id BETWEEN ? AND ?`, lo, hi); n != len(plan.Offers) {
		t.Errorf("plan members %d, want one per planned offer (%d)", n, len(plan.Offers))
	}
	if n := count(`SELECT count(*) FROM acrm_campaign_offers WHERE campaign_id BETWEEN ? AND ?`, lo, hi); n != len(plan.Offers) {
		t.Errorf("plan offers recorded %d, want %d", n, len(plan.Offers))
	}
	if n := count(`SELECT count(*) FROM (SELECT customer_id FROM campaign_members WHERE campaign_id BETWEEN ? AND ?
		GROUP BY customer_id HAVING count(DISTINCT cell) > 1)`, lo, hi); n != 0 {
		t.Errorf("%d customers both contacted and held out by the plan", n)
	}
	nctl := 0
	for _, c := range ctlOf {
		if c {
			nctl++
		}
	}
	if plan.Controls != nctl || plan.Contacted != len(ctlOf)-nctl || nctl == 0 || nctl > len(ctlOf)/2 {
		t.Errorf("plan control %d contacted %d; want %d of %d", plan.Controls, plan.Contacted, nctl, len(ctlOf))
	}
	var cid, targets int
	if err := ws.QueryRowContext(ctx, `SELECT campaign_id, count(*) FILTER (WHERE contacted) FROM campaign_members
		WHERE campaign_id BETWEEN ? AND ? GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 1`, lo, hi).Scan(&cid, &targets); err != nil {
		t.Fatal(err)
	}
	if sum, err := sampledata.Respond(ctx, ws, cid, 1); err != nil || sum.Contacts != targets {
		t.Errorf("respond to plan campaign %d: %d contacts, want %d (%v)", cid, sum.Contacts, targets, err)
	}
	if _, err := Plan(ctx, ws, PlanSpec{Budget: 100, Control: 0.7}, nil); err == nil {
		t.Error("plan accepted a control share of 0.7")
	}
}
