package nbo

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// BenchmarkLiveOffers times one customer's offers with two live facts, in-process (after the
// lookup), and reports the p99 over the run. ACRM_LIVE_BENCH_DB names a scored workspace to use
// instead of the package fixture.
func BenchmarkLiveOffers(b *testing.B) {
	ctx := context.Background()
	var ws *workspace.Workspace
	if p := os.Getenv("ACRM_LIVE_BENCH_DB"); p != "" {
		w, err := workspace.Open(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		ws = w
	} else {
		ws = scoredWorkspace(b)
	}
	l, err := NewLive(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM acrm_nbo_customers ORDER BY hash(customer_id) LIMIT 50`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var cs []*Customer
	for _, id := range ids {
		c, err := l.Lookup(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		facts := []Fact{{"locations", strconv.Itoa(1 + i%4)}, {"nps", strconv.Itoa(i % 11)}}
		t0 := time.Now()
		if _, err := l.Offers(cs[i%len(cs)], facts, ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
