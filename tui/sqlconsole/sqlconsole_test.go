package sqlconsole_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/sqlconsole"
	"github.com/acrm-dev/acrm/tui/theme"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// screen hosts the console the way the Data screen embeds it.
type screen struct {
	*common.Info
	con *sqlconsole.Console
}

func (s *screen) Init() tea.Cmd              { return s.con.Open() }
func (s *screen) Update(msg tea.Msg) tea.Cmd { return s.con.Update(msg) }
func (s *screen) View() string               { return s.con.View() }
func (s *screen) SetSize(w, h int)           { s.con.SetSize(w, h) }

func newConsole(t *testing.T, ws *workspace.Workspace) (*sqlconsole.Console, *tuitest.ScreenModel, *tuitest.Driver) {
	t.Helper()
	c := common.NewCommon(theme.New(true), services.New(ws))
	con := sqlconsole.New(c, "data")
	s := &screen{Info: common.NewInfo(c, "data", "Data", nil, nil), con: con}
	m, d := tuitest.NewScreen(s, c, 100, 30)
	d.Init()
	d.Settle(t, 10*time.Second)
	return con, m, d
}

func openWS(t *testing.T) *workspace.Workspace {
	t.Helper()
	return tuitest.OpenFixture(t, 500)
}

func run(t *testing.T, con *sqlconsole.Console, d *tuitest.Driver, q string) {
	t.Helper()
	con.SetValue(q)
	d.Press(sqlconsole.DefaultKeyMap().Run)
	d.Settle(t, 20*time.Second)
}

func TestQueryShowsRowsAndCount(t *testing.T) {
	ws := openWS(t)
	con, _, d := newConsole(t, ws)
	run(t, con, d, "SELECT sector, count(*) AS n FROM customers GROUP BY ALL ORDER BY sector")
	r := con.Result()
	if r == nil || con.Err() != nil {
		t.Fatalf("no result: err %v", con.Err())
	}
	var sectors int
	if err := ws.QueryRowContext(context.Background(), "SELECT count(DISTINCT sector) FROM customers").Scan(&sectors); err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != sectors {
		t.Fatalf("%d rows, want %d", len(r.Rows), sectors)
	}
	v := ansi.Strip(con.View())
	if !strings.Contains(v, "Result · "+components.Int(int64(sectors))+" rows · 2 columns") {
		t.Fatalf("row count / columns not shown:\n%s", v)
	}
}

func TestInvalidSQLShowsPositionAndKeepsWorking(t *testing.T) {
	ws := openWS(t)
	con, _, d := newConsole(t, ws)
	run(t, con, d, "SELECT *\nFORM customers")
	if con.Err() == nil {
		t.Fatal("invalid SQL gave no error")
	}
	v := ansi.Strip(con.View())
	if !strings.Contains(v, "error at line 2") {
		t.Fatalf("error position not shown:\n%s", v)
	}
	run(t, con, d, "SELECT 42 AS answer")
	if con.Err() != nil || con.Result() == nil || con.Result().Rows[0][0] != "42" {
		t.Fatalf("console did not recover after an error: %v %+v", con.Err(), con.Result())
	}
}

func TestErrorPosition(t *testing.T) {
	for _, tc := range []struct {
		msg, query string
		line, col  int
		ok         bool
	}{
		{"Parser Error: syntax error at or near \"FORM\"\n\nLINE 1: SELECT * FORM x\n                 ^", "SELECT * FORM x", 1, 10, true},
		{"Binder Error: column \"y\" not found\n\nLINE 2: WHERE y = 1\n              ^", "SELECT 1\nWHERE y = 1", 2, 7, true},
		{"Catalog Error: Table with name nope does not exist!", "SELECT * FROM nope", 0, 0, false},
	} {
		line, col, ok := sqlconsole.ErrorPosition(tc.msg, tc.query)
		if line != tc.line || col != tc.col || ok != tc.ok {
			t.Errorf("ErrorPosition(%q) = %d, %d, %v; want %d, %d, %v", tc.msg, line, col, ok, tc.line, tc.col, tc.ok)
		}
	}
}

