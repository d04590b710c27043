package sampledata

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

func TestNextPeriod(t *testing.T) {
	ctx := context.Background()
	gen := func() *workspace.Workspace {
		ws := openMem(t)
		if _, err := Generate(ctx, ws, Options{Customers: 3000, Seed: 3}, nil); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	ws := gen()
	contacted := registerCampaign(t, ws)
	before := queryFloat(t, ws, `SELECT count(*) FROM contacts`)
	if _, err := NextPeriod(ctx, ws, NextOptions{Drift: "sideways"}); err == nil || !strings.Contains(err.Error(), "appeal-change") {
		t.Fatalf("unknown drift: %v", err)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM contacts`); n != before {
		t.Fatalf("a refused period wrote %v contacts", n-before)
	}
	sum, err := NextPeriod(ctx, ws, NextOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	if sum.Period != 5 || !sum.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !sum.End.Equal(time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("period %d %v … %v", sum.Period, sum.Start, sum.End)
	}
	if len(sum.Campaigns) != 1 || sum.Campaigns[0].Contacts != contacted-sum.Withheld || sum.Withheld == 0 ||
		queryFloat(t, ws, `SELECT count(*) FROM contacts WHERE campaign_id = 9001`) != float64(contacted-sum.Withheld) {
		t.Fatalf("campaign 9001: %+v, %d contacted members, %d withheld", sum.Campaigns, contacted, sum.Withheld)
	}
	contacted -= sum.Withheld
	// The period's global hold-out: about 5 % of the base in a control campaign of the period;
	// none of them gets an offer in the period, the campaign's members among them are withheld.
	if lo, hi := 3000*HoldoutShare*0.7, 3000*HoldoutShare*1.3; float64(sum.Holdout) < lo || float64(sum.Holdout) > hi {
		t.Errorf("hold-out of %d customers, want about %.0f", sum.Holdout, 3000*HoldoutShare)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM campaigns c JOIN campaign_members m USING (campaign_id)
		WHERE c.campaign_id = ? AND c.selection = 'control' AND c.product_id IS NULL AND c.period = 5
		AND c.start_date = DATE '2026-11-01' AND c.end_date = DATE '2027-04-30' AND m.cell = 'holdout' AND NOT m.contacted`, sum.HoldoutID); n != float64(sum.Holdout) {
		t.Errorf("hold-out campaign %d has %v members, want %d", sum.HoldoutID, n, sum.Holdout)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM contacts c JOIN campaign_members m ON m.customer_id = c.customer_id AND m.campaign_id = ?
		WHERE c.ts >= TIMESTAMP '2026-11-01' AND c.product_id IS NOT NULL`, sum.HoldoutID); n != 0 {
		t.Errorf("%v offers to the global hold-out", n)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM campaign_members m JOIN campaign_members h ON h.customer_id = m.customer_id AND h.campaign_id = ?
		WHERE m.campaign_id = 9001 AND m.cell = 'holdout' AND NOT m.contacted`, sum.HoldoutID); n != float64(sum.Withheld) {
		t.Errorf("%v withheld members of campaign 9001 in the hold-out, NextPeriod says %d", n, sum.Withheld)
	}
	// The snapshot moved to the end of the period; the period's contacts lie inside it.
	lo := queryFloat(t, ws, `SELECT epoch(min(ts)) FROM contacts WHERE contact_id > (SELECT max(contact_id) FROM contacts) - ?`, sum.Inbound+contacted)
	hi := queryFloat(t, ws, `SELECT epoch(max(ts)) FROM contacts`)
	if lo < float64(sum.Start.Unix()) || hi >= float64(sum.End.AddDate(0, 0, 1).Unix()) || hi < float64(sum.End.AddDate(0, 0, -20).Unix()) {
		t.Errorf("new contacts from %v to %v, period %v … %v", time.Unix(int64(lo), 0).UTC(), time.Unix(int64(hi), 0).UTC(), sum.Start, sum.End)
	}
	if sum.Inbound < 3000*6/20 || sum.Organic == 0 || sum.Churned == 0 || sum.NewHoldings < sum.Organic {
		t.Errorf("inbound %d, organic %d, churned %d, new holdings %d", sum.Inbound, sum.Organic, sum.Churned, sum.NewHoldings)
	}
	// New holdings: organic purchases and the accepted offers of the campaign, one open row per
	// customer × product at most.
	if n := queryFloat(t, ws, `SELECT count(*) FROM holdings WHERE start_date >= DATE '2026-11-01'`); n != float64(sum.NewHoldings) {
		t.Errorf("%v holdings start in the period, NextPeriod says %d", n, sum.NewHoldings)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM (SELECT customer_id, product_id FROM holdings WHERE end_date IS NULL GROUP BY ALL HAVING count(*) > 1)`); n != 0 {
		t.Errorf("%v customer × product pairs with two open holdings", n)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM contacts c JOIN holdings h ON h.customer_id = c.customer_id AND h.product_id = 16
		AND h.start_date = c.ts::DATE WHERE c.campaign_id = 9001 AND c.outcome = 'accepted'`); n != float64(sum.Campaigns[0].Accepted) {
		t.Errorf("%v accepted offers opened a holding, %d accepted", n, sum.Campaigns[0].Accepted)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM holdings WHERE end_date >= DATE '2026-11-01'`); n != float64(sum.Churned) {
		t.Errorf("%v holdings ended in the period, NextPeriod says %d", n, sum.Churned)
	}
	// The truth: p_organic for every customer × product, the true uplift per contacted member.
	if n := queryFloat(t, ws, `SELECT count(*) FROM sample_truth WHERE p_organic > 0`); n != float64(3000*NumProducts) {
		t.Errorf("%v rows with p_organic", n)
	}
	if len(sum.Uplift) != 1 || !(sum.Uplift[0].Uplift > 0) || !(sum.Uplift[0].Control > 0) || sum.Uplift[0].Contacted != contacted ||
		queryFloat(t, ws, `SELECT value FROM sample_truth_meta WHERE key = 'true_uplift' AND note = 'campaign 9001'`) != sum.Uplift[0].Uplift {
		t.Errorf("true uplift %+v", sum.Uplift)
	}
	// Same seed, same workspace → the same period.
	ws2 := gen()
	registerCampaign(t, ws2)
	if _, err := NextPeriod(ctx, ws2, NextOptions{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"contacts", "holdings", "customers", "optouts"} {
		if a, b := tableHash(t, ws, tb), tableHash(t, ws2, tb); a != b {
			t.Errorf("%s differs between two runs with the same seed", tb)
		}
	}
	// The next period with an appeal change: customers turn more digital; the drift is recorded
	// and stays in force.
	dig := queryFloat(t, ws, `SELECT avg(digital_affinity) FROM customers`)
	sum2, err := NextPeriod(ctx, ws, NextOptions{Seed: 1, Drift: DriftAppealChange})
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Period != 6 || sum2.DriftProduct != DefaultAppealProduct || !sum2.Start.Equal(time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("second period %+v", sum2)
	}
	if d := queryFloat(t, ws, `SELECT avg(digital_affinity) FROM customers`); !(d > dig+0.05) {
		t.Errorf("digital affinity %.3f → %.3f", dig, d)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM sample_truth_meta WHERE key = 'drift' AND note = 'appeal-change' AND product_id = 16`); n != 1 {
		t.Errorf("%v drift rows", n)
	}
}

// The truth of the offers' effect: the customers who buy anyway are not those an offer
// persuades. On a mail campaign to every non-holder of P16 the members fall in all four
// segments in plausible shares, do-not-disturbs (the offer lowers their chance) exist, and
// ranking the members by p_true (what a perfect propensity model does) gains clearly fewer
// incremental conversions in its top 30 % than ranking them by the true uplift.
func TestTruthSureThingsDifferFromPersuadables(t *testing.T) {
	ctx := context.Background()
	ws := openMem(t)
	if _, err := Generate(ctx, ws, Options{Customers: 4000, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaigns VALUES (9005, 'test M365 mail', 16, 'mail', DATE '2026-11-02', DATE '2026-11-22', 0.8, 'model', NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaign_members SELECT 9005, customer_id, 'target', true FROM customers
		WHERE customer_id NOT IN (SELECT customer_id FROM holdings WHERE product_id = 16 AND end_date IS NULL)`); err != nil {
		t.Fatal(err)
	}
	sum, err := NextPeriod(ctx, ws, NextOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	shares := map[string]float64{}
	rows, err := ws.QueryContext(ctx, `SELECT segment, count(*) / sum(count(*)) OVER (), min(p_treated - p_control), max(p_treated - p_control)
		FROM sample_truth_uplift WHERE campaign_id = 9005 GROUP BY segment`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var seg string
		var share, lo, hi float64
		if err := rows.Scan(&seg, &share, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		shares[seg] = share
		t.Logf("%-15s %.3f of the members, uplift %+.4f … %+.4f", seg, share, lo, hi)
		if (seg == SegDoNotDisturb) != (hi < 0) {
			t.Errorf("%s: uplift up to %+.4f", seg, hi)
		}
	}
	rows.Close()
	for seg, want := range map[string][2]float64{SegPersuadable: {0.15, 0.5}, SegSureThing: {0.02, 0.2}, SegDoNotDisturb: {0.005, 0.1}, SegLostCause: {0.3, 0.8}} {
		if s := shares[seg]; s < want[0] || s > want[1] {
			t.Errorf("%s: %.3f of the members, want %.3f … %.3f", seg, s, want[0], want[1])
		}
	}
	if sum.PutOff == 0 {
		t.Errorf("no organic purchase put off: %+v", sum)
	}
	top30 := func(order string) float64 {
		return queryFloat(t, ws, `WITH m AS (SELECT u.p_treated - u.p_control AS up, row_number() OVER (ORDER BY `+order+`, u.customer_id) AS r,
			count(*) OVER () AS n FROM sample_truth_uplift u JOIN sample_truth s USING (customer_id, product_id) WHERE u.campaign_id = 9005)
			SELECT sum(up) FILTER (WHERE r <= 0.3 * n) FROM m`)
	}
	best, byP := top30("u.p_treated - u.p_control DESC"), top30("s.p_true DESC")
	t.Logf("incremental conversions in the top 30 %%: by true uplift %.1f, by p_true %.1f (%.2f)", best, byP, byP/best)
	if !(byP < 0.95*best) {
		t.Errorf("ranking by p_true gains %.1f of the %.1f the true uplift ranking gains", byP, best)
	}
}
