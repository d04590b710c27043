// Package offers is the Offers screen, two panels. The customer panel (customer.go, / from
// the campaign panel) serves an inbound contact: find a customer, see the ranked offers with
// their reasons and the decision trace, add what the customer tells, record the outcome with
// one key and undo it — the same use cases as acrm nbo. The campaign panel selects an outbound campaign from
// the total model (acrm score --all): product or each customer's best offer, channel, size or
// budget, a value segment; it shows the expected contracts and profit, the gains curve, how
// many customers each business rule removed and the value segments by expected value, and
// exports the selection (registering the campaign). The work runs as jobs (esc cancels);
// every number comes from analysis/nbo, the same use cases as acrm select.
package offers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "offers"

// The results of the screen's jobs.
type (
	productsLoaded []services.OfferProduct
	selected       *nbo.SelectResult
	scored         *nbo.ScoreResult
)

// KeyMap are the Offers screen's keys.
type KeyMap struct {
	Up, Down    key.Binding
	Left, Right key.Binding
	Amount      key.Binding
	Run         key.Binding
	Score       key.Binding
	Export      key.Binding
	Close       key.Binding
	Customer    key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose field")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "choose field")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "change")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "change")),
		Amount:   keys.Key("a", "type size/budget"),
		Run:      keys.Key("enter", "select"),
		Score:    keys.Key("S", "score the base"),
		Export:   keys.Key("x", "export + register"),
		Close:    keys.Key("esc", "close"),
		Customer: keys.Key("/", "find customer"),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Left, k.Amount, k.Run, k.Score, k.Export, k.Customer}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// The form's fields.
const (
	fieldProduct = iota
	fieldChannel
	fieldMode
	fieldAmount
	fieldSegment
	nFields
)

var segments = []string{"", "top", "middle", "low"}

// Screen is the Offers screen.
type Screen struct {
	c    *common.Common
	svc  services.OffersService
	keys KeyMap

	width, height int
	products      []services.OfferProduct
	productIdx    int // 0 = best
	channelIdx    int
	budgetMode    bool
	amount        int
	segmentIdx    int
	field         int

	input   textinput.Model
	editing bool

	busy   string
	result *nbo.SelectResult
	score  *nbo.ScoreResult
	err    error
	export *common.Export

	cust     *customerPanel
	customer bool // the customer panel is on screen
}

// New returns the Offers screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, svc: c.Offers, keys: DefaultKeyMap(), amount: 5000}
	s.input = textinput.New()
	s.input.Prompt = "amount: "
	s.input.CharLimit = 12
	s.export = common.NewExport(c, ID, components.DefaultPathPromptKeys(), func() {})
	s.export.Prompt.Footer = "enter export · esc close"
	s.export.Written = func(out string) string { return out }
	s.cust = newCustomerPanel(c)
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Offers" }
func (s *Screen) KeyMap() help.KeyMap {
	if s.customer {
		return s.cust.keyMap()
	}
	return s.keys
}
func (s *Screen) InputFocused() bool {
	return s.editing || s.export.IsOpen() || (s.customer && s.cust.inputFocused())
}
func (s *Screen) SetSize(w, h int) { s.width, s.height = w, h }
func (s *Screen) Actions() []common.Action {
	return []common.Action{
		{Owner: ID, Title: "Offers: select a campaign", Key: "enter", Do: s.run},
		{Owner: ID, Title: "Offers: score the whole base (total model)", Key: "S", Do: s.scoreAll},
		{Owner: ID, Title: "Offers: find a customer (inbound contact)", Key: "/", Do: s.openCustomer},
	}
}

// Init loads the products.
func (s *Screen) Init() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	svc := s.svc
	_, cmd := common.Start(s.c.Jobs, ID, "loading products", func(ctx context.Context, _ func(common.Progress)) (productsLoaded, error) {
		p, err := svc.OfferProducts(ctx)
		return productsLoaded(p), err
	})
	return cmd
}

func (s *Screen) spec() nbo.SelectSpec {
	sp := nbo.SelectSpec{Channel: nbo.OutboundChannels[s.channelIdx], Segment: segments[s.segmentIdx], Control: 0.1, Seed: 1}
	if s.productIdx > 0 && s.productIdx <= len(s.products) {
		sp.Product = s.products[s.productIdx-1].ID
	}
	if s.budgetMode {
		sp.Budget = float64(s.amount)
	} else {
		sp.Size = s.amount
	}
	return sp
}

