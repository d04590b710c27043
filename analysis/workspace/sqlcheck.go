package workspace

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// A SQL fragment stored in a workspace (a segment filter, a model's source, an eligibility
// rule, a scenario input) is untrusted: the file may come from a colleague. CheckExpression
// and CheckQuery ask DuckDB's own parser (json_serialize_sql) what the text is, so a `;`
// hidden in a $$dollar-quoted$$ string, a comment or an E'' escape cannot smuggle in a
// second statement the way a hand-written tokenizer can be fooled. On top of that the
// workspace's *sql.DB runs every query through a single prepared statement (see
// singleConn), so even an unchecked string cannot execute two statements.

// ErrNotExpression is wrapped by CheckExpression's and CheckQuery's errors.
var ErrNotExpression = errors.New("not a single SQL expression")

// CheckExpression verifies that expr is exactly one SQL expression, nothing more: DuckDB's
// parser must read "SELECT <expr>" as one SELECT statement with one select item, no FROM,
// WHERE, GROUP BY, ORDER BY/LIMIT, alias, CTE or parameter. Subqueries inside the
// expression may read the workspace's own tables, but never a table function (read_csv,
// glob, query, …), a file-like name ('x.csv', 's3://…') or another catalog, and never call
// a function with side effects (nextval, setseed). It does not check column names or the
// type: bind the expression against its table for that (DESCRIBE).
//
// Use it for every fragment that comes from a workspace or a user field before it is
// spliced into a query, and splice it as "(\n" + expr + "\n)" so a trailing -- comment
// cannot swallow the closing parenthesis. The error names what was found, e.g.
//
//	segment filter: not a single SQL expression: it holds 3 statements
//
// CheckExpression is safe for concurrent use and needs no open workspace: it parses with a
// private in-memory DuckDB that has external access and extension loading switched off.
func CheckExpression(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return fmt.Errorf("%w: it is empty", ErrNotExpression)
	}
	stmt, err := parseOne("SELECT " + expr + "\n")
	if err != nil {
		return err
	}
	node, _ := stmt["node"].(map[string]any)
	if node == nil || node["type"] != "SELECT_NODE" {
		return fmt.Errorf("%w: it continues past the expression (%s)", ErrNotExpression, nodeType(node))
	}
	if from, _ := node["from_table"].(map[string]any); from != nil && from["type"] != "EMPTY" {
		return fmt.Errorf("%w: it has a FROM clause", ErrNotExpression)
	}
	for _, clause := range []struct{ key, name string }{
		{"where_clause", "WHERE"}, {"having", "HAVING"}, {"qualify", "QUALIFY"}, {"sample", "USING SAMPLE"},
	} {
		if node[clause.key] != nil {
			return fmt.Errorf("%w: it has a %s clause", ErrNotExpression, clause.name)
		}
	}
	if g, _ := node["group_expressions"].([]any); len(g) > 0 {
		return fmt.Errorf("%w: it has a GROUP BY clause", ErrNotExpression)
	}
	if m, _ := node["modifiers"].([]any); len(m) > 0 {
		return fmt.Errorf("%w: it has an ORDER BY, LIMIT or DISTINCT clause", ErrNotExpression)
	}
	if cte, _ := node["cte_map"].(map[string]any); cte != nil {
		if m, _ := cte["map"].([]any); len(m) > 0 {
			return fmt.Errorf("%w: it has a WITH clause", ErrNotExpression)
		}
	}
	list, _ := node["select_list"].([]any)
	if len(list) != 1 {
		return fmt.Errorf("%w: it is a list of %d expressions", ErrNotExpression, len(list))
	}
	item, _ := list[0].(map[string]any)
	if item == nil {
		return fmt.Errorf("%w: unreadable parse tree", ErrNotExpression)
	}
	if a, _ := item["alias"].(string); a != "" {
		return fmt.Errorf("%w: it names its result (AS %s)", ErrNotExpression, a)
	}
	if item["class"] == "STAR" {
		return fmt.Errorf("%w: * is not a value", ErrNotExpression)
	}
	if err := checkTree(stmt); err != nil {
		return err
	}
	// A select list forgives what a parenthesis does not (a trailing comma): the fragment
	// must also parse where callers put it, inside ( … ).
	if _, err := parseOne("SELECT 1 WHERE (\n" + expr + "\n)"); err != nil {
		return err
	}
	return nil
}

