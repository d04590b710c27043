package nbo

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// dumpTable is every row of a query, values printed exactly (floats in their shortest
// round-trip form), one line per row.
func dumpTable(t *testing.T, ws *workspace.Workspace, q string) string {
	t.Helper()
	rows, err := ws.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%v|", v)
		}
		b.WriteByte('\n')
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s: no rows (the comparison would prove nothing)", q)
	}
	return b.String()
}

// scoringDumps are the tables a score --all writes, each in a fixed order.
var scoringDumps = []string{
	`SELECT * FROM acrm_nbo_scores ORDER BY customer_id, product_id`,
	`SELECT * FROM acrm_nbo_offers ORDER BY customer_id, rank`,
	`SELECT * FROM acrm_nbo_customers ORDER BY customer_id`,
	`SELECT * FROM acrm_nbo_calibration ORDER BY product_id, channel`,
}

// runOutputs is everything a score --all, a select and a plan produce on one workspace.
func runOutputs(t *testing.T, ws *workspace.Workspace) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, q := range scoringDumps {
		out[q] = dumpTable(t, ws, q)
	}
	sel, err := Select(ctx, ws, SelectSpec{Product: 0, Channel: "mail", Size: 300, Control: 0.1, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sel.Register(ctx, ws, "select"); err != nil {
		t.Fatal(err)
	}
	out["select"] = fmt.Sprintf("%+v %+v %v %v %v %v %v %v", sel.Removed, sel.BySegment, sel.Campaigns, sel.Contacted, sel.Controls,
		sel.Cost, sel.Contracts, sel.Profit)
	for _, p := range sel.Picks {
		out["select picks"] += fmt.Sprintf("%d %d %s %v %v %v\n", p.CustomerID, p.Offer.Product, p.Offer.Channel, p.Offer.P, p.Offer.Value, p.Control)
	}
	plan, err := Plan(ctx, ws, PlanSpec{Budget: 8000, PeriodMonths: 6, Control: 0.1, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Register(ctx, ws); err != nil {
		t.Fatal(err)
	}
	out["plan"] = fmt.Sprintf("%+v %+v %v %+v %+v %+v %v %v %v %v", plan.Plan, plan.Policy, plan.LPBound, plan.ByProduct, plan.ByChannel,
		plan.BySegment, plan.PerK, plan.Campaigns, plan.Contacted, plan.Controls)
	for _, o := range plan.Offers {
		out["plan offers"] += fmt.Sprintf("%+v\n", o)
	}
	out["members"] = dumpTable(t, ws, `SELECT m.* FROM campaign_members m JOIN campaigns c USING (campaign_id) WHERE c.name LIKE 'select %' OR c.name LIKE 'plan %' ORDER BY ALL`)
	out["campaign offers"] = dumpTable(t, ws, `SELECT * FROM acrm_campaign_offers ORDER BY ALL`)
	return out
}

// Two workspaces built the same way — sample, training, score --all, select, plan, each
// registered — give identical tables and results, the second run on one CPU (goroutine
// counts, chunking and scheduling differ).
func TestScoreSelectPlanDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two workspaces")
	}
	ctx := context.Background()
	var outs [2]map[string]string
	for run := 0; run < 2; run++ {
		if run == 1 {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		}
		ws, err := newScored(ctx, 2500)
		if err != nil {
			t.Fatal(err)
		}
		outs[run] = runOutputs(t, ws)
		ws.Close()
	}
	for k, a := range outs[0] {
		if b := outs[1][k]; a != b {
			al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
			for i := range min(len(al), len(bl)) {
				if al[i] != bl[i] {
					t.Errorf("%s differs between two runs (line %d of %d/%d):\n  %s\n  %s", k, i+1, len(al), len(bl), al[i], bl[i])
					break
				}
			}
			if len(al) != len(bl) {
				t.Errorf("%s: %d lines, then %d", k, len(al), len(bl))
			}
		}
	}
}

// score --all scores each product from the totals read once for all products (in row
// chunks); the scores are those of loading the product's frame with its own query and
// scoring it whole.
func TestScoreAllEqualsPerProductScoring(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	kept, err := keptModels(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	base, err := profiles.LoadBase(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for pid, e := range kept {
		m, err := profiles.Load(ctx, ws, e.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := base.View.ForProduct(ctx, ws, base.Frame, pid)
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.Predict(f)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		rows, err := ws.QueryContext(ctx, `SELECT CAST(customer_id AS VARCHAR), score FROM acrm_nbo_scores WHERE product_id = ?`, pid)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var s float64
			if err := rows.Scan(&id, &s); err != nil {
				t.Fatal(err)
			}
			got[id] = s
		}
		rows.Close()
		if len(got) < base.Frame.Rows/20 {
			t.Fatalf("P%d: only %d scores stored", pid, len(got))
		}
		for i, id := range base.Frame.IDs {
			s, ok := got[id]
			if !ok {
				continue // not offerable (held for cross-sell, not held for retention)
			}
			if math.Abs(s-float64(float32(want[i]))) > 1e-6 {
				t.Fatalf("P%d customer %s: score --all %v, per-product scoring %v", pid, id, s, want[i])
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}

// score --all reads, scores and decides the base in slices of customers; the result does not
// depend on the slice size: scored in slices of 97 customers (and of 1,000) the tables and
// the summary are those of one slice holding the whole base, with registered campaigns'
// planned offers in the histories.
func TestScoreAllChunkedEqualsWhole(t *testing.T) {
	ctx := context.Background()
	ws, err := newScored(ctx, 2000)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	runOutputs(t, ws) // registers a selection and a plan: planned offers count against the caps
	score := func(chunk int) (map[string]string, string) {
		res, err := ScoreAll(ctx, ws, ScoreOptions{Chunk: chunk})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, q := range append(scoringDumps[:len(scoringDumps):len(scoringDumps)],
			`SELECT customers, products, offers FROM acrm_nbo_runs ORDER BY run_id DESC LIMIT 1`) {
			out[q] = dumpTable(t, ws, q)
		}
		return out, fmt.Sprintf("%d %d %d %v %v %+v %v", res.Customers, res.Products, res.Offers, res.Models, res.Removed, res.Segments, res.Cal)
	}
	whole, wholeSum := score(0)
	if res := strings.Count(whole[`SELECT * FROM acrm_nbo_offers ORDER BY customer_id, rank`], "\n"); res < 1000 {
		t.Fatalf("only %d offers: the comparison proves little", res)
	}
	for _, chunk := range []int{97, 1000} {
		got, sum := score(chunk)
		if sum != wholeSum {
			t.Errorf("slices of %d: summary\n  %s\nwhole:\n  %s", chunk, sum, wholeSum)
		}
		for q, want := range whole {
			if got[q] != want {
				gl, wl := strings.Split(got[q], "\n"), strings.Split(want, "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Errorf("slices of %d: %s line %d:\n  %s\nwhole:\n  %s", chunk, q, i+1, gl[i], wl[i])
						break
					}
				}
				if len(gl) != len(wl) {
					t.Errorf("slices of %d: %s: %d lines, whole %d", chunk, q, len(gl), len(wl))
				}
			}
		}
	}
}
