package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// utf16 encodes ASCII text as UTF-16 without a byte-order mark.
func utf16(s string, bigEndian bool) string {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		if bigEndian {
			b = append(b, 0, c)
		} else {
			b = append(b, c, 0)
		}
	}
	return string(b)
}

func tableNames(t *testing.T, w *Workspace) string {
	t.Helper()
	ts, err := w.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ti := range ts {
		names = append(names, ti.Name)
	}
	return strings.Join(names, ",")
}

func TestImportGoodFiles(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	cases := []struct {
		name, file, body string
		rows             int64
		cols             string
	}{
		{"comma", "a.csv", "id,name,amount\n1,Alpha,3.5\n2,Beta,4\n", 2, "id:BIGINT,name:VARCHAR,amount:DOUBLE"},
		{"semicolon BOM CRLF quoted", "b.csv", "\xef\xbb\xbfid;name;city\r\n1;\"Smith; John\";Utrecht\r\n2;\"Doe \"\"Jr\"\"\";Delft\r\n", 2, "id:BIGINT,name:VARCHAR,city:VARCHAR"},
		{"tab", "c.tsv", "id\tscore\n1\t0.5\n2\t0.25\n3\t1\n", 3, "id:BIGINT,score:DOUBLE"},
		{"pipe", "d.txt", "k|v\na|1\nb|2\n", 2, "k:VARCHAR,v:BIGINT"},
		{"json", "e.json", `[{"id":1,"x":"a"},{"id":2,"x":"b"}]`, 2, "id:BIGINT,x:VARCHAR"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, c.file, c.body)
			table := fmt.Sprintf("t%d", i)
			res, err := w.Import(ctx, ImportOptions{Path: p, Table: table})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != c.rows {
				t.Fatalf("rows = %d, want %d", res.Rows, c.rows)
			}
			var got []string
			for _, col := range res.Columns {
				got = append(got, col.Name+":"+col.Type)
			}
			if strings.Join(got, ",") != c.cols {
				t.Fatalf("columns = %s, want %s", strings.Join(got, ","), c.cols)
			}
		})
	}
	var name string
	w.db.QueryRowContext(ctx, "SELECT name FROM t1 WHERE id = 2").Scan(&name)
	if name != `Doe "Jr"` {
		t.Fatalf("quoted field = %q", name)
	}
}