func (s *Screen) run() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	svc, spec := s.svc, s.spec()
	s.busy, s.err = "selecting…", nil
	_, cmd := common.Start(s.c.Jobs, ID, "selecting a campaign", func(ctx context.Context, report func(common.Progress)) (selected, error) {
		r, err := svc.SelectCampaign(ctx, spec, report)
		return selected(r), err
	})
	return cmd
}

func (s *Screen) scoreAll() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	svc := s.svc
	s.busy, s.err = "scoring the whole base with the total model…", nil
	_, cmd := common.Start(s.c.Jobs, ID, "scoring the base", func(ctx context.Context, report func(common.Progress)) (scored, error) {
		r, err := svc.ScoreAll(ctx, report)
		return scored(r), err
	})
	return cmd
}

func (s *Screen) openCustomer() tea.Cmd {
	s.customer = true
	if s.cust.svc == nil {
		return nil
	}
	return s.cust.open()
}

// Update handles keys and job results.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := s.cust.update(msg); ok {
		return cmd
	}
	if km, ok := msg.(tea.KeyMsg); ok && s.customer {
		if !s.cust.inputFocused() && key.Matches(km, s.cust.keys.Campaign) {
			s.customer = false
			return nil
		}
		return s.cust.key(km)
	}
	wasOpen := s.export.IsOpen()
	if cmd := s.export.Update(msg); wasOpen || cmd != nil {
		if _, ok := msg.(tea.KeyMsg); ok || cmd != nil {
			return cmd
		}
	}
	switch msg := msg.(type) {
	case common.Done[productsLoaded]:
		if msg.Err == nil {
			s.products = msg.Value
		} else {
			s.err = msg.Err
		}
	case common.Done[selected]:
		s.busy = ""
		if msg.Cancelled {
			return nil
		}
		s.err = msg.Err
		if msg.Err == nil {
			s.result = msg.Value
		}
	case common.Done[scored]:
		s.busy = ""
		if msg.Cancelled {
			return nil
		}
		s.err = msg.Err
		if msg.Err == nil {
			s.score = msg.Value
			return tea.Batch(common.Flash(fmt.Sprintf("scoring run %d: %d offers", msg.Value.RunID, msg.Value.Offers)), s.run())
		}
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	if s.editing {
		switch msg.Type {
		case tea.KeyEnter:
			v, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s.input.Value()), ",", ""))
			if err != nil || v <= 0 {
				return common.FlashError(fmt.Errorf("offers: %q: want a positive whole number", s.input.Value()))
			}
			s.amount, s.editing = v, false
			s.input.Blur()
			return s.run()
		case tea.KeyEsc:
			s.editing = false
			s.input.Blur()
			return nil
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, s.keys.Up):
		s.field = (s.field + nFields - 1) % nFields
	case key.Matches(msg, s.keys.Down):
		s.field = (s.field + 1) % nFields
	case key.Matches(msg, s.keys.Left):
		s.change(-1)
	case key.Matches(msg, s.keys.Right):
		s.change(1)
	case key.Matches(msg, s.keys.Amount):
		s.editing = true
		s.input.SetValue(strconv.Itoa(s.amount))
		return s.input.Focus()
	case key.Matches(msg, s.keys.Run):
		return s.run()
	case key.Matches(msg, s.keys.Score):
		return s.scoreAll()
	case key.Matches(msg, s.keys.Customer):
		return s.openCustomer()
	case key.Matches(msg, s.keys.Export):
		if s.result == nil || len(s.result.Picks) == 0 {
			return common.Flash("select a campaign first (enter)")
		}
		sel, svc := s.result, s.svc
		return s.export.Open("Export the selection (.csv or .parquet) — registers the campaign", "selection.csv", "exporting the selection",
			func(ctx context.Context, path string) (string, error) { return svc.ExportSelection(ctx, sel, path) })
	}
	return nil
}

func (s *Screen) change(d int) {
	switch s.field {
	case fieldProduct:
		n := len(s.products) + 1
		s.productIdx = (s.productIdx + d + n) % n
	case fieldChannel:
		n := len(nbo.OutboundChannels)
		s.channelIdx = (s.channelIdx + d + n) % n
	case fieldMode:
		s.budgetMode = !s.budgetMode
	case fieldAmount:
		step := max(1, s.amount/10)
		s.amount = max(1, s.amount+d*step)
	case fieldSegment:
		n := len(segments)
		s.segmentIdx = (s.segmentIdx + d + n) % n
	}
}

