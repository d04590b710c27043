package offers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/units"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// The results of the customer panel's jobs.
type (
	customersFound struct {
		q    string
		hits []nbo.CustomerHit
	}
	// decided is a customer's card and offers for a set of facts; the panel takes the facts
	// only when the decision succeeds, so a bad fact changes nothing.
	decided struct {
		id    int64
		facts []nbo.Fact
		view  *services.LiveView
	}
	inboundLoaded   struct{ in *nbo.InboundLive }
	outcomeRecorded struct {
		rec  *nbo.Recorded
		undo bool
		view *services.LiveView // the customer's offers after it (the rules applied at once)
	}
)

// CustomerKeyMap are the customer panel's keys.
type CustomerKeyMap struct {
	Find     key.Binding
	Up, Down key.Binding
	AddFact  key.Binding
	DropFact key.Binding
	Accepted key.Binding
	Declined key.Binding
	Later    key.Binding
	OptOut   key.Binding
	Undo     key.Binding
	Campaign key.Binding
	Inbound  key.Binding
	Raise    key.Binding
	Lower    key.Binding
}

// DefaultCustomerKeyMap returns the customer panel's default keys.
func DefaultCustomerKeyMap() CustomerKeyMap {
	return CustomerKeyMap{
		Find:     keys.Key("/", "find customer"),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose offer")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "choose offer")),
		AddFact:  keys.Key("a", "add fact"),
		DropFact: keys.Key("x", "remove fact"),
		Accepted: keys.Key("A", "accepted"),
		Declined: keys.Key("D", "declined"),
		Later:    keys.Key("L", "later"),
		OptOut:   keys.Key("O", "opt out"),
		Undo:     keys.Key("u", "undo outcome"),
		Campaign: keys.Key("c", "campaign panel"),
		Inbound:  keys.Key("i", "inbound opportunity in Simulate"),
		Raise:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "inbound threshold")),
		Lower:    key.NewBinding(key.WithKeys("-"), key.WithHelp("+/-", "inbound threshold")),
	}
}

// ShortHelp implements help.KeyMap.
func (k CustomerKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Find, k.Up, k.AddFact, k.DropFact, k.Accepted, k.Declined, k.Later, k.OptOut, k.Undo, k.Inbound, k.Raise, k.Campaign}
}

// FullHelp implements help.KeyMap.
func (k CustomerKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// customerPanel finds one customer, shows the unified view and the ranked offers with their
// reasons and the decision trace, takes live facts and records outcomes. Every call is a job.
type customerPanel struct {
	c    *common.Common
	svc  services.LiveService
	keys CustomerKeyMap

	search    textinput.Model
	searching bool
	hits      []nbo.CustomerHit
	hitIdx    int
	hitsFor   string

	fact    textinput.Model
	editing bool

	id     int64
	facts  []nbo.Fact
	view   *services.LiveView
	sel    int
	busy   string
	err    error
	last   *nbo.Recorded
	undone bool

	inbound    *nbo.InboundLive // the inbound opportunity on the workspace's data
	threshold  float64          // its P(accept) threshold (0: the rules' minimum propensity)
	inboundErr error
}

func newCustomerPanel(c *common.Common) *customerPanel {
	p := &customerPanel{c: c, svc: c.Live, keys: DefaultCustomerKeyMap()}
	p.search = textinput.New()
	p.search.Prompt = "find customer (id or name): "
	p.search.CharLimit = 60
	p.fact = textinput.New()
	p.fact.Prompt = "told in this call (field=value): "
	p.fact.CharLimit = 80
	return p
}

func (p *customerPanel) inputFocused() bool { return p.searching || p.editing }

func (p *customerPanel) keyMap() help.KeyMap { return p.keys }

// open starts a search (the panel's entry point from the campaign panel).
func (p *customerPanel) open() tea.Cmd {
	p.searching = true
	p.search.SetValue("")
	p.hits, p.hitIdx = nil, 0
	return tea.Batch(p.search.Focus(), p.loadInbound())
}

// loadInbound computes the inbound opportunity (contacts a month, share with an offer, close
// rate so far, margin) as a job.
func (p *customerPanel) loadInbound() tea.Cmd {
	if p.svc == nil {
		return nil
	}
	svc, threshold := p.svc, p.threshold
	_, cmd := common.Start(p.c.Jobs, ID, "inbound opportunity", func(ctx context.Context, _ func(common.Progress)) (inboundLoaded, error) {
		in, err := svc.InboundOpportunity(ctx, threshold)
		return inboundLoaded{in}, err
	})
	return cmd
}

// inboundSteps are the thresholds + and - move the inbound opportunity's threshold along.
var inboundSteps = []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5}

