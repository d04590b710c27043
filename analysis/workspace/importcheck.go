package workspace

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// reservedTables are names created by acrm itself (views rebuilt on demand): importing a table
// of that name would break the commands that rebuild them.
var reservedTables = []string{"customer_view"}

// ValidateImportOptions checks the options of an import that need no file and no database:
// the table name, --as, --map and --delim. It is called before any work and is the
// function the import fuzz target drives.
func ValidateImportOptions(opt ImportOptions) error {
	if opt.Table == "" {
		return fmt.Errorf("import %s: --table is required", opt.Path)
	}
	if !identRe.MatchString(opt.Table) {
		return fmt.Errorf("import %s: table name %q: use letters, digits and _ and start with a letter", opt.Path, opt.Table)
	}
	lower := strings.ToLower(opt.Table)
	if strings.HasPrefix(lower, "acrm_") || strings.HasPrefix(lower, "sample_truth") {
		return fmt.Errorf("import %s: table name %q collides with acrm's own tables (acrm_*, sample_truth*): choose another name", opt.Path, opt.Table)
	}
	for _, r := range reservedTables {
		if lower == r {
			return fmt.Errorf("import %s: table name %q is the view built over the customers for acrm segments: choose another name", opt.Path, opt.Table)
		}
	}
	if opt.As != "" {
		if _, ok := canonicalColumns[opt.As]; !ok {
			return fmt.Errorf("import %s: --as %q: expected one of %s", opt.Path, opt.As, strings.Join(CanonicalKinds(), ", "))
		}
	}
	for src, dst := range opt.Map {
		if src == "" || dst == "" {
			return fmt.Errorf("import %s: --map %q=%q: expected src=dst with both names given", opt.Path, src, dst)
		}
		if strings.ContainsRune(dst, 0) || !utf8.ValidString(dst) || len(dst) > 255 {
			return fmt.Errorf("import %s: --map %s=%q: the new name must be valid text of at most 255 bytes", opt.Path, src, dst)
		}
	}
	if d := opt.Delimiter; d != "" && d != `\t` {
		r, size := utf8.DecodeRuneInString(d)
		switch {
		case size != len(d) || r == utf8.RuneError:
			return fmt.Errorf("import %s: --delim %q: expected one character (or \\t for tab)", opt.Path, d)
		case r == '\n' || r == '\r' || r == '"' || r == 0:
			return fmt.Errorf("import %s: --delim %q: a newline, NUL or double quote cannot separate fields", opt.Path, d)
		case size > 1:
			return fmt.Errorf("import %s: --delim %q: expected a one-byte (ASCII) character", opt.Path, d)
		}
	}
	switch strings.ToLower(opt.Encoding) {
	case "", "utf-8", "utf8", "latin-1", "latin1", "utf-16", "utf16":
	default:
		return fmt.Errorf("import %s: --encoding %q: expected utf-8, latin-1 or utf-16", opt.Path, opt.Encoding)
	}
	return nil
}
