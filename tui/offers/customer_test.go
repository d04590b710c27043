package offers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/offers"
	"github.com/acrm-dev/acrm/tui/services"
)

// The fake's live side: two customers; the offers depend on the facts (locations ≥ 2 puts
// SD-WAN first) and on the outcomes recorded (each one uses the cap of 2; a declined product
// goes into cool-down), so the screen's keys visibly reach the use cases.
var fakeCustomers = []nbo.CustomerHit{{ID: 48213, Name: "Van Dijk Logistiek", Sector: "transport"}, {ID: 482, Name: "Bakkerij Jansen", Sector: "retail"}}

func (f *fake) SearchCustomers(_ context.Context, q string, limit int) ([]nbo.CustomerHit, error) {
	var out []nbo.CustomerHit
	for _, c := range fakeCustomers {
		if strings.HasPrefix(fmt.Sprint(c.ID), q) || strings.Contains(strings.ToLower(c.Name), strings.ToLower(q)) {
			out = append(out, c)
		}
	}
	return out[:min(limit, len(out))], nil
}

func (f *fake) LiveCustomer(_ context.Context, id int64) error {
	for _, c := range fakeCustomers {
		if c.ID == id {
			return nil
		}
	}
	return fmt.Errorf("nbo: customer %d: %w in the customers table", id, nbo.ErrUnknownCustomer)
}

func (f *fake) LiveOffers(_ context.Context, id int64, facts []nbo.Fact) (*services.LiveView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	locations := "1"
	for _, x := range facts {
		if x.Field != "locations" && x.Field != "employees" {
			return nil, &nbo.FactError{Fact: x, Msg: "unknown field of the customer view (acrm nbo --fields lists them)"}
		}
		if x.Field == "locations" {
			locations = x.Value
		}
	}
	d := &nbo.LiveDecision{Customer: id, Facts: facts, Usage: nbo.Usage{Total: len(f.outcomes), Cap: 2}}
	type cand struct {
		id   int
		p, v float64
	}
	cands := []cand{{12, 0.28, 4100}, {7, 0.22, 800}}
	if locations == "1" {
		cands = []cand{{7, 0.22, 800}, {12, 0.04, 410}}
	}
	declined := map[int]bool{}
	for _, o := range f.outcomes {
		if o.Outcome == nbo.OutcomeDeclined {
			declined[o.Product] = true
		}
	}
	rank := 0
	for _, c := range cands {
		switch {
		case len(f.outcomes) >= 2:
			d.Trace = append(d.Trace, nbo.Step{Product: c.id, Channel: "phone", Rule: nbo.RuleCap, Detail: "2 of 2 offers in this 6-month period"})
		case declined[c.id]:
			d.Trace = append(d.Trace, nbo.Step{Product: c.id, Channel: "phone", Rule: nbo.RuleCoolDown, Detail: "declined on 2026-11-01, 90 days"})
		default:
			rank++
			o := nbo.LiveOffer{Score: c.p, Why: fmt.Sprintf("pushed up by locations = %s (+0.81), sector=transport (+0.40)", locations)}
			o.Product, o.Channel, o.P, o.Value, o.Model, o.Rank = c.id, "phone", c.p, c.v, fmt.Sprintf("P%02d-lookalike@v1", c.id), rank
			d.Offers = append(d.Offers, o)
		}
	}
	d.Trace = append(d.Trace, nbo.Step{Product: 9, Channel: "mail", Rule: nbo.RuleOptOut, Detail: "opted out of mail"})
	card := &nbo.Card{ID: id, Name: "Van Dijk Logistiek", Segment: "top",
		Attrs:    [][2]string{{"sector", "transport"}, {"employees", "57"}, {"locations", locations}, {"region", "Noord-Brabant"}},
		Holdings: []string{"P01 Mobile voice since 2021-03-01", "P05 Broadband 500 since 2022-06-12"},
		Contacts: []string{"2026-10-02 email outbound P07 Cloud Backup no_response"}, OptOuts: []string{"mail, every product"},
		Events: []string{"2026-09-14 new_location 1"}}
	return &services.LiveView{Card: card, Decision: d, Names: map[int]string{7: "Cloud Backup", 12: "SD-WAN (2 sites)", 9: "Security Suite"}}, nil
}

func (f *fake) RecordOutcome(_ context.Context, o nbo.LiveOutcome) (*nbo.Recorded, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcomes = append(f.outcomes, o)
	return &nbo.Recorded{ContactID: int64(1000 + len(f.outcomes)), LiveOutcome: o}, nil
}

func (f *fake) UndoOutcome(context.Context) (*nbo.Recorded, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.outcomes) == 0 {
		return nil, fmt.Errorf("nbo: undo: %w", nbo.ErrNothingToUndo)
	}
	o := f.outcomes[len(f.outcomes)-1]
	f.outcomes = f.outcomes[:len(f.outcomes)-1]
	return &nbo.Recorded{ContactID: int64(1001 + len(f.outcomes)), LiveOutcome: o}, nil
}

// InboundOpportunity: the article's seed, from the fake's "workspace".
// A higher threshold leaves fewer contacts with an offer (WithOffer = 0.001 / threshold).
func (f *fake) InboundOpportunity(_ context.Context, threshold float64) (*nbo.InboundLive, error) {
	if threshold <= 0 {
		threshold = 0.02
	}
	f.thresholds = append(f.thresholds, threshold)
	in := &nbo.InboundLive{Contacts: 100000, Threshold: threshold, WithOffer: 0.001 / threshold, Offered: 2000, Closed: 200, Close: 0.10, Margin: 3500}
	r, err := in.Inputs().Calculate()
	in.Result = r
	return in, err
}