func TestImportParquetRoundTripAndMap(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	if _, err := w.db.ExecContext(ctx, "CREATE TABLE src AS SELECT range AS cust, 'n' || range AS nm FROM range(100)"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "src.parquet")
	n, err := w.Export(ctx, "src", out)
	if err != nil || n != 100 {
		t.Fatalf("export: %d, %v", n, err)
	}
	res, err := w.Import(ctx, ImportOptions{Path: out, Table: "customers", As: "customers", Map: map[string]string{"cust": "customer_id", "nm": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 100 || res.Columns[0].Name != "customer_id" || res.Columns[1].Name != "name" {
		t.Fatalf("result %+v", res)
	}
}

func TestImportBadFiles(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	before := tableNames(t, w)
	dir := t.TempDir()
	cases := []struct {
		name, file, body, table string
		opt                     func(*ImportOptions)
		want                    []string
	}{
		{"empty file", "empty.csv", "", "t", nil, []string{"empty.csv", "empty"}},
		{"ragged rows", "ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n", "t", nil, []string{"ragged.csv", "line 4", "expected 3 columns", "found 4"}},
		{"wrong encoding", "latin1.csv", "id,name\n1,caf\xe9\n", "t", nil, []string{"latin1.csv", "line 2", "0xE9", "UTF-8"}},
		{"unknown extension", "data.xlsx", "x,y\n1,2\n", "t", nil, []string{"data.xlsx", `unknown extension ".xlsx"`}},
		{"missing file", "", "", "t", func(o *ImportOptions) { o.Path = filepath.Join(dir, "nope.csv") }, []string{"nope.csv", "file not found"}},
		{"acrm table name", "ok.csv", "a\n1\n", "acrm_models", nil, []string{"acrm_models", "collides"}},
		{"header only", "head.csv", "a,b\n", "t", nil, []string{"head.csv", "no data rows"}},
		{"bad map", "ok2.csv", "a,b\n1,2\n", "t", func(o *ImportOptions) { o.Map = map[string]string{"zz": "customer_id"} }, []string{"ok2.csv", "zz", "it has: a, b"}},
		{"canonical missing column", "ok3.csv", "a,b\n1,2\n", "t", func(o *ImportOptions) { o.As = "holdings" }, []string{"--as holdings needs column(s) customer_id, product_id"}},
		{"non-integer id", "ids.csv", "customer_id,x\n1,a\nX7,b\n", "t", func(o *ImportOptions) { o.As = "customers" }, []string{"ids.csv", "line 3", "customer_id", `"X7"`}},
		{"unclosed quote", "q.csv", "a,b\n1,\"open\n2,3\n", "t", nil, []string{"q.csv", "line 2", "not closed"}},
		// Issue 17, item 5: names and values that used to be accepted.
		{"customer_view as a table name", "cv.csv", "a,b\n1,2\n", "customer_view", nil, []string{`"customer_view" is the view built over the customers`}},
		{"fractional customer ids", "frac.csv", "customer_id,name\n1.5,a\n2.7,b\n", "c", func(o *ImportOptions) { o.As = "customers" }, []string{"frac.csv", "line 2", `"1.5" is not an integer id`}},
		{"products without margin", "prod.csv", "product_id,name\n1,a\n", "p", func(o *ImportOptions) { o.As = "products" }, []string{"--as products needs column(s) margin"}},
		// Issue 17, item 6: messages that dropped the reason or named the wrong one.
		{"UTF-16BE without BOM", "u16be.csv", utf16("a,b\n1,2\n3,4\n", true), "t", nil, []string{"u16be.csv", "UTF-16 big-endian"}},
		{"UTF-16BE without BOM, --encoding utf-16", "u16be2.csv", utf16("a,b\n1,2\n3,4\n", true), "t", func(o *ImportOptions) { o.Encoding = "utf-16" }, []string{"UTF-16 big-endian", "re-save it as UTF-8"}},
		{"UTF-16LE without --encoding", "u16le.csv", utf16("a,b\n1,2\n3,4\n", false), "t", nil, []string{"u16le.csv", "UTF-16 (little-endian): pass --encoding utf-16"}},
		{"one line over the maximum line size", "long.csv", "a,b\n1,2\n" + strings.Repeat("x", 3_000_000) + ",1\n", "t", nil, []string{"long.csv", "line 3", "a line of 3,000,002 bytes", "maximum line size (2,000,000 bytes)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := ImportOptions{Table: c.table}
			if c.file != "" {
				opt.Path = writeFile(t, c.file, c.body)
			}
			if c.opt != nil {
				c.opt(&opt)
			}
			_, err := w.Import(ctx, opt)
			if err == nil {
				t.Fatal("import succeeded, want an error")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if got := tableNames(t, w); got != before {
				t.Fatalf("workspace changed: tables %s, were %s", got, before)
			}
		})
	}
}

// A type error far past the sniffer's sample fails while rows are already being written: the
// transaction must leave no table behind.
func TestImportFailingHalfwayLeavesNoTable(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	var b strings.Builder
	b.WriteString("id,n\n")
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&b, "%d,%d\n", i, i*2)
	}
	b.WriteString("200000,not-a-number\n")
	p := writeFile(t, "late.csv", b.String())
	_, err := w.Import(ctx, ImportOptions{Path: p, Table: "late"})
	if err == nil {
		t.Fatal("want an error")
	}
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Line != 200002 || ie.Column != "n" {
		t.Fatalf("error %v (%#v): want line 200002 column n", err, ie)
	}
	if ok, _ := w.HasTable(ctx, "late"); ok {
		t.Fatal("table late exists after a failed import")
	}
}

func TestImportExistingTableNeedsReplace(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	p := writeFile(t, "a.csv", "x\n1\n2\n")
	if _, err := w.Import(ctx, ImportOptions{Path: p, Table: "a"}); err != nil {
		t.Fatal(err)
	}
	_, err := w.Import(ctx, ImportOptions{Path: p, Table: "a"})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v", err)
	}
	p2 := writeFile(t, "b.csv", "x\n1\n2\n3\n")
	res, err := w.Import(ctx, ImportOptions{Path: p2, Table: "a", Replace: true})
	if err != nil || res.Rows != 3 {
		t.Fatalf("replace: %+v %v", res, err)
	}
}

func TestImportChurnFile(t *testing.T) {
	p := "../../testdata/churn/mlc_churn_train.csv"
	w := openMem(t)
	res, err := w.Import(context.Background(), ImportOptions{Path: p, Table: "churn"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows < 3000 || len(res.Columns) != 20 || res.Columns[19].Name != "churn" {
		t.Fatalf("churn import: %d rows, %d columns", res.Rows, len(res.Columns))
	}
}

func TestExportIsAtomic(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "x.csv")
	if _, err := w.ExportQuery(ctx, "SELECT 1 AS a", out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "a\n1\n" {
		t.Fatalf("csv = %q", b)
	}
	// A failing query leaves the old file untouched and no temp files.
	if _, err := w.ExportQuery(ctx, "SELECT error('boom')", out); err == nil {
		t.Fatal("want error")
	}
	b, _ = os.ReadFile(out)
	if string(b) != "a\n1\n" {
		t.Fatalf("file changed by a failed export: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir has %d entries, want only x.csv", len(entries))
	}
	if _, err := w.ExportQuery(ctx, "SELECT 1", filepath.Join(dir, "x.xlsx")); err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Fatalf("want unknown extension error, got %v", err)
	}
}

// TestImportBlanksAreNull: blank and whitespace-only cells are NULL, --null-values adds
// others, and a column of numbers with blanks imports as a number with the blanks counted.
func TestImportBlanksAreNull(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	path := writeFile(t, "blanks.csv", "id,age,city,score\n1,34,Rome,0.5\n2, ,Oslo,NA\n3,51,  ,0.7\n4,,Bern,?\n5,22,Rome,1.5\n")
	res, err := w.Import(ctx, ImportOptions{Path: path, Table: "t", NullValues: []string{"NA", "?"}})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if types["age"] != "BIGINT" || types["score"] != "DOUBLE" || types["city"] != "VARCHAR" {
		t.Fatalf("types %v", types)
	}
	notes := map[string]NullNote{}
	for _, n := range res.Nulls {
		notes[n.Column] = n
	}
	if n := notes["age"]; n.Blanks != 2 || !n.Numeric {
		t.Errorf("age note %+v, want 2 blanks, numeric", n)
	}
	if n := notes["score"]; n.Blanks != 2 || !n.Numeric {
		t.Errorf("score note %+v, want 2 blanks (NA and ?), numeric", n)
	}
	if n := notes["city"]; n.Blanks != 1 || n.Numeric {
		t.Errorf("city note %+v, want 1 blank, text", n)
	}
	var nullAge, nullCity int
	var sum float64
	if err := w.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE age IS NULL), count(*) FILTER (WHERE city IS NULL), sum(score) FROM t`).Scan(&nullAge, &nullCity, &sum); err != nil {
		t.Fatal(err)
	}
	if nullAge != 2 || nullCity != 1 || sum != 2.7 {
		t.Errorf("NULL ages %d, NULL cities %d, score sum %v", nullAge, nullCity, sum)
	}
	// Without --null-values, "NA" is text: the column stays text.
	res, err = w.Import(ctx, ImportOptions{Path: path, Table: "t2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Columns {
		if c.Name == "score" && c.Type != "VARCHAR" {
			t.Errorf("score without --null-values is %s", c.Type)
		}
	}
}