// View draws the form and the result.
func (s *Screen) View() string {
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.customer {
		return components.FitLines(s.cust.viewLines(s.width, s.height), s.width, s.height)
	}
	if s.svc == nil {
		return components.FitLines([]string{"The campaign panel needs a workspace (acrm --db FILE)."}, s.width, s.height)
	}
	return components.FitLines(Render(s.form(), s.result, s.busy, s.err, s.width), s.width, s.height-s.export.Height()) + s.exportView()
}

func (s *Screen) exportView() string {
	if !s.export.IsOpen() {
		return ""
	}
	return "\n" + s.export.View(s.c.Theme, s.width)
}

// Form is the panel's inputs as shown.
type Form struct {
	Fields []string // "label: value"
	Cursor int
	Input  string // the amount being typed ("" when not editing)
}

func (s *Screen) form() Form {
	prod := "best (each customer's best offer)"
	if s.productIdx > 0 && s.productIdx <= len(s.products) {
		prod = s.products[s.productIdx-1].Label
	}
	mode, amount := "size", fmt.Sprintf("%s customers", group(s.amount))
	if s.budgetMode {
		mode, amount = "budget", "€ "+group(s.amount)
	}
	seg := "all customers"
	if segments[s.segmentIdx] != "" {
		seg = segments[s.segmentIdx] + " (by expected value)"
	}
	f := Form{Fields: []string{"product: " + prod, "channel: " + nbo.OutboundChannels[s.channelIdx], "limit by: " + mode,
		"amount: " + amount, "segment: " + seg}, Cursor: s.field}
	if s.editing {
		f.Input = s.input.View()
	}
	return f
}

// Render is the pure model→lines part of the panel (tested on fixed results).
func Render(f Form, r *nbo.SelectResult, busy string, err error, w int) []string {
	var out []string
	if w < 110 {
		out = append(out, "Campaign selection — total model, all business rules, control cell 10 %")
	} else {
		out = append(out, "Campaign selection — total model, every business rule applied (control cell 10 %)")
	}
	for i, fl := range f.Fields {
		mark := "  "
		if i == f.Cursor {
			mark = "> "
		}
		out = append(out, mark+fl)
	}
	if f.Input != "" {
		out = append(out, "  "+f.Input)
	}
	out = append(out, "")
	switch {
	case busy != "":
		out = append(out, busy+" (esc cancels)")
		return out
	case err != nil:
		msg := err.Error()
		if errors.Is(err, nbo.ErrNoScoring) {
			msg = "No total-model scoring yet: press S to score the whole base (acrm score --all)."
		}
		return append(out, components.WrapWords("error: "+msg, w)...)
	case r == nil:
		return append(out, components.WrapWords("enter selects; S scores the whole base first if needed; x exports and registers the selection", w)...)
	}
	if w < 110 {
		return append(out[:len(out)-1], renderNarrow(r)...)
	}
	out = append(out, fmt.Sprintf("contacted %s · control cell %s (not contacted) · cost € %s", group(r.Contacted), group(r.Controls), group(int(r.Cost))))
	out = append(out, fmt.Sprintf("expected contracts %.1f · expected profit € %s", r.Contracts, group(int(r.Profit))))
	out = append(out, fmt.Sprintf("considered %s customers; %s with an offer after the rules", group(r.Considered), group(r.Eligible)))
	out = append(out, fmt.Sprintf("scoring run %d", r.RunID))
	out = append(out, "")
	left := []string{"removed by rule (customers)"}
	rules := make([]string, 0, len(r.Removed))
	for k := range r.Removed {
		rules = append(rules, k)
	}
	sort.Slice(rules, func(i, j int) bool { return ruleIndex(rules[i]) < ruleIndex(rules[j]) })
	for _, k := range rules {
		left = append(left, fmt.Sprintf("  %-22s %8s", k, group(r.Removed[k])))
	}
	if r.CutByCap > 0 {
		left = append(left, fmt.Sprintf("  %-22s %8s", "channel capacity", group(r.CutByCap)))
	}
	left = append(left, "", "contacted per value segment", "  "+r.Basis)
	for _, seg := range []string{"top", "middle", "low"} {
		left = append(left, fmt.Sprintf("  %-8s %8s", seg, group(r.BySegment[seg])))
	}
	right := []string{"cumulative gains: share of expected contracts by depth"}
	for _, g := range r.Gains {
		if int(g.Depth*100+0.5)%10 != 0 {
			continue
		}
		bar := int(g.Share*30 + 0.5)
		right = append(right, fmt.Sprintf("  %3.0f%% %s%s %3.0f%%", 100*g.Depth, strings.Repeat("█", bar), strings.Repeat("·", 30-bar), 100*g.Share))
	}
	if w >= 110 {
		for i := 0; i < max(len(left), len(right)); i++ {
			l, rr := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				rr = right[i]
			}
			out = append(out, fmt.Sprintf("%-56s  %s", l, rr))
		}
		return out
	}
	return append(append(out, right...), append([]string{""}, left...)...)
}

