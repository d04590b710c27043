package sqlgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// The files of a batch job, in the order they run.
const (
	JobViewFile   = "1_feature_view.sql"
	JobScoresFile = "2_scores.sql"
	JobOffersFile = "3_offers.sql"
)

// JobFiles lists the job's SQL files in the order they run.
var JobFiles = []string{JobViewFile, JobScoresFile, JobOffersFile}

// OffersTable is the table the job writes (the ranked offers of acrm score --all).
const OffersTable = "acrm_nbo_offers"

// The job's intermediate tables (all dropped at its end).
const (
	jView      = "acrm_job_view"
	jScores    = "acrm_job_scores"
	jEcon      = "acrm_job_economics"
	jHistory   = "acrm_job_history"
	jOptouts   = "acrm_job_optouts"
	jCands     = "acrm_job_candidates"
	jOffers    = "acrm_job_offers"
	jUsage     = "acrm_job_usage"
	jUsageCh   = "acrm_job_usage_channel"
	jBlocked   = "acrm_job_blocked"
	jEligible  = "acrm_job_eligible"
	jobVersion = 1
)

var jobTables = []string{jView, jScores, jEcon, jHistory, jOptouts, jUsage, jUsageCh, jBlocked, jEligible, jCands, jOffers}

// JobResult describes an emitted job.
type JobResult struct {
	Dir      string
	Dialect  string
	Job      *nbo.Job
	Files    []string
	Inputs   []string // the canonical tables the job reads
	Products int
}

// jobGen writes the statements of one job.
type jobGen struct {
	d      *Dialect
	j      *nbo.Job
	inputs map[string]bool
}