// TestErrorPositionLongLine (issue 11 bug 2): on a long line DuckDB shows a shortened snippet
// ("LINE 1: ...snippet..."); the column is that of the query, measured against DuckDB itself.
func TestErrorPositionLongLine(t *testing.T) {
	ws := openWS(t)
	for _, pad := range []int{0, 20, 150, 400} {
		q := "SELECT customer_id, " + strings.Repeat("customer_id + 1 AS c, ", pad/22) + "sector FROM customers WHERE sectr = 'retail' AND customer_id > 5 AND customer_id < 100000 ORDER BY customer_id"
		want := strings.Index(q, "sectr") + 1
		_, err := ws.QueryContext(context.Background(), q)
		if err == nil {
			t.Fatal("query with a wrong column ran")
		}
		line, col, ok := sqlconsole.ErrorPosition(err.Error(), q)
		if !ok || line != 1 || col != want {
			t.Errorf("pad %d: ErrorPosition = line %d, column %d (%v); want line 1, column %d\n%s", pad, line, col, ok, want, err)
		}
	}
	// a second line, shortened too
	q := "SELECT customer_id\nFROM customers WHERE " + strings.Repeat("customer_id > 0 AND ", 10) + "sectr = 'retail' AND customer_id > 5 AND customer_id < 100000 AND customer_id <> 7"
	_, err := ws.QueryContext(context.Background(), q)
	line, col, ok := sqlconsole.ErrorPosition(err.Error(), q)
	if want := strings.Index(strings.Split(q, "\n")[1], "sectr") + 1; !ok || line != 2 || col != want {
		t.Errorf("line 2: ErrorPosition = %d, %d (%v); want 2, %d\n%s", line, col, ok, want, err)
	}
}

func TestHistoryRecallAndPersistence(t *testing.T) {
	ws := openWS(t)
	con, _, d := newConsole(t, ws)
	run(t, con, d, "SELECT 1")
	run(t, con, d, "SELECT 2")
	con.SetValue("")
	k := sqlconsole.DefaultKeyMap()
	d.Press(k.HistUp)
	if con.Value() != "SELECT 2" {
		t.Fatalf("up: %q, want SELECT 2", con.Value())
	}
	d.Press(k.HistUp)
	if con.Value() != "SELECT 1" {
		t.Fatalf("up up: %q, want SELECT 1", con.Value())
	}
	d.Press(k.HistDown)
	if con.Value() != "SELECT 2" {
		t.Fatalf("down: %q, want SELECT 2", con.Value())
	}
	d.Press(k.HistDown)
	if con.Value() != "" {
		t.Fatalf("down to the draft: %q, want empty", con.Value())
	}
	// A new console on the same workspace recalls the queries from acrm_query_history.
	con2, _, d2 := newConsole(t, ws)
	d2.Press(k.HistUp)
	if con2.Value() != "SELECT 2" {
		t.Fatalf("history not kept in the workspace: %q", con2.Value())
	}
}

func TestLargeResultIsCappedWithANote(t *testing.T) {
	ws := openWS(t)
	con, m, d := newConsole(t, ws)
	run(t, con, d, "SELECT range AS i FROM range(25000)")
	r := con.Result()
	if r == nil || !r.Truncated || len(r.Rows) != sqlconsole.MaxRows {
		t.Fatalf("result not capped at %d: %+v", sqlconsole.MaxRows, r)
	}
	if !strings.Contains(ansi.Strip(con.View()), "capped") || !strings.Contains(m.LastFlash().Text, "capped") {
		t.Fatal("no visible note about the cap")
	}
}

func TestExportWritesTheFullResult(t *testing.T) {
	ws := openWS(t)
	con, m, d := newConsole(t, ws)
	run(t, con, d, "SELECT range AS i FROM range(12000)")
	path := filepath.Join(t.TempDir(), "out.csv")
	d.Press(sqlconsole.DefaultKeyMap().Export)
	for con.ExportPath() != "" { // clear the suggested name
		d.Send(tuitest.Key("backspace"))
	}
	d.Type(path)
	d.Press(sqlconsole.DefaultKeyMap().Apply)
	d.Settle(t, 20*time.Second)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("export: %v (flash %q)", err, m.LastFlash().Text)
	}
	if n := strings.Count(string(b), "\n"); n != 12001 {
		t.Fatalf("exported %d lines, want 12,001 (header + all rows, not the capped view)", n)
	}
}

// TestLongQueryStopsWithin200msOfCancel starts a query over 10^10 generated rows and
// cancels it the way esc does (the shell cancels the latest job of the screen): the
// cancelled result must arrive within 200 ms.
func TestLongQueryStopsWithin200msOfCancel(t *testing.T) {
	ws := openWS(t)
	con, m, d := newConsole(t, ws)
	con.SetValue("SELECT sum(hash(a.range * b.range)) FROM range(100000) a, range(100000) b")
	d.Press(sqlconsole.DefaultKeyMap().Run)
	time.Sleep(300 * time.Millisecond) // let DuckDB get going
	if !m.C.Jobs.Busy() {
		t.Fatal("the long query finished before it could be cancelled")
	}
	start := time.Now()
	if job := m.C.Jobs.CancelLatest("data"); job == nil {
		t.Fatal("no job to cancel")
	}
	d.Settle(t, 5*time.Second)
	elapsed := time.Since(start) - 50*time.Millisecond // Settle's quiet period
	if elapsed > 200*time.Millisecond {
		t.Fatalf("query stopped %s after cancel, want ≤ 200 ms", elapsed)
	}
	if !strings.Contains(ansi.Strip(con.View()), "cancelled") {
		t.Fatalf("no cancelled status:\n%s", ansi.Strip(con.View()))
	}
	t.Logf("cancelled after %s", elapsed)
}