// narrowRows is how many rows the two columns of the narrow layout take: with the title, the
// five fields and the summary the panel takes 21 lines and fits 80×24 inside the workbench
// (tab bar and status line), an amount being typed included.
const narrowRows = 10

// renderNarrow is the result under 110 columns: the summary in five lines, then the customers
// each rule removed beside the gains curve, in two columns of narrowRows rows each.
func renderNarrow(r *nbo.SelectResult) []string {
	out := []string{
		fmt.Sprintf("contacted %s · control cell %s (not contacted) · cost € %s", group(r.Contacted), group(r.Controls), group(int(r.Cost))),
		fmt.Sprintf("expected contracts %.1f · expected profit € %s", r.Contracts, group(int(r.Profit))),
		fmt.Sprintf("considered %s; %s with an offer after the rules · scoring run %d", group(r.Considered), group(r.Eligible), r.RunID),
		"contacted per value segment " + r.Basis + ":",
		fmt.Sprintf("  top %s · middle %s · low %s", group(r.BySegment["top"]), group(r.BySegment["middle"]), group(r.BySegment["low"])),
	}
	type removed struct {
		rule string
		n    int
	}
	var rows []removed
	for k, n := range r.Removed {
		rows = append(rows, removed{k, n})
	}
	sort.Slice(rows, func(i, j int) bool { return ruleIndex(rows[i].rule) < ruleIndex(rows[j].rule) })
	if r.CutByCap > 0 {
		rows = append(rows, removed{"channel capacity", r.CutByCap})
	}
	if len(rows) > narrowRows-1 {
		// The smallest removals are folded into one row.
		keep := append([]removed(nil), rows...)
		sort.SliceStable(keep, func(i, j int) bool { return keep[i].n > keep[j].n })
		other := removed{rule: fmt.Sprintf("%d other rules", len(rows)-(narrowRows-2))}
		big := map[string]bool{}
		for _, x := range keep[:narrowRows-2] {
			big[x.rule] = true
		}
		var kept []removed
		for _, x := range rows {
			if big[x.rule] {
				kept = append(kept, x)
			} else {
				other.n += x.n
			}
		}
		rows = append(kept, other)
	}
	left := []string{"removed by rule (customers)"}
	for _, x := range rows {
		left = append(left, fmt.Sprintf("  %-20.20s %8s", x.rule, group(x.n)))
	}
	right := []string{"cumulative gains (expected contracts)"}
	for _, g := range r.Gains {
		if int(g.Depth*100+0.5)%10 != 0 || g.Depth > 0.99 {
			continue // every 10 % of depth; 100 % always finds 100 %
		}
		bar := int(g.Share*30 + 0.5)
		right = append(right, fmt.Sprintf("  %3.0f%% %s%s %3.0f%%", 100*g.Depth, strings.Repeat("█", bar), strings.Repeat("·", 30-bar), 100*g.Share))
	}
	for i := 0; i < max(len(left), len(right)); i++ {
		l, rr := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			rr = right[i]
		}
		out = append(out, fmt.Sprintf("%-32s %s", l, rr))
	}
	return out
}

func ruleIndex(r string) int {
	for i, x := range nbo.RuleOrder {
		if x == r {
			return i
		}
	}
	return len(nbo.RuleOrder)
}

// group writes n with thousands separators.
func group(n int) string { return components.Int(int64(n)) }
