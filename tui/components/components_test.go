package components

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/theme"
)

func TestNumberFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Int(0), "0"}, {Int(999), "999"}, {Int(1000), "1,000"}, {Int(-1234567), "-1,234,567"},
		{Float(1234.5, 2), "1,234.50"}, {Float(-0.004, 2), "0.00"}, {Float(-12.5, 1), "-12.5"},
		{Float(math.NaN(), 2), "–"}, {Pct(0.1234, 1), "12.3%"}, {Bytes(12_100_000), "12.1 MB"}, {Bytes(512), "512 B"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSpark(t *testing.T) {
	if got := Spark([]int64{0, 1, 4, 8}); got != " ▁▄█" {
		t.Fatalf("Spark = %q", got)
	}
	if got := Spark([]int64{0, 0}); got != "  " {
		t.Fatalf("Spark of zeros = %q", got)
	}
}

func TestColumnWidthsIgnoreOneLongOutlier(t *testing.T) {
	rows := [][]string{}
	for i := 0; i < 20; i++ {
		rows = append(rows, []string{"abc"})
	}
	rows = append(rows, []string{strings.Repeat("x", 60)})
	if w := ColumnWidths([]string{"h"}, rows, 40); w[0] != 3 {
		t.Fatalf("width %d, want the 90th percentile 3", w[0])
	}
}

func TestTableFitsItsSizeAndScrolls(t *testing.T) {
	th := theme.New(true)
	tb := NewTable(th)
	var rows [][]string
	for i := 0; i < 100; i++ {
		rows = append(rows, []string{Int(int64(i)), "name " + Int(int64(i)), strings.Repeat("v", i%30)})
	}
	tb.SetRows([]string{"id", "name", "value"}, rows)
	tb.SetSize(30, 10)
	tb.Focused = true
	check := func() {
		t.Helper()
		lines := strings.Split(ansi.Strip(tb.View()), "\n")
		if len(lines) != 10 {
			t.Fatalf("%d lines, want 10", len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != 30 {
				t.Fatalf("line %q is %d wide, want 30", l, ansi.StringWidth(l))
			}
		}
	}
	check()
	nav := keys.DefaultNav()
	for i := 0; i < 15; i++ {
		tb.HandleKey(keyMsg("down"), nav)
	}
	if tb.Cursor != 15 || tb.Offset != 7 {
		t.Fatalf("cursor %d offset %d, want 15 and 7", tb.Cursor, tb.Offset)
	}
	tb.HandleKey(keyMsg("G"), nav)
	if tb.Cursor != 99 {
		t.Fatalf("G: cursor %d", tb.Cursor)
	}
	check()
	if !tb.RightAlign[0] || tb.RightAlign[1] {
		t.Fatalf("alignment %v: numbers right, text left", tb.RightAlign)
	}
}

func TestBoxIsExactlyItsSize(t *testing.T) {
	th := theme.New(true)
	for _, focused := range []bool{false, true} {
		b := Box(th, "a long title that does not fit", "x\ny\nz\nmore lines than fit\n5\n6", "footer", 20, 5, focused)
		lines := strings.Split(ansi.Strip(b), "\n")
		if len(lines) != 5 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != 20 {
				t.Fatalf("line %q is %d wide", l, ansi.StringWidth(l))
			}
		}
	}
}

func TestJoinH(t *testing.T) {
	for _, c := range []struct{ l, r, want string }{
		{"ab\ncd", "1\n2", "ab1\ncd2"},
		{"a\nlong", "1\n2\n3", "a   1\nlong2\n    3"},
		{"ab\ncd\nef", "1", "ab1\ncd\nef"},
		{"\x1b[1mab\x1b[0m\ncd", "1\n2", "\x1b[1mab\x1b[0m1\ncd2"},
	} {
		if got := JoinH(c.l, c.r); got != c.want {
			t.Errorf("JoinH(%q, %q) = %q, want %q", c.l, c.r, got, c.want)
		}
	}
}

func TestScrollStart(t *testing.T) {
	for _, c := range []struct{ cursor, rows, want int }{
		{0, 5, 0}, {4, 5, 0}, {5, 5, 1}, {12, 5, 8}, {3, 1, 3},
	} {
		if got := ScrollStart(c.cursor, c.rows); got != c.want {
			t.Errorf("ScrollStart(%d, %d) = %d, want %d", c.cursor, c.rows, got, c.want)
		}
		if got := ScrollStart(c.cursor, c.rows); c.rows > 0 && (c.cursor < got || c.cursor >= got+c.rows) {
			t.Errorf("cursor %d not on screen in rows %d…%d", c.cursor, got, got+c.rows-1)
		}
	}
}

func TestTruncateMiddleAndPath(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
		w               int
	}{
		{"fits", TruncateMiddle("customers", 9), "customers", 9},
		{"middle", TruncateMiddle("acrm_query_history", 11), "acrm_…story", 11},
		{"one cell", TruncateMiddle("abc", 1), "…", 1},
		{"zero", TruncateMiddle("abc", 0), "", 0},
		{"path fits", TruncatePath("/tmp/ws.duckdb", 14), "/tmp/ws.duckdb", 14},
		{"memory", TruncatePath(":memory:", 8), ":memory:", 8},
		{"dirs give way", TruncatePath("/home/analyst/campaigns/2026-q4/acrm.duckdb", 25), "/home/…026-q4/acrm.duckdb", 25},
		{"only the name left", TruncatePath("/home/analyst/campaigns/acrm.duckdb", 13), "…/acrm.duckdb", 13},
		{"name alone", TruncatePath("/home/analyst/campaigns/acrm.duckdb", 12), "acrm.duckdb", 12},
		{"name cut in its middle", TruncatePath("/data/kpn_b2b_datamart_2026_q4.duckdb", 15), "kpn_b2b….duckdb", 15},
		{"relative", TruncatePath("workspaces/2026/acrm.duckdb", 20), "work…026/acrm.duckdb", 20},
		{"wide runes", TruncatePath("/home/分析/データ/顧客.duckdb", 16), "/h…/顧客.duckdb", 16},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
		if w := Width(tc.got); w > tc.w {
			t.Errorf("%s: %q is %d cells, more than %d", tc.name, tc.got, w, tc.w)
		}
	}
}

