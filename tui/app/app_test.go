package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/app"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/data"
	"github.com/acrm-dev/acrm/tui/internal/fixture"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/sqlconsole"
	"github.com/acrm-dev/acrm/tui/theme"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	code := m.Run()
	if bigPath != "" {
		os.RemoveAll(filepath.Dir(bigPath)) // the benchmark's 1M-customer workspace
	}
	os.Exit(code)
}

// sampleCustomers is the size of the seeded sample datamart the app tests run on.
const sampleCustomers = 2000

func openWS(tb testing.TB) *workspace.Workspace {
	tb.Helper()
	ws, err := fixture.Sample(context.Background(), sampleCustomers)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newApp(tb testing.TB, ws *workspace.Workspace) *app.Model {
	return app.New(services.New(ws), app.Options{Theme: theme.New(true), Now: func() time.Time { return fixedNow }})
}

// start drives a new app at w×h until idle.
func start(tb testing.TB, ws *workspace.Workspace, w, h int) (*app.Model, *tuitest.Driver) {
	tb.Helper()
	m := newApp(tb, ws)
	d := tuitest.New(m, m.Common().Jobs.Busy)
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.Init()
	d.Settle(tb, 20*time.Second)
	return m, d
}

func view(m *app.Model) string { return ansi.Strip(m.View()) }

func assertFits(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, terminal is %d: %q", i, lw, w, l)
		}
	}
}

func TestSwitchScreensWithKeys(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	g := keys.DefaultGlobal()
	want := func(id string) {
		t.Helper()
		if got := m.Active().ID(); got != id {
			t.Fatalf("active screen %q, want %q", got, id)
		}
	}
	want("data")
	d.Press(g.NextScreen)
	want("segments")
	d.Press(g.PrevScreen)
	want("data")
	d.Press(g.PrevScreen) // wraps around
	want("monitor")
	for i, id := range []string{"data", "segments", "profiles", "offers", "simulate", "monitor"} {
		s := m.Screens()[i]
		d.Press(g.Screen[i])
		want(id)
		if !strings.Contains(view(m), "["+string(rune('1'+i))+" "+s.Title()+"]") {
			t.Errorf("tab bar does not mark screen %d active", i+1)
		}
	}
}

func TestEveryScreenDrawsSomething(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 100, 30)
	g := keys.DefaultGlobal()
	for i, s := range m.Screens() {
		d.Press(g.Screen[i])
		d.Settle(t, 10*time.Second)
		v := view(m)
		assertFits(t, v, 100, 30)
		body := strings.Join(strings.Split(v, "\n")[1:29], "")
		if len(strings.TrimSpace(strings.Trim(body, "│┃╭╮╰╯┏┓┗┛─━ "))) < 40 {
			t.Errorf("screen %s is (nearly) blank:\n%s", s.Title(), v)
		}
	}
}

func TestResizeReflows(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 80, 24)
	for _, sz := range [][2]int{{80, 24}, {140, 45}, {300, 80}, {81, 25}} {
		d.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		d.Settle(t, 10*time.Second)
		assertFits(t, view(m), sz[0], sz[1])
	}
}

func TestTinyTerminalSaysSo(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 40, 10)
	v := view(m)
	if !strings.Contains(v, "needs at least 80×24") || !strings.Contains(v, "40×10") {
		t.Fatalf("tiny terminal view does not explain itself:\n%s", v)
	}
	assertFits(t, v, 40, 10)
	// Keys other than quit do nothing harmful; growing the terminal brings the app back.
	d.Press(keys.DefaultGlobal().NextScreen)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.Settle(t, 10*time.Second)
	if v := view(m); !strings.Contains(v, "Tables") {
		t.Fatalf("after resize the Data screen is not back:\n%s", v)
	}
}