// findCustomer opens the customer panel, types part of a name and opens the first hit.
func findCustomer(t *testing.T, d *tuitest.Driver, m *tuitest.ScreenModel, q string) {
	t.Helper()
	d.Press(offers.DefaultKeyMap().Customer)
	d.Type(q)
	d.Settle(t, 10*time.Second)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "> 48213") {
		t.Fatalf("no hit while typing %q:\n%s", q, v)
	}
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
}

func addFact(t *testing.T, d *tuitest.Driver, fact string) {
	t.Helper()
	d.Press(offers.DefaultCustomerKeyMap().AddFact)
	d.Type(fact)
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
}

// TestCustomerGolden: a customer found by name, a fact told, the offers re-ranked with their
// reasons and trace, at 80×24 and 140×45.
func TestCustomerGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		t.Run(fmt.Sprintf("customer_%dx%d", size[0], size[1]), func(t *testing.T) {
			f := &fake{}
			m, d := open(t, f, size[0], size[1])
			findCustomer(t, d, m, "dijk")
			addFact(t, d, "locations=2")
			v := ansi.Strip(m.View())
			if !strings.Contains(v, "+ locations = 2") || !strings.Contains(v, "1  P12 SD-WAN") {
				t.Fatalf("fact not applied or offers not re-ranked:\n%s", v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// TestCustomerOutcomes: one key records an outcome, the cool-down and then the cap apply at
// once, u undoes; a bad fact changes nothing.
func TestCustomerOutcomes(t *testing.T) {
	f := &fake{}
	m, d := open(t, f, 140, 45)
	k := offers.DefaultCustomerKeyMap()
	findCustomer(t, d, m, "482")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Customer 48213") || !strings.Contains(v, "1  P07 Cloud Backup") {
		t.Fatalf("customer not shown:\n%s", v)
	}
	addFact(t, d, "colour=blue")
	if fl := m.LastFlash(); !fl.Error || !strings.Contains(fl.Text, "colour") {
		t.Errorf("bad fact: flash %+v", fl)
	}
	if v := ansi.Strip(m.View()); strings.Contains(v, "colour") && strings.Contains(v, "+ colour") {
		t.Errorf("a rejected fact is shown as told:\n%s", v)
	}
	d.Press(k.Declined)
	d.Settle(t, 10*time.Second)
	if len(f.outcomes) != 1 || f.outcomes[0].Product != 7 || f.outcomes[0].Outcome != nbo.OutcomeDeclined || f.outcomes[0].Customer != 48213 ||
		f.outcomes[0].P != 0.22 || f.outcomes[0].Model != "P07-lookalike@v1" {
		t.Fatalf("outcomes %+v", f.outcomes)
	}
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "P07 phone: cool-down") || !strings.Contains(v, "1  P12 SD-WAN") || !strings.Contains(v, "offers 1 of 2 this period") {
		t.Fatalf("cool-down not applied at once:\n%s", v)
	}
	d.Press(k.Accepted)
	d.Settle(t, 10*time.Second)
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "cap per period") || !strings.Contains(v, "no offer passes the rules") {
		t.Fatalf("cap not applied:\n%s", v)
	}
	d.Press(k.Undo)
	d.Settle(t, 10*time.Second)
	if len(f.outcomes) != 1 {
		t.Fatalf("undo left %d outcomes", len(f.outcomes))
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "undone: P12 by phone accepted") || !strings.Contains(v, "1  P12 SD-WAN") {
		t.Fatalf("after undo:\n%s", v)
	}
}

// TestCustomerInboundOpportunity: with no customer open the panel shows the inbound
// opportunity on the workspace's numbers (the article's sum: 100,000 × 5 % × 10 % × 3,500 =
// 1,750,000 a month) and the acrm simulate inbound command with the same inputs; at 80
// columns the card's title keeps the cap whole.
func TestCustomerInboundOpportunity(t *testing.T) {
	f := &fake{}
	m, d := open(t, f, 80, 24)
	d.Press(offers.DefaultKeyMap().Customer)
	d.Settle(t, 10*time.Second)
	d.Send(tuitest.Key("esc"))
	d.Settle(t, 10*time.Second)
	v := ansi.Strip(m.View())
	for _, want := range []string{"Inbound opportunity", "100,000", "5.0 %", "10.0 % (200 of 2,000 offers)", "€ 1,750,000",
		"acrm simulate inbound --contacts 100000 --interesting 0.0500 --close 0.1000 --margin 3500"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Fatalf("no %q in the inbound opportunity:\n%s", want, v)
		}
	}
	// + raises the threshold a step (2 % → 3 %): fewer contacts with an offer; - twice lowers it.
	d.Type("+")
	d.Settle(t, 10*time.Second)
	v = strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
	if !strings.Contains(v, "P ≥ 3.0 % 3.3 %") || f.thresholds[len(f.thresholds)-1] != 0.03 {
		t.Fatalf("after +: thresholds asked %v, view:\n%s", f.thresholds, v)
	}
	d.Type("--")
	d.Settle(t, 10*time.Second)
	v = strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
	if !strings.Contains(v, "P ≥ 1.0 % 10.0 %") || !slices.Contains(f.thresholds, 0.01) {
		t.Fatalf("after - -: thresholds asked %v, view:\n%s", f.thresholds, v)
	}
	findCustomer(t, d, m, "dijk")
	title := strings.Split(ansi.Strip(m.View()), "\n")[0]
	if !strings.Contains(title, "Customer 48213") || !strings.Contains(title, "0/2 offers") || strings.Contains(title, "…") {
		t.Fatalf("80-column title: %q", title)
	}
}
