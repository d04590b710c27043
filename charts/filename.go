package charts

import "strings"

// SafeFileName replaces every character of s other than ASCII letters, digits, '-', '_' and
// '.' by '_', for default export file names built from segment, table, column or model names
// ("segments-top-retail/large" → "segments-top-retail_large"). Every export uses it.
func SafeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
