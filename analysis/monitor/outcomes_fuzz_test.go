package monitor

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

var (
	fuzzWSOnce sync.Once
	fuzzWS     *workspace.Workspace
)

// fuzzWorkspace is a small sample workspace of the fuzzing process's own (imports write to it).
func fuzzWorkspace(t testing.TB) *workspace.Workspace {
	fuzzWSOnce.Do(func() {
		ws, err := sampletest.Generate(context.Background(), sampledata.Options{Customers: 800, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		fuzzWS = ws
	})
	if fuzzWS == nil {
		t.Fatal("no fuzz workspace")
	}
	return fuzzWS
}

// FuzzOutcomesImport feeds arbitrary response files to acrm outcomes import. Whatever the
// bytes, ImportOutcomes returns a result or an error (never a panic); every data row is either
// imported or rejected with a line and a reason; exactly the accepted rows are written as
// contacts (none on an error, none when --strict refuses the file); and a rejects file exists
// exactly when rows were rejected.
func FuzzOutcomesImport(f *testing.F) {
	// Campaign 3's product, so that the seeds hold rows that are imported.
	var prod int
	if err := fuzzWorkspace(f).QueryRowContext(context.Background(), `SELECT product_id FROM campaigns WHERE campaign_id = 3`).Scan(&prod); err != nil {
		f.Fatal(err)
	}
	withProduct := func(s string) string {
		P := strconv.Itoa(prod)
		return strings.NewReplacer(";3;1;", ";3;"+P+";", ",3,1,", ",3,"+P+",").Replace(s)
	}
	for _, s := range []string{
		"customer;campaign;product;outcome;revenue;date\n5;3;1;accepted;1200,50;2026-11-20\n6;3;1;declined;;2026-11-20\n",
		"customer,campaign,product,outcome,revenue,date\n7,3,1,no_response,0,2026-11-20 10:15:00\n",
		"customer_id,campaign_id,product_id,outcome,revenue,ts\n8,4,2,accepted,10,2026-11-20T08:00:00\n8,4,2,accepted,10,2026-11-20\n",
		"\xef\xbb\xbfcustomer;campaign;product;outcome;revenue;date\n9;3;1;accepted;-5;2026-11-20\n10;3;1;maybe;0;2026-11-20\n",
		"customer;campaign;product;outcome;revenue;date\n11;3;1;accepted;100;Caf\xe9\n12;3;1;accepted;1e309;2026-11-20\n13;3;1;accepted;NaN;2026-11-20\n",
		"customer;campaign;product;outcome;revenue;date\n\"14;3;1;accepted;100;2026-11-20\n15;3\n",
		"customer;campaign;product;outcome;revenue;date\n99999999999999999999;3;1;accepted;1;2026-11-20\n1;2147483648;1;accepted;1;0001-01-01\n",
		"customer;campaign;product;outcome;revenue;date\n1;3;1;accepted;1;9999-12-31\n",
		"outcome;revenue\naccepted;1\n",
		"customer;customer;campaign;product;outcome;revenue;date\n1;2;3;1;accepted;1;2026-11-20\n",
		"",
		"\n\n\n",
		"\x00\xff\xfe",
	} {
		f.Add([]byte(withProduct(s)), false)
	}
	f.Add([]byte(withProduct("customer;campaign;product;outcome;revenue;date\n16;3;1;declined;;2026-11-20\n17;3;1;maybe;;2026-11-20\n")), true)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		ws := fuzzWorkspace(t)
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "responses.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		contacts := func() int64 {
			var n int64
			if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := contacts()
		res, err := ImportOutcomes(ctx, ws, ImportOptions{Path: path, Strict: strict})
		written := contacts() - before
		_, rerr := os.Stat(filepath.Join(dir, "responses.rejects.csv"))
		if err != nil {
			if written != 0 {
				t.Fatalf("error %v, yet %d contacts written", err, written)
			}
			if msg := err.Error(); msg == "" || !strings.HasPrefix(msg, "outcomes") {
				t.Fatalf("error does not say where it comes from: %q", msg)
			}
			return
		}
		if res.Accepted+len(res.Rejected) != res.Rows && !(strict && len(res.Rejected) > 0) {
			t.Fatalf("%d rows read, %d imported + %d rejected", res.Rows, res.Accepted, len(res.Rejected))
		}
		if int64(res.Accepted) != written {
			t.Fatalf("%d rows reported imported, %d contacts written", res.Accepted, written)
		}
		if res.Written != (res.Accepted > 0) {
			t.Fatalf("Written %v with %d rows imported", res.Written, res.Accepted)
		}
		if strict && len(res.Rejected) > 0 && written != 0 {
			t.Fatalf("strict import with %d rejects wrote %d contacts", len(res.Rejected), written)
		}
		for _, r := range res.Rejected {
			if r.Line < 1 || r.Reason == "" || res.ByReason[r.Reason] == 0 {
				t.Fatalf("reject without a line or reason: %+v", r)
			}
		}
		if (len(res.Rejected) > 0) != (rerr == nil) {
			t.Fatalf("%d rejects, rejects file present: %v", len(res.Rejected), rerr == nil)
		}
	})
}
