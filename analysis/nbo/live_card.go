package nbo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/datamart"
)

// CustomerHit is one customer found by Search.
type CustomerHit struct {
	ID     int64  `json:"customer_id"`
	Name   string `json:"name"`
	Sector string `json:"sector"`
}

// Search finds customers by id or name over the whole base: q of digits matches ids that
// start with it (the exact id first), any q matches names containing it (case-insensitive).
// At most limit hits (10 when limit ≤ 0), ids ascending after the exact match. An empty q
// finds nothing.
func (l *Live) Search(ctx context.Context, q string, limit int) ([]CustomerHit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 10
	}
	hasName, hasSector := l.customerCol("name"), l.customerCol("sector")
	name, sector := "''", "''"
	if hasName {
		name = "coalesce(name, '')"
	}
	if hasSector {
		sector = "coalesce(CAST(sector AS VARCHAR), '')"
	}
	var conds []string
	var args []any
	exact := int64(-1)
	if _, err := strconv.ParseUint(q, 10, 63); err == nil {
		exact, _ = strconv.ParseInt(q, 10, 64)
		conds = append(conds, "starts_with(CAST(customer_id AS VARCHAR), ?)")
		args = append(args, q)
	}
	if hasName {
		conds = append(conds, "contains(lower(name), lower(?))")
		args = append(args, q)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	args = append(args, exact, limit)
	rows, err := l.ws.QueryContext(ctx, `SELECT customer_id, `+name+`, `+sector+` FROM customers WHERE `+strings.Join(conds, " OR ")+`
		ORDER BY customer_id <> ?, customer_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("nbo: find customer %q: %w", q, err)
	}
	defer rows.Close()
	var out []CustomerHit
	for rows.Next() {
		var h CustomerHit
		if err := rows.Scan(&h.ID, &h.Name, &h.Sector); err != nil {
			return nil, fmt.Errorf("nbo: find customer %q: %w", q, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (l *Live) customerCol(name string) bool {
	c, ok := l.custCols[name]
	if !ok {
		return false
	}
	return c
}

// Card is the unified view of one customer on the Offers screen: attributes (the customer
// view's row, live facts applied), value segment, holdings, recent contacts over all channels,
// opt-outs and events.
type Card struct {
	ID       int64
	Name     string
	Segment  string
	Attrs    [][2]string // field, value as text, in the view's column order
	Holdings []string    // "P05 Broadband 500 since 2023-04-01"
	Contacts []string    // newest first: "2026-10-02 email outbound P07 Cloud Backup declined"
	OptOuts  []string    // "telemarketing, every product"
	Events   []string    // newest first: "2026-09-14 new_location 1"
}

// Card describes c for the screen, with facts applied to the attributes.
func (l *Live) Card(c *Customer, facts []Fact) (*Card, error) {
	tf, err := l.checkFacts(facts)
	if err != nil {
		return nil, err
	}
	v := withFacts(c.View, tf)
	card := &Card{ID: c.ID, Name: c.Name, Segment: c.Segment}
	for _, col := range v.Cols {
		if strings.EqualFold(col.Name, "customer_id") || strings.EqualFold(col.Name, "name") || strings.HasPrefix(col.Name, "own_p") {
			continue
		}
		val := "—"
		switch {
		case len(col.Null) > 0 && col.Null[0]:
		case col.Numeric && len(col.Num) > 0 && math.IsNaN(col.Num[0]): // missing in the frame
		case col.Numeric && len(col.Num) > 0:
			val = strconv.FormatFloat(col.Num[0], 'f', -1, 64)
		case len(col.Str) > 0:
			val = col.Str[0]
		}
		card.Attrs = append(card.Attrs, [2]string{col.Name, val})
	}
	pname := func(id int) string {
		if p, ok := l.Scoring.Products.Get(id); ok {
			return fmt.Sprintf("P%02d %s", id, p.Name)
		}
		return fmt.Sprintf("P%02d", id)
	}
	for _, h := range c.Holdings {
		if !h.Active(l.At) {
			continue
		}
		card.Holdings = append(card.Holdings, fmt.Sprintf("%s since %s", pname(h.ProductID), h.Start.Format("2006-01-02")))
	}
	for _, k := range c.Contacts {
		s := k.TS.Format("2006-01-02") + " " + k.Channel
		if k.Direction != k.Channel {
			s += " " + k.Direction
		}
		if k.ProductID != 0 {
			s += " " + pname(k.ProductID)
		}
		if k.Outcome != "" {
			s += " " + k.Outcome
		}
		card.Contacts = append(card.Contacts, s)
	}
	for _, o := range c.History.OptOuts {
		ch, p := "every channel", "every product"
		if o.Channel != "" {
			ch = o.Channel
		}
		if o.Product != 0 {
			p = pname(o.Product)
		}
		card.OptOuts = append(card.OptOuts, ch+", "+p)
	}
	for i := len(c.Events) - 1; i >= 0; i-- {
		e := c.Events[i]
		card.Events = append(card.Events, fmt.Sprintf("%s %s %s", e.TS.Format("2006-01-02"), e.Kind, strconv.FormatFloat(e.Value, 'f', -1, 64)))
	}
	return card, nil
}

// lookupCard reads what the card shows beyond the decision: the name and the events.
func (l *Live) lookupCard(ctx context.Context, c *Customer) error {
	if l.customerCol("name") {
		if err := l.ws.QueryRowContext(ctx, `SELECT coalesce(name, '') FROM customers WHERE customer_id = ?`, c.ID).Scan(&c.Name); err != nil {
			return fmt.Errorf("nbo: customer %d: name: %w", c.ID, err)
		}
	}
	if !l.hasEvents {
		return nil
	}
	return datamart.EachEvent(ctx, l.ws, c.ID, func(e datamart.Event) error {
		c.Events = append(c.Events, e)
		return nil
	})
}
