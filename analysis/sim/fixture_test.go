package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// The fixture is a small, fast contact history with a known frequency curve, encoded like the
// sample datamart (docs/DATAMART.md): four half years ending 2026-10-31, BAU campaigns capped
// at 3 offers per half year (top segment always 3), a 5 % global hold-out, and a randomized
// frequency test (8 % of the base, 30 % of the top) with cells freq-1 … freq-8. It lets the
// estimator be tested without the full generator.
type fixtureTruth struct {
	mTop, gTop, mBase, gBase float64
	q0                       float64
	base                     float64 // per-contact acceptance scale at the peak
}

var defaultTruth = fixtureTruth{mTop: 10, gTop: 2.08, mBase: 6.5, gBase: 1.6, q0: 0.004, base: 0.05}

func (t fixtureTruth) f(top bool, n float64) float64 {
	m, g := t.mBase, t.gBase
	if top {
		m, g = t.mTop, t.gTop
	}
	return math.Pow(n/m, g) * math.Exp(g*(1-n/m))
}

// effect is the true steady-state relative effect of going from a to b offers per half year.
func (t fixtureTruth) effect(top bool, a, b float64) float64 {
	return b*t.f(top, 2*b)/(a*t.f(top, 2*a)) - 1
}

var fixtureStart = time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)

func periodStart(p int) time.Time { return fixtureStart.AddDate(0, 6*p, 0) }

func buildFixture(t testing.TB, ws *workspace.Workspace, customers int, seed uint64, truth fixtureTruth) {
	t.Helper()
	ctx := context.Background()
	db := ws
	for _, q := range []string{
		`CREATE TABLE customers (customer_id BIGINT, monthly_revenue DOUBLE)`,
		`CREATE TABLE campaigns (campaign_id INTEGER, name VARCHAR, product_id INTEGER, channel VARCHAR, start_date DATE, end_date DATE, cost_per_contact DOUBLE, selection VARCHAR, period INTEGER)`,
		`CREATE TABLE campaign_members (campaign_id INTEGER, customer_id BIGINT, cell VARCHAR, contacted BOOLEAN)`,
		`CREATE TABLE contacts (contact_id BIGINT, customer_id BIGINT, ts TIMESTAMP, channel VARCHAR, direction VARCHAR, campaign_id INTEGER, product_id INTEGER, outcome VARCHAR, revenue DOUBLE, reason VARCHAR)`,
		`CREATE TABLE optouts (customer_id BIGINT, product_id INTEGER, channel VARCHAR, since DATE)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	rev := make([]float64, customers)
	for i := range rev {
		rev[i] = math.Exp(6 + 1.2*rng.NormFloat64())
	}
	sorted := append([]float64(nil), rev...)
	sort.Float64s(sorted)
	// top = first ⌈10 %⌉ by revenue; revenue values are continuous so no ties.
	threshold := sorted[customers-int(math.Ceil(0.1*float64(customers)))]
	// Campaign ids per period: 10p+1 BAU, 10p+2 hold-out, 10p+3 frequency test.
	err := ws.Append(ctx, "campaigns", func(add workspace.AppendFunc) error {
		for p := 0; p < 4; p++ {
			s, e := periodStart(p), periodStart(p+1).AddDate(0, 0, -1)
			for _, c := range []struct {
				id   int32
				sel  string
				prod any
			}{{int32(10*p + 1), "model", int32(5)}, {int32(10*p + 2), "control", nil}, {int32(10*p + 3), "frequency", nil}} {
				if err := add(c.id, c.sel, c.prod, "mail", s, e, 1.0, c.sel, int32(p+1)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type member struct {
		camp int32
		cust int64
		cell string
		hit  bool
	}
	type contact struct {
		cust int64
		ts   time.Time
		camp int32
		acc  bool
	}
	var members []member
	var contacts []contact
	type optout struct {
		cust  int64
		since time.Time
	}
	var optouts []optout
	for i := 0; i < customers; i++ {
		id := int64(i + 1)
		top := rev[i] >= threshold
		// A customer-level propensity independent of assignment.
		prop := math.Exp(0.5 * rng.NormFloat64())
		var times []time.Time
		optedOut := false
		for p := 0; p < 4 && !optedOut; p++ {
			ps := periodStart(p)
			days := periodStart(p+1).Sub(ps).Hours() / 24
			u := rng.Float64()
			var k int
			camp := int32(10*p + 1)
			switch {
			case u < 0.05:
				members = append(members, member{int32(10*p + 2), id, "holdout", false})
				continue
			case (top && u < 0.05+0.30) || (!top && u < 0.05+0.08):
				k = 1 + rng.IntN(8)
				camp = int32(10*p + 3)
				members = append(members, member{camp, id, "freq-" + string(rune('0'+k)), true})
			default:
				if top {
					k = 3
				} else {
					k = rng.IntN(4)
				}
				if k > 0 {
					members = append(members, member{camp, id, "target", true})
				}
			}
			for j := 0; j < k && !optedOut; j++ {
				ts := ps.Add(time.Duration((float64(j)+0.5)/float64(k)*days*24) * time.Hour).Add(time.Duration(rng.IntN(72)) * time.Hour)
				times = append(times, ts)
				n := 0
				for _, t0 := range times {
					if t0.After(ts.AddDate(0, 0, -365)) && !t0.After(ts) {
						n++
					}
				}
				pAcc := math.Min(0.9, truth.base*prop*truth.f(top, float64(n)))
				m := truth.mBase
				if top {
					m = truth.mTop
				}
				acc := rng.Float64() < pAcc
				contacts = append(contacts, contact{id, ts, camp, acc})
				if rng.Float64() < truth.q0*(float64(n)/m)*(float64(n)/m) {
					optouts = append(optouts, optout{id, ts})
					optedOut = true
				}
			}
		}
	}
	err = ws.Append(ctx, "customers", func(add workspace.AppendFunc) error {
		for i, r := range rev {
			if err := add(int64(i+1), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = ws.Append(ctx, "campaign_members", func(add workspace.AppendFunc) error {
		for _, m := range members {
			if err := add(m.camp, m.cust, m.cell, m.hit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = ws.Append(ctx, "contacts", func(add workspace.AppendFunc) error {
		for i, c := range contacts {
			outcome, revenue := "no_response", 0.0
			if c.acc {
				outcome, revenue = "accepted", 1000.0
			}
			if err := add(int64(i+1), c.cust, c.ts, "mail", "outbound", c.camp, int32(5), outcome, revenue, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = ws.Append(ctx, "optouts", func(add workspace.AppendFunc) error {
		for _, o := range optouts {
			if err := add(o.cust, nil, "mail", o.since); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