// TestWheelScrollsResultsNotTheEditor: a WheelMsg (the shell sends it while the editor has
// the keyboard) moves the results cursor and leaves the editor text alone; with no result
// table on screen it does nothing.
func TestWheelScrollsResultsNotTheEditor(t *testing.T) {
	ws := openWS(t)
	con, _, d := newConsole(t, ws)
	d.Send(common.WheelMsg{Lines: 3}) // nothing to scroll yet
	run(t, con, d, "SELECT range AS i FROM range(100)")
	if !con.InputFocused() {
		t.Fatal("editor lost the keyboard after a run")
	}
	d.Send(common.WheelMsg{Lines: 3})
	d.Send(common.WheelMsg{Lines: 3})
	if v := ansi.Strip(con.View()); !strings.Contains(v, "row 7 of 100") {
		t.Fatalf("wheel did not scroll the results:\n%s", v)
	}
	d.Send(common.WheelMsg{Lines: -30})
	if v := ansi.Strip(con.View()); !strings.Contains(v, "row 1 of 100") {
		t.Fatalf("wheel up did not stop at the first row:\n%s", v)
	}
	if con.Value() != "SELECT range AS i FROM range(100)" {
		t.Fatalf("wheel changed the editor: %q", con.Value())
	}
	run(t, con, d, "SELECT nope")
	d.Send(common.WheelMsg{Lines: 3}) // error on screen: no table, no panic, no change
	if con.Err() == nil {
		t.Fatal("invalid SQL gave no error")
	}
}

// TestActionsRunAndExport: the console's palette commands run the editor's query and open
// the export prompt (only once there is a result), with the keys their help shows.
func TestActionsRunAndExport(t *testing.T) {
	ws := openWS(t)
	con, m, d := newConsole(t, ws)
	acts := map[string]common.Action{}
	for _, a := range con.Actions() {
		if a.Owner != "data" {
			t.Errorf("action %q owned by %q, want the embedding screen", a.Title, a.Owner)
		}
		acts[a.Title] = a
	}
	runA, okRun := acts["SQL console: run query"]
	exp, okExp := acts["SQL console: export result"]
	if !okRun || !okExp || runA.Key != "ctrl+r" || exp.Key != "ctrl+e" {
		t.Fatalf("actions: %+v", con.Actions())
	}
	d.Send(tea.BatchMsg{exp.Do()})
	d.Settle(t, 5*time.Second)
	if !strings.Contains(m.LastFlash().Text, "run a query first") {
		t.Fatalf("export before a result: flash %q", m.LastFlash().Text)
	}
	con.SetValue("SELECT 6 * 7 AS answer")
	d.Send(tea.BatchMsg{runA.Do()})
	d.Settle(t, 10*time.Second)
	if r := con.Result(); r == nil || r.Rows[0][0] != "42" {
		t.Fatalf("run action: %+v (err %v)", r, con.Err())
	}
	d.Send(tea.BatchMsg{exp.Do()})
	if v := ansi.Strip(con.View()); !strings.Contains(v, "Export the full result") {
		t.Fatalf("export action did not open the prompt:\n%s", v)
	}
}

// TestEmptyEditor (issue 11 bug 12): the empty editor shows how to use it, not a query; ctrl+r
// on it refuses (⊘, not ✓) and says why.
func TestEmptyEditor(t *testing.T) {
	ws := openWS(t)
	con, m, d := newConsole(t, ws)
	v := ansi.Strip(con.View())
	if !strings.Contains(v, "(empty) type a DuckDB query here") || strings.Contains(v, "SELECT sector") {
		t.Fatalf("empty editor:\n%s", v)
	}
	d.Press(sqlconsole.DefaultKeyMap().Run)
	d.Settle(t, 5*time.Second)
	f := m.LastFlash()
	if !f.Refused || f.Error || f.Text != sqlconsole.EmptyRun {
		t.Fatalf("ctrl+r on an empty editor: flash %+v", f)
	}
	if con.Result() != nil || con.Err() != nil {
		t.Fatalf("something ran: %+v %v", con.Result(), con.Err())
	}
}
