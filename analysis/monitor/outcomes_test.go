package monitor

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func TestImportOutcomesRowByRow(t *testing.T) {
	ws := sampletest.Fresh(t, 800, 2)
	ctx := context.Background()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := ws.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Campaign 3 is a product campaign of period 1: read its product and start.
	var prod int
	var start string
	if err := ws.QueryRowContext(ctx, `SELECT product_id, strftime(start_date, '%Y-%m-%d') FROM campaigns WHERE campaign_id = 3`).Scan(&prod, &start); err != nil {
		t.Fatal(err)
	}
	var recCust int64
	var recDay string
	if err := ws.QueryRowContext(ctx, `SELECT customer_id, strftime(ts, '%Y-%m-%d') FROM contacts WHERE campaign_id = 3 LIMIT 1`).Scan(&recCust, &recDay); err != nil {
		t.Fatal(err)
	}
	p := func(v any) string { return fmt.Sprint(v) }
	P := p(prod)
	day := "2026-11-20"
	lines := []string{
		"customer;campaign;product;outcome;revenue;date",
		"5;3;" + P + ";accepted;1200,50;" + day,            // 2 ok (decimal comma)
		"6;3;" + P + ";declined;;" + day,                   // 3 ok
		"7;3;" + P + ";no_response;0;" + day + " 10:15:00", // 4 ok
		"99999;3;" + P + ";accepted;100;" + day,            // 5 unknown customer
		"8;4242;" + P + ";accepted;100;" + day,             // 6 unknown campaign
		"9;3;" + P + ";accepted;100;20-11-2026",            // 7 bad date
		"10;3;" + P + ";accepted;100;2020-01-01",           // 8 bad date: before the start
		"5;3;" + P + ";accepted;1200;" + day,               // 9 duplicate of line 2
		"11;3;" + P + ";accepted;100;Caf\xe9",              // 10 wrong encoding
		"12;3;" + P + ";maybe;0;" + day,                    // 11 bad outcome
		"13;3;" + p(prod%32+1) + ";accepted;100;" + day,    // 12 not the campaign's product
		"14;3;" + P + ";accepted;-5;" + day,                // 13 bad revenue
		"15;3;" + P + ";accepted;100",                      // 14 wrong number of columns
		p(recCust) + ";3;" + P + ";accepted;100;" + recDay, // 15 already recorded
		"16;3;" + P + ";declined;0;" + day,                 // 16 ok
		"",
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "responses.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	before := count(`SELECT count(*) FROM contacts`)
	// Strict: rejected rows refuse the file; nothing written, the rejects file says why.
	res, err := ImportOutcomes(ctx, ws, ImportOptions{Path: path, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written || count(`SELECT count(*) FROM contacts`) != before {
		t.Fatalf("strict import wrote: %+v", res)
	}
	res, err = ImportOutcomes(ctx, ws, ImportOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{RejectCustomer: 1, RejectCampaign: 1, RejectDate: 2, RejectDuplicate: 1, RejectEncoding: 1,
		RejectOutcome: 1, RejectMismatch: 1, RejectRevenue: 1, RejectColumns: 1, RejectRecorded: 1}
	for k, v := range want {
		if res.ByReason[k] != v {
			t.Errorf("%s: %d rejected, want %d (%v)", k, res.ByReason[k], v, res.ByReason)
		}
	}
	if res.Rows != 15 || res.Accepted != 4 || len(res.Rejected) != 11 || !res.Written {
		t.Fatalf("rows %d accepted %d rejected %d: %+v", res.Rows, res.Accepted, len(res.Rejected), res.Rejected)
	}
	if got := count(`SELECT count(*) FROM contacts`); got != before+4 {
		t.Errorf("contacts %d, want %d", got, before+4)
	}
	if n := count(`SELECT count(*) FROM contacts WHERE reason = 'import' AND campaign_id = 3 AND outcome = 'accepted' AND revenue = 1200.5`); n != 1 {
		t.Errorf("the accepted row: %d", n)
	}
	f, err := os.Open(filepath.Join(dir, "responses.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 12 || recs[0][0] != "line" || recs[1][0] != "5" || recs[1][1] != RejectCustomer || recs[5][1] != RejectDuplicate ||
		!strings.Contains(recs[5][2], "line 2") || !strings.Contains(recs[6][2], "UTF-8") {
		t.Errorf("rejects file %q", recs)
	}
	// Importing the same file again: the accepted rows are now recorded.
	res, err = ImportOutcomes(ctx, ws, ImportOptions{Path: path})
	if err != nil || res.Accepted != 0 || res.ByReason[RejectRecorded] != 5 {
		t.Errorf("second import: %+v, %v", res, err)
	}
	// A file without a required column is refused whole.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("customer,campaign,outcome,date\n5,3,accepted,2026-11-20\n"), 0o644)
	if _, err := ImportOutcomes(ctx, ws, ImportOptions{Path: bad}); err == nil || !strings.Contains(err.Error(), "no product column") {
		t.Errorf("missing column: %v", err)
	}
	if got := count(`SELECT count(*) FROM contacts`); got != before+4 {
		t.Errorf("contacts %d after refused imports, want %d", got, before+4)
	}
}

// TestImportOutcomesDuplicateHeader: a header naming a column twice (customer and
// customer_id, say) is refused with both positions named; nothing is read or written.
func TestImportOutcomesDuplicateHeader(t *testing.T) {
	ws := sampletest.Fresh(t, 300, 2)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dup.csv")
	body := "customer;customer_id;campaign;product;outcome;revenue;date\n1;2;3;1;accepted;1;2026-11-20\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	_, err := ImportOutcomes(ctx, ws, ImportOptions{Path: path})
	if err == nil || !strings.Contains(err.Error(), "customer column twice (columns 1 and 2)") {
		t.Fatalf("err = %v, want the duplicate customer column named", err)
	}
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("%d contacts written", after-before)
	}
}
