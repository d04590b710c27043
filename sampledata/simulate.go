package sampledata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// PlannedContact is one contact a campaign intends to make.
type PlannedContact struct {
	CustomerID int64
	ProductID  int
	Channel    string
	TS         time.Time
	CampaignID int // 0 = none
}

// Profile is what the truth needs to know about a customer: the customers row and which
// products it holds (Owned[product_id], length NumProducts+1).
type Profile struct {
	Customer Customer
	Owned    []bool
}

// Outcome is the simulated result of one planned contact.
type Outcome struct {
	PlannedContact
	N             int     // outbound offer contacts in the 365 days up to and including this one (0 for inbound)
	Top           bool    // the customer is in the top value segment
	PAccept       float64 // the true chance that it converts
	Result        string  // accepted | declined | no_response
	Revenue       float64 // the product's margin when accepted
	OptOut        bool    // the contact made the customer opt out
	OptOutProduct int     // 0 = all products
	OptOutChannel string  // "" = all channels
}

// Simulate draws the outcomes of planned contacts from the ground truth. For an outbound offer
//
//	P(accept) = min(0.9, r_k · p_true · m_channel · f_seg(n)),
//
// n counting the customer's outbound offer contacts in the 365 days up to and including this one:
// those in prior (the workspace history; any order) and the earlier ones of plans. Inbound offers
// (channel inbound or web) have no fatigue factor. An offer of a product the customer holds
// converts with probability 0 (retention offers: one it does not hold). Outcomes within the plan
// do not change holdings. Each outbound offer that is not accepted may trigger an opt-out with
// probability q_seg(n). Every draw
// is seeded from (seed, customer, product, ts), so outcomes are reproducible and do not depend
// on the order of plans. Outcomes are returned in the order of plans.
func Simulate(ctx context.Context, plans []PlannedContact, profiles map[int64]*Profile, prior map[int64][]time.Time, seed uint64) ([]Outcome, error) {
	return simulateWith(ctx, plans, profiles, prior, seed, nil, nil)
}

