// Command load is a bounded loopback load generator for acrm serve (make load; not part of
// make test): C concurrent clients ask for random customers' offers — GET, or POST with
// random live facts — for a fixed duration (at most 60 s), then it prints requests per
// second, latency percentiles, errors, and the server's resident memory over the run.
//
//	acrm serve --db big.duckdb &
//	go run ./bench/load -ids 1000000 -duration 30s -c 32 -pid $!
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "acrm serve's address")
	token := flag.String("token", "", "bearer token, when serve runs with --token")
	dur := flag.Duration("duration", 30*time.Second, "how long to load (at most 60s)")
	conc := flag.Int("c", 32, "concurrent clients")
	ids := flag.Int64("ids", 0, "customers are asked for at random among ids 1..ids (required)")
	post := flag.Float64("post", 0.5, "share of requests that POST live facts (the rest GET)")
	pid := flag.Int("pid", 0, "serve's process id: sample its resident memory (VmRSS) every second")
	flag.Parse()
	if *ids <= 0 || *dur <= 0 || *dur > 60*time.Second || *conc < 1 {
		fmt.Fprintln(os.Stderr, "load: want -ids N (> 0), -duration in (0, 60s], -c ≥ 1")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: *conc, MaxIdleConnsPerHost: *conc}, Timeout: 10 * time.Second}
	var stop atomic.Bool
	var errs sync.Map // "code" → *atomic.Int64
	lat := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	rssStart, rssMax, rssEnd := rss(*pid), int64(0), int64(0)
	serveCPU0, selfCPU0 := procCPU(*pid), procCPU(os.Getpid())
	var rssSamples []int64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if r := rss(*pid); r > 0 {
					rssSamples = append(rssSamples, r)
				}
			}
		}
	}()
	t0 := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for !stop.Load() {
				id := 1 + rng.Int64N(*ids)
				var req *http.Request
				u := *url + "/v1/customers/" + strconv.FormatInt(id, 10) + "/offers"
				if rng.Float64() < *post {
					body := fmt.Sprintf(`{"facts": {"locations": %d, "nps": %d, "employees": %d}}`, 1+rng.IntN(5), rng.IntN(11), 1+rng.IntN(300))
					req, _ = http.NewRequest(http.MethodPost, u, bytes.NewBufferString(body))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req, _ = http.NewRequest(http.MethodGet, u, nil)
				}
				if *token != "" {
					req.Header.Set("Authorization", "Bearer "+*token)
				}
				s := time.Now()
				res, err := client.Do(req)
				code := "transport"
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					code = strconv.Itoa(res.StatusCode)
				}
				lat[w] = append(lat[w], time.Since(s))
				if code != "200" {
					c, _ := errs.LoadOrStore(code, &atomic.Int64{})
					c.(*atomic.Int64).Add(1)
				}
			}
		}(w)
	}
	time.Sleep(*dur)
	stop.Store(true)
	wg.Wait()
	took := time.Since(t0)
	close(done)
	sampler.Wait()
	rssEnd = rss(*pid)
	serveCPU, selfCPU := procCPU(*pid)-serveCPU0, procCPU(os.Getpid())-selfCPU0
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	q := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	var nerr int64
	var es []string
	errs.Range(func(k, v any) bool {
		n := v.(*atomic.Int64).Load()
		nerr += n
		es = append(es, fmt.Sprintf("%s×%d", k, n))
		return true
	})
	sort.Strings(es)
	fmt.Printf("%d requests in %s with %d clients (%.0f %% POST with facts): %.0f req/s\n", len(all), took.Round(time.Millisecond), *conc, 100**post, float64(len(all))/took.Seconds())
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", q(0.5), q(0.9), q(0.99), q(0.999), q(1))
	fmt.Printf("errors %d %s\n", nerr, strings.Join(es, " "))
	if n := float64(len(all)); n > 0 {
		// The two processes share the machine: each one's CPU per request says what it costs,
		// and requests per serve CPU-second what serve alone would answer on one core.
		fmt.Printf("CPU: serve %.2f s (%.1f µs/request, %.0f requests per serve CPU-second), load generator %.2f s (%.1f µs/request)\n",
			serveCPU.Seconds(), serveCPU.Seconds()*1e6/n, n/serveCPU.Seconds(), selfCPU.Seconds(), selfCPU.Seconds()*1e6/n)
	}
	if len(rssSamples) > 0 {
		for _, r := range rssSamples {
			rssMax = max(rssMax, r)
		}
		mid := rssSamples[len(rssSamples)/2]
		fmt.Printf("serve RSS: before %d MB, middle %d MB, after %d MB, max %d MB (%d samples)\n", rssStart>>20, mid>>20, rssEnd>>20, rssMax>>20, len(rssSamples))
	}
	if nerr > 0 {
		os.Exit(1)
	}
}

// rss is process pid's resident set in bytes (0 when unknown).
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// procCPU is process pid's user+system CPU time so far (/proc/PID/stat; 0 when unknown).
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command (which may hold spaces) start after the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64) // utime: field 14 of stat
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times (100 on Linux).
const clockTicks = 100
