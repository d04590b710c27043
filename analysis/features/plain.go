package features

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Plain rewrites one rule condition over the customer view's encoded columns (as
// model.Rules writes them: "x ≥ a", "x < b", "a ≤ x < b") into words a marketer reads at
// once: "own_p32 ≥ 1" → "owns Premium support", "fam_mobile < 1" → "holds no mobile
// product", "2 ≤ ct12_phone < 4" → "2–3 phone contacts in 12 m". product names the
// products by id (nil or a missing id keeps "product 32"). A condition on any other column,
// or one this does not recognise, comes back unchanged, so the rule stays exact.
func Plain(cond string, product func(id int) string) string {
	name, lo, hi, ok := parseCond(cond)
	if !ok {
		return cond
	}
	prod := func(id string) string {
		n, _ := strconv.Atoi(id)
		if product != nil {
			if s := product(n); s != "" {
				return s
			}
		}
		return "product " + id
	}
	if m := perProduct.FindStringSubmatch(name); m != nil {
		p := prod(m[2])
		switch m[1] {
		case "own":
			switch {
			case lo >= 1 && math.IsInf(hi, 1):
				return "owns " + p
			case hi <= 1 && math.IsInf(lo, -1):
				return "does not own " + p
			}
			return cond
		case "acc":
			return counted(lo, hi, "accepted", "offer of "+p, "offers of "+p)
		case "dec":
			return counted(lo, hi, "declined", "offer of "+p, "offers of "+p)
		}
	}
	if fam, ok := strings.CutPrefix(name, "fam_"); ok {
		f := strings.ReplaceAll(fam, "_", "/")
		if fam == "cloud_ict" {
			f = "cloud/ICT"
		}
		return counted(lo, hi, "holds", f+" product", f+" products")
	}
	if ch, ok := strings.CutPrefix(name, "ct12_"); ok {
		c := map[string]string{"in": "inbound", "out": "outbound", "account_manager": "account-manager"}[ch]
		if c == "" {
			c = strings.ReplaceAll(ch, "_", " ")
		}
		return counted(lo, hi, "", c+" contact in 12 m", c+" contacts in 12 m")
	}
	switch name {
	case "n_products":
		return counted(lo, hi, "holds", "product", "products")
	case "n_accepted":
		return counted(lo, hi, "accepted", "offer", "offers")
	case "n_declined":
		return counted(lo, hi, "declined", "offer", "offers")
	case "optout_all":
		switch {
		case lo >= 1 && math.IsInf(hi, 1):
			return "opted out of all contact"
		case hi <= 1 && math.IsInf(lo, -1):
			return "has not opted out of all contact"
		}
	}
	return cond
}

var (
	perProduct = regexp.MustCompile(`^(own|acc|dec)_p(\d+)$`)
	// "x ≥ a", "x < b", "a ≤ x < b" with a column name of letters, digits and _.
	condRe = regexp.MustCompile(`^(?:(-?[0-9.e+]+) ≤ )?([A-Za-z_][A-Za-z0-9_]*)(?: (≥|<) (-?[0-9.e+]+))?$`)
)

// parseCond reads a condition of model.Rules into the interval [lo, hi) of its column.
func parseCond(cond string) (name string, lo, hi float64, ok bool) {
	m := condRe.FindStringSubmatch(cond)
	if m == nil || m[3] == "" {
		return "", 0, 0, false
	}
	lo, hi = math.Inf(-1), math.Inf(1)
	v, err := strconv.ParseFloat(m[4], 64)
	if err != nil {
		return "", 0, 0, false
	}
	switch {
	case m[1] != "":
		if m[3] != "<" {
			return "", 0, 0, false
		}
		if lo, err = strconv.ParseFloat(m[1], 64); err != nil {
			return "", 0, 0, false
		}
		hi = v
	case m[3] == "≥":
		lo = v
	default:
		hi = v
	}
	return m[2], lo, hi, true
}

// counted phrases "verb <count> noun" for a count in [lo, hi) (whole numbers): no, at least
// one, k or more, at most k, exactly k, or k–m; one and many are the noun's two forms.
func counted(lo, hi float64, verb, one, many string) string {
	// The smallest and largest whole counts inside [lo, hi).
	first := math.Max(math.Ceil(lo), 0)
	last := math.Inf(1)
	if !math.IsInf(hi, 1) {
		last = math.Ceil(hi) - 1
	}
	noun := func(k float64) string {
		if k == 1 {
			return "one " + one
		}
		return strconv.FormatFloat(k, 'f', 0, 64) + " " + many
	}
	var s string
	switch {
	case last <= 0:
		s = "no " + one
	case math.IsInf(last, 1) && first <= 1:
		s = "at least one " + one
	case math.IsInf(last, 1):
		s = strconv.FormatFloat(first, 'f', 0, 64) + " or more " + many
	case first == 0:
		s = "at most " + noun(last)
	case first == last:
		s = "exactly " + noun(first)
	default:
		s = strconv.FormatFloat(first, 'f', 0, 64) + "–" + strconv.FormatFloat(last, 'f', 0, 64) + " " + many
	}
	if verb == "" {
		return s
	}
	return verb + " " + s
}