func TestPrintableExpandsTabsSoBoxesKeepTheirWidth(t *testing.T) {
	if got := Printable("a\tbc\td\r\n\tx"); got != "a   bc  d\n    x" {
		t.Fatalf("Printable = %q", got)
	}
	th := theme.New(true)
	box := Box(th, "Error", "Candidate functions:\n\tavg(DECIMAL) -> DECIMAL\r\n\tavg(TIME WITH TIME ZONE) -> TIME WITH TIME ZONE", "", 30, 5, false)
	for i, l := range strings.Split(box, "\n") {
		if strings.ContainsAny(l, "\t\r") {
			t.Errorf("line %d keeps a tab or carriage return: %q", i, l)
		}
		if w := Width(l); w != 30 {
			t.Errorf("line %d is %d cells wide, want 30: %q", i, w, l)
		}
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"customers-monthly_revenue": "customers-monthly_revenue",
		"top 3→4 per half year":     "top_3_4_per_half_year",
		"P01-lookalike@v3/../x":     "P01-lookalike_v3_.._x",
		"":                          "",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountAndTruncateWords(t *testing.T) {
	if got := Count(1, "row") + "|" + Count(2000, "row"); got != "1 row|2,000 rows" {
		t.Errorf("Count: %q", got)
	}
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"+1,202 (+1,077 … +1,310) contracts a half year", 20, "+1,202 (+1,077…"},
		{"saved scenario top-3to4 with its inputs", 30, "saved scenario top-3to4 with…"},
		// one long word: cut inside it rather than leave almost nothing
		{"wrote /tmp/exports/segments-kpis.png now", 30, "wrote /tmp/exports/segments-k…"},
		{"short", 20, "short"},
	} {
		if got := TruncateWords(tc.in, tc.w); got != tc.want {
			t.Errorf("TruncateWords(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
}
