package segments_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/segments"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func setup(t *testing.T) (*workspace.Workspace, *segments.Screen, *tuitest.ScreenModel, *tuitest.Driver) {
	t.Helper()
	ws := tuitest.OpenFixture(t, 1000)
	c := common.NewCommon(theme.New(true), services.New(ws))
	s := segments.New(c)
	m, d := tuitest.NewScreen(s, c, 140, 40)
	d.Init()
	d.Settle(t, 20*time.Second)
	return ws, s, m, d
}

func view(s *segments.Screen) string { return ansi.Strip(s.View()) }

func TestValueSegmentKPIs(t *testing.T) {
	ws, s, _, _ := setup(t)
	v := view(s)
	// top = highest 10 % by monthly revenue.
	if !headerHas(v, "top") || !headerHas(v, "index") || !strings.Contains(v, "100") {
		t.Fatalf("no KPI table for the top segment:\n%s", v)
	}
	var avgTop, avgAll float64
	if err := ws.QueryRowContext(context.Background(), `SELECT avg(monthly_revenue) FROM (SELECT monthly_revenue FROM customers ORDER BY monthly_revenue DESC, customer_id LIMIT 100)`).Scan(&avgTop); err != nil {
		t.Fatal(err)
	}
	if err := ws.QueryRowContext(context.Background(), `SELECT avg(monthly_revenue) FROM customers`).Scan(&avgAll); err != nil {
		t.Fatal(err)
	}
	wantIdx := math.Round(100 * avgTop / avgAll)
	line := lineWith(v, "avg monthly revenue")
	if !strings.Contains(line, components.Float(avgTop, 2)) || !strings.Contains(line, components.Float(wantIdx, 0)+" ▲") {
		t.Fatalf("avg revenue line %q, want %s and index %.0f ▲", line, components.Float(avgTop, 2), wantIdx)
	}
}

// rightPane is the part of a screen line right of the segment list (from the KPI pane's
// border on).
func rightPane(line string) string {
	if i := strings.Index(line, "│"); i >= 0 {
		return line[i:]
	}
	return ""
}

// headerHas reports whether the KPI table's header names column name.
func headerHas(v, name string) bool {
	for _, f := range strings.Fields(rightPane(lineWith(v, "│KPI "))) {
		if f == name {
			return true
		}
	}
	return false
}

// TestKPIValuesLineUpWithValues: a KPI without an index (customers) puts its value in the
// value column, right-aligned with the values of the KPIs below it, not under the indices.
func TestKPIValuesLineUpWithValues(t *testing.T) {
	_, s, _, _ := setup(t)
	v := view(s)
	cust, rev := rightPane(lineWith(v, "│customers ")), rightPane(lineWith(v, "avg monthly revenue"))
	cf, rf := strings.Fields(cust), strings.Fields(rev)
	if len(cf) < 3 || len(rf) < 7 {
		t.Fatalf("unexpected KPI lines:\n%s\n%s", cust, rev)
	}
	end := func(line, tok string) int {
		i := strings.LastIndex(line, tok)
		return utf8.RuneCountInString(line[:i]) + utf8.RuneCountInString(tok)
	}
	if a, b := end(cust, cf[2]), end(rev, rf[4]); a != b {
		t.Errorf("top's customers %q ends at column %d, its revenue %q at %d:\n%s\n%s", cf[2], a, rf[4], b, cust, rev)
	}
	if a, b := end(cust, cf[1]), end(rev, rf[3]); a != b {
		t.Errorf("base customers end at %d, base revenue at %d", a, b)
	}
	h, rows := segments.KPITable([]services.KPIRow{{Segment: "all customers"}, {Segment: "a"}, {Segment: "b"}})
	if want := []string{"KPI", "all customers", "a", "index", "b", "index"}; strings.Join(h, "|") != strings.Join(want, "|") {
		t.Errorf("headers %q, want %q", h, want)
	}
	for _, r := range rows {
		if len(r) != len(h) {
			t.Errorf("row %q has %d cells for %d columns", r, len(r), len(h))
		}
		if (r[0] == "customers" || r[0] == "share of base") && (r[3] != "" || r[5] != "") {
			t.Errorf("row %q has an index", r)
		}
	}
}

// TestValueBasisShown: the KPI pane says what ranks the value segments (monthly revenue
// before any model has scored the base).
func TestValueBasisShown(t *testing.T) {
	_, s, _, _ := setup(t)
	if v := view(s); !strings.Contains(v, "value segments ranked by monthly revenue") {
		t.Fatalf("value basis not shown:\n%s", v)
	}
}

