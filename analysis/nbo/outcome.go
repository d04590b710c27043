package nbo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The outcomes of a live offer.
const (
	OutcomeAccepted = "accepted"
	OutcomeDeclined = "declined"
	OutcomeLater    = "later"   // the customer will think about it: no answer yet
	OutcomeOptOut   = "opt_out" // declined, and no more offers of the product (or of anything) by the channel (or any)
)

// LiveOutcome is what the customer answered to a live offer. The offer is recorded as an
// outbound offer (we made it) in the contacts table — accepted, declined (also for an
// opt-out) or no_response (later) — with its reason "nbo live: <outcome>", and its score and
// model version in acrm_nbo_outcomes beside it (keyed by contact_id), so the cap and the
// cool-down count it at once. An opt-out also adds an optouts row: of Product (0 = every
// product) by Channel ("" = every channel).
type LiveOutcome struct {
	Customer int64
	Product  int
	Channel  string
	Outcome  string
	P        float64 // the offer's P(accept) when it was made
	Model    string  // model version behind P
	// OptOutProduct and OptOutChannel are the opt-out's scope (OutcomeOptOut only).
	OptOutProduct int
	OptOutChannel string
}

// Recorded is a recorded live outcome.
type Recorded struct {
	ContactID int64
	LiveOutcome
	TS time.Time
}

const outcomesDDL = `CREATE TABLE IF NOT EXISTS acrm_nbo_outcomes (contact_id BIGINT, customer_id BIGINT, product_id INTEGER,
	channel VARCHAR, outcome VARCHAR, p_accept DOUBLE, model_version VARCHAR, optout_product INTEGER, optout_channel VARCHAR,
	optout_added BOOLEAN, recorded_at TIMESTAMP)`