// EmitJob writes acrm score --all as a SQL batch job in dialect into dir (which must not
// exist or be empty): the feature view, every product's kept model, the value computation
// and the business rules, producing the ranked-offers table acrm score --all writes
// (acrm_nbo_offers, same columns, rows and ranks), and a README.md saying how to run it.
// The files are written into a temporary directory renamed into place: an error leaves no
// directory.
func EmitJob(ctx context.Context, ws *workspace.Workspace, dialect, dir string) (*JobResult, error) {
	d, err := Lookup(dialect)
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("sqlgen: --emit-sql %s: not a directory", dir)
		}
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			return nil, fmt.Errorf("sqlgen: --emit-sql %s: the directory is not empty (give a new or empty directory)", dir)
		}
	} else if st, err := os.Stat(filepath.Dir(dir)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("sqlgen: --emit-sql %s: directory %s does not exist", dir, filepath.Dir(dir))
	}
	files, res, err := JobScripts(ctx, ws, d)
	if err != nil {
		return nil, err
	}
	res.Dir = dir
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("sqlgen: --emit-sql %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("sqlgen: --emit-sql %s: %w", dir, err)
	}
	for _, f := range append(append([]string(nil), JobFiles...), "README.md") {
		if err := os.WriteFile(filepath.Join(tmp, f), []byte(files[f]), 0o644); err != nil {
			return nil, fmt.Errorf("sqlgen: --emit-sql %s: %w", dir, err)
		}
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		if err := os.Remove(dir); err != nil { // empty, checked above
			return nil, fmt.Errorf("sqlgen: --emit-sql %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("sqlgen: --emit-sql %s: %w", dir, err)
	}
	return res, nil
}

// JobScripts compiles the batch job in dialect d: the text of each file of JobFiles and of
// README.md.
func JobScripts(ctx context.Context, ws *workspace.Workspace, d *Dialect) (map[string]string, *JobResult, error) {
	j, err := nbo.JobSpec(ctx, ws)
	if err != nil {
		if errors.Is(err, nbo.ErrNoScoring) || errors.Is(err, nbo.ErrStaleScoring) {
			return nil, nil, fmt.Errorf("sqlgen: score --all --emit-sql carries the calibration to past outcomes of the latest scoring run (a fit made by score --all, not one SQL statement): %w", err)
		}
		return nil, nil, err
	}
	if len(j.Rules.CapBySegment) > 0 {
		return nil, nil, fmt.Errorf("sqlgen: the rules' cap_by_segment: caps by value segment rank every customer's expected value over the whole base, which the job does not compile: %w (remove cap_by_segment from the rules, or score in acrm)", ErrUnsupported)
	}
	vs, err := LoadViewSpec(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	g := &jobGen{d: d, j: j, inputs: map[string]bool{"customers": true, "holdings": true, "contacts": true, "optouts": true}}
	if len(vs.View.EventKinds) > 0 {
		g.inputs["events"] = true
	}
	has := func(t string) bool { ok, _ := ws.HasTable(ctx, t); return ok }
	for _, t := range []string{"contacts", "optouts"} {
		if !has(t) {
			return nil, nil, fmt.Errorf("sqlgen: the workspace has no %s table, which the job reads", t)
		}
	}
	planned := has("campaigns") && has("campaign_members")
	if planned {
		g.inputs["campaigns"], g.inputs["campaign_members"] = true, true
	}
	if e := strings.TrimSpace(j.Rules.Eligibility); e != "" && d.Name == "duckdb" {
		// The expression must bind over the emitted view (customer_view without name).
		if _, err := ws.ExecContext(ctx, "DESCRIBE SELECT customer_id FROM ("+vs.SQL(d, 0)+") v WHERE coalesce(("+e+"), false)"); err != nil {
			return nil, nil, fmt.Errorf("sqlgen: the rules' eligibility %q does not bind over the emitted feature view: %w", e, err)
		}
	}
	res := &JobResult{Dialect: d.Name, Job: j, Files: JobFiles, Products: len(j.Products)}
	for _, t := range []string{"customers", "holdings", "contacts", "optouts", "events", "campaigns", "campaign_members"} {
		if g.inputs[t] {
			res.Inputs = append(res.Inputs, t)
		}
	}
	files := map[string]string{}
	hdr := func(what string) []string {
		return []string{
			fmt.Sprintf("acrm score --all as a batch job in %s SQL (job format %d), file %s.", d.Name, jobVersion, what),
			fmt.Sprintf("Scoring as of %s with the models and calibration of scoring run %d; see README.md for the order of the files.", j.AsOf.Format(time.DateOnly), j.RunID),
		}
	}
	// 1: the feature view.
	var st []string
	for _, t := range jobTables {
		st = append(st, "DROP TABLE IF EXISTS "+d.Ident(t))
	}
	st = append(st, g.createAs(jView, vs.SQL(d, 0)))
	files[JobViewFile] = Script(d, hdr(JobViewFile), st...)
	// 2: every product's kept model, scores rounded to 32-bit floats as score --all keeps them.
	st = []string{g.create(jScores, [][2]string{{"customer_id", "BIGINT"}, {"product_id", "INTEGER"}, {"score", "DOUBLE"}})}
	for _, p := range j.Products {
		q, _, err := ModelQuery(ctx, ws, p.ModelID, d)
		if err != nil {
			return nil, nil, err
		}
		own := features.OwnCol(p.ID)
		held := "= 1"
		if p.Objective != nbo.ObjRetention {
			held = "= 0"
		}
		st = append(st, fmt.Sprintf("INSERT INTO %s\nSELECT id, %s, %s\nFROM (%s) m\nWHERE id IN (SELECT customer_id FROM %s WHERE CASE WHEN %s > 0 THEN 1 ELSE 0 END %s)",
			d.Ident(jScores), g.int(p.ID), d.Double(d.Float32("greatest(score, "+d.Num(1e-7)+")")), q, d.Ident(jView), d.Ident(own), held))
	}
	files[JobScoresFile] = Script(d, hdr(JobScoresFile), st...)
	// 3: value, rules, ranks.
	files[JobOffersFile] = Script(d, hdr(JobOffersFile), g.offers(planned)...)
	files["README.md"] = g.readme(res)
	return files, res, nil
}

func (g *jobGen) int(v int) string { return g.d.Int(fmt.Sprint(v)) }

// create is CREATE TABLE name (cols) with the engine's table clause.
func (g *jobGen) create(name string, cols [][2]string) string {
	var defs []string
	for _, c := range cols {
		defs = append(defs, g.d.Ident(c[0])+" "+g.d.Types(c[1]))
	}
	return "CREATE TABLE " + g.d.Ident(name) + " (" + strings.Join(defs, ", ") + ")" + g.d.TableEngine(cols[0][0])
}

// createAs is CREATE TABLE name AS q with the engine's table clause.
func (g *jobGen) createAs(name, q string) string {
	return "CREATE TABLE " + g.d.Ident(name) + g.d.TableEngine("customer_id") + " AS\n" + q
}

// leftJoin joins sub onto from by keys; a row of from without a match keeps the columns of
// sub at their defaults (NULL, or 0 in ClickHouse): every joined column here is read through
// coalesce(…, 0).
func (g *jobGen) leftJoin(from, sub string, keys ...string) string {
	return "SELECT * FROM (" + from + ") a\n" + g.d.LeftJoin + " (" + sub + ") b USING (" + strings.Join(keys, ", ") + ")"
}

// offers is the statements of 3_offers.sql.
func (g *jobGen) offers(planned bool) []string {
	d, j := g.d, g.j
	q := d.Ident
	ts := d.Timestamp
	var st []string
	// The products' economics: calibration per channel, cost, margin, tier, channel cap.
	st = append(st, g.create(jEcon, [][2]string{{"product_id", "INTEGER"}, {"channel", "VARCHAR"}, {"ch_order", "INTEGER"},
		{"intercept", "DOUBLE"}, {"slope", "DOUBLE"}, {"cost", "DOUBLE"}, {"margin", "DOUBLE"}, {"tier", "INTEGER"},
		{"channel_cap", "INTEGER"}, {"model_version", "VARCHAR"}, {"reason", "VARCHAR"}}))
	var vals []string
	for _, p := range j.Products {
		for _, c := range p.Channels {
			vals = append(vals, "SELECT "+strings.Join([]string{g.int(p.ID), d.String(c.Channel), g.int(c.Order), d.Num(c.Intercept), d.Num(c.Slope),
				d.Num(c.Cost), d.Num(p.Margin), g.int(p.Tier), g.int(c.ChannelCap), d.String(p.ModelID), d.String(p.Reason)}, ", "))
		}
	}
	if len(vals) > 0 {
		// INSERT … SELECT … UNION ALL (ClickHouse's client reads VALUES as data, not expressions).
		st = append(st, "INSERT INTO "+q(jEcon)+"\n"+strings.Join(vals, "\nUNION ALL "))
	}
	// Outbound offers made since the history start, and offers planned by registered
	// campaigns whose contacted members have no contact yet (counted as made on the offers'
	// day when planned before it).
	st = append(st, g.create(jHistory, [][2]string{{"customer_id", "BIGINT"}, {"product_id", "INTEGER"}, {"channel", "VARCHAR"},
		{"outcome", "VARCHAR"}, {"ts", "TIMESTAMP"}}))
	st = append(st, "INSERT INTO "+q(jHistory)+"\nSELECT customer_id, "+d.Int("product_id")+", coalesce(channel, ''), coalesce(outcome, 'no_response'), ts\nFROM "+
		q("contacts")+"\nWHERE direction = 'outbound' AND product_id IS NOT NULL AND ts > "+ts(j.HistoryFrom))
	if planned {
		from := d.Join2(
			"SELECT campaign_id, customer_id FROM "+q("campaign_members")+" WHERE contacted",
			"SELECT campaign_id, product_id, channel, start_date, end_date FROM "+q("campaigns")+
				" WHERE product_id IS NOT NULL AND end_date >= "+d.Date(j.HistoryFrom), "campaign_id")
		st = append(st, "INSERT INTO "+q(jHistory)+"\nSELECT customer_id, "+d.Int("product_id")+", coalesce(channel, ''), '', CASE WHEN "+
			d.ToTimestamp("start_date")+" > "+ts(j.AsOf)+" THEN "+d.ToTimestamp("start_date")+" ELSE "+ts(j.AsOf)+" END\nFROM ("+g.leftJoin(from,
			"SELECT DISTINCT campaign_id, customer_id, 1 AS made FROM "+q("contacts")+" WHERE campaign_id IS NOT NULL", "campaign_id", "customer_id")+
			") x\nWHERE coalesce(made, 0) = 0")
	}
	// What the rules need per customer: offers in the cap period (all channels and per
	// channel), products blocked by a refusal in the cool-down or an offer pending,
	// opt-outs, eligibility.
	st = append(st, g.createAs(jUsage, "SELECT customer_id, count(*) AS used FROM "+q(jHistory)+" WHERE ts >= "+ts(j.PeriodStart)+" GROUP BY customer_id"))
	st = append(st, g.createAs(jUsageCh, "SELECT customer_id, channel, count(*) AS used_ch FROM "+q(jHistory)+" WHERE ts >= "+ts(j.PeriodStart)+" GROUP BY customer_id, channel"))
	block := "(outcome = '' AND ts >= " + ts(j.PendingFrom) + ")"
	if j.Rules.CoolDownDays > 0 {
		block = "(outcome = 'declined' AND ts > " + ts(j.CoolDownFrom) + ") OR " + block
	}
	st = append(st, g.createAs(jBlocked, "SELECT DISTINCT customer_id, product_id, 1 AS blocked FROM "+q(jHistory)+" WHERE "+block))
	st = append(st, g.createAs(jOptouts, "SELECT DISTINCT customer_id, "+d.Int("coalesce(product_id, 0)")+" AS o_product, coalesce(channel, '') AS o_channel, 1 AS opted FROM "+q("optouts")))
	elig := "SELECT customer_id, 1 AS eligible FROM " + q(jView)
	if e := strings.TrimSpace(j.Rules.Eligibility); e != "" {
		elig += " WHERE CASE WHEN (\n" + e + "\n) THEN 1 ELSE 0 END = 1"
	}
	st = append(st, g.createAs(jEligible, elig))
	// Candidates: every scored product through each of its channels, P(accept) from the
	// calibration of the 32-bit score, value = P × margin − cost; then the rules in
	// score --all's order (opt-out, eligibility, cool-down, pending, caps, minimum
	// propensity, positive value).
	pc := "least(greatest(score, " + d.Num(1e-6) + "), " + d.Num(1-1e-6) + ")"
	lg := d.Ln + "(pc / (" + d.Num(1) + " - pc))"
	c := &compiler{d: d}
	cand := "SELECT customer_id, product_id, channel, ch_order, tier, channel_cap, model_version, reason, margin, cost, " +
		c.sigmoid("intercept + slope * l") + " AS p\nFROM (" +
		d.Join2("SELECT customer_id, product_id, "+lg+" AS l FROM (SELECT customer_id, product_id, "+pc+" AS pc FROM "+q(jScores)+") s",
			"SELECT * FROM "+q(jEcon), "product_id") + ") x"
	cand = g.leftJoin(cand, "SELECT * FROM "+q(jUsage), "customer_id")
	cand = g.leftJoin(cand, "SELECT * FROM "+q(jUsageCh), "customer_id", "channel")
	cand = g.leftJoin(cand, "SELECT * FROM "+q(jBlocked), "customer_id", "product_id")
	cand = g.leftJoin(cand, "SELECT * FROM "+q(jEligible), "customer_id")
	// An opt-out covers a product through a channel when its product is that one or all (0)
	// and its channel that one or all ('').
	for k, o := range [][2]string{{"0", "''"}, {"product_id", "''"}, {"0", "channel"}, {"product_id", "channel"}} {
		n := fmt.Sprint(k)
		cand = "SELECT *, " + d.Int(o[0]) + " AS o_product" + n + ", " + o[1] + " AS o_channel" + n + " FROM (" + cand + ") o" + n
		cand = g.leftJoin(cand, "SELECT customer_id, o_product AS o_product"+n+", o_channel AS o_channel"+n+", opted AS opted"+n+" FROM "+q(jOptouts),
			"customer_id", "o_product"+n, "o_channel"+n)
	}
	where := []string{
		"coalesce(opted0, 0) + coalesce(opted1, 0) + coalesce(opted2, 0) + coalesce(opted3, 0) = 0",
		"coalesce(eligible, 0) = 1",
		"coalesce(blocked, 0) = 0",
		"coalesce(used, 0) < " + fmt.Sprint(j.Rules.CapPerPeriod),
		"(channel_cap = 0 OR coalesce(used_ch, 0) < channel_cap)",
		"p >= " + d.Num(j.Rules.MinPropensity),
		"p * margin - cost > " + d.Num(0),
	}
	st = append(st, g.createAs(jCands, "SELECT customer_id, product_id, channel, ch_order, tier, channel_cap, model_version, reason, p, p * margin - cost AS value, "+
		"coalesce(used_ch, 0) AS used_ch, "+fmt.Sprint(j.Rules.CapPerPeriod)+" - coalesce(used, 0) AS room\nFROM ("+cand+") c\nWHERE "+strings.Join(where, "\n  AND ")))
	// Per product its best channel; rank by tier, then value, then product; cut at the
	// channel caps, the room left under the cap and the offers kept per customer.
	st = append(st, g.createAs(jOffers, d.Rank(j.Keep)))
	st = append(st, "DROP TABLE IF EXISTS "+q(OffersTable))
	st = append(st, d.Rename(jOffers, OffersTable))
	for _, t := range jobTables {
		if t != jOffers {
			st = append(st, "DROP TABLE IF EXISTS "+q(t))
		}
	}
	return st
}

// windowRank ranks the candidates with window functions (DuckDB, PostgreSQL).
func windowRank(keep int) string {
	best := "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY customer_id, product_id ORDER BY value DESC, ch_order) AS best FROM " + jCands + ") b WHERE best = 1"
	chok := "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY customer_id, channel ORDER BY tier, value DESC, product_id) AS nth FROM (" + best +
		") b1) b2 WHERE channel_cap = 0 OR nth <= channel_cap - used_ch"
	ranked := "SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY tier, value DESC, product_id) AS r FROM (" + chok + ") b3"
	return "SELECT customer_id, CAST(r AS INTEGER) AS " + quoteIdent("rank") + ", product_id, channel, p AS p_accept, value AS expected_value, model_version, reason\nFROM (" +
		ranked + ") b4\nWHERE r <= least(" + fmt.Sprint(keep) + ", room)\nORDER BY customer_id, r"
}

// readme is the job's README.md: how to run it, what it reads and writes.
func (g *jobGen) readme(res *JobResult) string {
	d, j := g.d, g.j
	var b strings.Builder
	fmt.Fprintf(&b, "# acrm score --all as a %s batch job\n\n", d.Name)
	fmt.Fprintf(&b, "The total model of this workspace as SQL: the feature view, the kept model of each of %d products, the calibration to acceptance per channel, the value of every offer and the business rules. It writes the ranked offers `acrm score --all` writes, in table `%s` (customer_id, rank, product_id, channel, p_accept, expected_value, model_version, reason), as of %s.\n\n",
		len(j.Products), OffersTable, j.AsOf.Format(time.DateOnly))
	b.WriteString("## Run\n\nRun the three files in order, in one database that holds the input tables:\n\n")
	for i, f := range JobFiles {
		what := []string{"the per-customer feature view (table acrm_job_view)", "every product's model score (table acrm_job_scores)", "P(accept), value, the rules and the ranks; replaces " + OffersTable + " and drops the acrm_job_* tables"}[i]
		fmt.Fprintf(&b, "%d. `%s` — %s\n", i+1, f, what)
	}
	fmt.Fprintf(&b, "\nFor example:\n\n```\n")
	for _, f := range JobFiles {
		fmt.Fprintf(&b, "%s\n", strings.ReplaceAll(d.FileNote, "FILE.sql", f))
	}
	b.WriteString("```\n\n## Inputs\n\nThe canonical tables, with the workspace's columns: " + strings.Join(res.Inputs, ", ") + ".")
	if d.Name == "clickhouse" {
		b.WriteString(" They may be Distributed tables over several shards; the job's own tables are MergeTree tables on the server it runs on.")
	}
	b.WriteString("\n\n## What is fixed in the files\n\n")
	fmt.Fprintf(&b, "- The offers' day %s (the day after the data's snapshot) and the windows of the rules measured from it: offers from %s count against the caps, a refusal after %s blocks the product (cool-down), a campaign offer planned from %s is pending, and outbound offers after %s are read.\n",
		j.AsOf.Format(time.DateOnly), j.PeriodStart.Format(time.DateOnly), dateOr(j.CoolDownFrom, "(no cool-down)"), j.PendingFrom.Format(time.DateOnly), j.HistoryFrom.Format(time.DateOnly))
	fmt.Fprintf(&b, "- The calibration of each product's score to acceptance per channel, P = σ(a + b·logit(score)), with the coefficients score --all fitted on past campaign outcomes in scoring run %d: a maximum-likelihood fit, which is not one SQL statement. Re-emit the job after acrm score --all to refresh them.\n", j.RunID)
	rv := "the default rules"
	if j.RulesVersion > 0 {
		rv = fmt.Sprintf("rules version %d", j.RulesVersion)
	}
	fmt.Fprintf(&b, "- The economics and rules of %s: margins (× churn risk for retention) and contact costs with the rules' overrides; a cap of %d offers per %d-month period; cool-down %d days; minimum P(accept) %g; priority tiers %s; opt-outs always apply; at most %d ranked offers per customer.\n",
		rv, j.Rules.CapPerPeriod, j.Rules.PeriodMonths, j.Rules.CoolDownDays, j.Rules.MinPropensity, j.Rules.Objectives(), j.Keep)
	if e := strings.TrimSpace(j.Rules.Eligibility); e != "" {
		fmt.Fprintf(&b, "- The eligibility expression, copied as written over the feature view: `%s` (it must be valid %s SQL).\n", e, d.Name)
	}
	b.WriteString("- Channel capacity per week is not a rule of the scoring: campaign selection and the plan apply it.\n")
	if len(j.Skipped) > 0 {
		b.WriteString("\nProducts without a model are not offered: " + strings.Join(j.Skipped, "; ") + ".\n")
	}
	return b.String()
}

func dateOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.Format(time.DateOnly)
}

// arrayRank ranks the candidates with arrays (ClickHouse 18 has no window functions): per
// product the channel of highest value (argMax), then per customer the offers sorted as
// tuples (tier, −value, product), the same-channel position (arrayEnumerateUniq) against
// the channel cap, and the first least(keep, room).
func arrayRank(keep int) string {
	best := "SELECT customer_id, argMax(tuple(tier, -value, product_id, channel, channel_cap, used_ch, p, value, model_version, reason), tuple(value, -ch_order)) AS o, " +
		"any(room) AS room FROM " + quoteIdent(jCands) + " GROUP BY customer_id, product_id"
	per := "SELECT customer_id, arraySort(groupArray(o)) AS s, any(room) AS room FROM (" + best + ") GROUP BY customer_id"
	ok := "SELECT customer_id, arraySlice(arrayFilter((x, n) -> tupleElement(x, 5) = 0 OR n <= tupleElement(x, 5) - tupleElement(x, 6), s, " +
		"arrayEnumerateUniq(arrayMap(x -> tupleElement(x, 4), s))), 1, least(" + fmt.Sprint(keep) + ", room)) AS kept FROM (" + per + ")"
	return "SELECT customer_id, toInt32(r) AS " + quoteIdent("rank") + ", tupleElement(o, 3) AS product_id, tupleElement(o, 4) AS channel, " +
		"tupleElement(o, 7) AS p_accept, tupleElement(o, 8) AS expected_value, tupleElement(o, 9) AS model_version, tupleElement(o, 10) AS reason\nFROM (" +
		"SELECT customer_id, arrayJoin(arrayEnumerate(kept)) AS r, kept[r] AS o FROM (" + ok + "))\nORDER BY customer_id, r"
}