func lineWith(v, s string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestCompareSegmentsSideBySide(t *testing.T) {
	_, s, m, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.Mark) // top
	d.Press(k.Down)
	d.Press(k.Down)
	d.Press(k.Mark) // low
	d.Settle(t, 10*time.Second)
	v := view(s)
	if !headerHas(v, "top") || !headerHas(v, "low") {
		t.Fatalf("comparison lacks a segment:\n%s", v)
	}
	if !strings.Contains(lineWith(v, "avg monthly revenue"), "▼") {
		t.Fatalf("low segment's revenue index not marked ▼:\n%s", v)
	}
	// At most four.
	d.Press(k.Up)
	d.Press(k.Mark)
	d.Settle(t, 10*time.Second)
	if !headerHas(view(s), "middle") {
		t.Fatal("third segment not compared")
	}
	_ = m
}

func TestCrosstabCountsAndRowPercentages(t *testing.T) {
	ws, s, _, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.Crosstab)
	d.Settle(t, 10*time.Second)
	v := view(s)
	if !strings.Contains(v, "Crosstab sector × size_class") {
		t.Fatalf("no crosstab:\n%s", v)
	}
	// The crosstab is within the top segment (the one under the cursor): its total is 10 %.
	total := lineWith(v, "│total")
	if !strings.Contains(total, " 100") {
		t.Fatalf("total row %q does not add up to the 100 customers of top", total)
	}
	n := tuitest.Count(t, ws, `SELECT count(*) FROM (SELECT * FROM customers ORDER BY monthly_revenue DESC, customer_id LIMIT 100) WHERE sector = 'retail' AND size_class = 'micro'`)
	if !strings.Contains(lineWith(v, "retail"), components.Int(n)+" ") {
		t.Fatalf("retail × micro should be %d:\n%s", n, lineWith(v, "retail"))
	}
}

func TestInvalidSegmentFilterChangesNothing(t *testing.T) {
	ws, s, m, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.Typed)
	if !s.InputFocused() {
		t.Fatal("SQL builder does not have the keyboard")
	}
	d.Type("no_such_col > 3")
	d.Press(k.Next)
	d.Settle(t, 10*time.Second)
	f := m.LastFlash()
	if !f.Error || !strings.Contains(f.Text, "no_such_col") {
		t.Fatalf("flash %+v does not name the bad filter", f)
	}
	if v := view(s); !strings.Contains(v, "✗") || !strings.Contains(v, "where no_such_col > 3") {
		t.Fatalf("builder does not show the error next to the filter:\n%s", v)
	}
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments"); n != 0 {
		t.Fatalf("an invalid filter saved %d segments", n)
	}
	d.Press(k.Back)
	if s.InputFocused() {
		t.Fatal("esc did not close the builder")
	}
}

func TestTypedSegmentIsSaved(t *testing.T) {
	ws, s, m, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.Typed)
	d.Type("sector = 'retail' AND mobile_subs >= 10")
	d.Press(k.Next)
	d.Settle(t, 10*time.Second)
	want := tuitest.Count(t, ws, "SELECT count(*) FROM customers WHERE sector = 'retail' AND mobile_subs >= 10")
	if v := view(s); !strings.Contains(v, "selects "+components.Int(want)+" customers") {
		t.Fatalf("count %d not shown:\n%s", want, v)
	}
	d.Type("retail heavy")
	d.Press(k.Next)
	d.Settle(t, 10*time.Second)
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments WHERE name = 'retail heavy'"); n != 1 {
		t.Fatal("segment not saved")
	}
	// the other screens (Data's row counts) are told the workspace changed (issue 11 bug 8)
	if len(m.Refreshes) == 0 || m.Refreshes[len(m.Refreshes)-1].Source != segments.ID {
		t.Fatalf("saving a segment broadcast no refresh: %+v", m.Refreshes)
	}
	v := view(s)
	if !strings.Contains(v, "retail heavy") || !strings.Contains(lineWith(v, "│customers "), components.Int(want)) {
		t.Fatalf("saved segment not selected with its KPIs:\n%s", v)
	}
	d.Press(k.Delete)
	d.Settle(t, 10*time.Second)
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments"); n != 1 {
		t.Fatal("one d deleted the segment without confirmation")
	}
	d.Press(k.Delete)
	d.Settle(t, 10*time.Second)
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments"); n != 0 {
		t.Fatal("d d did not delete the segment")
	}
}