func TestHelpShowsKeysThatWorkNow(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	g := keys.DefaultGlobal()
	d.Press(g.Help)
	v := view(m)
	for _, want := range []string{"Help", "import file", "SQL console", "next screen", "commands"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Contains(v, "clear filter") {
		t.Error("help lists 'clear filter' although no filter is set")
	}
	if strings.Contains(v, "cancel job") {
		t.Error("help lists 'cancel job' although no job runs")
	}
	d.Send(tuitest.Key("esc"))
	if strings.Contains(view(m), "Everywhere") {
		t.Fatal("esc did not close help")
	}
}

func TestPaletteRunsAnAction(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	d.Press(keys.DefaultGlobal().NextScreen) // from Segments …
	d.Press(keys.DefaultGlobal().Palette)
	if !strings.Contains(view(m), "Commands") {
		t.Fatalf("palette not open:\n%s", view(m))
	}
	d.Type("sql console")
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
	if m.Active().ID() != "data" || !strings.Contains(view(m), "ctrl+r run") {
		t.Fatalf("palette did not open the SQL console on Data:\n%s", view(m))
	}
	if !m.Active().InputFocused() {
		t.Fatal("SQL editor does not have the keyboard")
	}
	// q types into the editor instead of quitting.
	d.Type("q")
	if strings.Contains(view(m), "quit anyway") {
		t.Fatal("q in the editor acted as quit")
	}
}

// blockingJob starts a job on the data screen that runs until cancelled.
func blockingJob(m *app.Model, d *tuitest.Driver) {
	_, cmd := common.Start(m.Common().Jobs, "data", "long test job", func(ctx context.Context, report func(common.Progress)) (int, error) {
		report(common.Progress{Done: 1, Total: 4, Stage: "step 1"})
		<-ctx.Done()
		return 0, ctx.Err()
	})
	d.Send(tea.BatchMsg{cmd})
}

// TestStatusBarStageOnce: a training job whose stage repeats its own name ("load load",
// as profiles nest the feature loader's stage) shows the stage once in the status bar.
func TestStatusBarStageOnce(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	_, cmd := common.Start(m.Common().Jobs, "profiles", "training all products", func(ctx context.Context, report func(common.Progress)) (int, error) {
		report(common.Progress{Done: 1, Total: 4, Stage: "load load"})
		<-ctx.Done()
		return 0, ctx.Err()
	})
	d.Send(tea.BatchMsg{cmd})
	d.WaitFor(t, 5*time.Second, func() bool { return strings.Contains(view(m), "25%") })
	v := view(m)
	if !strings.Contains(v, "training all products · load") || strings.Contains(v, "load load") {
		t.Fatalf("status bar does not show the stage once:\n%s", v)
	}
	m.Common().Jobs.CancelAll()
}

func TestQuitAsksWhileAJobRuns(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	blockingJob(m, d)
	d.WaitFor(t, 5*time.Second, func() bool { return strings.Contains(view(m), "25%") })
	if v := view(m); !strings.Contains(v, "esc cancel") || !strings.Contains(v, "25%") {
		t.Fatalf("status bar does not show the job with progress:\n%s", v)
	}
	g := keys.DefaultGlobal()
	_, cmd := m.Update(tuitest.Key("q"))
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q quit at once while a job runs")
		}
	}
	if !strings.Contains(view(m), "quit anyway") {
		t.Fatal("no quit confirmation")
	}
	d.Send(tuitest.Key("n"))
	if strings.Contains(view(m), "quit anyway") {
		t.Fatal("n did not dismiss the confirmation")
	}
	_, _ = m.Update(tuitest.Key(g.Quit.Keys()[0]))
	_, cmd = m.Update(tuitest.Key("y"))
	if cmd == nil {
		t.Fatal("y did not quit")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Fatal("y did not quit")
	}
	if m.Common().Jobs.Running()[0].Cancelled != true {
		t.Fatal("quitting did not cancel the running job")
	}
}

