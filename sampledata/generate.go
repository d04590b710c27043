package sampledata

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// DefaultCustomers is the size of the default sample.
const DefaultCustomers = 100_000

// Options of Generate.
type Options struct {
	Customers int    // number of customers; 0 = DefaultCustomers
	Seed      uint64 // same seed and size → identical tables
	Replace   bool   // drop existing datamart tables instead of refusing
	Workers   int    // generator goroutines; 0 = GOMAXPROCS
	// MemoryLimit caps DuckDB's buffer pool while generating (e.g. "1GB"), restored afterwards;
	// "" leaves the workspace's setting. Without a cap DuckDB keeps the written blocks cached
	// (up to 80 % of RAM by default), so the peak RSS grows with the size of the sample.
	MemoryLimit string
}

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Summary describes a generated datamart.
type Summary struct {
	Customers int
	Seed      uint64
	Rows      map[string]int64 // per table
	OracleAUC []float64        // per product (index product_id-1), measured on the data
	BaseRate  []float64        // ownership share per product
	Elapsed   time.Duration
}

// Tables lists the datamart tables Generate writes, in load order.
var Tables = []string{"products", "campaigns", "customers", "holdings", "contacts", "campaign_members",
	"optouts", "events", "sample_truth", "sample_truth_meta"}

var tableDDL = map[string]string{
	"products": `(product_id INTEGER, code VARCHAR, name VARCHAR, family VARCHAR, objective VARCHAR,
		margin DOUBLE, horizon_years INTEGER, monthly_price DOUBLE, cost_mail DOUBLE, cost_email DOUBLE,
		cost_phone DOUBLE, cost_inbound DOUBLE, cost_web DOUBLE, cost_account_manager DOUBLE)`,
	"campaigns": `(campaign_id INTEGER, name VARCHAR, product_id INTEGER, channel VARCHAR, start_date DATE,
		end_date DATE, cost_per_contact DOUBLE, selection VARCHAR, period INTEGER)`,
	"customers": `(customer_id BIGINT, name VARCHAR, sector VARCHAR, size_class VARCHAR, employees INTEGER,
		region VARCHAR, tenure_months INTEGER, monthly_revenue DOUBLE, mobile_subs INTEGER, data_gb_month DOUBLE,
		fixed_lines INTEGER, locations INTEGER, contract_end_months INTEGER, payment_delay_days INTEGER,
		nps INTEGER, digital_affinity DOUBLE)`,
	"holdings": `(customer_id BIGINT, product_id INTEGER, start_date DATE, end_date DATE)`,
	"contacts": `(contact_id BIGINT, customer_id BIGINT, ts TIMESTAMP, channel VARCHAR, direction VARCHAR,
		campaign_id INTEGER, product_id INTEGER, outcome VARCHAR, revenue DOUBLE, reason VARCHAR)`,
	"campaign_members":  `(campaign_id INTEGER, customer_id BIGINT, cell VARCHAR, contacted BOOLEAN)`,
	"optouts":           `(customer_id BIGINT, product_id INTEGER, channel VARCHAR, since DATE)`,
	"events":            `(customer_id BIGINT, ts TIMESTAMP, kind VARCHAR, value DOUBLE)`,
	"sample_truth":      `(customer_id BIGINT, product_id INTEGER, p_true DOUBLE)`,
	"sample_truth_meta": `(key VARCHAR, product_id INTEGER, value DOUBLE, note VARCHAR)`,
}

const stagePrefix = "acrm_stage_sample_"

// ErrExists is returned when the workspace already holds datamart tables and Replace is off.
var ErrExists = errors.New("datamart tables already exist")

