package explore

import "strings"

// MinChartCount is the fewest rows a value must have to be drawn in a top-values chart, so
// that a chart never names a value that points at one or a few customers.
const MinChartCount = 5

// IdentifierColumn reports whether a column holds identifiers or personal contact data
// (ids, names, e-mail, phone, address, IBAN), which never go into a chart: the privacy rule
// every chart of a column (the CLI's and the workbench's) goes through.
func IdentifierColumn(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "id" || strings.HasSuffix(n, "_id") {
		return true
	}
	for _, w := range []string{"name", "email", "e_mail", "mail", "phone", "telephone", "mobile_number",
		"iban", "address", "street", "postcode", "postal_code", "zip", "kvk", "vat_number"} {
		if n == w || strings.HasPrefix(n, w+"_") || strings.HasSuffix(n, "_"+w) {
			return true
		}
	}
	return false
}
