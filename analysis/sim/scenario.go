package sim

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Scenario kinds stored in acrm_scenarios.kind.
const (
	KindROI       = "roi"
	KindProfit    = "profit"
	KindInbound   = "inbound"
	KindFrequency = "frequency"
)

// Scenario is a saved simulation: its inputs and what they gave, both as JSON objects.
type Scenario struct {
	Name      string
	Kind      string
	Inputs    json.RawMessage
	Results   json.RawMessage
	CreatedAt time.Time
}

// ErrScenarioExists is returned by SaveScenario when the name is taken and replace is false.
var ErrScenarioExists = errors.New("scenario already exists")

// ErrNoScenario is returned when a named scenario is not in the workspace.
var ErrNoScenario = errors.New("no such scenario")

var scenarioName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.\-+]{0,63}$`)

// NewScenario builds a scenario from any inputs and results that marshal to JSON objects.
func NewScenario(name, kind string, inputs, results any) (Scenario, error) {
	in, err := json.Marshal(inputs)
	if err != nil {
		return Scenario{}, fmt.Errorf("sim: scenario %q inputs: %w", name, err)
	}
	res, err := json.Marshal(results)
	if err != nil {
		return Scenario{}, fmt.Errorf("sim: scenario %q results: %w", name, err)
	}
	return Scenario{Name: name, Kind: kind, Inputs: in, Results: res, CreatedAt: time.Now().UTC()}, nil
}

func (s Scenario) validate() error {
	if !scenarioName.MatchString(s.Name) {
		return fmt.Errorf("sim: scenario name %q: use 1–64 letters, digits, spaces or _ . - + (starting with a letter or digit)", s.Name)
	}
	switch s.Kind {
	case KindROI, KindProfit, KindInbound, KindFrequency:
	default:
		return fmt.Errorf("sim: scenario %q: unknown kind %q (want roi, profit, inbound or frequency)", s.Name, s.Kind)
	}
	for what, raw := range map[string]json.RawMessage{"inputs": s.Inputs, "results": s.Results} {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("sim: scenario %q: %s are not a JSON object: %w", s.Name, what, err)
		}
	}
	return nil
}

// SaveScenario stores s in acrm_scenarios inside a transaction. An existing scenario of the
// same name is replaced only when replace is true; otherwise ErrScenarioExists and nothing
// changes.
func SaveScenario(ctx context.Context, ws *workspace.Workspace, s Scenario, replace bool) error {
	if err := s.validate(); err != nil {
		return err
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	return ws.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM acrm_scenarios WHERE name = ?`, s.Name).Scan(&n); err != nil {
			return fmt.Errorf("sim: save scenario %q: %w", s.Name, err)
		}
		if n > 0 {
			if !replace {
				return fmt.Errorf("sim: save scenario %q: %w (pass --replace to overwrite)", s.Name, ErrScenarioExists)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_scenarios WHERE name = ?`, s.Name); err != nil {
				return fmt.Errorf("sim: save scenario %q: %w", s.Name, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acrm_scenarios (name, kind, inputs, results, created_at) VALUES (?, ?, ?, ?, ?)`,
			s.Name, s.Kind, string(s.Inputs), string(s.Results), s.CreatedAt)
		if err != nil {
			return fmt.Errorf("sim: save scenario %q: %w", s.Name, err)
		}
		return nil
	})
}

