package workspace

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheckExpression: the checker never panics, and whatever it accepts stays one
// statement once spliced the way callers splice it (WHERE (\n…\n)), reading nothing but the
// table it is spliced over. The seeds cover dollar quotes, comments, E” strings, nested
// subqueries and the injection; the corpus lives in testdata/fuzz/FuzzCheckExpression.
func FuzzCheckExpression(f *testing.F) {
	for _, s := range []string{
		"a > 1", "sector = 'retail' AND mobile_subs >= 5", "$$;$$ = a", "a -- c", "a /* ; */ > 1",
		"E'\\'' = a", `"we;ird" > 1`, "customer_id IN (SELECT customer_id FROM holdings)",
		`$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$/tmp/x.csv$$; DESCRIBE SELECT (true --`,
		"1; SELECT 2", "(SELECT 1 FROM read_csv('x')) = 1", "$tag$ ; $tag$ = a", "a = ?", "[1,2][1] = 1",
		"{'a': 1}.a = 1", "a::INTEGER > 1", "coalesce(a, b) IS NOT DISTINCT FROM 1", "COLUMNS(*) > 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if CheckExpression(expr) != nil {
			return
		}
		for _, spliced := range []string{
			"SELECT count(*) FROM t WHERE (\n" + expr + "\n)",
			"SELECT (\n" + expr + "\n) AS filter FROM t",
			"SELECT g, count(*) FROM (SELECT unnest([CASE WHEN coalesce((\n" + expr + "\n), false) THEN 1 END]) AS g FROM t) GROUP BY g",
		} {
			stmt, err := parseOne(spliced)
			if err != nil {
				t.Fatalf("accepted %q, but spliced as %q it does not parse as one statement: %v", expr, spliced, err)
			}
			if err := checkTree(stmt); err != nil {
				t.Fatalf("accepted %q, but spliced it reaches outside: %v", expr, err)
			}
		}
	})
}

// FuzzImportOptions drives the import option checks and the --map column mapping with
// arbitrary table names, renames, delimiters and source column names: no panic, and an
// accepted mapping yields a select list that DuckDB parses as exactly the source columns,
// renamed, in one statement.
func FuzzImportOptions(f *testing.F) {
	f.Add("customers", "customers", "klant", "customer_id", ";", "utf-8", "klant,omzet")
	f.Add("t", "", "a", "b\"; DROP TABLE x; --", "\\t", "", "a,b,c")
	f.Add("customer_view", "", "", "", "ab", "latin-1", "x")
	f.Add("x1", "products", "name", "naam", "€", "utf-16", "name,\"q\"uoted,naam")
	f.Fuzz(func(t *testing.T, table, as, mapSrc, mapDst, delim, enc, cols string) {
		opt := ImportOptions{Path: "in.csv", Table: table, As: as, Delimiter: delim, Encoding: enc}
		if mapSrc != "" || mapDst != "" {
			opt.Map = map[string]string{mapSrc: mapDst}
		}
		if ValidateImportOptions(opt) != nil {
			return
		}
		var src []Column
		for _, c := range strings.Split(cols, ",") {
			// DuckDB hands over column names as valid UTF-8 without NUL.
			if c != "" && !strings.ContainsRune(c, 0) && utf8.ValidString(c) {
				src = append(src, Column{Name: c, Type: "VARCHAR"})
			}
		}
		if len(src) == 0 {
			return
		}
		list, dst, err := buildSelect(opt, src)
		if err != nil {
			return
		}
		if len(dst) != len(src) {
			t.Fatalf("%d source columns became %d", len(src), len(dst))
		}
		stmt, err := parseOne("SELECT " + list + " FROM t")
		if err != nil {
			t.Fatalf("select list %q does not parse: %v", list, err)
		}
		node, _ := stmt["node"].(map[string]any)
		items, _ := node["select_list"].([]any)
		if len(items) != len(src) {
			t.Fatalf("select list %q has %d items, want %d", list, len(items), len(src))
		}
		for i, it := range items {
			m, _ := it.(map[string]any)
			if a, _ := m["alias"].(string); a != dst[i].Name {
				t.Fatalf("column %d is named %q, want %q", i, a, dst[i].Name)
			}
		}
	})
}
