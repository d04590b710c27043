package nbo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// LoadHistories reads what the rules need for every customer row of s, as of at: opt-outs,
// outbound offers since the start of the cap period or the cool-down window (whichever is
// longer), offers planned by registered campaigns not yet contacted, the value segment, and
// whether the rules' eligibility expression holds.
func LoadHistories(ctx context.Context, ws *workspace.Workspace, rules *Rules, s *Scoring, at time.Time) ([]History, error) {
	var elig []int64
	e := strings.TrimSpace(rules.Eligibility)
	if e != "" {
		var err error
		if elig, err = filterIDs(ctx, ws, e); err != nil {
			return nil, fmt.Errorf("nbo: eligibility %q: %w", e, err)
		}
	}
	return loadHistories(ctx, ws, rules, s, at, 0, len(s.IDs), elig, e != "")
}

// loadHistories is LoadHistories for rows a … b-1 of s (s.IDs ascending), reading the rows
// of those customers only: element j is row a+j's history. With hasElig, elig lists the
// customers the eligibility expression holds for (any order; others are not eligible).
func loadHistories(ctx context.Context, ws *workspace.Workspace, rules *Rules, s *Scoring, at time.Time, a, b int, elig []int64, hasElig bool) ([]History, error) {
	h := make([]History, b-a)
	if a >= b {
		return h, nil
	}
	ps := PeriodStart(s.AsOf, at, rules.PeriodMonths)
	for j := range h {
		h[j].PeriodStart = ps
		h[j].Eligible = true
		if s.Segment != nil {
			h[j].Segment = s.Segment[a+j]
		}
	}
	lo, hi := s.IDs[a], s.IDs[b-1]
	row := func(id int64) int {
		if id < lo || id > hi {
			return -1
		}
		if i := s.Row(id); i >= a && i < b {
			return i - a
		}
		return -1
	}
	db := ws
	if ok, _ := ws.HasTable(ctx, "optouts"); ok {
		opts, err := datamart.OptOutsBetween(ctx, ws, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("nbo: %w", err)
		}
		for _, o := range opts {
			if j := row(o.CustomerID); j >= 0 {
				h[j].OptOuts = append(h[j].OptOuts, OptOut{Product: o.ProductID, Channel: o.Channel, Since: o.Since})
			}
		}
	}
	from := at.AddDate(0, -rules.PeriodMonths, 0)
	if cd := at.AddDate(0, 0, -rules.CoolDownDays); cd.Before(from) {
		from = cd
	}
	if ok, _ := ws.HasTable(ctx, "contacts"); ok {
		rows, err := db.QueryContext(ctx, `SELECT customer_id, ts, product_id, coalesce(channel, ''), coalesce(outcome, 'no_response') FROM contacts
			WHERE direction = 'outbound' AND product_id IS NOT NULL AND ts > ? AND customer_id BETWEEN ? AND ?`, from, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("nbo: read contacts: %w", err)
		}
		for rows.Next() {
			var id int64
			var o PastOffer
			if err := rows.Scan(&id, &o.TS, &o.Product, &o.Channel, &o.Outcome); err != nil {
				rows.Close()
				return nil, fmt.Errorf("nbo: read contacts: %w", err)
			}
			if j := row(id); j >= 0 {
				h[j].Offers = append(h[j].Offers, o)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("nbo: read contacts: %w", err)
		}
		// Registered campaigns whose contacted members have no contact row yet: planned
		// offers, counted against the caps from the campaign start.
		ok1, _ := ws.HasTable(ctx, "campaign_members")
		ok2, _ := ws.HasTable(ctx, "campaigns")
		if ok1 && ok2 {
			rows, err := db.QueryContext(ctx, `SELECT m.customer_id, c.start_date::TIMESTAMP, c.product_id, coalesce(c.channel, '')
				FROM campaign_members m JOIN campaigns c USING (campaign_id)
				WHERE m.contacted AND c.product_id IS NOT NULL AND c.end_date >= ?::DATE AND m.customer_id BETWEEN ? AND ?
				  AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.campaign_id = m.campaign_id AND k.customer_id = m.customer_id)`, from, lo, hi)
			if err != nil {
				return nil, fmt.Errorf("nbo: read planned offers: %w", err)
			}
			for rows.Next() {
				var id int64
				var o PastOffer
				if err := rows.Scan(&id, &o.TS, &o.Product, &o.Channel); err != nil {
					rows.Close()
					return nil, fmt.Errorf("nbo: read planned offers: %w", err)
				}
				if !o.TS.After(at) {
					o.TS = at // planned before the decision day: counts as made now
				}
				if j := row(id); j >= 0 {
					h[j].Offers = append(h[j].Offers, o)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("nbo: read planned offers: %w", err)
			}
		}
	}
	if hasElig {
		for j := range h {
			h[j].Eligible = false
		}
		for _, id := range elig {
			if j := row(id); j >= 0 {
				h[j].Eligible = true
			}
		}
	}
	return h, nil
}

// PeriodStart is the start of the contact-cap period containing at, periods being blocks of
// months starting at anchor (the scoring date, the day after the snapshot) and before it.
func PeriodStart(anchor, at time.Time, months int) time.Time {
	p := anchor
	for p.After(at) {
		p = p.AddDate(0, -months, 0)
	}
	for !p.AddDate(0, months, 0).After(at) {
		p = p.AddDate(0, months, 0)
	}
	return p
}

// filterIDs returns the customers of customer_view for which filter (one boolean expression,
// checked first) is true.
func filterIDs(ctx context.Context, ws *workspace.Workspace, filter string) ([]int64, error) {
	if _, err := segment.Validate(ctx, ws, filter); err != nil {
		return nil, err
	}
	rows, err := ws.QueryContext(ctx, "SELECT customer_id FROM "+segment.View+" WHERE coalesce((\n"+filter+"\n), false)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