func TestCtrlCAlwaysQuits(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	d.Press(keys.DefaultGlobal().Palette) // even with an overlay open
	_, cmd := m.Update(tuitest.Key("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c returned no command")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestEscCancelsTheRunningJob(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	blockingJob(m, d)
	d.Press(keys.DefaultGlobal().Cancel)
	d.Settle(t, 5*time.Second)
	if m.Common().Jobs.Busy() {
		t.Fatal("job still running after esc")
	}
	if !strings.Contains(view(m), "cancelled") {
		t.Fatalf("no 'cancelled' status:\n%s", view(m))
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	before := view(m)
	d.Send(tea.MouseMsg(tea.MouseEvent{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}))
	d.Settle(t, 10*time.Second)
	if view(m) == before {
		t.Fatal("wheel down changed nothing")
	}
	if !strings.Contains(view(m), "> products") {
		// The tables pane has focus: three wheel steps move three tables down.
		if !strings.Contains(view(m), "> contacts") {
			t.Fatalf("wheel did not move the table cursor:\n%s", view(m))
		}
	}
}

func TestEmptyWorkspaceExplainsItself(t *testing.T) {
	ws, err := workspace.Open(context.Background(), workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	m, d := start(t, ws, 100, 30)
	if v := view(m); !strings.Contains(v, "No data yet") {
		t.Fatalf("empty workspace: Data screen gives no hint:\n%s", v)
	}
	d.Press(keys.DefaultGlobal().Screen[1])
	d.Settle(t, 10*time.Second)
	v := view(m)
	if !strings.Contains(v, "no customers table") {
		t.Fatalf("Segments on an empty workspace does not say what is missing:\n%s", v)
	}
	assertFits(t, v, 100, 30)
}

// labelSvc is the fixture workspace under another file name and size, as the status bar
// shows them.
type labelSvc struct {
	*services.Workspace
	path string
	size int64
}

func (s labelSvc) Path() string     { return s.path }
func (s labelSvc) SizeBytes() int64 { return s.size }

// lastLine is the status bar of a frame.
func lastLine(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-1]
}

// TestStatusBarShowsWorkspacePathAndSize: the status bar (not the tab bar) shows the
// workspace file and its size at 80 columns as well as at 140; a long path gives way in
// its middle and keeps the file name.
func TestStatusBarShowsWorkspacePathAndSize(t *testing.T) {
	ws := openWS(t)
	const path = "/home/analyst/projects/kpn-b2b/workspaces/2026-q4/churn.duckdb"
	for _, sz := range [][2]int{{80, 24}, {140, 45}} {
		m := app.New(labelSvc{services.New(ws), path, 1_234_567_890}, app.Options{Theme: theme.New(true), Now: func() time.Time { return fixedNow }})
		d := tuitest.New(m, m.Common().Jobs.Busy)
		d.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		d.Init()
		d.Settle(t, 20*time.Second)
		v := view(m)
		assertFits(t, v, sz[0], sz[1])
		status := lastLine(v)
		for _, want := range []string{"churn.duckdb", "1.2 GB", "? help", "q quit"} {
			if !strings.Contains(status, want) {
				t.Errorf("%dx%d: status bar lacks %q: %q", sz[0], sz[1], want, status)
			}
		}
		if strings.Contains(status, path) {
			t.Errorf("%dx%d: the whole path fits no status bar this narrow: %q", sz[0], sz[1], status)
		}
		if sz[0] == 140 && !strings.Contains(status, "/home/") {
			t.Errorf("140 columns: the path's start is gone: %q", status)
		}
		if tabs := strings.Split(v, "\n")[0]; strings.Contains(tabs, "duckdb") {
			t.Errorf("%dx%d: tab bar still shows the workspace: %q", sz[0], sz[1], tabs)
		}
	}
}

// TestErrorIsSeenWhileAJobRuns: an error raised while a job runs is shown beside the job
// line and stays (past the time an informational message lasts) until the next key;
// informational messages still clear themselves.
func TestErrorIsSeenWhileAJobRuns(t *testing.T) {
	ws := openWS(t)
	const flashFor = 100 * time.Millisecond
	m := app.New(services.New(ws), app.Options{Theme: theme.New(true), Now: func() time.Time { return fixedNow }, FlashDuration: flashFor})
	d := tuitest.New(m, m.Common().Jobs.Busy)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.Init()
	d.Settle(t, 20*time.Second)
	blockingJob(m, d)
	d.WaitFor(t, 5*time.Second, func() bool { return strings.Contains(view(m), "25%") })

	d.Send(common.FlashMsg{Text: "saved 3 rows"})
	if s := lastLine(view(m)); !strings.Contains(s, "long test job") || !strings.Contains(s, "saved 3 rows") {
		t.Fatalf("info message not shown beside the job: %q", s)
	}
	d.WaitFor(t, 5*time.Second, func() bool { return !strings.Contains(view(m), "saved 3 rows") })

	d.Send(common.FlashMsg{Text: "segments: filter: Binder Error", Error: true})
	deadline := time.Now().Add(5 * flashFor) // well past the time an info message lasts
	d.WaitFor(t, 5*time.Second, func() bool { return time.Now().After(deadline) })
	s := lastLine(view(m))
	if !strings.Contains(s, "✗ segments: filter") || !strings.Contains(s, "long test job") {
		t.Fatalf("error not kept beside the job line: %q", s)
	}
	assertFits(t, view(m), 80, 24)
	d.Press(keys.DefaultNav().Down)
	if strings.Contains(view(m), "segments: filter") {
		t.Fatalf("a key did not dismiss the error:\n%s", lastLine(view(m)))
	}
	m.Common().Jobs.CancelAll()
}

// TestTinyTerminalMessageFits: below the minimum the explanation is wrapped and cut to the
// terminal, however small.
func TestTinyTerminalMessageFits(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 20, 5)
	v := view(m)
	assertFits(t, v, 20, 5)
	if !strings.Contains(v, "20×5") || !strings.Contains(v, "80×24") {
		t.Fatalf("20x5: the message lost its point:\n%s", v)
	}
	for _, sz := range [][2]int{{30, 8}, {12, 4}, {5, 2}, {1, 1}, {79, 23}} {
		d.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		assertFits(t, view(m), sz[0], sz[1])
	}
}

// TestMouseWheelScrollsSQLResults: the wheel scrolls the SQL results while the editor has
// the keyboard, without touching the editor (no history recall, text unchanged), and
// leaves other text inputs (the Data filter) alone.
func TestMouseWheelScrollsSQLResults(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 120, 36)
	wheel := func(b tea.MouseButton) {
		d.Send(tea.MouseMsg(tea.MouseEvent{Button: b, Action: tea.MouseActionPress}))
	}
	// The Data filter: the wheel changes nothing.
	dk := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(dk.Filter)
	d.Type("abc")
	if !m.Active().InputFocused() {
		t.Fatal("filter input does not have the keyboard")
	}
	before := view(m)
	wheel(tea.MouseButtonWheelDown)
	wheel(tea.MouseButtonWheelUp)
	if view(m) != before {
		t.Fatalf("the wheel changed the screen while the filter had the keyboard:\n%s", view(m))
	}
	d.Press(dk.Cancel)
	d.Settle(t, 10*time.Second)

	d.Press(dk.SQL)
	d.Settle(t, 10*time.Second)
	d.Type("SELECT customer_id FROM customers ORDER BY customer_id")
	d.Press(sqlconsole.DefaultKeyMap().Run)
	d.Settle(t, 20*time.Second)
	d.Type(" -- draft") // recalling history (what up does on the first line) would replace it
	if !m.Active().InputFocused() {
		t.Fatal("SQL editor does not have the keyboard")
	}
	if !strings.Contains(view(m), "row 1 of 2,000") {
		t.Fatalf("no result:\n%s", view(m))
	}
	wheel(tea.MouseButtonWheelDown)
	wheel(tea.MouseButtonWheelDown)
	if v := view(m); !strings.Contains(v, "row 7 of 2,000") {
		t.Fatalf("two wheel steps down did not scroll the results 6 rows:\n%s", v)
	}
	wheel(tea.MouseButtonWheelUp)
	v := view(m)
	if !strings.Contains(v, "row 4 of 2,000") {
		t.Fatalf("wheel up did not scroll the results back:\n%s", v)
	}
	if !strings.Contains(v, "ORDER BY customer_id -- draft") || !m.Active().InputFocused() {
		t.Fatalf("the wheel touched the editor:\n%s", v)
	}
}

// consoleScreen hosts a SQL console whose actions are palette commands, the way a screen
// embedding it lists them.
type consoleScreen struct {
	*common.Info
	con *sqlconsole.Console
}

func (s *consoleScreen) Init() tea.Cmd              { return s.con.Open() }
func (s *consoleScreen) Update(msg tea.Msg) tea.Cmd { return s.con.Update(msg) }
func (s *consoleScreen) View() string               { return s.con.View() }
func (s *consoleScreen) SetSize(w, h int)           { s.con.SetSize(w, h) }
func (s *consoleScreen) InputFocused() bool         { return s.con.InputFocused() }
func (s *consoleScreen) KeyMap() help.KeyMap        { return s.con.KeyMap() }
func (s *consoleScreen) Actions() []common.Action   { return s.con.Actions() }

// TestPaletteListsConsoleActionsAndCancel: the palette offers the SQL console's run and
// export, runs the query from the palette, and lists "cancel job" only while one runs.
func TestPaletteListsConsoleActionsAndCancel(t *testing.T) {
	ws := openWS(t)
	var scr *consoleScreen
	m := app.New(services.New(ws), app.Options{Theme: theme.New(true), Screens: func(c *common.Common) []common.Screen {
		scr = &consoleScreen{Info: common.NewInfo(c, "data", "Data", nil, nil), con: sqlconsole.New(c, "data")}
		return []common.Screen{scr}
	}})
	d := tuitest.New(m, m.Common().Jobs.Busy)
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 36})
	d.Init()
	d.Settle(t, 10*time.Second)
	g := keys.DefaultGlobal()
	// While the editor has the keyboard ':' types; with the results focused it opens the
	// palette.
	d.Press(sqlconsole.DefaultKeyMap().Focus)
	if m.Active().InputFocused() {
		t.Fatal("results focused, yet an input has the keyboard")
	}
	d.Press(g.Palette)
	v := view(m)
	for _, want := range []string{"Data: SQL console: run query", "ctrl+r", "Data: SQL console: export result", "ctrl+e"} {
		if !strings.Contains(v, want) {
			t.Errorf("palette lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Cancel job") {
		t.Errorf("palette offers to cancel a job although none runs:\n%s", v)
	}
	d.Send(tuitest.Key("esc"))
	scr.con.SetValue("SELECT 6 * 7 AS answer")
	d.Press(g.Palette)
	d.Type("run query")
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
	if r := scr.con.Result(); r == nil || len(r.Rows) != 1 || r.Rows[0][0] != "42" {
		t.Fatalf("palette did not run the query: %+v (err %v)", r, scr.con.Err())
	}

	blockingJob(m, d)
	d.WaitFor(t, 5*time.Second, func() bool { return strings.Contains(view(m), "25%") })
	d.Press(g.Palette)
	d.Type("cancel")
	if v := view(m); !strings.Contains(v, "Cancel job: long test job") {
		t.Fatalf("palette does not offer to cancel the running job:\n%s", v)
	}
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 5*time.Second)
	if m.Common().Jobs.Busy() {
		t.Fatal("the palette's cancel left the job running")
	}
}

