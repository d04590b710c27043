package monitor

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Reasons a response-file row is rejected (the keys of ImportResult.ByReason).
const (
	RejectEncoding  = "wrong encoding"
	RejectColumns   = "wrong number of columns"
	RejectMissing   = "missing value"
	RejectCustomer  = "unknown customer"
	RejectCampaign  = "unknown campaign"
	RejectProduct   = "unknown product"
	RejectMismatch  = "product not the campaign's"
	RejectDate      = "bad date"
	RejectOutcome   = "bad outcome"
	RejectRevenue   = "bad revenue"
	RejectDuplicate = "duplicate row"
	RejectRecorded  = "already recorded"
)

// outcomeColumns are the response file's columns; each accepts the alternative names listed.
var outcomeColumns = [][]string{
	{"customer", "customer_id"}, {"campaign", "campaign_id"}, {"product", "product_id"},
	{"outcome"}, {"revenue"}, {"date", "ts"},
}

// Outcomes the contacts table knows.
var validOutcomes = map[string]bool{"accepted": true, "declined": true, "no_response": true}

// ImportOptions says what to import.
type ImportOptions struct {
	Path    string // CSV (comma or semicolon) with a header: customer, campaign, product, outcome, revenue, date
	Rejects string // rejects file; "" = Path without extension + ".rejects.csv"
	Strict  bool   // import nothing when any row is rejected
}

// Reject is one rejected row: its line in the file, why, and its fields as read.
type Reject struct {
	Line   int
	Reason string
	Detail string
	Fields []string
}

// ImportResult says what an import did.
type ImportResult struct {
	Rows        int // data rows read
	Accepted    int // rows written as contacts
	Rejected    []Reject
	ByReason    map[string]int
	RejectsPath string // "" when nothing was rejected
	FirstID     int64  // contact_id of the first imported row
	Written     bool   // false when Strict refused the file
}

type outcomeRow struct {
	line     int
	customer int64
	campaign int
	product  int
	outcome  string
	revenue  float64
	ts       time.Time
	channel  string
	fields   []string
}

type campaignInfo struct {
	product    int
	channel    string
	start, end time.Time
}

// ImportOutcomes reads a response file (customer, campaign, product, outcome, revenue, date)
// and checks it row by row: the encoding (UTF-8), the number of columns, empty values, the
// customer, campaign and product against the workspace (the product must be the campaign's),
// the date (YYYY-MM-DD, optionally with a time, not before the campaign's start), the outcome
// (accepted, declined, no_response), the revenue (a number ≥ 0), duplicates within the file
// and rows the workspace already holds (same campaign, customer, product and day). Accepted
// rows become contacts rows (outbound, the campaign's channel, reason "import") in one
// transaction; rejected rows go to the rejects file with their line and reason (temporary file
// + rename). A file that cannot be read at all is an error and changes nothing.
func ImportOutcomes(ctx context.Context, ws *workspace.Workspace, opt ImportOptions) (*ImportResult, error) {
	raw, err := os.ReadFile(opt.Path)
	if err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	for _, t := range []string{"customers", "campaigns", "products", "contacts"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("outcomes: the workspace has no %s table (acrm sample, or acrm import --as %s)", t, t)
		}
	}
	header, _, _ := bytes.Cut(raw, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(raw))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("outcomes: %s: read the header: %w", opt.Path, err)
	}
	idx, err := headerIndex(opt.Path, head)
	if err != nil {
		return nil, err
	}
	customers, err := idSet(ctx, ws, `SELECT customer_id FROM customers`)
	if err != nil {
		return nil, err
	}
	products, err := idSet(ctx, ws, `SELECT product_id FROM products`)
	if err != nil {
		return nil, err
	}
	camps, err := readCampaignInfo(ctx, ws)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{ByReason: map[string]int{}}
	reject := func(line int, reason, detail string, fields []string) {
		res.Rejected = append(res.Rejected, Reject{Line: line, Reason: reason, Detail: detail, Fields: fields})
		res.ByReason[reason]++
	}
	type key struct {
		customer      int64
		campaign, prd int
		day           string
	}
	seen := map[key]int{}
	var rows []outcomeRow
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Rows++
				reject(pe.Line, RejectColumns, pe.Err.Error(), rec)
				continue
			}
			return nil, fmt.Errorf("outcomes: %s: %w", opt.Path, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		res.Rows++
		row, reason, detail := parseOutcome(rec, idx, len(head))
		row.line, row.fields = line, rec
		if reason == "" {
			reason, detail = checkOutcome(&row, customers, products, camps)
		}
		if reason == "" {
			k := key{row.customer, row.campaign, row.product, row.ts.Format(time.DateOnly)}
			if first, dup := seen[k]; dup {
				reason, detail = RejectDuplicate, fmt.Sprintf("same customer, campaign, product and day as line %d", first)
			} else {
				seen[k] = line
			}
		}
		if reason != "" {
			reject(line, reason, detail, rec)
			continue
		}
		rows = append(rows, row)
	}
	// Rows the workspace already has: a contact of the campaign, customer and product that day.
	if len(rows) > 0 {
		have, err := recordedKeys(ctx, ws, rows)
		if err != nil {
			return nil, err
		}
		kept := rows[:0]
		for _, row := range rows {
			if have[fmt.Sprintf("%d/%d/%d/%s", row.campaign, row.customer, row.product, row.ts.Format(time.DateOnly))] {
				reject(row.line, RejectRecorded, "the workspace already has this campaign's contact with the customer for the product that day", row.fields)
				continue
			}
			kept = append(kept, row)
		}
		rows = kept
	}
	sort.Slice(res.Rejected, func(i, j int) bool { return res.Rejected[i].Line < res.Rejected[j].Line })
	if len(res.Rejected) > 0 {
		res.RejectsPath = opt.Rejects
		if res.RejectsPath == "" {
			res.RejectsPath = strings.TrimSuffix(opt.Path, filepath.Ext(opt.Path)) + ".rejects.csv"
		}
		if err := writeRejects(res.RejectsPath, head, res.Rejected); err != nil {
			return nil, err
		}
	}
	if opt.Strict && len(res.Rejected) > 0 || len(rows) == 0 {
		return res, nil
	}
	if err := writeOutcomes(ctx, ws, rows, res); err != nil {
		return nil, err
	}
	res.Accepted, res.Written = len(rows), true
	return res, nil
}

