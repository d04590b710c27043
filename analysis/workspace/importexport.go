package workspace

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Canonical kinds a user's table can be mapped onto with --as, and the columns each needs.
var canonicalColumns = map[string][]string{
	"customers": {"customer_id"},
	"products":  {"product_id", "name", "margin"},
	"holdings":  {"customer_id", "product_id"},
	"contacts":  {"customer_id", "ts", "channel"},
	"optouts":   {"customer_id"},
	"events":    {"customer_id", "ts", "kind"},
}

// Canonical key columns that must hold integer ids.
var idColumns = []string{"customer_id", "product_id", "campaign_id", "contact_id"}

// CanonicalKinds lists the values --as accepts.
func CanonicalKinds() []string {
	kinds := make([]string, 0, len(canonicalColumns))
	for k := range canonicalColumns {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// ImportOptions describe one file import.
type ImportOptions struct {
	Path      string            // CSV (any delimiter), Parquet or JSON file
	Table     string            // new table name
	As        string            // optional canonical kind (customers, holdings, ...)
	Map       map[string]string // optional source column → destination column renames
	Replace   bool              // replace an existing table of that name
	Delimiter string            // CSV delimiter; empty = detect
	Encoding  string            // CSV encoding (utf-8, latin-1, utf-16); empty = utf-8
	// NullValues are cell values read as NULL besides blank or whitespace-only cells, which
	// always are (e.g. "NA", "?"); compared after trimming spaces.
	NullValues []string
	// Progress, when set, is called from the importing goroutine at each stage change
	// ("checking", "reading", "checking ids", "committing") and, while a plain CSV file is
	// checked line by line, with the bytes of the file read so far (done of total; total 0
	// means unknown, as during "reading", where DuckDB's reader reports nothing).
	Progress func(done, total int64, stage string)
}

// Import stages reported through ImportOptions.Progress.
const (
	StageChecking   = "checking"
	StageReading    = "reading"
	StageCheckingID = "checking ids"
	StageCommitting = "committing"
)

func (o ImportOptions) report(done, total int64, stage string) {
	if o.Progress != nil {
		o.Progress(done, total, stage)
	}
}

// Column is a column name with its DuckDB type.
type Column struct {
	Name string
	Type string
}

// ImportResult reports what an import created.
type ImportResult struct {
	Table   string
	Format  string
	Rows    int64
	Columns []Column
	Elapsed time.Duration
	// Nulls lists the text columns in which blank (or NullValues) cells became NULL, and
	// whether the column then held only numbers and was imported as a number.
	Nulls []NullNote
}

// NullNote says how many cells of a column an import turned into NULL.
type NullNote struct {
	Column  string
	Blanks  int64  // cells that were blank, whitespace-only or a NullValues entry
	Type    string // the column's type after the import (BIGINT or DOUBLE when converted)
	Numeric bool   // every other value was a number: the column became numeric
}

// ImportError is a failed import: the file, where in it (line 0 = unknown), and what was wrong.
type ImportError struct {
	File   string
	Line   int64
	Column string
	Msg    string
}

func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString("import ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// fileFormat tells the reader from the extension.
func fileFormat(path string) (string, error) {
	lower := strings.ToLower(path)
	lower = strings.TrimSuffix(lower, ".gz")
	lower = strings.TrimSuffix(lower, ".zst")
	switch filepath.Ext(lower) {
	case ".csv", ".tsv", ".txt", ".dat":
		return "csv", nil
	case ".parquet", ".pq":
		return "parquet", nil
	case ".json", ".ndjson", ".jsonl":
		return "json", nil
	}
	return "", &ImportError{File: path, Msg: fmt.Sprintf("unknown extension %q: expected .csv, .tsv, .txt, .parquet or .json", filepath.Ext(path))}
}

// Import loads a file into a new table through DuckDB's own readers, in one transaction: a
// failed import leaves the workspace exactly as it was.
func (w *Workspace) Import(ctx context.Context, opt ImportOptions) (*ImportResult, error) {
	start := time.Now()
	if err := w.checkImportTarget(ctx, opt); err != nil {
		return nil, err
	}
	format, err := fileFormat(opt.Path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(opt.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &ImportError{File: opt.Path, Msg: "file not found"}
	case err != nil:
		return nil, &ImportError{File: opt.Path, Msg: err.Error()}
	case st.IsDir():
		return nil, &ImportError{File: opt.Path, Msg: "is a directory, expected a file"}
	case st.Size() == 0:
		return nil, &ImportError{File: opt.Path, Msg: "file is empty (0 bytes): expected a header line and data rows"}
	}
	abs, _ := filepath.Abs(opt.Path)
	// Bytes are counted only while a CSV file is checked line by line (up to csvCheckLimit);
	// otherwise the total is unknown.
	var checkTotal int64
	if lower := strings.ToLower(opt.Path); format == "csv" && st.Size() <= csvCheckLimit &&
		!strings.HasSuffix(lower, ".gz") && !strings.HasSuffix(lower, ".zst") {
		checkTotal = st.Size()
	}
	opt.report(0, checkTotal, StageChecking)
	var reader string
	switch format {
	case "csv":
		reader, err = w.csvReader(ctx, abs, opt)
		if err != nil {
			return nil, err
		}
	case "parquet":
		reader = "read_parquet(" + QuoteString(abs) + ")"
	case "json":
		reader = "read_json_auto(" + QuoteString(abs) + ")"
	}

	// Small CSV files get a strict structural check first (ragged rows, unclosed quotes),
	// which DuckDB's sniffer may otherwise read as one wide column or one long field.
	if format == "csv" && st.Size() <= csvCheckLimit {
		if err := checkCSVStructure(abs, opt); err != nil {
			return nil, err
		}
	}
	// Resolve the source columns (DESCRIBE reads only the schema / the sniffer's sample).
	srcCols, err := w.describe(ctx, "SELECT * FROM "+reader)
	if err != nil {
		if format == "csv" {
			if serr := checkCSVStructure(abs, opt); serr != nil {
				return nil, serr
			}
		}
		return nil, translateReadError(opt.Path, err)
	}
	if len(srcCols) == 0 {
		return nil, &ImportError{File: opt.Path, Msg: "no columns found"}
	}
	selectList, dstCols, err := buildSelect(opt, srcCols)
	if err != nil {
		return nil, err
	}
	if opt.As != "" {
		if err := checkCanonical(opt, dstCols); err != nil {
			return nil, err
		}
	}

	res := &ImportResult{Table: opt.Table, Format: format}
	opt.report(0, 0, StageReading)
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		if opt.Replace {
			if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+QuoteIdent(opt.Table)); err != nil {
				return err
			}
		}
		q := "CREATE TABLE " + QuoteIdent(opt.Table) + " AS SELECT " + selectList + " FROM " + reader
		if _, err := tx.ExecContext(ctx, q); err != nil {
			if format == "csv" && ctx.Err() == nil && st.Size() > csvCheckLimit {
				if serr := checkCSVStructure(abs, opt); serr != nil {
					return serr
				}
			}
			return translateReadError(opt.Path, err)
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+QuoteIdent(opt.Table)).Scan(&res.Rows); err != nil {
			return err
		}
		if res.Rows == 0 {
			return &ImportError{File: opt.Path, Msg: "no data rows (only a header?)"}
		}
		if format == "csv" {
			notes, err := blanksToNull(ctx, tx, opt)
			if err != nil {
				return err
			}
			res.Nulls = notes
		}
		if opt.As != "" {
			opt.report(0, 0, StageCheckingID)
			if err := checkIDColumns(ctx, tx, opt, dstCols); err != nil {
				return err
			}
		}
		cols, err := describeTx(ctx, tx, "SELECT * FROM "+QuoteIdent(opt.Table))
		res.Columns = cols
		if err == nil {
			opt.report(0, 0, StageCommitting)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func (w *Workspace) checkImportTarget(ctx context.Context, opt ImportOptions) error {
	if err := ValidateImportOptions(opt); err != nil {
		return err
	}
	exists, err := w.HasTable(ctx, opt.Table)
	if err != nil {
		return err
	}
	if exists && !opt.Replace {
		return fmt.Errorf("import %s: table %q already exists (use --replace to overwrite it)", opt.Path, opt.Table)
	}
	return nil
}

// csvReader inspects the head of a CSV file (encoding, delimiter) and returns the read_csv call.
func (w *Workspace) csvReader(ctx context.Context, abs string, opt ImportOptions) (string, error) {
	head, err := readHead(abs, 1<<20)
	if err != nil {
		return "", &ImportError{File: opt.Path, Msg: err.Error()}
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	gz := strings.HasSuffix(strings.ToLower(abs), ".gz") || strings.HasSuffix(strings.ToLower(abs), ".zst")
	enc := strings.ToLower(opt.Encoding)
	if !gz {
		// UTF-16 text is valid UTF-8 byte by byte when it is ASCII (every other byte 0), so
		// it passes the UTF-8 check and then reads as one garbled column: say what it is.
		switch utf16Order(head) {
		case "big-endian":
			return "", &ImportError{File: opt.Path, Msg: "the file is UTF-16 big-endian, which the CSV reader cannot read: re-save it as UTF-8 (or UTF-16 little-endian and pass --encoding utf-16)"}
		case "little-endian":
			if enc != "utf-16" && enc != "utf16" {
				return "", &ImportError{File: opt.Path, Msg: "the file is UTF-16 (little-endian): pass --encoding utf-16, or re-save it as UTF-8"}
			}
		}
	}
	if !gz && len(bytes.TrimSpace(head)) == 0 {
		return "", &ImportError{File: opt.Path, Msg: "file is empty (only whitespace): expected a header line and data rows"}
	}
	if !gz && (enc == "" || enc == "utf-8" || enc == "utf8") {
		if line, col, b, bad := firstInvalidUTF8(head); bad {
			return "", &ImportError{File: opt.Path, Line: line, Msg: fmt.Sprintf(
				"byte 0x%02X at character %d is not valid UTF-8: expected a UTF-8 file (re-save it as UTF-8, or pass --encoding latin-1 or utf-16)", b, col)}
		}
	}
	args := []string{QuoteString(abs)}
	if enc != "" && enc != "utf-8" && enc != "utf8" {
		args = append(args, "encoding="+QuoteString(enc))
	}
	delim := opt.Delimiter
	if delim == "" && !gz {
		delim = guessDelimiter(head)
	}
	if delim != "" {
		if delim == `\t` {
			delim = "\t"
		}
		args = append(args, "delim="+QuoteString(delim), "header=true", "strict_mode=true")
	}
	return "read_csv(" + strings.Join(args, ", ") + ")", nil
}

// utf16Order recognises UTF-16 text at the head of a file: by its byte-order mark, or
// without one by the zero bytes ASCII characters leave at every even (big-endian) or odd
// (little-endian) position. It returns "big-endian", "little-endian" or "".
func utf16Order(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "big-endian"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return "little-endian"
	}
	n := len(head) &^ 1
	if n > 4096 {
		n = 4096
	}
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case even*2 >= pairs && odd*10 <= even:
		return "big-endian"
	case odd*2 >= pairs && even*10 <= odd:
		return "little-endian"
	}
	return ""
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := bufio.NewReader(f).Read(buf)
	if err != nil && k == 0 {
		return nil, err
	}
	buf = buf[:k]
	// Do not judge a multi-byte rune cut at the end of the sample.
	for i := 0; i < 3 && len(buf) > 0 && !utf8.Valid(buf[len(buf)-1:]) && k == n; i++ {
		buf = buf[:len(buf)-1]
	}
	return buf, nil
}

// firstInvalidUTF8 finds the first byte that is not valid UTF-8: its 1-based line, character
// column within that line, and value.
func firstInvalidUTF8(b []byte) (line int64, col int, val byte, bad bool) {
	line, col = 1, 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if len(b)-i < 4 && !utf8.FullRune(b[i:]) {
				return 0, 0, 0, false // cut at the end of the sample
			}
			return line, col + 1, b[i], true
		}
		if r == '\n' {
			line++
			col = 0
		} else {
			col++
		}
		i += size
	}
	return 0, 0, 0, false
}

// guessDelimiter picks the candidate that appears most often in the header line (outside
// quotes). DuckDB's sniffer does this too, but gives up on files with ragged rows; naming the
// delimiter lets DuckDB report the ragged row instead of reading one wide column.
func guessDelimiter(head []byte) string {
	end := bytes.IndexByte(head, '\n')
	if end < 0 {
		end = len(head)
	}
	header := head[:end]
	best, bestN := "", 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		n, inQuote := 0, false
		for _, ch := range header {
			if ch == '"' {
				inQuote = !inQuote
			} else if ch == c && !inQuote {
				n++
			}
		}
		if n > bestN {
			best, bestN = string(c), n
		}
	}
	return best
}

func (w *Workspace) describe(ctx context.Context, q string) ([]Column, error) {
	rows, err := w.db.QueryContext(ctx, "DESCRIBE "+q)
	if err != nil {
		return nil, err
	}
	return scanDescribe(rows)
}

func describeTx(ctx context.Context, tx *sql.Tx, q string) ([]Column, error) {
	rows, err := tx.QueryContext(ctx, "DESCRIBE "+q)
	if err != nil {
		return nil, err
	}
	return scanDescribe(rows)
}

func scanDescribe(rows *sql.Rows) ([]Column, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Column
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, Column{Name: vals[0].String, Type: vals[1].String})
	}
	return out, rows.Err()
}

