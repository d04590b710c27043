package nbo

import (
	"context"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// benchLive opens the workspace of the live benchmarks — ACRM_LIVE_BENCH_DB (a scored
// workspace, e.g. one of 1,000,000 customers) or the package fixture — and picks 200 scored
// customers at random. With indexed the Live has its index built. Both are made once per
// process (a benchmark function runs more than once).
func benchLive(b *testing.B, indexed bool) (*Live, []int64) {
	benchMu.Lock()
	defer benchMu.Unlock()
	if l := benchLives[indexed]; l != nil {
		return l, benchIDs
	}
	ctx := context.Background()
	if benchWS == nil {
		if p := os.Getenv("ACRM_LIVE_BENCH_DB"); p != "" {
			w, err := workspace.Open(ctx, p)
			if err != nil {
				b.Fatal(err)
			}
			benchWS = w
		} else {
			benchWS = scoredWorkspace(b)
		}
	}
	ws := benchWS
	l, err := NewLive(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	if indexed {
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		st, err := l.BuildIndex(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		b.Logf("index: %d customers, %d contacts, %d columns, %.0f MB of arrays, heap +%.0f MB, built in %v", st.Customers, st.Contacts, st.Columns,
			float64(st.Bytes)/1e6, float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc))/1e6, st.Took.Round(time.Millisecond))
	}
	if benchIDs == nil {
		rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM acrm_nbo_customers ORDER BY hash(customer_id) LIMIT 200`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			benchIDs = append(benchIDs, id)
		}
		rows.Close()
	}
	benchLives[indexed] = l
	return l, benchIDs
}

var (
	benchMu    sync.Mutex
	benchWS    *workspace.Workspace
	benchLives = map[bool]*Live{}
	benchIDs   []int64
)

func liveFacts(i int) []Fact {
	return []Fact{{"locations", strconv.Itoa(1 + i%4)}, {"nps", strconv.Itoa(i % 11)}}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU time per operation since cpu0 (the figure to read on a
// loaded machine: wall time there measures the other processes too).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
}

// threadCPU is the calling OS thread's CPU time (CLOCK_THREAD_CPUTIME_ID): with the goroutine
// locked to its thread, the difference over one operation is the operation's own CPU time,
// whatever else the machine runs — its latency on an idle core.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// reportCPUQuantiles reports p50 and p99 of the operations' own CPU times.
func reportCPUQuantiles(b *testing.B, cpu []time.Duration) {
	sort.Slice(cpu, func(a, c int) bool { return cpu[a] < cpu[c] })
	if len(cpu) > 0 {
		b.ReportMetric(float64(cpu[len(cpu)*99/100].Nanoseconds())/1e3, "cpu-p99-µs")
		b.ReportMetric(float64(cpu[len(cpu)/2].Nanoseconds())/1e3, "cpu-p50-µs")
	}
}

func reportP99(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	}
}

// BenchmarkLiveOffers times one customer's offers with two live facts, in-process (after the
// lookup: what the screen does on a new fact), and reports p50 and p99 over the run.
func BenchmarkLiveOffers(b *testing.B) {
	ctx := context.Background()
	l, ids := benchLive(b, false)
	var cs []*Customer
	for _, id := range ids {
		c, err := l.Lookup(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	lat := make([]time.Duration, 0, b.N)
	own := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), threadCPU()
		if _, err := l.Offers(cs[i%len(cs)], liveFacts(i), ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		own = append(own, threadCPU()-c0)
	}
	b.StopTimer()
	reportCPU(b, cpu0)
	reportP99(b, lat)
	reportCPUQuantiles(b, own)
}

// BenchmarkLiveLookupIndexed times the lookup of a customer from the in-memory index
// (BuildIndex, as acrm serve does at start) plus its offers with two live facts.
func BenchmarkLiveLookupIndexed(b *testing.B) {
	ctx := context.Background()
	l, ids := benchLive(b, true)
	lat := make([]time.Duration, 0, b.N)
	own := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), threadCPU()
		c, err := l.Lookup(ctx, ids[i%len(ids)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Offers(c, liveFacts(i), ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		own = append(own, threadCPU()-c0)
	}
	b.StopTimer()
	reportCPU(b, cpu0)
	reportP99(b, lat)
	reportCPUQuantiles(b, own)
}

// BenchmarkLiveLookupWorkspace times the lookup of a customer from the workspace (no index:
// acrm nbo and the screen) plus its offers with two live facts.
func BenchmarkLiveLookupWorkspace(b *testing.B) {
	ctx := context.Background()
	l, ids := benchLive(b, false)
	lat := make([]time.Duration, 0, b.N)
	own := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), threadCPU()
		c, err := l.Lookup(ctx, ids[i%len(ids)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Offers(c, liveFacts(i), ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		own = append(own, threadCPU()-c0)
	}
	b.StopTimer()
	reportCPU(b, cpu0)
	reportP99(b, lat)
	reportCPUQuantiles(b, own)
}