// simulateWith is Simulate in a market with drift (mk nil: none) and organic purchases
// (organic[customer·64+product] = the Unix time the customer buys the product unprompted; an
// offer on or after that time finds the product held and does not convert, though its
// PAccept still says what it would have done). With both nil it is Simulate, draw for draw.
func simulateWith(ctx context.Context, plans []PlannedContact, profiles map[int64]*Profile, prior map[int64][]time.Time, seed uint64,
	mk *market, organic map[int64]int64) ([]Outcome, error) {
	t := GetTruth()
	prods := Products()
	out := make([]Outcome, len(plans))
	byCust := map[int64][]int{}
	for i, pl := range plans {
		if pl.ProductID < 1 || pl.ProductID > NumProducts {
			return nil, fmt.Errorf("sampledata: simulate: contact %d (customer %d): unknown product_id %d", i, pl.CustomerID, pl.ProductID)
		}
		if _, ok := ChannelMult[pl.Channel]; !ok {
			return nil, fmt.Errorf("sampledata: simulate: contact %d (customer %d): unknown channel %q (want one of %s)",
				i, pl.CustomerID, pl.Channel, strings.Join(Channels, ", "))
		}
		if profiles[pl.CustomerID] == nil {
			return nil, fmt.Errorf("sampledata: simulate: contact %d: customer %d is not in the customers table", i, pl.CustomerID)
		}
		byCust[pl.CustomerID] = append(byCust[pl.CustomerID], i)
	}
	ids := make([]int64, 0, len(byCust))
	for id := range byCust {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	p := make([]float64, NumProducts)
	for ci, id := range ids {
		if ci%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		idx := byCust[id]
		sort.SliceStable(idx, func(a, b int) bool { return plans[idx[a]].TS.Before(plans[idx[b]].TS) })
		pr := profiles[id]
		owned := pr.Owned
		has := func(k int) bool { return k < len(owned) && owned[k] }
		p = t.PTrueCustomer(&pr.Customer, has(ProdMobileVoice), has(ProdFixedVoice), has(ProdInternet), p)
		top := t.IsTop(pr.Customer.MonthlyRevenue)
		hist := make([]int64, 0, len(prior[id])+len(idx))
		for _, ts := range prior[id] {
			hist = append(hist, ts.Unix())
		}
		sort.Slice(hist, func(a, b int) bool { return hist[a] < hist[b] })
		for _, i := range idx {
			pl := plans[i]
			k := pl.ProductID
			o := Outcome{PlannedContact: pl, Top: top}
			ts := pl.TS.Unix()
			r := rand.NewPCG(seed^uint64(id)*0x9e3779b97f4a7c15, uint64(k)<<48^uint64(ts))
			inbound := pl.Channel == ChannelInbound || pl.Channel == ChannelWeb
			if !inbound {
				o.N = 1
				for _, h := range hist {
					if h > ts-yearSeconds && h <= ts {
						o.N++
					}
				}
				// Keep hist sorted: insert ts.
				j := sort.Search(len(hist), func(j int) bool { return hist[j] > ts })
				hist = append(hist, 0)
				copy(hist[j+1:], hist[j:])
				hist[j] = ts
			}
			eligible := has(k) == prods[k-1].IsRetention()
			if eligible {
				o.PAccept = t.AcceptProb(k, p[k-1], pl.Channel, o.N, top)
				if mk != nil {
					o.PAccept = math.Min(maxAccept, o.PAccept*mk.acceptMult(k, &pr.Customer))
				}
			}
			bought := false
			if ots, ok := organic[id*64+int64(k)]; ok && ots <= ts {
				bought = true
			}
			u1, u2, u3, u4 := unit(r), unit(r), unit(r), unit(r)
			switch {
			case u1 < o.PAccept && !bought:
				o.Result = "accepted"
				o.Revenue = prods[k-1].Margin
			case u2 < 0.35:
				o.Result = "declined"
			default:
				o.Result = "no_response"
			}
			if !inbound && u3 < OptoutProb(o.N, top) && o.Result != "accepted" {
				o.OptOut = true
				switch {
				case u4 < 0.6:
					o.OptOutChannel = pl.Channel
				case u4 < 0.8:
					o.OptOutProduct = k
				}
			}
			out[i] = o
		}
	}
	return out, nil
}

// unit is a uniform draw in [0, 1) from the 53 high bits of the generator.
func unit(r *rand.PCG) float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// LoadProfiles reads the profiles of all customers of the workspace (customers + open
// holdings). It expects the sample datamart's codes for sector, size_class and region.
func LoadProfiles(ctx context.Context, ws *workspace.Workspace) (map[int64]*Profile, error) {
	return loadProfiles(ctx, ws, "customers", nil)
}

// loadProfiles reads customers of the relation from (which must expose a customer_id column
// restricting the set) with their open holdings.
func loadProfiles(ctx context.Context, db *workspace.Workspace, from string, args []any) (map[int64]*Profile, error) {
	secIdx := map[string]int{}
	for i, s := range sectors {
		secIdx[s.name] = i
	}
	sizeIdx := map[string]int{}
	for i, s := range sizeClasses {
		sizeIdx[s] = i
	}
	regIdx := map[string]int{}
	for i, r := range regions {
		regIdx[r.name] = i
	}
	q := `SELECT c.customer_id, c.name, c.sector, c.size_class, c.employees, c.region, c.tenure_months,
		c.monthly_revenue, c.mobile_subs, c.data_gb_month, c.fixed_lines, c.locations,
		coalesce(c.contract_end_months, -1), c.payment_delay_days, coalesce(c.nps, -1), c.digital_affinity
		FROM customers c WHERE c.customer_id IN (SELECT customer_id FROM ` + from + `)`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sampledata: read customers: %w", err)
	}
	out := map[int64]*Profile{}
	for rows.Next() {
		pr := &Profile{Owned: make([]bool, NumProducts+1)}
		c := &pr.Customer
		var sec, size, reg string
		var name sql.NullString
		if err := rows.Scan(&c.ID, &name, &sec, &size, &c.Employees, &reg, &c.Tenure, &c.MonthlyRevenue,
			&c.MobileSubs, &c.DataGB, &c.FixedLines, &c.Locations, &c.ContractEnd, &c.PaymentDelay, &c.NPS,
			&c.Digital); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sampledata: read customers: %w", err)
		}
		c.Name = name.String
		var ok1, ok2, ok3 bool
		c.Sector, ok1 = secIdx[sec]
		c.Size, ok2 = sizeIdx[size]
		c.Region, ok3 = regIdx[reg]
		if !ok1 || !ok2 || !ok3 || c.Employees < 1 || c.Locations < 1 || c.MonthlyRevenue <= 0 {
			rows.Close()
			return nil, fmt.Errorf("sampledata: customer %d (sector %q, size_class %q, region %q, employees %d, locations %d, monthly_revenue %g) is outside the sample datamart's domain; the market simulator only knows customers generated by acrm sample",
				c.ID, sec, size, reg, c.Employees, c.Locations, c.MonthlyRevenue)
		}
		out[c.ID] = pr
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sampledata: read customers: %w", err)
	}
	hq := `SELECT customer_id, product_id FROM holdings WHERE end_date IS NULL
		AND customer_id IN (SELECT customer_id FROM ` + from + `)`
	hrows, err := db.QueryContext(ctx, hq, args...)
	if err != nil {
		return nil, fmt.Errorf("sampledata: read holdings: %w", err)
	}
	defer hrows.Close()
	for hrows.Next() {
		var id int64
		var k int
		if err := hrows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("sampledata: read holdings: %w", err)
		}
		if pr := out[id]; pr != nil && k >= 1 && k <= NumProducts {
			pr.Owned[k] = true
		}
	}
	return out, hrows.Err()
}