// moveThreshold moves the inbound threshold one step up (+1) or down (−1) from the last one
// asked for (the one shown at first) and recomputes the opportunity.
func (p *customerPanel) moveThreshold(dir int) tea.Cmd {
	if p.inbound == nil {
		return common.Refuse("the inbound opportunity is not computed yet")
	}
	cur, next := p.inbound.Threshold, 0.0
	if p.threshold > 0 {
		cur = p.threshold
	}
	for i := range inboundSteps {
		s := inboundSteps[i]
		if dir < 0 {
			s = inboundSteps[len(inboundSteps)-1-i]
		}
		if dir > 0 && s > cur*(1+1e-9) || dir < 0 && s < cur*(1-1e-9) {
			next = s
			break
		}
	}
	if next == 0 {
		return common.Flash(fmt.Sprintf("the threshold is at its %s", map[bool]string{true: "highest", false: "lowest"}[dir > 0]))
	}
	p.threshold = next
	return p.loadInbound()
}

// openInbound shows the inbound opportunity's inputs on the Simulate screen's inbound panel.
func (p *customerPanel) openInbound() tea.Cmd {
	if p.inbound == nil {
		return common.Refuse("the inbound opportunity is not computed yet")
	}
	in := p.inbound.Inputs()
	return tea.Sequence(func() tea.Msg { return common.SwitchMsg{Screen: "simulate"} },
		func() tea.Msg {
			return common.InboundMsg{Inputs: in, Source: "the Offers screen's inbound opportunity"}
		})
}

func (p *customerPanel) find(q string) tea.Cmd {
	svc := p.svc
	_, cmd := common.Start(p.c.Jobs, ID, "finding customers", func(ctx context.Context, _ func(common.Progress)) (customersFound, error) {
		h, err := svc.SearchCustomers(ctx, q, 8)
		return customersFound{q: q, hits: h}, err
	})
	return cmd
}

func (p *customerPanel) decide(id int64, facts []nbo.Fact, lookup bool) tea.Cmd {
	svc := p.svc
	label := "re-ranking offers"
	if lookup {
		label = fmt.Sprintf("reading customer %d", id)
	}
	p.busy = label + "…"
	_, cmd := common.Start(p.c.Jobs, ID, label, func(ctx context.Context, _ func(common.Progress)) (decided, error) {
		if lookup {
			if err := svc.LiveCustomer(ctx, id); err != nil {
				return decided{}, err
			}
		}
		v, err := svc.LiveOffers(ctx, id, facts)
		return decided{id: id, facts: facts, view: v}, err
	})
	return cmd
}

func (p *customerPanel) record(outcome string) tea.Cmd {
	if p.busy != "" {
		return common.Flash("wait: " + p.busy)
	}
	if p.view == nil || len(p.view.Decision.Offers) == 0 {
		return common.Flash("no offer to answer: find a customer with an offer first (/)")
	}
	o := p.view.Decision.Offers[min(p.sel, len(p.view.Decision.Offers)-1)]
	lo := nbo.LiveOutcome{Customer: p.id, Product: o.Product, Channel: o.Channel, Outcome: outcome, P: o.P, Model: o.Model}
	if outcome == nbo.OutcomeOptOut {
		lo.OptOutProduct, lo.OptOutChannel = o.Product, o.Channel
	}
	svc, id, facts := p.svc, p.id, p.facts
	p.busy = "recording " + outcome + "…"
	_, cmd := common.Start(p.c.Jobs, ID, "recording the outcome", func(ctx context.Context, _ func(common.Progress)) (outcomeRecorded, error) {
		r, err := svc.RecordOutcome(ctx, lo)
		if err != nil {
			return outcomeRecorded{}, err
		}
		v, err := svc.LiveOffers(ctx, id, facts)
		return outcomeRecorded{rec: r, view: v}, err
	})
	return cmd
}