// Record writes a live outcome in one transaction (contacts row, acrm_nbo_outcomes row and,
// for an opt-out, the optouts row) dated l.At, and adds it to c's history so the next Offers
// applies the cap, cool-down and opt-out at once. c may be nil; when given it must be
// o.Customer.
func (l *Live) Record(ctx context.Context, c *Customer, o LiveOutcome) (*Recorded, error) {
	contactOutcome := ""
	switch o.Outcome {
	case OutcomeAccepted, OutcomeDeclined:
		contactOutcome = o.Outcome
	case OutcomeLater:
		contactOutcome = "no_response"
	case OutcomeOptOut:
		contactOutcome = OutcomeDeclined
	default:
		return nil, fmt.Errorf("nbo: outcome %q: want %s, %s, %s or %s", o.Outcome, OutcomeAccepted, OutcomeDeclined, OutcomeLater, OutcomeOptOut)
	}
	if _, ok := l.Scoring.Products.Get(o.Product); !ok {
		return nil, fmt.Errorf("nbo: outcome: no product %d in the products table", o.Product)
	}
	if !l.knownChannel(o.Channel) {
		return nil, fmt.Errorf("nbo: outcome: channel %q: want one of %s", o.Channel, strings.Join(l.Scoring.Channels, ", "))
	}
	if o.OptOutChannel != "" && !l.knownChannel(o.OptOutChannel) {
		return nil, fmt.Errorf("nbo: opt-out channel %q: want one of %s", o.OptOutChannel, strings.Join(l.Scoring.Channels, ", "))
	}
	if c != nil && c.ID != o.Customer {
		return nil, fmt.Errorf("nbo: outcome for customer %d recorded on customer %d's view", o.Customer, c.ID)
	}
	r := &Recorded{LiveOutcome: o, TS: l.At}
	added := false
	err := l.ws.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE customer_id = ?`, o.Customer).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("customer %d: %w in the customers table", o.Customer, ErrUnknownCustomer)
		}
		if _, err := tx.ExecContext(ctx, outcomesDDL); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(contact_id), 0) + 1 FROM contacts`).Scan(&r.ContactID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (contact_id, customer_id, ts, channel, direction, campaign_id, product_id, outcome, revenue, reason)
			VALUES (?, ?, ?, ?, 'outbound', NULL, ?, ?, NULL, ?)`, r.ContactID, o.Customer, r.TS, o.Channel, o.Product, contactOutcome, "nbo live: "+o.Outcome); err != nil {
			return err
		}
		if o.Outcome == OutcomeOptOut {
			var have int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM optouts WHERE customer_id = ? AND coalesce(product_id, 0) = ? AND coalesce(channel, '') = ?`,
				o.Customer, o.OptOutProduct, o.OptOutChannel).Scan(&have); err != nil {
				return err
			}
			if have == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO optouts (customer_id, product_id, channel, since) VALUES (?, ?, ?, ?::DATE)`,
					o.Customer, nullInt(o.OptOutProduct), nullStr(o.OptOutChannel), r.TS); err != nil {
					return err
				}
				added = true
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acrm_nbo_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ContactID, o.Customer, o.Product,
			o.Channel, o.Outcome, o.P, o.Model, nullInt(o.OptOutProduct), nullStr(o.OptOutChannel), added, time.Now().UTC())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("nbo: record outcome: %w", err)
	}
	l.touch(o.Customer)
	if c != nil {
		c.History.Offers = append(c.History.Offers, PastOffer{TS: r.TS, Product: o.Product, Channel: o.Channel, Outcome: contactOutcome})
		if added {
			c.History.OptOuts = append(c.History.OptOuts, OptOut{Product: o.OptOutProduct, Channel: o.OptOutChannel, Since: r.TS})
		}
	}
	return r, nil
}

// ErrNothingToUndo is returned by Undo when no live outcome is recorded.
var ErrNothingToUndo = errors.New("no live outcome to undo")

// Undo removes the last recorded live outcome (its contacts row, its acrm_nbo_outcomes row and
// the opt-out it added) in one transaction and returns it. c, when it is that customer, gets
// its history back.
func (l *Live) Undo(ctx context.Context, c *Customer) (*Recorded, error) {
	r := &Recorded{}
	var added bool
	err := l.ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, outcomesDDL); err != nil {
			return err
		}
		var op sql.NullInt64
		var oc sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT o.contact_id, o.customer_id, o.product_id, o.channel, o.outcome, o.p_accept, o.model_version,
			o.optout_product, o.optout_channel, o.optout_added, k.ts FROM acrm_nbo_outcomes o JOIN contacts k USING (contact_id)
			ORDER BY o.contact_id DESC LIMIT 1`).Scan(&r.ContactID, &r.Customer, &r.Product, &r.Channel, &r.Outcome, &r.P, &r.Model, &op, &oc, &added, &r.TS)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothingToUndo
		}
		if err != nil {
			return err
		}
		r.OptOutProduct, r.OptOutChannel = int(op.Int64), oc.String
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE contact_id = ?`, r.ContactID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_nbo_outcomes WHERE contact_id = ?`, r.ContactID); err != nil {
			return err
		}
		if added {
			_, err := tx.ExecContext(ctx, `DELETE FROM optouts WHERE customer_id = ? AND coalesce(product_id, 0) = ? AND coalesce(channel, '') = ? AND since = ?::DATE`,
				r.Customer, r.OptOutProduct, r.OptOutChannel, r.TS)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("nbo: undo: %w", err)
	}
	l.touch(r.Customer)
	if c != nil && c.ID == r.Customer {
		for i := len(c.History.Offers) - 1; i >= 0; i-- {
			if o := c.History.Offers[i]; o.Product == r.Product && o.Channel == r.Channel && o.TS.Equal(r.TS) {
				c.History.Offers = append(c.History.Offers[:i], c.History.Offers[i+1:]...)
				break
			}
		}
		if added {
			for i := len(c.History.OptOuts) - 1; i >= 0; i-- {
				if o := c.History.OptOuts[i]; o.Product == r.OptOutProduct && o.Channel == r.OptOutChannel {
					c.History.OptOuts = append(c.History.OptOuts[:i], c.History.OptOuts[i+1:]...)
					break
				}
			}
		}
	}
	return r, nil
}

func (l *Live) knownChannel(ch string) bool {
	for _, c := range l.Scoring.Channels {
		if c == ch {
			return true
		}
	}
	return false
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