// loadPrior reads the outbound offer contacts of the customers in from, since the given time.
func loadPrior(ctx context.Context, db *workspace.Workspace, from string, args []any, since time.Time) (map[int64][]time.Time, error) {
	q := `SELECT customer_id, ts FROM contacts WHERE direction = 'outbound' AND product_id IS NOT NULL
		AND ts > ? AND customer_id IN (SELECT customer_id FROM ` + from + `)`
	rows, err := db.QueryContext(ctx, q, append([]any{since}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sampledata: read prior contacts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]time.Time{}
	for rows.Next() {
		var id int64
		var ts time.Time
		if err := rows.Scan(&id, &ts); err != nil {
			return nil, fmt.Errorf("sampledata: read prior contacts: %w", err)
		}
		out[id] = append(out[id], ts)
	}
	return out, rows.Err()
}

// LoadPrior reads every customer's outbound offer contacts since the given time.
func LoadPrior(ctx context.Context, ws *workspace.Workspace, since time.Time) (map[int64][]time.Time, error) {
	return loadPrior(ctx, ws, "customers", nil, since)
}

// RespondSummary counts what Respond wrote.
type RespondSummary struct {
	CampaignID                           int
	Contacts, Accepted, Declined, NoResp int
	OptOuts                              int
	Revenue                              float64
	FirstContactID                       int64
	Product                              int
	Channel                              string
}

// ErrNoCampaign is returned by Respond for an unknown campaign id.
var ErrNoCampaign = errors.New("no such campaign")

// Respond simulates a registered campaign: every member with contacted = true that has no
// contact row for the campaign yet gets one, dated inside the campaign window (a fixed day per
// customer), with an outcome drawn by Simulate (counting the customer's prior outbound offers in
// the workspace). Contacts and the opt-outs they trigger are written in one transaction; running
// it again adds nothing. The same seed gives the same outcomes.
func Respond(ctx context.Context, ws *workspace.Workspace, campaignID int, seed uint64) (RespondSummary, error) {
	sum := RespondSummary{CampaignID: campaignID}
	db := ws
	var prod sql.NullInt64
	var ch sql.NullString
	var start, end time.Time
	err := db.QueryRowContext(ctx, `SELECT product_id, channel, start_date, end_date FROM campaigns WHERE campaign_id = ?`,
		campaignID).Scan(&prod, &ch, &start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return sum, fmt.Errorf("sampledata: respond: campaign %d: %w", campaignID, ErrNoCampaign)
	}
	if err != nil {
		return sum, fmt.Errorf("sampledata: respond: read campaign %d: %w", campaignID, err)
	}
	if !prod.Valid || prod.Int64 < 1 || prod.Int64 > int64(NumProducts) {
		return sum, fmt.Errorf("sampledata: respond: campaign %d has product_id %v; want one product 1..%d", campaignID, nullDesc(prod.Valid, prod.Int64), NumProducts)
	}
	if _, ok := ChannelMult[ch.String]; !ch.Valid || !ok {
		return sum, fmt.Errorf("sampledata: respond: campaign %d has channel %q; want one of %s", campaignID, ch.String, strings.Join(Channels, ", "))
	}
	if end.Before(start) {
		return sum, fmt.Errorf("sampledata: respond: campaign %d ends (%s) before it starts (%s)", campaignID,
			end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	sum.Product, sum.Channel = int(prod.Int64), ch.String
	from := `(SELECT m.customer_id FROM campaign_members m WHERE m.campaign_id = ? AND m.contacted
		AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = m.campaign_id AND c.customer_id = m.customer_id))`
	args := []any{campaignID}
	profiles, err := loadProfiles(ctx, db, from, args)
	if err != nil {
		return sum, fmt.Errorf("sampledata: respond: campaign %d: %w", campaignID, err)
	}
	var missing sql.NullInt64
	var nMissing int
	if err := db.QueryRowContext(ctx, `SELECT min(customer_id), count(*) FROM `+from+` f
		WHERE customer_id NOT IN (SELECT customer_id FROM customers)`, args...).Scan(&missing, &nMissing); err != nil {
		return sum, fmt.Errorf("sampledata: respond: campaign %d: %w", campaignID, err)
	}
	if nMissing > 0 {
		return sum, fmt.Errorf("sampledata: respond: campaign %d: %d contacted member(s) are not in customers (first: customer_id %d); nothing written",
			campaignID, nMissing, missing.Int64)
	}
	if len(profiles) == 0 {
		return sum, nil
	}
	prior, err := loadPrior(ctx, db, from, args, start.AddDate(-1, 0, -1))
	if err != nil {
		return sum, fmt.Errorf("sampledata: respond: campaign %d: %w", campaignID, err)
	}
	days := int(end.Sub(start).Hours()/24) + 1
	plans := make([]PlannedContact, 0, len(profiles))
	for id := range profiles {
		ts := contactTime(campaignID, id, start, days)
		plans = append(plans, PlannedContact{CustomerID: id, ProductID: sum.Product, Channel: sum.Channel, TS: ts, CampaignID: campaignID})
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].CustomerID < plans[j].CustomerID })
	outs, err := Simulate(ctx, plans, profiles, prior, seed)
	if err != nil {
		return sum, err
	}
	var maxID sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(contact_id) FROM contacts`).Scan(&maxID); err != nil {
		return sum, fmt.Errorf("sampledata: respond: %w", err)
	}
	sum.FirstContactID = maxID.Int64 + 1
	stage := fmt.Sprintf("acrm_stage_respond_%d", campaignID)
	stageOpt := stage + "_optouts"
	drop := func() {
		_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+workspace.QuoteIdent(stage))
		_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+workspace.QuoteIdent(stageOpt))
	}
	drop()
	defer drop()
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+workspace.QuoteIdent(stage)+" "+tableDDL["contacts"]); err != nil {
		return sum, fmt.Errorf("sampledata: respond: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+workspace.QuoteIdent(stageOpt)+" "+tableDDL["optouts"]); err != nil {
		return sum, fmt.Errorf("sampledata: respond: %w", err)
	}
	err = ws.Append(ctx, stage, func(add workspace.AppendFunc) error {
		for i, o := range outs {
			if err := add(sum.FirstContactID+int64(i), o.CustomerID, o.TS, o.Channel, "outbound", int32(campaignID),
				int32(o.ProductID), o.Result, o.Revenue, nil); err != nil {
				return err
			}
			switch o.Result {
			case "accepted":
				sum.Accepted++
			case "declined":
				sum.Declined++
			default:
				sum.NoResp++
			}
			sum.Revenue += o.Revenue
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: respond: %w", err)
	}
	err = ws.Append(ctx, stageOpt, func(add workspace.AppendFunc) error {
		for _, o := range outs {
			if o.OptOut {
				sum.OptOuts++
				if err := add(o.CustomerID, nullInt(o.OptOutProduct), nullStr(o.OptOutChannel), o.TS.Truncate(24*time.Hour)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: respond: %w", err)
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (contact_id, customer_id, ts, channel, direction, campaign_id,
			product_id, outcome, revenue, reason) SELECT * FROM `+workspace.QuoteIdent(stage)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO optouts (customer_id, product_id, channel, since) SELECT * FROM `+workspace.QuoteIdent(stageOpt))
		return err
	})
	if err != nil {
		return RespondSummary{CampaignID: campaignID}, fmt.Errorf("sampledata: respond: write outcomes of campaign %d: %w", campaignID, err)
	}
	sum.Contacts = len(outs)
	return sum, nil
}

// contactTime is the day and time (09:00–17:00) campaign's member id is contacted: a fixed
// day of the campaign's days from start, by a hash of the two ids.
func contactTime(campaignID int, id int64, start time.Time, days int) time.Time {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d", campaignID, id)
	v := h.Sum64()
	return start.Add(time.Duration(v%uint64(days))*24*time.Hour + time.Duration(9*3600+(v>>20)%(8*3600))*time.Second)
}

func nullDesc(valid bool, v int64) string {
	if !valid {
		return "NULL"
	}
	return fmt.Sprint(v)
}