func headerIndex(path string, head []string) ([]int, error) {
	idx := make([]int, len(outcomeColumns))
	for i, names := range outcomeColumns {
		idx[i] = -1
		for j, h := range head {
			h = strings.ToLower(strings.TrimSpace(h))
			for _, n := range names {
				if h == n {
					if idx[i] >= 0 {
						return nil, fmt.Errorf("outcomes: %s: the header has the %s column twice (columns %d and %d)", path, names[0], idx[i]+1, j+1)
					}
					idx[i] = j
				}
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("outcomes: %s: the header has no %s column (want customer, campaign, product, outcome, revenue, date; got %s)",
				path, names[0], strings.Join(head, ", "))
		}
	}
	return idx, nil
}

// parseOutcome reads the fields of one row (no workspace lookups).
func parseOutcome(rec []string, idx []int, width int) (outcomeRow, string, string) {
	var row outcomeRow
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return row, RejectEncoding, fmt.Sprintf("column %d is not valid UTF-8 (a Latin-1 or Windows-1252 file? save it as UTF-8)", i+1)
		}
	}
	if len(rec) != width {
		return row, RejectColumns, fmt.Sprintf("%d columns, the header has %d", len(rec), width)
	}
	get := func(i int) string { return strings.TrimSpace(rec[idx[i]]) }
	names := []string{"customer", "campaign", "product", "outcome", "revenue", "date"}
	for i := range names {
		if names[i] != "revenue" && get(i) == "" {
			return row, RejectMissing, "no " + names[i]
		}
	}
	var err error
	if row.customer, err = strconv.ParseInt(get(0), 10, 64); err != nil {
		return row, RejectCustomer, fmt.Sprintf("customer %q is not a customer_id", get(0))
	}
	c, err := strconv.Atoi(get(1))
	if err != nil {
		return row, RejectCampaign, fmt.Sprintf("campaign %q is not a campaign_id", get(1))
	}
	row.campaign = c
	if row.product, err = strconv.Atoi(get(2)); err != nil {
		return row, RejectProduct, fmt.Sprintf("product %q is not a product_id", get(2))
	}
	row.outcome = strings.ToLower(get(3))
	if !validOutcomes[row.outcome] {
		return row, RejectOutcome, fmt.Sprintf("outcome %q: want accepted, declined or no_response", get(3))
	}
	if s := strings.ReplaceAll(get(4), ",", "."); s != "" {
		if row.revenue, err = strconv.ParseFloat(s, 64); err != nil || row.revenue < 0 || math.IsNaN(row.revenue) || math.IsInf(row.revenue, 0) {
			return row, RejectRevenue, fmt.Sprintf("revenue %q: want a number ≥ 0", get(4))
		}
	}
	if row.outcome != "accepted" && row.revenue != 0 {
		return row, RejectRevenue, fmt.Sprintf("revenue %s on a %s outcome: only an accepted offer books revenue", get(4), row.outcome)
	}
	ok := false
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, get(5)); err == nil {
			row.ts, ok = t, true
			break
		}
	}
	if !ok {
		return row, RejectDate, fmt.Sprintf("date %q: want YYYY-MM-DD (optionally with hh:mm:ss)", get(5))
	}
	return row, "", ""
}