func (p *customerPanel) undo() tea.Cmd {
	if p.busy != "" {
		return common.Flash("wait: " + p.busy)
	}
	svc, id, facts := p.svc, p.id, p.facts
	p.busy = "undoing the last outcome…"
	_, cmd := common.Start(p.c.Jobs, ID, "undoing the last outcome", func(ctx context.Context, _ func(common.Progress)) (outcomeRecorded, error) {
		r, err := svc.UndoOutcome(ctx)
		if err != nil {
			return outcomeRecorded{}, err
		}
		out := outcomeRecorded{rec: r, undo: true}
		if id != 0 {
			out.view, err = svc.LiveOffers(ctx, id, facts)
		}
		return out, err
	})
	return cmd
}

// update handles the panel's job results; ok reports whether msg was one.
func (p *customerPanel) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.Done[inboundLoaded]:
		// A result for a threshold no longer asked for (+/- pressed again meanwhile) is dropped.
		if in := msg.Value.in; !msg.Cancelled && (msg.Err != nil || in == nil || p.threshold == 0 || in.Threshold == p.threshold) {
			p.inbound, p.inboundErr = in, msg.Err
		}
		return nil, true
	case common.Done[customersFound]:
		if msg.Cancelled {
			return nil, true
		}
		if msg.Err != nil {
			p.err = msg.Err
			return nil, true
		}
		p.hits, p.hitsFor, p.err = msg.Value.hits, msg.Value.q, nil
		p.hitIdx = min(p.hitIdx, max(0, len(p.hits)-1))
		return nil, true
	case common.Done[decided]:
		p.busy = ""
		if msg.Cancelled {
			return nil, true
		}
		if msg.Err != nil {
			var fe *nbo.FactError
			if errors.As(msg.Err, &fe) {
				return common.FlashError(msg.Err), true // the fact is not taken
			}
			p.err = msg.Err
			return nil, true
		}
		v := msg.Value
		if v.id != p.id {
			p.sel, p.last, p.undone = 0, nil, false
		}
		p.id, p.facts, p.view, p.err = v.id, v.facts, v.view, nil
		p.sel = min(p.sel, max(0, len(p.view.Decision.Offers)-1))
		return nil, true
	case common.Done[outcomeRecorded]:
		p.busy = ""
		if msg.Cancelled {
			return nil, true
		}
		if msg.Err != nil {
			return common.FlashError(msg.Err), true
		}
		r := msg.Value
		p.last, p.undone = r.rec, r.undo
		if r.view != nil {
			p.view = r.view
			p.sel = min(p.sel, max(0, len(p.view.Decision.Offers)-1))
		}
		verb := "recorded"
		if r.undo {
			verb = "undone"
		}
		return tea.Batch(common.Flash(fmt.Sprintf("%s: customer %d, P%02d by %s %s (contact %d)", verb, r.rec.Customer, r.rec.Product,
			r.rec.Channel, r.rec.Outcome, r.rec.ContactID)), common.Refresh(ID), p.loadInbound()), true
	}
	return nil, false
}