// buildSelect applies --map renames and returns the select list and destination columns.
func buildSelect(opt ImportOptions, src []Column) (string, []Column, error) {
	have := map[string]bool{}
	for _, c := range src {
		have[c.Name] = true
	}
	var unknown []string
	for s := range opt.Map {
		if !have[s] {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		names := make([]string, len(src))
		for i, c := range src {
			names[i] = c.Name
		}
		return "", nil, &ImportError{File: opt.Path, Msg: fmt.Sprintf("--map names column(s) %s that the file does not have; it has: %s",
			strings.Join(unknown, ", "), strings.Join(names, ", "))}
	}
	parts := make([]string, len(src))
	dst := make([]Column, len(src))
	seen := map[string]string{}
	for i, c := range src {
		name := c.Name
		if m, ok := opt.Map[c.Name]; ok && m != "" {
			name = m
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			return "", nil, &ImportError{File: opt.Path, Msg: fmt.Sprintf("columns %q and %q would both be named %q", prev, c.Name, name)}
		}
		seen[strings.ToLower(name)] = c.Name
		parts[i] = QuoteIdent(c.Name) + " AS " + QuoteIdent(name)
		dst[i] = Column{Name: name, Type: c.Type}
	}
	return strings.Join(parts, ", "), dst, nil
}

func checkCanonical(opt ImportOptions, cols []Column) error {
	have := map[string]bool{}
	for _, c := range cols {
		have[strings.ToLower(c.Name)] = true
	}
	var missing []string
	for _, need := range canonicalColumns[opt.As] {
		if !have[need] {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		return &ImportError{File: opt.Path, Msg: fmt.Sprintf("--as %s needs column(s) %s; map yours with --map src=dst",
			opt.As, strings.Join(missing, ", "))}
	}
	return nil
}

func checkIDColumns(ctx context.Context, tx *sql.Tx, opt ImportOptions, cols []Column) error {
	for _, c := range cols {
		isID := false
		for _, id := range idColumns {
			if strings.EqualFold(c.Name, id) {
				isID = true
			}
		}
		if !isID {
			continue
		}
		var bad sql.NullString
		var rowNo sql.NullInt64
		q := fmt.Sprintf(`SELECT CAST(v AS VARCHAR), rn FROM (SELECT %s AS v, row_number() OVER () AS rn FROM %s)
			WHERE v IS NOT NULL AND (TRY_CAST(v AS BIGINT) IS NULL OR TRY_CAST(v AS DOUBLE) <> TRY_CAST(v AS BIGINT)) LIMIT 1`, QuoteIdent(c.Name), QuoteIdent(opt.Table))
		err := tx.QueryRowContext(ctx, q).Scan(&bad, &rowNo)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		return &ImportError{File: opt.Path, Line: rowNo.Int64 + 1, Column: c.Name,
			Msg: fmt.Sprintf("%q is not an integer id: --as %s expects whole numbers in %s", bad.String, opt.As, c.Name)}
	}
	return nil
}

var (
	reCSVLine     = regexp.MustCompile(`CSV Error on Line: (\d+)`)
	reColumns     = regexp.MustCompile(`Expected Number of Columns: (\d+) Found: (\d+)`)
	reConvert     = regexp.MustCompile(`Error when converting column "([^"]*)"\. Could not convert string "([^"]*)" to '([^']*)'`)
	reConvertAlt  = regexp.MustCompile(`Could not convert string "([^"]*)" to '([^']*)'`)
	reColumnName  = regexp.MustCompile(`[Cc]olumn "?([^"\s]+)"?`)
	reUnicode     = regexp.MustCompile(`Invalid unicode`)
	reUnterminate = regexp.MustCompile(`(?i)unterminated quote`)
	reLineSize    = regexp.MustCompile(`Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes`)
)

// translateReadError turns a DuckDB reader error into an ImportError naming line and column.
func translateReadError(path string, err error) error {
	var ie *ImportError
	if errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	out := &ImportError{File: path}
	if m := reCSVLine.FindStringSubmatch(msg); m != nil {
		out.Line, _ = strconv.ParseInt(m[1], 10, 64)
	}
	switch {
	case reColumns.MatchString(msg):
		m := reColumns.FindStringSubmatch(msg)
		out.Msg = fmt.Sprintf("expected %s columns (as in the header), found %s", m[1], m[2])
	case reConvert.MatchString(msg):
		m := reConvert.FindStringSubmatch(msg)
		out.Column = m[1]
		out.Msg = fmt.Sprintf("could not read %q as %s (the type detected from the first rows)", m[2], m[3])
	case reConvertAlt.MatchString(msg):
		m := reConvertAlt.FindStringSubmatch(msg)
		if c := reColumnName.FindStringSubmatch(msg); c != nil {
			out.Column = c[1]
		}
		out.Msg = fmt.Sprintf("could not read %q as %s", m[1], m[2])
	case reUnicode.MatchString(msg):
		out.Msg = "not valid UTF-8: expected a UTF-8 file (re-save it as UTF-8, or pass --encoding latin-1 or utf-16)"
	case reUnterminate.MatchString(msg):
		out.Msg = "a quoted field is not closed: expected a closing \""
	case reLineSize.MatchString(msg):
		m := reLineSize.FindStringSubmatch(msg)
		limit, _ := strconv.ParseInt(m[1], 10, 64)
		size, _ := strconv.ParseInt(m[2], 10, 64)
		what := "at least " + groupDigits(size)
		if line, n, ok := firstLongLine(path, limit); ok {
			out.Line, what = line, groupDigits(n)
		}
		out.Msg = fmt.Sprintf("a line of %s bytes is longer than the CSV reader's maximum line size (%s bytes): is the file missing its line breaks, or not a CSV file?",
			what, groupDigits(limit))
	case reCSVLine.MatchString(msg):
		// "CSV Error on Line: N" alone says nothing: keep DuckDB's reason, the first line
		// after the quoted original line.
		out.Msg = csvReason(msg)
	default:
		// Keep DuckDB's first line; drop the sniffer dump.
		first := msg
		if i := strings.Index(first, "\n"); i >= 0 {
			first = first[:i]
		}
		out.Msg = first
	}
	return out
}

// csvReason picks DuckDB's reason out of a CSV error: the first line that is neither the
// "CSV Error on Line" header nor the quoted original line, before the sniffer's settings.
func csvReason(msg string) string {
	lines := strings.Split(msg, "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Original Line:") {
			continue
		}
		if strings.Contains(l, " = ") { // the sniffer's settings: no reason given
			break
		}
		return l
	}
	first := lines[0]
	if i := strings.Index(first, "CSV Error"); i > 0 {
		first = first[i:]
	}
	return first
}

// firstLongLine finds the first line of a plain file longer than limit bytes: its 1-based
// number and length. DuckDB names a line by its own count, which can differ.
func firstLongLine(path string, limit int64) (line, size int64, ok bool) {
	lower := strings.ToLower(path)
	if strings.HasSuffix(lower, ".gz") || strings.HasSuffix(lower, ".zst") {
		return 0, 0, false
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	line = 1
	for {
		chunk, err := r.ReadSlice('\n')
		size += int64(len(chunk))
		if err == bufio.ErrBufferFull {
			continue
		}
		n := size
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			n-- // the line break is not part of the line
		}
		if n > limit {
			return line, n, true
		}
		if err != nil {
			return 0, 0, false
		}
		line, size = line+1, 0
	}
}

// groupDigits writes n with thousands separators.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// csvCheckLimit is the largest CSV file checked structurally before DuckDB reads it.
const csvCheckLimit = 16 << 20

// checkCSVStructure reads a CSV file with encoding/csv (RFC 4180, strict quotes) and reports
// the first row whose field count differs from the header's, or an unclosed quote, with its
// line and column. Only plain UTF-8 files with a single-character delimiter are checked.
func checkCSVStructure(abs string, opt ImportOptions) error {
	lower := strings.ToLower(abs)
	if strings.HasSuffix(lower, ".gz") || strings.HasSuffix(lower, ".zst") {
		return nil
	}
	if enc := strings.ToLower(opt.Encoding); enc != "" && enc != "utf-8" && enc != "utf8" {
		return nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil
	}
	defer f.Close()
	var src io.Reader = f
	if opt.Progress != nil {
		var total int64
		if st, err := f.Stat(); err == nil {
			total = st.Size()
		}
		src = &progressReader{r: f, total: total, report: opt.Progress}
	}
	br := bufio.NewReaderSize(src, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	delim := opt.Delimiter
	if delim == "" {
		head, _ := br.Peek(1 << 16)
		delim = guessDelimiter(head)
	}
	if delim == `\t` {
		delim = "\t"
	}
	r, size := utf8.DecodeRuneInString(delim)
	if delim == "" || size != len(delim) {
		return nil
	}
	cr := csv.NewReader(br)
	cr.Comma = r
	cr.ReuseRecord = true
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			ie := &ImportError{File: opt.Path, Line: int64(pe.Line)}
			switch {
			case errors.Is(pe.Err, csv.ErrFieldCount):
				ie.Msg = fmt.Sprintf("expected %d columns (as in the header), found a different number", cr.FieldsPerRecord)
				if rec, _ := fieldsOnLine(abs, pe.Line, r); rec > 0 {
					ie.Msg = fmt.Sprintf("expected %d columns (as in the header), found %d", cr.FieldsPerRecord, rec)
				}
			case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
				ie.Line = int64(pe.StartLine)
				ie.Msg = fmt.Sprintf("a quoted field is not closed or has a stray quote (character %d): expected a closing \" before the delimiter", pe.Column)
			default:
				ie.Msg = pe.Err.Error()
			}
			return ie
		}
		if err != nil {
			return nil
		}
	}
}