func TestGuidedBuilderPicksValuesFromTheColumn(t *testing.T) {
	ws, s, _, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.New)
	// Column step: move to "sector".
	for i := 0; i < 30 && !strings.Contains(lineWith(view(s), "> "), "sector"); i++ {
		d.Press(k.Down)
	}
	d.Press(k.Next) // → operator (=)
	d.Settle(t, 10*time.Second)
	d.Press(k.Next) // → value (most frequent sector preselected)
	v := view(s)
	if !strings.Contains(v, "customers") {
		t.Fatalf("value step does not list the column's values:\n%s", v)
	}
	var top string
	if err := ws.QueryRowContext(context.Background(), `SELECT sector FROM customers GROUP BY 1 ORDER BY count(*) DESC, sector LIMIT 1`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	d.Press(k.Next) // → name
	d.Settle(t, 10*time.Second)
	want := tuitest.Count(t, ws, "SELECT count(*) FROM customers WHERE sector = '"+top+"'")
	if v := view(s); !strings.Contains(v, "selects "+components.Int(want)+" customers") {
		t.Fatalf("guided filter does not select the %d %s customers:\n%s", want, top, v)
	}
	d.Press(k.Next) // save under the suggested name
	d.Settle(t, 10*time.Second)
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments WHERE name = 'sector = "+top+"'"); n != 1 {
		t.Fatalf("guided segment not saved under its suggested name")
	}
}

func TestArrow(t *testing.T) {
	for idx, want := range map[float64]string{150: "▲", 105: "▲", 104.9: "=", 100: "=", 95.1: "=", 95: "▼", 12: "▼"} {
		if got := segments.Arrow(idx); got != want {
			t.Errorf("Arrow(%v) = %q, want %q", idx, got, want)
		}
	}
}

// A value typed in the builder that no customer has is not saved as an empty segment.
func TestBuilderRefusesAFilterThatSelectsNobody(t *testing.T) {
	ws, s, _, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.New)
	for i := 0; i < 30 && !strings.Contains(lineWith(view(s), "> "), "sector"); i++ {
		d.Press(k.Down)
	}
	d.Press(k.Next) // → operator (=)
	d.Settle(t, 10*time.Second)
	d.Press(k.Next) // → value (most frequent sector preselected)
	d.Type("j")     // j is a letter here, not a move: the value no longer exists
	d.Press(k.Next) // → name
	d.Settle(t, 10*time.Second)
	if v := view(s); !strings.Contains(v, "selects 0 customers") {
		t.Fatalf("count of the typo'd filter not shown:\n%s", v)
	}
	d.Press(k.Next) // try to save
	d.Settle(t, 10*time.Second)
	if v := view(s); !strings.Contains(v, "selects no customers") {
		t.Fatalf("no refusal on screen:\n%s", v)
	}
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM acrm_segments"); n != 0 {
		t.Fatalf("%d segment(s) saved, want none", n)
	}
}

// TestStoredHostileFilterRunsNothing (issue 17, item 1): a workspace from elsewhere carries a
// saved segment whose filter hides statements in DuckDB's $$…$$ strings. Moving the cursor
// onto it (which computes its KPIs) and marking it write no file and create no table; the
// screen says the filter was refused.
func TestStoredHostileFilterRunsNothing(t *testing.T) {
	ws := tuitest.OpenFixture(t, 1000)
	ctx := context.Background()
	file := t.TempDir() + "/x.csv"
	hostile := `$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$` + file + `$$; CREATE TABLE injected AS SELECT 1 AS x; DESCRIBE SELECT (true --`
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_segments VALUES ('evil', ?, '', now()::TIMESTAMP)`, hostile); err != nil {
		t.Fatal(err)
	}
	c := common.NewCommon(theme.New(true), services.New(ws))
	s := segments.New(c)
	m, d := tuitest.NewScreen(s, c, 140, 40)
	d.Init()
	d.Settle(t, 20*time.Second)
	k := segments.DefaultKeyMap()
	for i := 0; i < 3; i++ { // top, middle, low, then the saved evil
		d.Press(k.Down)
		d.Settle(t, 10*time.Second)
	}
	d.Press(k.Mark)
	d.Settle(t, 10*time.Second)
	d.Press(k.Crosstab)
	d.Settle(t, 10*time.Second)
	if _, err := os.Stat(file); err == nil {
		t.Fatalf("the stored filter wrote %s", file)
	}
	if ok, err := ws.HasTable(ctx, "injected"); err != nil || ok {
		t.Fatalf("the stored filter created table injected (%v)", err)
	}
	f := m.LastFlash()
	if !f.Error || !strings.Contains(f.Text, "not a single SQL expression") {
		t.Errorf("flash %+v does not say the filter was refused\n%s", f, view(s))
	}
}