func (p *customerPanel) key(msg tea.KeyMsg) tea.Cmd {
	switch {
	case p.searching:
		switch msg.Type {
		case tea.KeyEsc:
			p.searching = false
			p.search.Blur()
			return nil
		case tea.KeyUp:
			p.hitIdx = max(0, p.hitIdx-1)
			return nil
		case tea.KeyDown:
			p.hitIdx = min(max(0, len(p.hits)-1), p.hitIdx+1)
			return nil
		case tea.KeyEnter:
			q := strings.TrimSpace(p.search.Value())
			var id int64
			switch {
			case len(p.hits) > 0 && p.hitsFor == q:
				id = p.hits[p.hitIdx].ID
			default:
				v, err := strconv.ParseInt(q, 10, 64)
				if err != nil {
					return common.Flash(fmt.Sprintf("no customer found for %q yet", q))
				}
				id = v
			}
			p.searching = false
			p.search.Blur()
			p.facts = nil
			return p.decide(id, nil, true)
		}
		old := p.search.Value()
		var cmd tea.Cmd
		p.search, cmd = p.search.Update(msg)
		if q := strings.TrimSpace(p.search.Value()); q != strings.TrimSpace(old) {
			p.hitIdx = 0
			if q == "" {
				p.hits, p.hitsFor = nil, ""
				return cmd
			}
			return tea.Batch(cmd, p.find(q))
		}
		return cmd
	case p.editing:
		switch msg.Type {
		case tea.KeyEsc:
			p.editing = false
			p.fact.Blur()
			return nil
		case tea.KeyEnter:
			f, err := nbo.ParseFact(p.fact.Value())
			if err != nil {
				return common.FlashError(err)
			}
			p.editing = false
			p.fact.Blur()
			return p.decide(p.id, withFact(p.facts, f), false)
		}
		var cmd tea.Cmd
		p.fact, cmd = p.fact.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, p.keys.Find):
		return p.open()
	case key.Matches(msg, p.keys.Inbound):
		return p.openInbound()
	case p.view == nil && key.Matches(msg, p.keys.Raise):
		return p.moveThreshold(+1)
	case p.view == nil && key.Matches(msg, p.keys.Lower):
		return p.moveThreshold(-1)
	case p.view == nil:
		return nil
	case key.Matches(msg, p.keys.Up):
		p.sel = max(0, p.sel-1)
	case key.Matches(msg, p.keys.Down):
		p.sel = min(max(0, len(p.view.Decision.Offers)-1), p.sel+1)
	case key.Matches(msg, p.keys.AddFact):
		p.editing = true
		p.fact.SetValue("")
		return p.fact.Focus()
	case key.Matches(msg, p.keys.DropFact):
		if len(p.facts) == 0 {
			return common.Flash("no live fact to remove")
		}
		return p.decide(p.id, p.facts[:len(p.facts)-1:len(p.facts)-1], false)
	case key.Matches(msg, p.keys.Accepted):
		return p.record(nbo.OutcomeAccepted)
	case key.Matches(msg, p.keys.Declined):
		return p.record(nbo.OutcomeDeclined)
	case key.Matches(msg, p.keys.Later):
		return p.record(nbo.OutcomeLater)
	case key.Matches(msg, p.keys.OptOut):
		return p.record(nbo.OutcomeOptOut)
	case key.Matches(msg, p.keys.Undo):
		return p.undo()
	}
	return nil
}

// withFact returns facts with f added, replacing an earlier fact of the same field.
func withFact(facts []nbo.Fact, f nbo.Fact) []nbo.Fact {
	out := make([]nbo.Fact, 0, len(facts)+1)
	for _, g := range facts {
		if !strings.EqualFold(g.Field, f.Field) {
			out = append(out, g)
		}
	}
	return append(out, f)
}

func (p *customerPanel) viewLines(w, h int) []string {
	if p.svc == nil {
		return []string{"The customer panel needs a workspace (acrm --db FILE)."}
	}
	st := CustomerState{View: p.view, Facts: p.facts, Selected: p.sel, Busy: p.busy, Err: p.err, Inbound: p.inbound, InboundErr: p.inboundErr}
	if p.searching {
		st.Search = p.search.View()
		st.Hits, st.HitIdx = p.hits, p.hitIdx
	}
	if p.editing {
		st.FactInput = p.fact.View()
	}
	if p.last != nil {
		verb := "last outcome"
		if p.undone {
			verb = "undone"
		}
		st.Last = fmt.Sprintf("%s: P%02d by %s %s · u undoes", verb, p.last.Product, p.last.Channel, p.last.Outcome)
		if p.undone {
			st.Last = fmt.Sprintf("%s: P%02d by %s %s", verb, p.last.Product, p.last.Channel, p.last.Outcome)
		}
	}
	return RenderCustomer(st, w, h)
}

