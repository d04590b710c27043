package nbo

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/acrm-dev/acrm/analysis/sim"
)

// InboundLive is the inbound opportunity on the workspace's own data — the article's
// "100,000 inbound contacts a month, 5 % worth an offer, 10 % of those closed, 3,500 margin"
// with every input read from the history and the latest scoring — and the same inputs as
// acrm simulate inbound takes (Command runs it).
type InboundLive struct {
	// Contacts is inbound contacts a month over the 12 months up to the latest contact (the
	// default of acrm simulate inbound).
	Contacts float64
	// Threshold is the P(accept) an offer must reach; WithOffer the share of those inbound
	// contacts whose customer's best offer of the latest scoring reaches it.
	Threshold float64
	WithOffer float64
	// Offered and Closed count offers made on inbound contacts in the history plus the live
	// outcomes recorded since, and the accepted ones; Close is Closed/Offered.
	Offered, Closed int
	Close           float64
	// Margin is the mean margin (rules' overrides applied) of the best offer's product over
	// the inbound contacts with an offer.
	Margin float64
	Result sim.InboundResult
}

// Inbound computes the inbound opportunity at threshold (≤ 0: the rules' minimum propensity).
func (l *Live) Inbound(ctx context.Context, threshold float64) (*InboundLive, error) {
	if threshold <= 0 {
		threshold = l.Rules.MinPropensity
	}
	in := &InboundLive{Threshold: threshold}
	var err error
	if in.Contacts, err = sim.InboundContactsPerMonth(ctx, l.ws); err != nil {
		return nil, fmt.Errorf("nbo: inbound opportunity: %w", err)
	}
	rows, err := l.ws.QueryContext(ctx, `WITH inb AS (
			SELECT customer_id FROM contacts
			WHERE direction = 'inbound' AND ts > (SELECT max(ts) FROM contacts) - INTERVAL 12 MONTH)
		SELECT coalesce(o.product_id, 0), count(*) FROM inb
		LEFT JOIN acrm_nbo_offers o ON o.customer_id = inb.customer_id AND o.rank = 1 AND o.p_accept >= ?
		GROUP BY ALL`, threshold)
	if err != nil {
		return nil, fmt.Errorf("nbo: inbound opportunity: %w", err)
	}
	var all, with int
	var margin float64
	for rows.Next() {
		var pid, n int
		if err := rows.Scan(&pid, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("nbo: inbound opportunity: %w", err)
		}
		all += n
		if pid == 0 {
			continue
		}
		with += n
		if p, ok := l.Scoring.Products.Get(pid); ok {
			margin += float64(n) * p.Margin
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nbo: inbound opportunity: %w", err)
	}
	if all > 0 {
		in.WithOffer = float64(with) / float64(all)
	}
	if with > 0 {
		in.Margin = margin / float64(with)
	}
	err = l.ws.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE outcome = 'accepted') FROM contacts
		WHERE product_id IS NOT NULL AND ((direction = 'inbound' AND outcome IS NOT NULL) OR reason LIKE 'nbo live: %')`).Scan(&in.Offered, &in.Closed)
	if err != nil {
		return nil, fmt.Errorf("nbo: inbound opportunity: close rate: %w", err)
	}
	if in.Offered > 0 {
		in.Close = float64(in.Closed) / float64(in.Offered)
	}
	// Rounded as Command prints them, so that the command computes exactly this.
	in.Contacts, in.WithOffer, in.Close, in.Margin = math.Round(in.Contacts), round4(in.WithOffer), round4(in.Close), math.Round(in.Margin)
	if in.Result, err = in.Inputs().Calculate(); err != nil {
		return nil, fmt.Errorf("nbo: inbound opportunity: %w", err)
	}
	return in, nil
}

// Inputs are acrm simulate inbound's inputs.
func (in *InboundLive) Inputs() sim.Inbound {
	return sim.Inbound{Contacts: in.Contacts, Interesting: in.WithOffer, Close: in.Close, Margin: in.Margin}
}

// Command is the acrm simulate inbound command line with these inputs.
func (in *InboundLive) Command() string {
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	return "acrm simulate inbound --contacts " + f(in.Contacts, 0) + " --interesting " + f(in.WithOffer, 4) +
		" --close " + f(in.Close, 4) + " --margin " + f(in.Margin, 0)
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
