package data_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/data"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func setup(t *testing.T) (*workspace.Workspace, *data.Screen, *tuitest.ScreenModel, *tuitest.Driver) {
	t.Helper()
	ws := tuitest.OpenFixture(t, 1000)
	c := common.NewCommon(theme.New(true), services.New(ws))
	s := data.New(c)
	m, d := tuitest.NewScreen(s, c, 120, 34)
	d.Init()
	d.Settle(t, 20*time.Second)
	return ws, s, m, d
}

func view(s *data.Screen) string { return ansi.Strip(s.View()) }

func TestShowsTablesProfileAndPreview(t *testing.T) {
	ws, s, _, _ := setup(t)
	v := view(s)
	for _, want := range []string{
		"> customers", "customers · 1,000 rows · 16 columns", "monthly_revenue", "histogram", "rows 1–",
		"holdings " + strings.Repeat(" ", 0),
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	n := tuitest.Count(t, ws, "SELECT count(*) FROM holdings")
	if !strings.Contains(v, components.Int(n)) {
		t.Errorf("holdings row count %d not listed", n)
	}
}

func TestFilterRowsBySQLConditionAndText(t *testing.T) {
	ws, s, _, d := setup(t)
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Filter)
	if !s.InputFocused() {
		t.Fatal("filter input does not have the keyboard")
	}
	d.Type("region = 'Utrecht'")
	d.Press(k.Apply)
	d.Settle(t, 10*time.Second)
	n := tuitest.Count(t, ws, "SELECT count(*) FROM customers WHERE region = 'Utrecht'")
	if v := view(s); !strings.Contains(v, "of "+components.Int(n)+" ·") {
		t.Fatalf("filtered total %d not shown:\n%s", n, v)
	}
	// Plain text matches any column.
	d.Press(k.Filter)
	for range "region = 'Utrecht'" {
		d.Send(tuitest.Key("backspace"))
	}
	d.Type("Customer 99")
	d.Press(k.Apply)
	d.Settle(t, 10*time.Second)
	n = tuitest.Count(t, ws, "SELECT count(*) FROM customers WHERE name ILIKE '%customer 99%'")
	if v := view(s); !strings.Contains(v, "of "+components.Int(n)+" ·") {
		t.Fatalf("text filter total %d not shown:\n%s", n, v)
	}
	d.Press(k.Clear)
	d.Settle(t, 10*time.Second)
	if v := view(s); !strings.Contains(v, "of 1,000 ·") {
		t.Fatalf("clearing the filter did not bring all rows back:\n%s", v)
	}
}

func TestInvalidFilterIsAnErrorAndTheScreenKeepsWorking(t *testing.T) {
	_, s, m, d := setup(t)
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Filter)
	d.Type("no_such_column = 3")
	d.Press(k.Apply)
	d.Settle(t, 10*time.Second)
	f := m.LastFlash()
	if !f.Error || !strings.Contains(f.Text, "no_such_column") {
		t.Fatalf("flash %+v does not name the bad filter", f)
	}
	if v := view(s); !strings.Contains(v, "✗") {
		t.Fatalf("preview does not show the error:\n%s", v)
	}
	d.Press(k.Clear)
	d.Settle(t, 10*time.Second)
	if v := view(s); !strings.Contains(v, "of 1,000 ·") {
		t.Fatalf("screen did not recover:\n%s", v)
	}
}

func TestPreviewPagesThroughTheTable(t *testing.T) {
	_, s, _, d := setup(t)
	nav := keys.DefaultNav()
	k := data.DefaultKeyMap(nav)
	d.Press(k.Focus)
	d.Press(k.Focus) // tables → columns → preview
	d.Press(nav.PageDown)
	d.Settle(t, 10*time.Second)
	v := view(s)
	if strings.Contains(v, "rows 1–") {
		t.Fatalf("pgdn did not move the preview:\n%s", v)
	}
	d.Press(nav.Bottom)
	d.Settle(t, 10*time.Second)
	v = view(s)
	if !strings.Contains(v, "of 1,000 ·") || !strings.Contains(v, "–1,000 of") {
		t.Fatalf("G did not reach the last row:\n%s", v)
	}
	if !strings.Contains(v, " 1000  Customer") {
		t.Fatalf("last row not shown:\n%s", v)
	}
}

func TestImportMissingFileIsAClearError(t *testing.T) {
	ws, s, m, d := setup(t)
	before := tuitest.Count(t, ws, "SELECT count(*) FROM information_schema.tables")
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Import)
	d.Type("/no/such/dir/leads.csv")
	d.Press(k.Apply)
	d.Settle(t, 10*time.Second)
	f := m.LastFlash()
	if !f.Error || !strings.Contains(f.Text, "/no/such/dir/leads.csv") || !strings.Contains(f.Text, "not found") {
		t.Fatalf("flash %+v does not name the missing file", f)
	}
	if !strings.Contains(view(s), "not found") {
		t.Fatalf("import dialog does not show the error:\n%s", view(s))
	}
	if after := tuitest.Count(t, ws, "SELECT count(*) FROM information_schema.tables"); after != before {
		t.Fatalf("a failed import changed the workspace: %d → %d tables", before, after)
	}
}