// CustomerState is what the customer panel shows.
type CustomerState struct {
	View      *services.LiveView
	Facts     []nbo.Fact
	Selected  int
	Search    string // the search input ("" when closed)
	Hits      []nbo.CustomerHit
	HitIdx    int
	FactInput string
	Busy      string
	Err       error
	Last      string
	// Inbound is the inbound opportunity shown while no customer is open.
	Inbound    *nbo.InboundLive
	InboundErr error
}

// RenderCustomer is the pure model→lines part of the customer panel: the customer's card,
// the facts told in this call, the ranked offers with their reasons and the decision trace,
// fitted into h lines of width w (the trace is cut first).
func RenderCustomer(st CustomerState, w, h int) []string {
	var out []string
	if st.Search != "" {
		out = append(out, st.Search)
		for i, hit := range st.Hits {
			mark := "  "
			if i == st.HitIdx {
				mark = "> "
			}
			out = append(out, fmt.Sprintf("%s%-8d %s · %s", mark, hit.ID, hit.Name, hit.Sector))
		}
		if len(st.Hits) == 0 {
			out = append(out, "  type an id or part of a name; enter opens the customer, esc closes")
		}
		out = append(out, "")
	}
	if st.FactInput != "" {
		out = append(out, st.FactInput, "  any field of the customer view: employees=60, locations=2, contract_end_months=2; esc closes", "")
	}
	switch {
	case st.Busy != "" && st.View == nil:
		return append(out, st.Busy+" (esc cancels)")
	case st.Err != nil:
		msg := st.Err.Error()
		if errors.Is(st.Err, nbo.ErrNoScoring) {
			msg = "No total-model scoring yet: press c, then S to score the whole base (acrm score --all)."
		}
		return append(out, components.WrapWords("error: "+msg, w)...)
	case st.View == nil:
		out = append(out, components.WrapWords("Inbound contact: / finds a customer by id or name; their offers, reasons and decision trace show here. c returns to the campaign panel.", w)...)
		return append(out, inboundLines(st.Inbound, st.InboundErr, w)...)
	}
	v, d := st.View, st.View.Decision
	card := v.Card
	seg := card.Segment
	if seg == "" {
		seg = "unscored"
	}
	pname := func(id int) string { return fmt.Sprintf("P%02d %s", id, v.Names[id]) }
	out = append(out, section(customerHeader(card.ID, card.Name, seg, d.Usage.Total, d.Usage.Cap, w), w))
	var attrs []string
	for _, a := range card.Attrs {
		attrs = append(attrs, a[0]+" "+a[1])
	}
	out = append(out, wrapList("", attrs, " · ", w, 2)...)
	out = append(out, wrapList("holds: ", orNone(card.Holdings), " · ", w, 1)...)
	out = append(out, wrapList("last contacts: ", orNone(first(card.Contacts, 3)), " · ", w, 1)...)
	out = append(out, wrapList("opt-outs: ", orNone(card.OptOuts), " · ", w, 1)...)
	out = append(out, wrapList("events: ", orNone(first(card.Events, 3)), " · ", w, 1)...)
	out = append(out, section("Told in this call", w))
	if len(st.Facts) == 0 {
		out = append(out, "(nothing yet) a adds a fact")
	} else {
		var fs []string
		for _, f := range st.Facts {
			fs = append(fs, "+ "+f.Field+" = "+f.Value)
		}
		out = append(out, wrapList("", fs, "   ", w, 1)...)
	}
	head := "Next best offers"
	if st.Busy != "" {
		head += " · " + st.Busy
	}
	out = append(out, section(head, w))
	if len(d.Offers) == 0 {
		out = append(out, "no offer passes the rules (see the trace)")
	}
	for i, o := range d.Offers {
		mark := "  "
		if i == st.Selected {
			mark = "> "
		}
		nameW, value := 34, "value € "
		if w < 100 {
			nameW, value = 24, "€ "
		}
		out = append(out, fmt.Sprintf("%s%d  %-*s %-9s P %5.2f%%  %s%s  %s", mark, o.Rank, nameW, ansi.Truncate(pname(o.Product), nameW, "…"), o.Channel,
			100*o.P, value, group(int(o.Value+0.5)), o.Model))
		why := components.WrapWords("why: "+o.Why, w-5)
		for i, l := range why[:min(2, len(why))] {
			if i == 1 && len(why) > 2 {
				l += " …"
			}
			out = append(out, "     "+l)
		}
	}
	if st.Last != "" {
		out = append(out, st.Last)
	}
	out = append(out, section(fmt.Sprintf("Decision trace (%d steps)", len(d.Trace)), w))
	room := h - len(out)
	for i, s := range d.Trace {
		if room <= 1 && i < len(d.Trace)-1 {
			out = append(out, fmt.Sprintf("… %d more (acrm nbo --customer %d prints them all)", len(d.Trace)-i, card.ID))
			break
		}
		out = append(out, s.String())
		room--
	}
	return out
}

