package nbo

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Rules are the business rules between the total model's scores and the offers made. They
// are kept in the workspace (acrm_rules, every imported version) and round-tripped as a TOML
// file (acrm rules export / import / check). Opt-outs are not a setting: the optouts table
// always applies and no rules file can override it.
type Rules struct {
	Version int `toml:"version" comment:"format version of this file (1)"`
	// PeriodMonths is the length of the contact-cap period (rolling, up to the offer date).
	PeriodMonths int `toml:"period_months" comment:"length of the contact-cap period in months (3, 6 or 12)"`
	// CapPerPeriod is the most outbound offers one customer gets per period, all channels.
	CapPerPeriod int `toml:"cap_per_period" comment:"most outbound offers per customer per period, all channels together"`
	// CoolDownDays: no offer of a product for this many days after the customer declined it.
	CoolDownDays int `toml:"cool_down_days" comment:"days after a refusal during which the product is not offered again"`
	// MinPropensity: offers with P(accept) below it are not made.
	MinPropensity float64 `toml:"min_propensity" comment:"offers whose P(accept) is below this are not made"`
	// MaxOffersPerContact: how many of a customer's ranked offers one contact may carry.
	MaxOffersPerContact int `toml:"max_offers_per_contact" comment:"offers one contact may carry (the ranked list is cut there)"`
	// Eligibility is one SQL boolean expression over customer_view; customers for which it
	// is not true get no offer. Empty = everyone.
	Eligibility string `toml:"eligibility" comment:"one SQL boolean expression over customer_view; customers where it is not true get no offer (empty = all)"`
	// Tiers order the objectives: every offer of an earlier tier ranks before any offer of a
	// later one (retention before cross-sell before upsell); within a tier by expected value.
	Tiers []Tier `toml:"tier" comment:"objective priority: offers of an earlier tier always rank first"`
	// Channels holds per-channel settings; a channel not listed uses the defaults.
	Channels map[string]ChannelRule `toml:"channel" comment:"per outbound channel: cap per period, capacity per week, optional cost override"`
	// Products holds per-product overrides of the products table's economics.
	Products []ProductRule `toml:"product,omitempty" comment:"per product: margin override, churn risk for retention products"`
	// CapBySegment raises or lowers CapPerPeriod for a value segment (top, middle, low).
	CapBySegment map[string]int `toml:"cap_by_segment,omitempty" comment:"cap per period for a value segment (top, middle, low) instead of cap_per_period"`
}

// Tier is one level of objective priority.
type Tier struct {
	Name       string   `toml:"name"`
	Objectives []string `toml:"objectives"`
}

// ChannelRule is the settings of one outbound channel. Zero means "no limit" for caps and
// capacities, and "the products table's cost" for Cost.
type ChannelRule struct {
	CapPerPeriod    int     `toml:"cap_per_period" comment:"most offers per customer per period through this channel (0 = only the overall cap)"`
	CapacityPerWeek int     `toml:"capacity_per_week" comment:"contacts the channel can make per week (0 = unlimited)"`
	Cost            float64 `toml:"cost,omitempty" comment:"cost of one contact, overriding the products table (0 = use the table)"`
}

// ProductRule overrides a product's economics.
type ProductRule struct {
	ID        int     `toml:"id"`
	Margin    float64 `toml:"margin,omitempty"`
	ChurnRisk float64 `toml:"churn_risk,omitempty"`
}

// Objectives of products (the products table's objective column).
const (
	ObjRetention = "retention"
	ObjCrossSell = "cross-sell"
	ObjUpsell    = "upsell"
)

// OutboundChannels are the channels campaigns and plans use.
var OutboundChannels = []string{"mail", "email", "phone", "account_manager"}

// DefaultRules are the rules in force while none were imported: retention before
// cross-sell before upsell, 3 offers per customer per half year, 90 days cool-down.
func DefaultRules() *Rules {
	return &Rules{
		Version: 1, PeriodMonths: 6, CapPerPeriod: 3, CoolDownDays: 90, MinPropensity: 0.001,
		MaxOffersPerContact: 1,
		Tiers: []Tier{
			{Name: "retention", Objectives: []string{ObjRetention}},
			{Name: "cross-sell", Objectives: []string{ObjCrossSell}},
			{Name: "upsell", Objectives: []string{ObjUpsell}},
		},
		Channels: map[string]ChannelRule{
			"mail":            {CapacityPerWeek: 0},
			"email":           {CapacityPerWeek: 0},
			"phone":           {CapacityPerWeek: 2000},
			"account_manager": {CapacityPerWeek: 200},
		},
	}
}