func TestImportCSVAddsATable(t *testing.T) {
	ws, s, _, d := setup(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "leads 2026.csv")
	if err := os.WriteFile(path, []byte("customer_id,score\n1,0.5\n2,0.25\n3,0.75\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Import)
	d.Type(filepath.Join(dir, "le"))
	d.Press(k.Complete)
	d.Settle(t, 5*time.Second)
	d.Press(k.Apply)
	d.Settle(t, 20*time.Second)
	// The shell broadcasts RefreshMsg after an import; the host here does not, so send it.
	d.Send(common.RefreshMsg{Source: "test"})
	d.Settle(t, 20*time.Second)
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM leads_2026"); n != 3 {
		t.Fatalf("imported %d rows, want 3", n)
	}
	if !strings.Contains(view(s), "leads_2026") {
		t.Fatalf("new table not listed:\n%s", view(s))
	}
}

func TestCompletePath(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"alpha.csv", "alpine.csv", "zeta.parquet"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "beta"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in, want string
		choices  int
	}{
		{dir + "/al", dir + "/alp", 2},
		{dir + "/b", dir + "/beta/", 0},
		{dir + "/z", dir + "/zeta.parquet", 0},
		{dir + "/q", dir + "/q", 0},
	} {
		got, choices := data.CompletePath(tc.in)
		if got != tc.want || len(choices) != tc.choices {
			t.Errorf("CompletePath(%q) = %q, %v; want %q with %d choices", tc.in, got, choices, tc.want, tc.choices)
		}
	}
}

func TestFilterText(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"utrecht":             "utrecht",
		"region = 'Utrecht'":  "where region = 'Utrecht'",
		"where employees > 5": "where employees > 5",
		"nps is null":         "where nps is null",
		"Van Dijk Logistiek":  "Van Dijk Logistiek",
	} {
		if got := data.FilterText(in); got != want {
			t.Errorf("FilterText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableNameFor(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/Leads 2026.csv": "leads_2026",
		"x.csv.gz":            "x",
		"2026-data.parquet":   "_026_data",
	} {
		if got := data.TableNameFor(in); got != want {
			t.Errorf("TableNameFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSQLConsoleOpensAndClosesWithKeys(t *testing.T) {
	_, s, _, d := setup(t)
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.SQL)
	d.Settle(t, 10*time.Second)
	if !strings.Contains(view(s), "ctrl+r run") || !s.InputFocused() {
		t.Fatalf("console not open:\n%s", view(s))
	}
	d.Press(k.Cancel)
	d.Settle(t, 5*time.Second)
	if !strings.Contains(view(s), "Tables") || s.InputFocused() {
		t.Fatalf("esc did not return to the tables:\n%s", view(s))
	}
}

// On a short terminal the detail strip has no room under the profile: with the Columns pane
// focused, the selected column's distribution takes the Preview pane's place, and the rows
// come back when the focus moves on.
func TestShortTerminalShowsTheDistributionInsteadOfThePreview(t *testing.T) {
	_, s, _, d := setup(t)
	s.SetSize(80, 22)
	k := data.DefaultKeyMap(keys.DefaultNav())
	if v := view(s); strings.Contains(v, "Distribution of") || !strings.Contains(v, "Preview") {
		t.Fatalf("tables focused: want the preview, got:\n%s", v)
	}
	d.Press(k.Focus) // tables → columns (cursor on customer_id)
	v := view(s)
	if !strings.Contains(v, "Distribution of customer_id") || !strings.Contains(v, "median") || strings.Contains(v, "Preview") {
		t.Fatalf("columns focused on a short terminal: want customer_id's distribution with quantiles, got:\n%s", v)
	}
	for i, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	d.Press(k.Focus) // columns → preview
	if v := view(s); strings.Contains(v, "Distribution of") || !strings.Contains(v, "rows 1–") {
		t.Fatalf("preview focused: want the rows back, got:\n%s", v)
	}
	// A tall terminal keeps both: the strip under the profile and the preview.
	s.SetSize(120, 40)
	d.Press(k.Focus) // preview → tables
	d.Press(k.Focus) // tables → columns
	if v := view(s); strings.Contains(v, "Distribution of") || !strings.Contains(v, "rows 1–") {
		t.Fatalf("tall terminal: want the preview kept, got:\n%s", v)
	}
}

// An import error is shown whole under the path (wrapped, not cut at the border), and the
// screen keeps its height when the error appears and when a key clears it.
func TestImportErrorIsShownWholeUnderThePath(t *testing.T) {
	_, s, _, d := setup(t)
	path := filepath.Join(t.TempDir(), "latin1.csv")
	if err := os.WriteFile(path, []byte("id,name\n1,caf\xe9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Import)
	d.Type(path)
	d.Press(k.Apply)
	d.Settle(t, 10*time.Second)
	v := view(s)
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ", "┃", " ").Replace(v)), " ")
	for _, want := range []string{"line 2", "0xE9", "encoding latin-1 or utf-16)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the import error lacks %q:\n%s", want, v)
		}
	}
	lines := strings.Split(v, "\n")
	if len(lines) != 34 {
		t.Errorf("with the error the screen is %d lines, want 34", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	d.Type("x") // any key clears the error
	if v := view(s); strings.Contains(v, "0xE9") || len(strings.Split(v, "\n")) != 34 {
		t.Errorf("after a key: error still shown or height changed (%d lines):\n%s", len(strings.Split(v, "\n")), v)
	}
}