// CheckQuery verifies that q is exactly one read-only query: one SELECT (FROM-first,
// WITH, UNION and VALUES included) under the same rules as CheckExpression for the
// tables and functions it may reach. A bare table name is not a query: callers that accept
// either test for a name first.
func CheckQuery(q string) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("%w: the query is empty", ErrNotExpression)
	}
	stmt, err := parseOne(q + "\n")
	if err != nil {
		return err
	}
	return checkTree(stmt)
}

// parser is the private in-memory DuckDB that CheckExpression and CheckQuery parse with.
var parser struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func parserDB() (*sql.DB, error) {
	parser.once.Do(func() {
		c, err := duckdb.NewConnector(":memory:?"+lockedDownConfig+"&enable_external_access=false", nil)
		if err != nil {
			parser.err = fmt.Errorf("workspace: SQL parser: %w", err)
			return
		}
		parser.db = sql.OpenDB(singleConnector{c})
	})
	return parser.db, parser.err
}

// parseOne parses text with DuckDB and returns its one statement's JSON tree.
func parseOne(text string) (map[string]any, error) {
	db, err := parserDB()
	if err != nil {
		return nil, err
	}
	var raw string
	// The text is a bound parameter: it is only ever parsed, never run.
	if err := db.QueryRowContext(context.Background(), `SELECT json_serialize_sql(?::VARCHAR)::VARCHAR`, text).Scan(&raw); err != nil {
		return nil, fmt.Errorf("workspace: SQL parser: %w", err)
	}
	var out struct {
		Error        bool             `json:"error"`
		ErrorType    string           `json:"error_type"`
		ErrorMessage string           `json:"error_message"`
		Statements   []map[string]any `json:"statements"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("workspace: SQL parser: %w", err)
	}
	if out.Error {
		if strings.Contains(out.ErrorMessage, "Only SELECT statements") {
			return nil, fmt.Errorf("%w: it holds a statement that is not a SELECT", ErrNotExpression)
		}
		return nil, fmt.Errorf("%w: %s", ErrNotExpression, out.ErrorMessage)
	}
	switch n := len(out.Statements); n {
	case 1:
		return out.Statements[0], nil
	case 0:
		return nil, fmt.Errorf("%w: it holds no statement", ErrNotExpression)
	default:
		return nil, fmt.Errorf("%w: it holds %d statements", ErrNotExpression, n)
	}
}

func nodeType(node map[string]any) string {
	if node == nil {
		return "no select"
	}
	switch node["type"] {
	case "SET_OPERATION_NODE":
		return "UNION, EXCEPT or INTERSECT"
	case "RECURSIVE_CTE_NODE", "CTE_NODE":
		return "WITH"
	}
	return fmt.Sprint(node["type"])
}

// sideEffectFunctions change state or read outside the workspace when called.
var sideEffectFunctions = map[string]bool{
	"nextval": true, "currval": true, "setseed": true, "getenv": true,
}

// checkTree walks a parsed statement and refuses anything that reaches outside the
// workspace's own tables: table functions, file-like or URL-like table names, another
// catalog or schema, parameters and functions with side effects.
func checkTree(v any) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := checkTree(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if m, _ := x["named_param_map"].([]any); len(m) > 0 {
			return fmt.Errorf("%w: it has a parameter", ErrNotExpression)
		}
		switch x["type"] {
		case "TABLE_FUNCTION":
			name := "a table function"
			if f, _ := x["function"].(map[string]any); f != nil {
				if n, _ := f["function_name"].(string); n != "" {
					name = "table function " + n
				}
			}
			return fmt.Errorf("%w: it reads %s; only the workspace's tables may be read", ErrNotExpression, name)
		case "BASE_TABLE":
			t, _ := x["table_name"].(string)
			cat, _ := x["catalog_name"].(string)
			sch, _ := x["schema_name"].(string)
			if cat != "" || (sch != "" && !strings.EqualFold(sch, "main")) {
				return fmt.Errorf("%w: it reads %s.%s; only the workspace's main tables may be read", ErrNotExpression, sch, t)
			}
			if strings.ContainsAny(t, `./\:~`) {
				return fmt.Errorf("%w: it reads %q, which names a file, not a table", ErrNotExpression, t)
			}
		case "PARAMETER":
			return fmt.Errorf("%w: it has a parameter", ErrNotExpression)
		}
		if x["class"] == "FUNCTION" {
			if n, _ := x["function_name"].(string); sideEffectFunctions[strings.ToLower(n)] {
				return fmt.Errorf("%w: it calls %s, which changes state", ErrNotExpression, n)
			}
		}
		for _, e := range x {
			if err := checkTree(e); err != nil {
				return err
			}
		}
	}
	return nil
}