// checkOutcome checks a parsed row against the workspace.
func checkOutcome(row *outcomeRow, customers, products map[int64]bool, camps map[int]*campaignInfo) (string, string) {
	if !customers[row.customer] {
		return RejectCustomer, fmt.Sprintf("customer %d is not in the customers table", row.customer)
	}
	c := camps[row.campaign]
	if c == nil {
		return RejectCampaign, fmt.Sprintf("campaign %d is not in the campaigns table", row.campaign)
	}
	if !products[int64(row.product)] {
		return RejectProduct, fmt.Sprintf("product %d is not in the products table", row.product)
	}
	if c.product != 0 && c.product != row.product {
		return RejectMismatch, fmt.Sprintf("product %d, but campaign %d offers product %d", row.product, row.campaign, c.product)
	}
	if !c.start.IsZero() && row.ts.Before(c.start) {
		return RejectDate, fmt.Sprintf("date %s is before campaign %d starts (%s)", row.ts.Format(time.DateOnly), row.campaign, c.start.Format(time.DateOnly))
	}
	if row.ts.After(time.Now().Add(24 * time.Hour)) {
		return RejectDate, fmt.Sprintf("date %s lies in the future", row.ts.Format(time.DateOnly))
	}
	row.channel = c.channel
	return "", ""
}

func idSet(ctx context.Context, ws *workspace.Workspace, q string) (map[int64]bool, error) {
	rows, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("outcomes: %w", err)
		}
		if id.Valid {
			out[id.Int64] = true
		}
	}
	return out, rows.Err()
}

func readCampaignInfo(ctx context.Context, ws *workspace.Workspace) (map[int]*campaignInfo, error) {
	rows, err := ws.QueryContext(ctx, `SELECT campaign_id, product_id, channel, start_date, end_date FROM campaigns`)
	if err != nil {
		return nil, fmt.Errorf("outcomes: read campaigns: %w", err)
	}
	defer rows.Close()
	out := map[int]*campaignInfo{}
	for rows.Next() {
		var id int
		var p sql.NullInt64
		var ch sql.NullString
		var s, e sql.NullTime
		if err := rows.Scan(&id, &p, &ch, &s, &e); err != nil {
			return nil, fmt.Errorf("outcomes: read campaigns: %w", err)
		}
		out[id] = &campaignInfo{product: int(p.Int64), channel: ch.String, start: s.Time, end: e.Time}
	}
	return out, rows.Err()
}

// recordedKeys lists campaign/customer/product/day of the contacts of the file's campaigns.
func recordedKeys(ctx context.Context, ws *workspace.Workspace, rows []outcomeRow) (map[string]bool, error) {
	ids := map[int]bool{}
	var in []string
	for _, r := range rows {
		if !ids[r.campaign] {
			ids[r.campaign] = true
			in = append(in, strconv.Itoa(r.campaign))
		}
	}
	q := `SELECT campaign_id, customer_id, product_id, strftime(ts, '%Y-%m-%d') FROM contacts
		WHERE product_id IS NOT NULL AND campaign_id IN (` + strings.Join(in, ",") + `)`
	res, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("outcomes: read recorded contacts: %w", err)
	}
	defer res.Close()
	out := map[string]bool{}
	for res.Next() {
		var c, p int
		var cu int64
		var d string
		if err := res.Scan(&c, &cu, &p, &d); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%d/%d/%d/%s", c, cu, p, d)] = true
	}
	return out, res.Err()
}

// writeOutcomes stages the rows with the appender and moves them into contacts in one
// transaction.
func writeOutcomes(ctx context.Context, ws *workspace.Workspace, rows []outcomeRow, res *ImportResult) error {
	const stage = workspace.StagePrefix + "outcomes"
	drop := func() { _, _ = ws.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stage) }
	drop()
	defer drop()
	if _, err := ws.ExecContext(ctx, "CREATE TABLE "+stage+" AS SELECT * FROM contacts WHERE false"); err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	var maxID sql.NullInt64
	if err := ws.QueryRowContext(ctx, `SELECT max(contact_id) FROM contacts`).Scan(&maxID); err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	res.FirstID = maxID.Int64 + 1
	err := ws.Append(ctx, stage, func(add workspace.AppendFunc) error {
		for i, r := range rows {
			var ch any
			if r.channel != "" {
				ch = r.channel
			}
			if err := add(res.FirstID+int64(i), r.customer, r.ts, ch, "outbound", int32(r.campaign), int32(r.product), r.outcome, r.revenue, "import"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outcomes: stage: %w", err)
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts BY NAME SELECT * FROM `+stage)
		return err
	})
	if err != nil {
		return fmt.Errorf("outcomes: write %d contacts: %w", len(rows), err)
	}
	return nil
}

// writeRejects writes the rejected rows (line, reason, detail, then the row's fields as read)
// to path through a temporary file and a rename.
func writeRejects(path string, head []string, rej []Reject) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rejects-*.csv")
	if err != nil {
		return fmt.Errorf("outcomes: rejects file: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	w := csv.NewWriter(bw)
	_ = w.Write(append([]string{"line", "reason", "detail"}, head...))
	for _, r := range rej {
		fields := make([]string, len(r.Fields))
		for i, f := range r.Fields {
			fields[i] = strings.ToValidUTF8(f, "\uFFFD")
		}
		_ = w.Write(append([]string{strconv.Itoa(r.Line), r.Reason, r.Detail}, fields...))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return fmt.Errorf("outcomes: rejects file: %w", err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("outcomes: rejects file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outcomes: rejects file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("outcomes: rejects file: %w", err)
	}
	return nil
}