// RuleError is a rules file that was refused: where and why.
type RuleError struct {
	File   string
	Line   int
	Field  string
	Reason string
}

func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString("rules")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// ParseRules reads a rules file strictly: unknown fields, wrong types and values out of range
// are refused with the line, the field and the reason. Fields the file leaves out keep their
// defaults. It does not check the eligibility expression against a workspace (see Check).
func ParseRules(src []byte, file string) (rules *Rules, err error) {
	// A TOML decoder bug must not crash acrm: a panic while decoding is the file's error.
	defer func() {
		if p := recover(); p != nil {
			rules, err = nil, &RuleError{File: file, Reason: fmt.Sprintf("not a TOML file acrm can read (the decoder failed: %v)", p)}
		}
	}()
	r := DefaultRules()
	r.Channels = nil
	r.Tiers = nil
	dec := toml.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		var sm *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &sm) && len(sm.Errors) > 0:
			e := sm.Errors[0]
			row, _ := e.Position()
			return nil, &RuleError{File: file, Line: row, Field: strings.Join(e.Key(), "."), Reason: "unknown field (" + knownFields(e.Key()) + ")"}
		case errors.As(err, &de):
			row, _ := de.Position()
			field := strings.Join(de.Key(), ".")
			if m := goFieldRe.FindStringSubmatch(de.Error()); m != nil && field == "" {
				field = tomlName(m[1])
			}
			return nil, &RuleError{File: file, Line: row, Field: field, Reason: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		// Type mismatches come back as plain errors naming the Go field; point at the line.
		return nil, typeError(src, file, err)
	}
	def := DefaultRules()
	if r.Tiers == nil {
		r.Tiers = def.Tiers
	}
	if r.Channels == nil {
		r.Channels = def.Channels
	}
	if err := r.validate(src, file); err != nil {
		return nil, err
	}
	return r, nil
}

var goFieldRe = regexp.MustCompile(`struct field [\w.]*\.(\w+) of type`)

// typeError turns go-toml's type-mismatch error into a RuleError at the field's line.
func typeError(src []byte, file string, err error) error {
	msg := err.Error()
	field := ""
	if m := goFieldRe.FindStringSubmatch(msg); m != nil {
		field = tomlName(m[1])
	}
	return &RuleError{File: file, Line: lineOf(src, field), Field: field, Reason: strings.TrimPrefix(msg, "toml: ")}
}

// tomlName maps a Go field name of Rules (or its parts) to its TOML key.
func tomlName(goName string) string {
	for _, t := range []any{Rules{}, Tier{}, ChannelRule{}, ProductRule{}} {
		if n := tagOf(t, goName); n != "" {
			return n
		}
	}
	return goName
}

func knownFields(key []string) string {
	switch {
	case len(key) >= 2 && key[0] == "channel":
		return "a channel takes cap_per_period, capacity_per_week, cost"
	case len(key) >= 1 && key[0] == "tier":
		return "a tier takes name, objectives"
	case len(key) >= 1 && key[0] == "product":
		return "a product takes id, margin, churn_risk"
	}
	return "known: version, period_months, cap_per_period, cool_down_days, min_propensity, max_offers_per_contact, eligibility, [[tier]], [channel.NAME], [[product]], [cap_by_segment]"
}