// TestRefusalIsNotASuccess (issue 11 bug 3): a refused request is shown with ⊘, never ✓;
// a long message is cut at a word, not inside one.
func TestRefusalIsNotASuccess(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 80, 24)
	d.Send(common.FlashMsg{Text: "no chart to export for customer_id", Refused: true})
	s := lastLine(view(m))
	if !strings.Contains(s, "⊘ no chart to export for customer_id") || strings.Contains(s, "✓") {
		t.Fatalf("refusal shown as %q", s)
	}
	d.Send(common.FlashMsg{Text: "saved scenario top-3to4"})
	if s := lastLine(view(m)); !strings.Contains(s, "✓ saved scenario top-3to4") {
		t.Fatalf("success shown as %q", s)
	}
	long := "wrote " + strings.Repeat("abcdefgh ", 12) + "done"
	d.Send(common.FlashMsg{Text: long})
	s = lastLine(view(m))
	i := strings.Index(s, "…")
	if i < 0 || s[i-1] != 'h' {
		t.Fatalf("long message not cut after a whole word: %q", s)
	}
}

// TestDataCountsFollowWrites (issue 11 bug 8): a query that writes from the SQL console is
// counted in the Data screen's tables at once, without r.
func TestDataCountsFollowWrites(t *testing.T) {
	ws := openWS(t)
	m, d := start(t, ws, 140, 45)
	dk := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(dk.SQL)
	d.Settle(t, 10*time.Second)
	d.Type("CREATE TABLE zz_written AS SELECT * FROM range(7)")
	d.Press(sqlconsole.DefaultKeyMap().Run)
	d.Settle(t, 20*time.Second)
	d.Press(sqlconsole.DefaultKeyMap().Close)
	d.Settle(t, 10*time.Second)
	v := view(m)
	if !strings.Contains(v, "zz_written") {
		t.Fatalf("the table written from the console is not listed:\n%s", v)
	}
	if l := lineWith(v, "zz_written"); !strings.Contains(l, "zz_written") || !strings.Contains(l, " 7") {
		t.Fatalf("zz_written should count 7 rows: %q", l)
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
