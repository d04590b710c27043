package sampledata

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// sharedWS is one 20,000-customer sample shared by the measuring tests (read-only for them).
var (
	sharedOnce sync.Once
	sharedWS   *workspace.Workspace
	sharedSum  Summary
	sharedErr  error
)

const sharedCustomers = 20_000

func shared(t *testing.T) (*workspace.Workspace, Summary) {
	t.Helper()
	sharedOnce.Do(func() {
		ctx := context.Background()
		sharedWS, sharedErr = workspace.Open(ctx, workspace.Memory)
		if sharedErr != nil {
			return
		}
		sharedSum, sharedErr = Generate(ctx, sharedWS, Options{Customers: sharedCustomers, Seed: 11}, nil)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedWS, sharedSum
}

func openMem(t *testing.T) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(context.Background(), workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// tableHash is an order-independent fingerprint of a table's content.
func tableHash(t *testing.T, ws *workspace.Workspace, table string) string {
	t.Helper()
	var n int64
	var h string
	err := ws.QueryRowContext(context.Background(),
		`SELECT count(*), coalesce(md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))), '')
		 FROM `+workspace.QuoteIdent(table)+` t`).Scan(&n, &h)
	if err != nil {
		t.Fatalf("hash %s: %v", table, err)
	}
	return h
}

func queryFloat(t *testing.T, ws *workspace.Workspace, q string, args ...any) float64 {
	t.Helper()
	var v float64
	if err := ws.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	const n = 3000
	a, b, c := openMem(t), openMem(t), openMem(t)
	if _, err := Generate(ctx, a, Options{Customers: n, Seed: 5, Workers: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, b, Options{Customers: n, Seed: 5, Workers: 3}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, c, Options{Customers: n, Seed: 6}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range Tables {
		ha, hb, hc := tableHash(t, a, tbl), tableHash(t, b, tbl), tableHash(t, c, tbl)
		if ha != hb {
			t.Errorf("%s: same seed and size, different content (workers 1 vs 3)", tbl)
		}
		seedFree := tbl == "products" || tbl == "sample_truth_meta" && false
		if ha == hc && !seedFree {
			t.Errorf("%s: seeds 5 and 6 gave identical content", tbl)
		}
	}
}

func TestGenerateRefusesExistingAndReplaces(t *testing.T) {
	ctx := context.Background()
	ws := openMem(t)
	if _, err := Generate(ctx, ws, Options{Customers: 500, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	before := tableHash(t, ws, "customers")
	_, err := Generate(ctx, ws, Options{Customers: 700, Seed: 2}, nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second Generate without Replace: err = %v, want ErrExists", err)
	}
	if got := tableHash(t, ws, "customers"); got != before {
		t.Fatal("refused Generate changed the customers table")
	}
	sum, err := Generate(ctx, ws, Options{Customers: 700, Seed: 2, Replace: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM customers`); n != 700 || sum.Rows["customers"] != 700 {
		t.Fatalf("after --replace: %v customers (summary %d), want 700", n, sum.Rows["customers"])
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'acrm_stage%'`); n != 0 {
		t.Fatalf("%v staging tables left behind", n)
	}
}

func TestGenerateCancelledLeavesNothing(t *testing.T) {
	ws := openMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Generate(ctx, ws, Options{Customers: 50_000, Seed: 1}, func(p Progress) {
		if p.Done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, tbl := range Tables {
		if ok, _ := ws.HasTable(context.Background(), tbl); ok {
			t.Errorf("cancelled Generate left table %s", tbl)
		}
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'acrm_stage%'`); n != 0 {
		t.Fatalf("%v staging tables left behind", n)
	}
}

func TestGenerateRejectsBadSize(t *testing.T) {
	_, err := Generate(context.Background(), openMem(t), Options{Customers: -5}, nil)
	if err == nil {
		t.Fatal("negative customers accepted")
	}
}

// TestOracleAUC measures, from the tables, the AUC of ranking by p_true against ownership at the
// snapshot (ties get half credit through average ranks).
func TestOracleAUC(t *testing.T) {
	ws, sum := shared(t)
	rows, err := ws.QueryContext(context.Background(), `
		WITH own AS (SELECT DISTINCT customer_id, product_id FROM holdings WHERE end_date IS NULL),
		l AS (SELECT t.product_id, t.p_true, o.customer_id IS NOT NULL AS y
		      FROM sample_truth t LEFT JOIN own o USING (customer_id, product_id)),
		r AS (SELECT product_id, y, avg(rk) OVER (PARTITION BY product_id, p_true) AS rk
		      FROM (SELECT *, row_number() OVER (PARTITION BY product_id ORDER BY p_true) AS rk FROM l))
		SELECT product_id, count(*) FILTER (y) AS pos, count(*) FILTER (NOT y) AS neg,
		       (sum(rk) FILTER (y) - count(*) FILTER (y) * (count(*) FILTER (y) + 1) / 2.0)
		         / (count(*) FILTER (y) * count(*) FILTER (NOT y)) AS auc
		FROM r GROUP BY product_id ORDER BY product_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k int
		var pos, neg int64
		var auc float64
		if err := rows.Scan(&k, &pos, &neg, &auc); err != nil {
			t.Fatal(err)
		}
		n++
		share := float64(pos) / float64(pos+neg)
		t.Logf("product %2d: owners %5.1f %%  oracle AUC %.3f (summary %.3f)", k, 100*share, auc, sum.OracleAUC[k-1])
		if auc < 0.75 || auc > 0.92 {
			t.Errorf("product %d: oracle AUC %.3f outside 0.75–0.92", k, auc)
		}
		if share < 0.02 || share > 0.45 {
			t.Errorf("product %d: ownership %.3f outside 2–45 %%", k, share)
		}
		if math.Abs(auc-sum.OracleAUC[k-1]) > 0.005 {
			t.Errorf("product %d: summary oracle AUC %.4f differs from the measured %.4f", k, sum.OracleAUC[k-1], auc)
		}
	}
	if n != NumProducts || n < 30 {
		t.Fatalf("%d products measured, want %d (30+)", n, NumProducts)
	}
}

func TestOptoutsInboundAndCells(t *testing.T) {
	ws, _ := shared(t)
	opt := queryFloat(t, ws, `SELECT count(DISTINCT customer_id) / (SELECT count(*) FROM customers) FROM optouts`)
	t.Logf("customers with an opt-out: %.2f %%", 100*opt)
	if opt < 0.04 || opt > 0.06 {
		t.Errorf("opt-out share %.3f, want about 5 %%", opt)
	}
	inb := queryFloat(t, ws, `SELECT avg(share) FROM (SELECT date_trunc('month', ts) AS m,
		count(DISTINCT customer_id) / (SELECT count(*) FROM customers) AS share
		FROM contacts WHERE direction = 'inbound' GROUP BY m)`)
	t.Logf("customers with an inbound contact per month: %.2f %%", 100*inb)
	if inb < 0.085 || inb > 0.115 {
		t.Errorf("inbound share per month %.3f, want about 10 %%", inb)
	}
	months := queryFloat(t, ws, `SELECT count(DISTINCT date_trunc('month', ts)) FROM contacts`)
	if months != 24 {
		t.Errorf("contacts span %v months, want 24", months)
	}
	if out := queryFloat(t, ws, `SELECT count(*) FROM contacts WHERE ts < TIMESTAMP '2024-11-01' OR ts >= TIMESTAMP '2026-11-01'`); out != 0 {
		t.Errorf("%v contacts outside the history window", out)
	}
	// Every contacted campaign member has exactly one contact per BAU campaign; control cells none.
	bad := queryFloat(t, ws, `SELECT count(*) FROM campaign_members m JOIN campaigns c USING (campaign_id)
		WHERE c.selection IN ('model','random') AND
		 (SELECT count(*) FROM contacts x WHERE x.campaign_id = m.campaign_id AND x.customer_id = m.customer_id) <> m.contacted::INT`)
	if bad != 0 {
		t.Errorf("%v BAU members whose contacts do not match their cell", bad)
	}
	// Frequency test: a freq-k member gets at most k offers in that campaign, mostly exactly k.
	exact := queryFloat(t, ws, `SELECT avg((n = k)::INT) FROM (SELECT m.customer_id, CAST(substr(m.cell, 6) AS INT) AS k,
		(SELECT count(*) FROM contacts x WHERE x.campaign_id = m.campaign_id AND x.customer_id = m.customer_id) AS n
		FROM campaign_members m WHERE m.cell LIKE 'freq-%')`)
	over := queryFloat(t, ws, `SELECT count(*) FROM (SELECT CAST(substr(m.cell, 6) AS INT) AS k,
		(SELECT count(*) FROM contacts x WHERE x.campaign_id = m.campaign_id AND x.customer_id = m.customer_id) AS n
		FROM campaign_members m WHERE m.cell LIKE 'freq-%') WHERE n > k`)
	if exact < 0.95 || over > 0 {
		t.Errorf("frequency cells: %.3f got exactly k offers, %v got more", exact, over)
	}
	// No outbound offer to an opted-out customer after the opt-out.
	viol := queryFloat(t, ws, `SELECT count(*) FROM contacts c JOIN optouts o USING (customer_id)
		WHERE c.direction = 'outbound' AND c.ts::DATE > o.since
		  AND (o.product_id IS NULL OR o.product_id = c.product_id) AND (o.channel IS NULL OR o.channel = c.channel)`)
	if viol != 0 {
		t.Errorf("%v outbound offers after a matching opt-out", viol)
	}
	// Top segment: served at the policy of 3 BAU offers per half year.
	top := queryFloat(t, ws, `SELECT avg(n) FROM (SELECT customer_id, period, count(*) AS n FROM contacts
		JOIN campaigns USING (campaign_id) WHERE selection IN ('model','random') GROUP BY ALL)
		JOIN customers USING (customer_id)
		WHERE monthly_revenue >= (SELECT value FROM sample_truth_meta WHERE key = 'top_revenue_threshold')`)
	if top < 2.8 || top > 3 {
		t.Errorf("top segment gets %.2f BAU offers per half year, want about 3", top)
	}
	// Contact policy invariant: never more than 3 BAU offers per customer per half year.
	if over := queryFloat(t, ws, `SELECT count(*) FROM (SELECT customer_id, period, count(*) AS n FROM contacts
		JOIN campaigns USING (campaign_id) WHERE selection IN ('model','random') GROUP BY ALL) WHERE n > 3`); over != 0 {
		t.Errorf("%v customer-periods above the BAU cap of 3", over)
	}
	// No contact before the customer joined; no holding starts before it either.
	if early := queryFloat(t, ws, `SELECT count(*) FROM contacts JOIN customers USING (customer_id)
		WHERE ts::DATE < DATE '2026-10-31' - INTERVAL (CAST(tenure_months * 30.44 AS INT) + 1) DAY`); early != 0 {
		t.Errorf("%v contacts before the customer joined", early)
	}
	topShare := queryFloat(t, ws, `SELECT avg((monthly_revenue >= (SELECT value FROM sample_truth_meta WHERE key = 'top_revenue_threshold'))::INT) FROM customers`)
	if topShare < 0.09 || topShare > 0.11 {
		t.Errorf("top value segment share %.3f, want about 10 %%", topShare)
	}
}

// planBase returns customers of the shared sample by segment with a product each customer does
// not own (deterministic).
func planCustomers(t *testing.T, top bool) (map[int64]*Profile, []int64) {
	t.Helper()
	ws, _ := shared(t)
	profiles, err := LoadProfiles(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	tr := GetTruth()
	var ids []int64
	for id, p := range profiles {
		if tr.IsTop(p.Customer.MonthlyRevenue) == top {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return profiles, ids
}

// offerProduct picks a cross-sell/upsell product the customer does not own, by a fixed rule.
func offerProduct(p *Profile, salt int) int {
	prods := Products()
	for i := 0; i < NumProducts; i++ {
		k := 1 + (int(p.Customer.ID)*7+salt*13+i)%NumProducts
		if !prods[k-1].IsRetention() && !p.Owned[k] {
			return k
		}
	}
	return 2
}

// measureCurve gives every customer of ids k phone offers evenly spread (15 days apart, so the
// i-th has n = i) and returns the acceptance and opt-out rates per n, over a few seeds.
func measureCurve(t *testing.T, profiles map[int64]*Profile, ids []int64, k int, seeds uint64) (rate, optRate, cnt []float64) {
	t.Helper()
	start := time.Date(2028, 1, 1, 10, 0, 0, 0, time.UTC)
	var plans []PlannedContact
	for _, id := range ids {
		for i := 0; i < k; i++ {
			plans = append(plans, PlannedContact{CustomerID: id, ProductID: offerProduct(profiles[id], i),
				Channel: ChannelPhone, TS: start.Add(time.Duration(i) * 15 * 24 * time.Hour)})
		}
	}
	acc := make([]float64, k+2)
	opt := make([]float64, k+2)
	cnt = make([]float64, k+2)
	for s := uint64(1); s <= seeds; s++ {
		outs, err := Simulate(context.Background(), plans, profiles, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			cnt[o.N]++
			if o.Result == "accepted" {
				acc[o.N]++
			}
			if o.OptOut {
				opt[o.N]++
			}
		}
	}
	rate = make([]float64, k+2)
	optRate = make([]float64, k+2)
	for n := 1; n <= k; n++ {
		rate[n], optRate[n] = acc[n]/cnt[n], opt[n]/cnt[n]
	}
	return rate, optRate, cnt
}

// smoothedPeak is the argmax over 2..k-1 of the 3-point moving average of rate.
func smoothedPeak(rate []float64, k int) (int, float64) {
	best, bestV := 0, 0.0
	for n := 2; n < k; n++ {
		if sm := (rate[n-1] + rate[n] + rate[n+1]) / 3; sm > bestV {
			best, bestV = n, sm
		}
	}
	return best, bestV
}

// TestContactCurvePeakThroughSimulator measures the acceptance rate per n through the market
// simulator. For the base the (3-point smoothed) curve peaks at 6–7 and falls after; opt-outs
// rise with n. The top segment is more tolerant: its curve still stands near its maximum at 10.
func TestContactCurvePeakThroughSimulator(t *testing.T) {
	profiles, ids := planCustomers(t, false)
	const k = 12
	rate, opt, cnt := measureCurve(t, profiles, ids, k, 4)
	for n := 1; n <= k; n++ {
		t.Logf("base n=%2d offers %6.0f accept %.4f opt-out %.4f", n, cnt[n], rate[n], opt[n])
	}
	best, bestV := smoothedPeak(rate, k)
	if best < 6 || best > 7 {
		t.Errorf("base contact curve peaks at n = %d, want 6–7", best)
	}
	if !(rate[3] < rate[6] && rate[11] < rate[7]) {
		t.Errorf("curve does not rise then fall: r3 %.4f r6 %.4f r7 %.4f r11 %.4f", rate[3], rate[6], rate[7], rate[11])
	}
	lowOpt := (opt[1] + opt[2] + opt[3]) / 3
	highOpt := (opt[10] + opt[11] + opt[12]) / 3
	if highOpt <= 2*lowOpt {
		t.Errorf("opt-outs do not rise with contacts: n≤3 %.4f, n≥10 %.4f", lowOpt, highOpt)
	}

	tp, tids := planCustomers(t, true)
	const kt = 16
	trate, _, tcnt := measureCurve(t, tp, tids, kt, 4)
	for n := 1; n <= kt; n++ {
		t.Logf("top  n=%2d offers %6.0f accept %.4f", n, tcnt[n], trate[n])
	}
	tbest, tbestV := smoothedPeak(trate, kt)
	t.Logf("smoothed peak: base n=%d, top n=%d", best, tbest)
	if tbest < 8 || tbest > 12 {
		t.Errorf("top contact curve peaks at n = %d, want near 10", tbest)
	}
	baseAt10 := (rate[9] + rate[10] + rate[11]) / 3 / bestV
	topAt10 := (trate[9] + trate[10] + trate[11]) / 3 / tbestV
	if topAt10 < 0.9 || baseAt10 > 0.7 {
		t.Errorf("at n=10 the top keeps %.2f of its peak rate (want ≥ 0.9), the base %.2f (want ≤ 0.7)", topAt10, baseAt10)
	}
}

// segmentRevenue runs one campaign per cross-sell/upsell product to every customer of ids not
// owning it, k phone offers per half year for three half years (evenly spaced, so the third is
// in steady state: n = 2k at every offer), and returns the revenue (accepted × margin) of the
// third half year. When rotate is set, each customer gets a single product instead (cheaper, noisier).
func segmentRevenue(t *testing.T, profiles map[int64]*Profile, ids []int64, k int, seed uint64, rotate bool) float64 {
	t.Helper()
	start := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	half := 365 * 24 * time.Hour / 2
	third := start.Add(2 * half)
	var rev float64
	prods := Products()
	for prod := 1; prod <= NumProducts; prod++ {
		if rotate && prod != 2 || !rotate && prods[prod-1].IsRetention() {
			continue // rotate: one pass, each customer its own product
		}
		var plans []PlannedContact
		for _, id := range ids {
			pk := prod
			if rotate {
				pk = offerProduct(profiles[id], int(seed))
			}
			if profiles[id].Owned[pk] {
				continue
			}
			for h := 0; h < 3; h++ {
				for i := 0; i < k; i++ {
					ts := start.Add(time.Duration(h)*half + time.Duration((float64(i)+0.5)/float64(k)*float64(half)))
					plans = append(plans, PlannedContact{CustomerID: id, ProductID: pk, Channel: ChannelPhone, TS: ts})
				}
			}
		}
		outs, err := Simulate(context.Background(), plans, profiles, nil, seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if !o.TS.Before(third) {
				rev += o.Revenue
				if o.N != 2*k {
					t.Fatalf("steady state broken: n = %d at %d offers per half year", o.N, k)
				}
			}
		}
	}
	return rev
}

// TestTopSegmentEffectThroughSimulator: for the top value segment, 4 instead of 3 offers per half
// year lift revenue growth by 50–70 %, and 5 adds about as much again.
func TestTopSegmentEffectThroughSimulator(t *testing.T) {
	profiles, ids := planCustomers(t, true)
	var r3, r4, r5 float64
	for s := uint64(1); s <= 3; s++ {
		r3 += segmentRevenue(t, profiles, ids, 3, s, false)
		r4 += segmentRevenue(t, profiles, ids, 4, s, false)
		r5 += segmentRevenue(t, profiles, ids, 5, s, false)
	}
	e34, e45 := r4/r3-1, r5/r4-1
	again := (r5 - r4) / (r4 - r3)
	t.Logf("top segment (%d customers): revenue per half year 3→%.0f 4→%.0f 5→%.0f; 3→4 %+.1f %% (true %+.1f %%), 4→5 %+.1f %% (true %+.1f %%), second step / first step %.2f",
		len(ids), r3, r4, r5, 100*e34, 100*SteadyStateEffect(3, 4, true), 100*e45, 100*SteadyStateEffect(4, 5, true), again)
	if e34 < 0.5 || e34 > 0.7 {
		t.Errorf("top segment 3→4 effect %.3f, want 0.50–0.70", e34)
	}
	if again < 0.6 || again > 1.4 {
		t.Errorf("4→5 adds %.2f× the 3→4 gain, want about as much again", again)
	}
	// The base is not tolerant: going 3→4 gains far less there.
	pb, idsb := planCustomers(t, false)
	b3 := segmentRevenue(t, pb, idsb, 3, 1, true) + segmentRevenue(t, pb, idsb, 3, 2, true)
	b4 := segmentRevenue(t, pb, idsb, 4, 1, true) + segmentRevenue(t, pb, idsb, 4, 2, true)
	t.Logf("base: 3→4 %+.1f %% (true %+.1f %%)", 100*(b4/b3-1), 100*SteadyStateEffect(3, 4, false))
	if b4/b3-1 > e34-0.2 {
		t.Errorf("base 3→4 effect %.3f not clearly below the top's %.3f", b4/b3-1, e34)
	}
}

func TestGenerateMemoryLimit(t *testing.T) {
	ctx := context.Background()
	ws := openMem(t)
	var before string
	if err := ws.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(ctx, ws, Options{Customers: 100, Seed: 1, MemoryLimit: "12XB"}, nil); err == nil || !strings.Contains(err.Error(), `memory limit "12XB"`) {
		t.Fatalf("bad memory limit: err = %v", err)
	}
	if ok, _ := ws.HasTable(ctx, "customers"); ok {
		t.Fatal("failed Generate left a customers table")
	}
	if _, err := Generate(ctx, ws, Options{Customers: 100, Seed: 1, MemoryLimit: "500MB"}, nil); err != nil {
		t.Fatal(err)
	}
	var after string
	if err := ws.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("memory_limit %q after Generate, was %q", after, before)
	}
}

// TestCalibration: the truth's expected AUC on its calibration population hits every product's
// target, and the top value segment is the top 10 % of its revenue distribution.
func TestCalibration(t *testing.T) {
	tr := GetTruth()
	for i := range tr.a {
		if d := math.Abs(tr.calibAUC[i] - tr.targetAUC[i]); !(d <= 0.001) || math.IsNaN(tr.a[i]) || math.IsNaN(tr.s[i]) {
			t.Errorf("product %d: calibrated AUC %.4f, target %.4f", i+1, tr.calibAUC[i], tr.targetAUC[i])
		}
		if tr.targetAUC[i] < 0.8 || tr.targetAUC[i] > 0.87 {
			t.Errorf("product %d: target AUC %.3f outside 0.80–0.87", i+1, tr.targetAUC[i])
		}
	}
	if tr.TopRevenue <= tr.meanRevenue/2 {
		t.Errorf("top revenue threshold %.0f implausibly low (mean %.0f)", tr.TopRevenue, tr.meanRevenue)
	}
}