// lineOf finds the first line that sets key (key = …) or opens a table named key; 0 when none.
func lineOf(src []byte, key string) int {
	if key == "" {
		return 0
	}
	re := regexp.MustCompile(`^\s*(` + regexp.QuoteMeta(key) + `\s*=|\[+\s*` + regexp.QuoteMeta(key) + `\b)`)
	for i, l := range strings.Split(string(src), "\n") {
		if re.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

// validate checks ranges and names; src (may be nil) locates the offending line.
func (r *Rules) validate(src []byte, file string) error {
	bad := func(field, lineKey, reason string) error {
		return &RuleError{File: file, Line: lineOf(src, lineKey), Field: field, Reason: reason}
	}
	if r.Version != 1 {
		return bad("version", "version", fmt.Sprintf("%d: this acrm reads version 1", r.Version))
	}
	switch r.PeriodMonths {
	case 3, 6, 12:
	default:
		return bad("period_months", "period_months", fmt.Sprintf("%d: want 3, 6 or 12", r.PeriodMonths))
	}
	if r.CapPerPeriod < 1 || r.CapPerPeriod > 24 {
		return bad("cap_per_period", "cap_per_period", fmt.Sprintf("%d: want 1 … 24 offers per period", r.CapPerPeriod))
	}
	if r.CoolDownDays < 0 || r.CoolDownDays > 3650 {
		return bad("cool_down_days", "cool_down_days", fmt.Sprintf("%d: want 0 … 3650 days", r.CoolDownDays))
	}
	if !(r.MinPropensity >= 0 && r.MinPropensity < 1) {
		return bad("min_propensity", "min_propensity", fmt.Sprintf("%v: want a probability in [0, 1)", r.MinPropensity))
	}
	if r.MaxOffersPerContact < 1 || r.MaxOffersPerContact > 10 {
		return bad("max_offers_per_contact", "max_offers_per_contact", fmt.Sprintf("%d: want 1 … 10", r.MaxOffersPerContact))
	}
	seen := map[string]string{}
	if len(r.Tiers) == 0 {
		return bad("tier", "tier", "at least one tier is needed (e.g. retention, cross-sell, upsell)")
	}
	for i, t := range r.Tiers {
		f := fmt.Sprintf("tier[%d]", i+1)
		if strings.TrimSpace(t.Name) == "" {
			return bad(f+".name", "tier", "a tier needs a name")
		}
		if len(t.Objectives) == 0 {
			return bad(f+".objectives", "tier", "tier "+t.Name+" lists no objective")
		}
		for _, o := range t.Objectives {
			switch o {
			case ObjRetention, ObjCrossSell, ObjUpsell:
			default:
				return bad(f+".objectives", "objectives", fmt.Sprintf("%q: want retention, cross-sell or upsell", o))
			}
			if prev, ok := seen[o]; ok {
				return bad(f+".objectives", "objectives", fmt.Sprintf("%s is already in tier %s", o, prev))
			}
			seen[o] = t.Name
		}
	}
	for _, ch := range sortedKeys(r.Channels) {
		c := r.Channels[ch]
		if !isOutbound(ch) {
			return bad("channel."+ch, "channel."+ch, fmt.Sprintf("unknown outbound channel (want one of %s)", strings.Join(OutboundChannels, ", ")))
		}
		if c.CapPerPeriod < 0 || c.CapacityPerWeek < 0 || c.Cost < 0 {
			return bad("channel."+ch, "channel."+ch, "caps, capacity and cost must not be negative")
		}
	}
	ids := map[int]bool{}
	for i, p := range r.Products {
		f := fmt.Sprintf("product[%d]", i+1)
		if p.ID < 1 {
			return bad(f+".id", "id", fmt.Sprintf("%d: want a product_id ≥ 1", p.ID))
		}
		if ids[p.ID] {
			return bad(f+".id", "id", fmt.Sprintf("product %d is listed twice", p.ID))
		}
		ids[p.ID] = true
		if p.Margin < 0 {
			return bad(f+".margin", "margin", "margin must not be negative")
		}
		if p.ChurnRisk < 0 || p.ChurnRisk > 1 {
			return bad(f+".churn_risk", "churn_risk", fmt.Sprintf("%v: want a probability in [0, 1]", p.ChurnRisk))
		}
	}
	for _, s := range sortedKeys(r.CapBySegment) {
		switch s {
		case "top", "middle", "low":
		default:
			return bad("cap_by_segment."+s, s, "unknown value segment (want top, middle or low)")
		}
		if v := r.CapBySegment[s]; v < 0 || v > 24 {
			return bad("cap_by_segment."+s, s, fmt.Sprintf("%d: want 0 … 24", v))
		}
	}
	return nil
}

func isOutbound(ch string) bool {
	for _, c := range OutboundChannels {
		if c == ch {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Marshal writes the rules as a commented TOML file that ParseRules reads back unchanged.
func (r *Rules) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# acrm business rules. Opt-outs (the optouts table) always apply and cannot be overridden here.\n")
	b.WriteString("# Check a file with: acrm rules check FILE; install it with: acrm rules import FILE\n\n")
	enc := toml.NewEncoder(&b)
	enc.SetIndentTables(true)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("nbo: write rules: %w", err)
	}
	return b.Bytes(), nil
}

// Tier returns the tier index (0 = first) of an objective; objectives in no tier rank last.
func (r *Rules) Tier(objective string) int {
	for i, t := range r.Tiers {
		for _, o := range t.Objectives {
			if o == objective {
				return i
			}
		}
	}
	return len(r.Tiers)
}

// Cap is the offers per period for a customer of the value segment seg ("" = unknown).
func (r *Rules) Cap(seg string) int {
	if v, ok := r.CapBySegment[seg]; ok {
		return v
	}
	return r.CapPerPeriod
}

// ChannelCap is the per-channel cap per period (0 = none beyond the overall cap).
func (r *Rules) ChannelCap(ch string) int { return r.Channels[ch].CapPerPeriod }

// product returns the override of product id, if any.
func (r *Rules) product(id int) (ProductRule, bool) {
	for _, p := range r.Products {
		if p.ID == id {
			return p, true
		}
	}
	return ProductRule{}, false
}

// LoadRules returns the rules in force: the highest version in acrm_rules, or DefaultRules
// (version 0) when none was imported.
func LoadRules(ctx context.Context, ws *workspace.Workspace) (*Rules, int, error) {
	var v int
	var src string
	err := ws.QueryRowContext(ctx, `SELECT version, source FROM acrm_rules ORDER BY version DESC LIMIT 1`).Scan(&v, &src)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRules(), 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("nbo: read rules: %w", err)
	}
	r, err := ParseRules([]byte(src), fmt.Sprintf("(workspace rules v%d)", v))
	if err != nil {
		return nil, 0, err
	}
	return r, v, nil
}

// CheckRules parses src and checks it against the workspace: the eligibility expression must
// be exactly one boolean SQL expression over customer_view (DuckDB binds it), and every
// product override must name a product of the products table. It changes nothing.
func CheckRules(ctx context.Context, ws *workspace.Workspace, src []byte, file string) (*Rules, error) {
	r, err := ParseRules(src, file)
	if err != nil {
		return nil, err
	}
	if e := strings.TrimSpace(r.Eligibility); e != "" {
		// segment.Validate checks the text is one expression (no second statement) and binds
		// it against customer_view, which must give a BOOLEAN.
		if _, err := segment.Validate(ctx, ws, e); err != nil {
			return nil, &RuleError{File: file, Line: lineOf(src, "eligibility"), Field: "eligibility", Reason: strings.TrimPrefix(err.Error(), "segment: ")}
		}
	}
	if len(r.Products) > 0 {
		prods, err := ReadProducts(ctx, ws)
		if err != nil {
			return nil, err
		}
		for i, p := range r.Products {
			if _, ok := prods.byID[p.ID]; !ok {
				return nil, &RuleError{File: file, Line: lineOf(src, "id"), Field: fmt.Sprintf("product[%d].id", i+1),
					Reason: fmt.Sprintf("product %d is not in the products table", p.ID)}
			}
		}
	}
	return r, nil
}

// ImportRules checks src (CheckRules) and stores it as the next version in one transaction.
// A refused file changes nothing: the rules in force stay.
func ImportRules(ctx context.Context, ws *workspace.Workspace, src []byte, file string) (int, error) {
	if _, err := CheckRules(ctx, ws, src, file); err != nil {
		return 0, err
	}
	var v int
	err := ws.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM acrm_rules`).Scan(&v); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acrm_rules VALUES (?, ?, ?)`, v, string(src), time.Now().UTC())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("nbo: import rules: %w", err)
	}
	return v, nil
}