// progressReader reports the bytes read through it as StageChecking progress, at most
// once per progressStep bytes and once at the end of the file.
type progressReader struct {
	r            io.Reader
	done, total  int64
	lastReported int64
	report       func(done, total int64, stage string)
}

const progressStep = 256 << 10

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done-p.lastReported >= progressStep || (err == io.EOF && p.done > p.lastReported) {
		p.lastReported = p.done
		p.report(p.done, p.total, StageChecking)
	}
	return n, err
}

// fieldsOnLine counts the fields of one physical line (used only to word an error).
func fieldsOnLine(abs string, line int, delim rune) (int, error) {
	f, err := os.Open(abs)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if n == line {
			cr := csv.NewReader(strings.NewReader(sc.Text()))
			cr.Comma = delim
			cr.FieldsPerRecord = -1
			rec, err := cr.Read()
			return len(rec), err
		}
	}
	return 0, sc.Err()
}

// blanksToNull turns blank, whitespace-only and opt.NullValues cells of the new table's text
// columns into NULL, and converts a text column whose remaining values are all numbers to
// BIGINT (all integers) or DOUBLE: DuckDB's CSV sniffer reads a column of numbers with a
// few blank or "NA" cells as text.
func blanksToNull(ctx context.Context, tx *sql.Tx, opt ImportOptions) ([]NullNote, error) {
	cols, err := describeTx(ctx, tx, "SELECT * FROM "+QuoteIdent(opt.Table))
	if err != nil {
		return nil, err
	}
	nulls := []string{"''"}
	for _, v := range opt.NullValues {
		nulls = append(nulls, QuoteString(strings.TrimSpace(v)))
	}
	inNulls := " IN (" + strings.Join(nulls, ", ") + ")"
	var out []NullNote
	for _, c := range cols {
		if c.Type != "VARCHAR" {
			continue
		}
		q := QuoteIdent(c.Name)
		blank := "trim(" + q + ")" + inNulls
		var blanks, values, nums, ints int64
		// Empty cells arrive as NULL already; they count as blanks too.
		err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE `+q+` IS NULL OR `+blank+`),
			count(*) FILTER (WHERE `+q+` IS NOT NULL AND NOT (`+blank+`)),
			count(*) FILTER (WHERE NOT (`+blank+`) AND TRY_CAST(trim(`+q+`) AS DOUBLE) IS NOT NULL AND isfinite(TRY_CAST(trim(`+q+`) AS DOUBLE))),
			count(*) FILTER (WHERE NOT (`+blank+`) AND regexp_full_match(trim(`+q+`), '[+-]?[0-9]{1,18}'))
			FROM `+QuoteIdent(opt.Table)).Scan(&blanks, &values, &nums, &ints)
		if err != nil {
			return nil, fmt.Errorf("import %s: column %q: %w", opt.Path, c.Name, err)
		}
		if values > 0 && nums == values {
			typ := "DOUBLE"
			if ints == values {
				typ = "BIGINT"
			}
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+QuoteIdent(opt.Table)+" ALTER "+q+" TYPE "+typ+
				" USING CASE WHEN "+blank+" THEN NULL ELSE CAST(trim("+q+") AS "+typ+") END"); err != nil {
				return nil, fmt.Errorf("import %s: column %q as %s: %w", opt.Path, c.Name, typ, err)
			}
			out = append(out, NullNote{Column: c.Name, Blanks: blanks, Type: typ, Numeric: true})
			continue
		}
		if blanks > 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE "+QuoteIdent(opt.Table)+" SET "+q+" = NULL WHERE "+blank); err != nil {
				return nil, fmt.Errorf("import %s: column %q: %w", opt.Path, c.Name, err)
			}
			out = append(out, NullNote{Column: c.Name, Blanks: blanks, Type: c.Type})
		}
	}
	return out, nil
}