// ListScenarios returns every saved scenario, oldest first.
func ListScenarios(ctx context.Context, ws *workspace.Workspace) ([]Scenario, error) {
	rows, err := ws.QueryContext(ctx, `SELECT name, kind, inputs, coalesce(results, '{}'), created_at FROM acrm_scenarios ORDER BY created_at, name`)
	if err != nil {
		return nil, fmt.Errorf("sim: list scenarios: %w", err)
	}
	defer rows.Close()
	var out []Scenario
	for rows.Next() {
		var s Scenario
		var in, res string
		if err := rows.Scan(&s.Name, &s.Kind, &in, &res, &s.CreatedAt); err != nil {
			return nil, fmt.Errorf("sim: list scenarios: %w", err)
		}
		s.Inputs, s.Results = json.RawMessage(in), json.RawMessage(res)
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetScenario reads one scenario by name.
func GetScenario(ctx context.Context, ws *workspace.Workspace, name string) (Scenario, error) {
	var s Scenario
	var in, res string
	err := ws.QueryRowContext(ctx, `SELECT name, kind, inputs, coalesce(results, '{}'), created_at FROM acrm_scenarios WHERE name = ?`, name).
		Scan(&s.Name, &s.Kind, &in, &res, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("sim: scenario %q: %w (see acrm simulate list)", name, ErrNoScenario)
	}
	if err != nil {
		return s, fmt.Errorf("sim: scenario %q: %w", name, err)
	}
	s.Inputs, s.Results = json.RawMessage(in), json.RawMessage(res)
	return s, nil
}

// DeleteScenario removes a scenario; ErrNoScenario when it does not exist.
func DeleteScenario(ctx context.Context, ws *workspace.Workspace, name string) error {
	res, err := ws.ExecContext(ctx, `DELETE FROM acrm_scenarios WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("sim: delete scenario %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sim: scenario %q: %w", name, ErrNoScenario)
	}
	return nil
}

// ComparisonRow is one flattened field of two scenarios side by side.
type ComparisonRow struct {
	Section string // "input" or "result"
	Key     string // dotted path, e.g. "targeted.net_profit"
	A, B    string // values as text ("" when absent on that side)
	// Diff is B − A when both values are numbers.
	Diff    float64
	HasDiff bool
}

// CompareScenarios flattens the inputs and results of a and b and lines them up by key,
// with the numeric difference b − a where both sides hold a number.
func CompareScenarios(a, b Scenario) ([]ComparisonRow, error) {
	var rows []ComparisonRow
	for _, sec := range []struct {
		name   string
		ra, rb json.RawMessage
	}{{"input", a.Inputs, b.Inputs}, {"result", a.Results, b.Results}} {
		fa, err := flattenJSON(sec.ra)
		if err != nil {
			return nil, fmt.Errorf("sim: scenario %q %ss: %w", a.Name, sec.name, err)
		}
		fb, err := flattenJSON(sec.rb)
		if err != nil {
			return nil, fmt.Errorf("sim: scenario %q %ss: %w", b.Name, sec.name, err)
		}
		keys := map[string]bool{}
		for k := range fa {
			keys[k] = true
		}
		for k := range fb {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			va, oka := fa[k]
			vb, okb := fb[k]
			r := ComparisonRow{Section: sec.name, Key: k, A: jsonText(va, oka), B: jsonText(vb, okb)}
			na, isa := va.(float64)
			nb, isb := vb.(float64)
			if isa && isb {
				r.Diff, r.HasDiff = nb-na, true
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

func flattenJSON(raw json.RawMessage) (map[string]any, error) {
	out := map[string]any{}
	if len(raw) == 0 {
		return out, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, c)
			}
		case []any:
			if len(t) > 12 { // long series (curves) are summarised, not listed
				out[prefix] = fmt.Sprintf("[%d values]", len(t))
				return
			}
			for i, c := range t {
				walk(fmt.Sprintf("%s[%d]", prefix, i), c)
			}
		default:
			out[prefix] = v
		}
	}
	walk("", v)
	return out, nil
}

func jsonText(v any, ok bool) string {
	if !ok {
		return ""
	}
	switch t := v.(type) {
	case nil:
		return "—"
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return FormatCount(t)
		}
		if math.Abs(t) < 1 {
			return fmt.Sprintf("%.4g", t)
		}
		return groupThousands(fmt.Sprintf("%.2f", t))
	case bool:
		if t {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(v)
}

// ComparisonText renders CompareScenarios as a side-by-side table: keys left, values and the
// difference right-aligned. Rows equal on both sides are kept so that the whole scenario can
// be read; long texts are cut to 40 characters.
func ComparisonText(a, b Scenario, rows []ComparisonRow) string {
	cut := func(s string) string {
		if r := []rune(s); len(r) > 40 {
			return string(r[:39]) + "…"
		}
		return s
	}
	type line struct{ key, a, b, d string }
	lines := []line{{"", a.Name, b.Name, "difference"}}
	section := ""
	for _, r := range rows {
		if r.Section != section {
			section = r.Section
			lines = append(lines, line{key: section + "s"})
		}
		d := ""
		if r.HasDiff && r.Diff != 0 {
			d = FormatSigned(r.Diff, func(v float64) string { return jsonText(v, true) })
		}
		lines = append(lines, line{"  " + r.Key, cut(r.A), cut(r.B), d})
	}
	var w [4]int
	for _, l := range lines {
		for i, c := range []string{l.key, l.a, l.b, l.d} {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	pad := func(s string, n int, left bool) string {
		sp := strings.Repeat(" ", n-len([]rune(s)))
		if left {
			return s + sp
		}
		return sp + s
	}
	var buf strings.Builder
	fmt.Fprintf(&buf, "%s (%s, %s)  vs  %s (%s, %s)\n\n", a.Name, a.Kind, a.CreatedAt.Format("2006-01-02 15:04"),
		b.Name, b.Kind, b.CreatedAt.Format("2006-01-02 15:04"))
	for _, l := range lines {
		row := pad(l.key, w[0], true) + "   " + pad(l.a, w[1], false) + "   " + pad(l.b, w[2], false) + "   " + pad(l.d, w[3], false)
		buf.WriteString(strings.TrimRight(row, " ") + "\n")
	}
	return buf.String()
}

// ListText renders saved scenarios as a table with one headline result each.
func ListText(list []Scenario) string {
	if len(list) == 0 {
		return "no scenarios saved yet (acrm simulate save NAME roi|profit|inbound|frequency ...)\n"
	}
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "name\tkind\tsaved\theadline")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.CreatedAt.Format("2006-01-02 15:04"), headline(s))
	}
	tw.Flush()
	return buf.String()
}

// headline picks the figure that matters for a scenario of each kind.
func headline(s Scenario) string {
	f, err := flattenJSON(s.Results)
	if err != nil {
		return "(unreadable results)"
	}
	num := func(k string) (float64, bool) { v, ok := f[k].(float64); return v, ok }
	switch s.Kind {
	case KindROI:
		if v, ok := num("extra_net_profit"); ok {
			if t, ok := num("targeted.net_profit"); ok && t != 0 {
				return "targeted net " + FormatShort(t) + ", " + FormatSigned(v, FormatShort) + " vs mass"
			}
		}
		if v, ok := num("mass.net_profit"); ok {
			return "net profit " + FormatShort(v)
		}
	case KindProfit:
		if d, ok := num("optimum.depth"); ok {
			n, _ := num("optimum.net")
			return fmt.Sprintf("optimum depth %.1f %%, net %s", 100*d, FormatShort(n))
		}
	case KindInbound:
		if v, ok := num("monthly_profit"); ok {
			c, _ := num("contracts")
			return FormatCount(c) + " contracts, " + FormatShort(v) + " a month"
		}
	case KindFrequency:
		if v, ok := num("extra_revenue.estimate"); ok {
			c, _ := num("extra_contracts.estimate")
			return FormatSigned(c, FormatCount) + " contracts, " + FormatSigned(v, FormatShort) + " revenue per period"
		}
	}
	return ""
}