// Generate writes the sample datamart into ws: all tables of docs/DATAMART.md, loaded in bulk
// through the DuckDB appender. Customers are generated in chunks by parallel goroutines, each
// customer from its own PCG stream seeded with (Seed, customer_id), so the tables depend only on
// the seed and the size. Memory stays bounded (a few chunks in flight). The tables are built
// under staging names and swapped in by one transaction at the end: either every table is
// replaced or the workspace is unchanged. report (optional) receives progress.
func Generate(ctx context.Context, ws *workspace.Workspace, opt Options, report func(Progress)) (Summary, error) {
	start := time.Now()
	if opt.Customers == 0 {
		opt.Customers = DefaultCustomers
	}
	if opt.Customers < 0 {
		return Summary{}, fmt.Errorf("sampledata: customers must be positive, got %d", opt.Customers)
	}
	if opt.Customers > 100_000_000 {
		return Summary{}, fmt.Errorf("sampledata: customers %d is above the supported 100,000,000", opt.Customers)
	}
	if report == nil {
		report = func(Progress) {}
	}
	db := ws
	var existing []string
	for _, t := range Tables {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return Summary{}, fmt.Errorf("sampledata: %w", err)
		}
		if ok {
			existing = append(existing, t)
		}
	}
	if len(existing) > 0 && !opt.Replace {
		return Summary{}, fmt.Errorf("sampledata: %s: %w (%s); use --replace to overwrite them",
			ws.Path(), ErrExists, strings.Join(existing, ", "))
	}
	if opt.MemoryLimit != "" {
		var old string
		if err := db.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&old); err != nil {
			return Summary{}, fmt.Errorf("sampledata: read memory_limit: %w", err)
		}
		if _, err := db.ExecContext(ctx, "SET memory_limit = "+workspace.QuoteString(opt.MemoryLimit)); err != nil {
			return Summary{}, fmt.Errorf("sampledata: memory limit %q: %w", opt.MemoryLimit, err)
		}
		defer func() {
			// current_setting rounds (e.g. "18.8 GiB"): prefer RESET when that was the default.
			bg := context.Background()
			var now string
			if _, err := db.ExecContext(bg, "RESET memory_limit"); err == nil &&
				db.QueryRowContext(bg, `SELECT current_setting('memory_limit')`).Scan(&now) == nil && now == old {
				return
			}
			_, _ = db.ExecContext(bg, "SET memory_limit = "+workspace.QuoteString(old))
		}()
	}
	report(Progress{Stage: "calibrating truth"})
	truth := GetTruth()
	prods := Products()
	camps := buildCampaigns(opt.Seed, prods)

	// Concurrent appenders need one connection each.
	defer db.AtLeastConns(12)()
	dropStages := func() {
		for _, t := range Tables {
			_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+workspace.QuoteIdent(stagePrefix+t))
		}
	}
	dropStages()
	for _, t := range Tables {
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+workspace.QuoteIdent(stagePrefix+t)+" "+tableDDL[t]); err != nil {
			dropStages()
			return Summary{}, fmt.Errorf("sampledata: create %s: %w", t, err)
		}
	}
	sum, err := generateInto(ctx, ws, opt, truth, prods, camps, report)
	if err != nil {
		dropStages()
		return Summary{}, err
	}
	report(Progress{Done: int64(opt.Customers), Total: int64(opt.Customers), Stage: "swapping tables in"})
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range Tables {
			if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+workspace.QuoteIdent(t)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+workspace.QuoteIdent(stagePrefix+t)+" RENAME TO "+workspace.QuoteIdent(t)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		dropStages()
		return Summary{}, fmt.Errorf("sampledata: install tables: %w", err)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

const chunkSize = 1024

// aucBins is the resolution of the streaming oracle-AUC histogram (on the logit scale).
const aucBins = 1 << 14

func aucBin(p float64) int {
	z := math.Log(p / (1 - p))
	b := int((z + 16) / 24 * aucBins)
	return max(0, min(aucBins-1, b))
}

func generateInto(ctx context.Context, ws *workspace.Workspace, opt Options, truth *Truth, prods []Product,
	camps *campaignPlan, report func(Progress)) (Summary, error) {
	st := func(t string) string { return stagePrefix + t }
	sum := Summary{Customers: opt.Customers, Seed: opt.Seed, Rows: map[string]int64{}}
	// Small tables.
	err := ws.Append(ctx, st("products"), func(add workspace.AppendFunc) error {
		for _, p := range prods {
			if err := add(int32(p.ID), p.Code, p.Name, p.Family, p.Objective, p.Margin, int32(p.HorizonYears),
				p.MonthlyPrice, p.Cost[ChannelMail], p.Cost[ChannelEmail], p.Cost[ChannelPhone],
				p.Cost[ChannelInbound], p.Cost[ChannelWeb], p.Cost[ChannelAM]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: load products: %w", err)
	}
	sum.Rows["products"] = int64(len(prods))
	err = ws.Append(ctx, st("campaigns"), func(add workspace.AppendFunc) error {
		for _, c := range camps.all {
			if err := add(int32(c.ID), c.Name, nullInt(c.ProductID), nullStr(c.Channel), c.Start.Time(), c.End.Time(),
				c.Cost, c.Selection, int32(c.Period)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: load campaigns: %w", err)
	}
	sum.Rows["campaigns"] = int64(len(camps.all))

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	gen := &customerGen{seed: opt.Seed, truth: truth, prods: prods, camps: camps}
	nChunks := (opt.Customers + chunkSize - 1) / chunkSize

	g, gctx := errgroup.WithContext(ctx)
	type job struct {
		idx int
		out chan *chunk
	}
	jobs := make(chan job)
	order := make(chan chan *chunk, 2*workers)
	// Feeder: jobs in order; order bounds the chunks in flight.
	g.Go(func() error {
		defer close(jobs)
		defer close(order)
		for i := 0; i < nChunks; i++ {
			ch := make(chan *chunk, 1)
			select {
			case order <- ch:
			case <-gctx.Done():
				return gctx.Err()
			}
			select {
			case jobs <- job{i, ch}:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for j := range jobs {
				lo := int64(j.idx*chunkSize) + 1
				hi := min(lo+chunkSize, int64(opt.Customers)+1)
				c := &chunk{}
				for id := lo; id < hi; id++ {
					if id%256 == 0 && gctx.Err() != nil {
						return gctx.Err()
					}
					gen.generate(id, c)
				}
				j.out <- c
			}
			return nil
		})
	}
	// One appender per big table, fed in chunk order.
	type sink struct {
		table string
		in    chan *chunk
		write func(add workspace.AppendFunc, c *chunk) error
	}
	sinks := []*sink{
		{table: "customers", write: writeCustomers},
		{table: "holdings", write: writeHoldings},
		{table: "contacts", write: writeContacts},
		{table: "campaign_members", write: writeMembers},
		{table: "optouts", write: writeOptouts},
		{table: "events", write: writeEvents},
		{table: "sample_truth", write: writeTruth},
	}
	for _, s := range sinks {
		s.in = make(chan *chunk, 2)
		g.Go(func() error {
			err := ws.Append(gctx, st(s.table), func(add workspace.AppendFunc) error {
				for c := range s.in {
					if err := s.write(add, c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				// Unblock the collector.
				for range s.in {
				}
				return fmt.Errorf("sampledata: load %s: %w", s.table, err)
			}
			return nil
		})
	}
	// Collector: in order, count rows, accumulate the oracle AUC, fan out.
	pos := make([][]float64, NumProducts)
	neg := make([][]float64, NumProducts)
	for k := range pos {
		pos[k] = make([]float64, aucBins)
		neg[k] = make([]float64, aucBins)
	}
	owners := make([]int64, NumProducts)
	g.Go(func() error {
		defer func() {
			for _, s := range sinks {
				close(s.in)
			}
		}()
		var done int64
		lastReport := time.Now()
		for ch := range order {
			var c *chunk
			select {
			case c = <-ch:
			case <-gctx.Done():
				return gctx.Err()
			}
			sum.Rows["customers"] += int64(len(c.customers))
			sum.Rows["holdings"] += int64(len(c.holdings))
			sum.Rows["contacts"] += int64(len(c.contacts))
			sum.Rows["campaign_members"] += int64(len(c.members))
			sum.Rows["optouts"] += int64(len(c.optouts))
			sum.Rows["events"] += int64(len(c.events))
			sum.Rows["sample_truth"] += int64(len(c.ptrue))
			for i, p := range c.ptrue {
				k := i % NumProducts
				b := aucBin(p)
				if c.owned[i] {
					pos[k][b]++
					owners[k]++
				} else {
					neg[k][b]++
				}
			}
			for _, s := range sinks {
				select {
				case s.in <- c:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			done += int64(len(c.customers))
			if time.Since(lastReport) > 100*time.Millisecond || done == int64(opt.Customers) {
				report(Progress{Done: done, Total: int64(opt.Customers), Stage: "generating customers"})
				lastReport = time.Now()
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, err
	}
	// Oracle AUC per product from the histograms: pairs in the same bin count half.
	sum.OracleAUC = make([]float64, NumProducts)
	sum.BaseRate = make([]float64, NumProducts)
	for k := 0; k < NumProducts; k++ {
		var below, num, P, N float64
		for b := 0; b < aucBins; b++ {
			num += pos[k][b] * (below + 0.5*neg[k][b])
			below += neg[k][b]
			P += pos[k][b]
			N += neg[k][b]
		}
		if P > 0 && N > 0 {
			sum.OracleAUC[k] = num / (P * N)
		}
		sum.BaseRate[k] = float64(owners[k]) / float64(opt.Customers)
	}
	meta := truthMeta(truth, prods, opt, sum)
	err = ws.Append(ctx, st("sample_truth_meta"), func(add workspace.AppendFunc) error {
		for _, m := range meta {
			if err := add(m.key, nullInt(m.product), m.value, nullStr(m.note)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: load sample_truth_meta: %w", err)
	}
	sum.Rows["sample_truth_meta"] = int64(len(meta))
	return sum, nil
}

type metaRow struct {
	key     string
	product int
	value   float64
	note    string
}

func truthMeta(t *Truth, prods []Product, opt Options, sum Summary) []metaRow {
	var m []metaRow
	for i, p := range prods {
		k := p.ID
		m = append(m,
			metaRow{"oracle_auc", k, sum.OracleAUC[i], "AUC of p_true against ownership at the snapshot, measured on this data"},
			metaRow{"base_rate", k, sum.BaseRate[i], "ownership share at the snapshot"},
			metaRow{"target_auc", k, t.targetAUC[i], "design target of the calibration"},
			metaRow{"intercept", k, t.a[i], "a_k of p_true = σ(a_k + s_k·z_k)"},
			metaRow{"scale", k, t.s[i], "s_k of p_true = σ(a_k + s_k·z_k)"},
			metaRow{"response_scale", k, t.response[i], "r_k of P(accept) = min(0.9, r_k·p_true·m_channel·f(n))"},
		)
	}
	m = append(m,
		metaRow{"curve_peak_base", 0, CurvePeakBase, "f(n) = (n/m)^γ·exp(γ(1−n/m)), n = outbound offers in 365 days incl. this one"},
		metaRow{"curve_peak_top", 0, CurvePeakTop, "peak of f(n) for the top value segment"},
		metaRow{"curve_gamma_base", 0, CurveGammaBase, "γ of f(n), base"},
		metaRow{"curve_gamma_top", 0, CurveGammaTop, "γ of f(n), top value segment"},
		metaRow{"optout_q0_base", 0, OptoutQ0Base, "opt-out chance per outbound offer q(n) = q0·(n/m)², base"},
		metaRow{"optout_q0_top", 0, OptoutQ0Top, "q0 for the top value segment"},
		metaRow{"top_revenue_threshold", 0, t.TopRevenue, "monthly_revenue at or above which a customer is in the top value segment"},
		metaRow{"top_effect_3to4", 0, SteadyStateEffect(3, 4, true), "true relative lift of revenue growth per half year, top segment, 3→4 offers per half year (steady state)"},
		metaRow{"top_effect_4to5", 0, SteadyStateEffect(4, 5, true), "true relative lift, top segment, 4→5 offers per half year"},
		metaRow{"top_effect_3to5", 0, SteadyStateEffect(3, 5, true), "true relative lift, top segment, 3→5 offers per half year"},
		metaRow{"base_effect_3to4", 0, SteadyStateEffect(3, 4, false), "true relative lift, base, 3→4 offers per half year"},
		metaRow{"bau_cap_per_half_year", 0, bauCap, "contact policy of the BAU campaigns in the history"},
		metaRow{"customers", 0, float64(opt.Customers), ""},
		metaRow{"seed", 0, float64(opt.Seed), ""},
		metaRow{"snapshot_yyyymmdd", 0, 20261031, "the datamart is the picture at the end of this day"},
	)
	for _, ch := range Channels {
		m = append(m, metaRow{"channel_mult", 0, ChannelMult[ch], ch})
	}
	return m
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return int32(v)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeCustomers(add workspace.AppendFunc, c *chunk) error {
	for i := range c.customers {
		cu := &c.customers[i]
		var ce, nps any
		if cu.ContractEnd >= 0 {
			ce = int32(cu.ContractEnd)
		}
		if cu.NPS >= 0 {
			nps = int32(cu.NPS)
		}
		if err := add(cu.ID, cu.Name, cu.SectorName(), cu.SizeClass(), int32(cu.Employees), cu.RegionName(),
			int32(cu.Tenure), cu.MonthlyRevenue, int32(cu.MobileSubs), cu.DataGB, int32(cu.FixedLines),
			int32(cu.Locations), ce, int32(cu.PaymentDelay), nps, cu.Digital); err != nil {
			return err
		}
	}
	return nil
}

func writeHoldings(add workspace.AppendFunc, c *chunk) error {
	for _, h := range c.holdings {
		var end any
		if h.end != 0 {
			end = h.end.Time()
		}
		if err := add(h.cust, h.prod, h.start.Time(), end); err != nil {
			return err
		}
	}
	return nil
}

func writeContacts(add workspace.AppendFunc, c *chunk) error {
	for _, r := range c.contacts {
		dir := "outbound"
		if r.inbound {
			dir = "inbound"
		}
		if err := add(r.id, r.cust, r.ts.Time(), r.channel, dir, nullInt(int(r.campaign)), nullInt(int(r.prod)),
			nullStr(r.outcome), r.revenue, nullStr(r.reason)); err != nil {
			return err
		}
	}
	return nil
}

func writeMembers(add workspace.AppendFunc, c *chunk) error {
	for _, m := range c.members {
		if err := add(m.campaign, m.cust, m.cell, m.contacted); err != nil {
			return err
		}
	}
	return nil
}

func writeOptouts(add workspace.AppendFunc, c *chunk) error {
	for _, o := range c.optouts {
		if err := add(o.cust, nullInt(int(o.prod)), nullStr(o.channel), o.since.Time()); err != nil {
			return err
		}
	}
	return nil
}

func writeEvents(add workspace.AppendFunc, c *chunk) error {
	for _, e := range c.events {
		if err := add(e.cust, e.ts.Time(), e.kind, e.value); err != nil {
			return err
		}
	}
	return nil
}

// boxedProductIDs are the product ids as driver values, boxed once (sample_truth has 32 rows per
// customer; boxing per row would allocate).
var boxedProductIDs = func() []driver.Value {
	v := make([]driver.Value, NumProducts+1)
	for k := range v {
		v[k] = int32(k)
	}
	return v
}()

func writeTruth(add workspace.AppendFunc, c *chunk) error {
	for i, cu := range c.customers {
		id := driver.Value(cu.ID)
		for k := 0; k < NumProducts; k++ {
			if err := add(id, boxedProductIDs[k+1], c.ptrue[i*NumProducts+k]); err != nil {
				return err
			}
		}
	}
	return nil
}
