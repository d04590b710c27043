package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheckExpression(t *testing.T) {
	ok := []string{
		"a > 1", "a = 'x;y'", `"we;ird" > 1`, "a = 'it''s'", "f(a, (b))", "a > 1 -- c;", "a /* ; */ > 1",
		"$$;$$ = a", "sector IN ('a', 'b') AND coalesce(x, 0) BETWEEN 1 AND 5",
		"customer_id IN (SELECT customer_id FROM holdings WHERE product_id = 3)",
		"CASE WHEN a THEN 1 ELSE 2 END > 1", "st_area(x) > 1", // unknown function: the binder's business
	}
	bad := map[string]string{
		"":                     "empty",
		"a; b":                 "syntax error",
		"a; DROP TABLE t":      "not a SELECT",
		"1; SELECT 2":          "2 statements",
		"a = 'x":               "unterminated",
		"(a":                   "syntax error",
		"a)":                   "syntax error",
		"a /* x":               "unterminated",
		"a AS b":               "AS b",
		"a, b":                 "2 expressions",
		"1 FROM t":             "FROM",
		"1 WHERE true":         "WHERE",
		"1 LIMIT 1":            "LIMIT",
		"true UNION SELECT 1":  "UNION",
		"*":                    "*",
		"a = ?":                "parameter",
		"a = $1":               "parameter",
		"nextval('s') > 0":     "nextval",
		"setseed(0.5) IS NULL": "setseed",
		"x IN (SELECT * FROM read_csv('/etc/passwd'))":                                              "read_csv",
		"(SELECT count(*) FROM glob('/*')) > 0":                                                     "glob",
		"(SELECT count(*) FROM 'x.csv') > 1":                                                        "names a file",
		"(SELECT count(*) FROM other.main.t) > 1":                                                   "main tables",
		"(SELECT count(*) FROM query('SELECT 1')) > 1":                                              "query",
		`$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$/tmp/x.csv$$; DESCRIBE SELECT (true --`: "syntax error",
	}
	for _, e := range ok {
		if err := CheckExpression(e); err != nil {
			t.Errorf("CheckExpression(%q) = %v, want nil", e, err)
		}
	}
	for e, want := range bad {
		err := CheckExpression(e)
		if err == nil || !errors.Is(err, ErrNotExpression) || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckExpression(%q) = %v, want an ErrNotExpression naming %q", e, err, want)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	for _, q := range []string{"SELECT * FROM t", "FROM t WHERE a > 1", "WITH x AS (SELECT 1) SELECT * FROM x", "SELECT 1 UNION ALL SELECT 2"} {
		if err := CheckQuery(q); err != nil {
			t.Errorf("CheckQuery(%q) = %v", q, err)
		}
	}
	for _, q := range []string{"SELECT 1; SELECT 2", "COPY t TO 'x.csv'", "DROP TABLE t", "SELECT * FROM read_parquet('x')", "ATTACH 'x.db'", "SELECT * FROM t; DROP TABLE t", ""} {
		if err := CheckQuery(q); err == nil {
			t.Errorf("CheckQuery(%q) = nil", q)
		}
	}
}

// TestOneStatementPerCall: the workspace's handle never runs a second statement, whatever
// path the text takes (Query, Exec, Prepare, a transaction).
func TestOneStatementPerCall(t *testing.T) {
	ctx := context.Background()
	ws, err := Open(ctx, Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	two := "SELECT 1; CREATE TABLE injected AS SELECT 1"
	if _, err := ws.db.QueryContext(ctx, two); err == nil {
		t.Error("QueryContext ran two statements")
	}
	if _, err := ws.db.ExecContext(ctx, two); err == nil {
		t.Error("ExecContext ran two statements")
	}
	if _, err := ws.db.PrepareContext(ctx, two); err == nil {
		t.Error("PrepareContext accepted two statements")
	}
	if err := ws.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, two); return err }); err == nil {
		t.Error("a transaction ran two statements")
	}
	if _, err := ws.Query(ctx, two, 10); err == nil || !strings.Contains(err.Error(), "one SQL statement at a time") {
		t.Errorf("Query: %v", err)
	}
	if ok, _ := ws.HasTable(ctx, "injected"); ok {
		t.Error("the second statement ran")
	}
	var auto string
	if err := ws.db.QueryRowContext(ctx, `SELECT current_setting('autoinstall_known_extensions')::VARCHAR || current_setting('autoload_known_extensions')::VARCHAR`).Scan(&auto); err != nil || auto != "falsefalse" {
		t.Errorf("extension auto-install/auto-load = %q, %v; want both off", auto, err)
	}
}

// ExampleCheckExpression checks a stored fragment before splicing it into a query.
func ExampleCheckExpression() {
	fmt.Println(CheckExpression("sector = 'retail' AND mobile_subs >= 5"))
	fmt.Println(CheckExpression("true; DROP TABLE customers"))
	// Output:
	// <nil>
	// not a single SQL expression: it holds a statement that is not a SELECT
}
