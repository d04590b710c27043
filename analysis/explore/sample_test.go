package explore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// TestSampleProfiles profiles every datamart table and checks each column's counts and
// moments against direct SQL, one column at a time.
func TestSampleProfiles(t *testing.T) {
	ws := sampletest.Sample(t)
	ctx := context.Background()
	for _, table := range []string{"customers", "products", "holdings", "contacts", "campaigns", "campaign_members", "optouts", "events"} {
		profs, err := Profile(ctx, ws, table, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range profs {
			id := workspace.QuoteIdent(p.Name)
			var rows, nonNull, distinct int64
			var mean, std sql.NullFloat64
			meanExpr, stdExpr := "NULL::DOUBLE", "NULL::DOUBLE"
			if p.Kind == Numeric {
				meanExpr, stdExpr = "avg("+id+")::DOUBLE", "stddev_samp("+id+")::DOUBLE"
			}
			err := ws.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT count(*), count(%s), count(DISTINCT %s), %s, %s FROM %s`,
				id, id, meanExpr, stdExpr, table)).Scan(&rows, &nonNull, &distinct, &mean, &std)
			if err != nil {
				t.Fatalf("%s.%s: %v", table, p.Name, err)
			}
			if p.Rows != rows || p.Nulls != rows-nonNull || (p.Kind != Other && p.Distinct != distinct) {
				t.Errorf("%s.%s rows/nulls/distinct %d/%d/%d, want %d/%d/%d", table, p.Name, p.Rows, p.Nulls, p.Distinct, rows, rows-nonNull, distinct)
			}
			if mean.Valid != (p.Mean != nil) || (mean.Valid && math.Abs(*p.Mean-mean.Float64) > 1e-9*math.Max(1, math.Abs(mean.Float64))) {
				t.Errorf("%s.%s mean %v, want %v", table, p.Name, p.Mean, mean)
			}
			if std.Valid && (p.Std == nil || math.Abs(*p.Std-std.Float64) > 1e-9*math.Max(1, std.Float64)) {
				t.Errorf("%s.%s std %v, want %v", table, p.Name, p.Std, std)
			}
			var h int64
			for _, c := range p.Histogram {
				h += c
			}
			if p.Kind == Numeric && nonNull > 0 && h+p.HistOverflow != nonNull {
				t.Errorf("%s.%s histogram holds %d values + %d above, want %d", table, p.Name, h, p.HistOverflow, nonNull)
			}
			if len(p.TopValues) > 0 {
				var n int64
				v := p.TopValues[0]
				// Numbers are shown with 6 significant digits: match within that rounding.
				cond := id + "::VARCHAR = ?"
				if p.Kind == Numeric {
					cond = fmt.Sprintf("abs(%s - ?::DOUBLE) <= 5e-6 * greatest(1, abs(%s))", id, id)
				}
				if err := ws.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, table, cond), v.Value).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != v.Count {
					t.Errorf("%s.%s top value %q count %d, want %d", table, p.Name, v.Value, v.Count, n)
				}
			}
		}
	}
}

// TestSamplePreviewPaging pages through contacts (the biggest table) and checks the pages
// hold every contact exactly once, and that a filter's count matches SQL.
func TestSamplePreviewPaging(t *testing.T) {
	ws := sampletest.Sample(t)
	ctx := context.Background()
	var total int64
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*) FROM contacts`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool, total)
	const limit = 4000
	for off := 0; int64(off) < total; off += limit {
		p, err := Preview(ctx, ws, "contacts", PreviewOptions{Offset: off, Limit: limit, SkipCount: off > 0})
		if err != nil {
			t.Fatal(err)
		}
		if off == 0 && p.Total != total {
			t.Fatalf("total %d, want %d", p.Total, total)
		}
		for _, r := range p.Rows {
			if seen[r[0]] {
				t.Fatalf("contact %s on two pages", r[0])
			}
			seen[r[0]] = true
		}
	}
	if int64(len(seen)) != total {
		t.Errorf("pages hold %d contacts, want %d", len(seen), total)
	}
	var accepted int64
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*) FROM contacts WHERE outcome = 'accepted' AND channel = 'phone'`).Scan(&accepted); err != nil {
		t.Fatal(err)
	}
	p, err := Preview(ctx, ws, "contacts", PreviewOptions{Filter: "where outcome = 'accepted' and channel = 'phone'", OrderBy: "ts desc", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != accepted || accepted == 0 || len(p.Rows) != 5 || p.Rows[0][2] < p.Rows[4][2] {
		t.Errorf("filtered preview: total %d (want %d), rows %v", p.Total, accepted, p.Rows)
	}
}