// inboundLines is the inbound opportunity on the workspace's data: the article's sum with
// this workspace's numbers, and the way to the Simulate screen's what-if.
func inboundLines(in *nbo.InboundLive, err error, w int) []string {
	out := []string{"", section("Inbound opportunity on this workspace (per month)", w)}
	switch {
	case err != nil:
		return append(out, components.WrapWords("not available: "+err.Error(), w)...)
	case in == nil:
		return append(out, "computing…")
	}
	r := in.Result
	rows := [][2]string{
		{"inbound contacts / month", group(int(in.Contacts))},
		{fmt.Sprintf("with an offer at P ≥ %s", units.Float(100*in.Threshold, 1)+" %"), units.Float(100*in.WithOffer, 1) + " %"},
		{"close rate so far", fmt.Sprintf("%s %% (%s of %s offers)", units.Float(100*in.Close, 1), group(in.Closed), group(in.Offered))},
		{"margin / contract", "€ " + group(int(in.Margin))},
		{"offers → contracts / month", group(int(r.Offers)) + " → " + group(int(r.Contracts))},
		{"extra margin / month", "€ " + group(int(r.MonthlyProfit+0.5))},
	}
	for _, row := range rows {
		out = append(out, fmt.Sprintf("  %-28s %s", row[0], row[1]))
	}
	out = append(out, components.WrapWords("+/- moves the threshold; i opens these inputs in Simulate (inbound); the same: "+in.Command(), w)...)
	return out
}

// customerHeader is the card's title in w columns: the long form when it fits, else a short
// one (the cap as "n/m offers"), the name cut last.
func customerHeader(id int64, name, seg string, used, cap, w int) string {
	long := fmt.Sprintf("Customer %d · %s · segment %s · offers %d of %d this period", id, name, seg, used, cap)
	room := w - ansi.StringWidth("──  ─")
	if ansi.StringWidth(long) <= room {
		return long
	}
	tail := fmt.Sprintf(" · %s · %d/%d offers", seg, used, cap)
	head := fmt.Sprintf("Customer %d", id)
	if name != "" {
		nameW := room - ansi.StringWidth(head+" · "+tail)
		if nameW >= 4 {
			head += " · " + ansi.Truncate(name, nameW, "…")
		}
	}
	return head + tail
}

func section(title string, w int) string {
	s := "── " + title + " "
	if n := w - ansi.StringWidth(s); n > 0 {
		s += strings.Repeat("─", n)
	}
	return s
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	return s
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// wrapList joins items after prefix with sep, breaking lines at item boundaries, at most
// maxLines lines (the last ends in "…" when items are left).
func wrapList(prefix string, items []string, sep string, w, maxLines int) []string {
	var out []string
	line := prefix
	for _, it := range items {
		add := it
		if line != prefix && line != "" {
			add = sep + it
		}
		if ansi.StringWidth(line+add) > w && line != prefix {
			if len(out)+1 == maxLines {
				return append(out, line+sep+"…")
			}
			out = append(out, line)
			line = "  " + it
			continue
		}
		line += add
	}
	return append(out, line)
}
