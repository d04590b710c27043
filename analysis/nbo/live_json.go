package nbo

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LiveJSON is one customer's live decision as acrm nbo --format json and acrm serve write it:
// one shape for every surface, so the CLI, the service and the screen agree field by field.
type LiveJSON struct {
	Customer int64             `json:"customer_id"`
	AsOf     string            `json:"as_of"`
	Segment  string            `json:"value_segment"`
	Facts    map[string]string `json:"facts"`
	Used     int               `json:"offers_used"`
	Cap      int               `json:"cap"`
	Offers   []LiveJSONOffer   `json:"offers"`
	Trace    []LiveJSONStep    `json:"trace"`
}

// LiveJSONOffer is one ranked offer of a LiveJSON.
type LiveJSONOffer struct {
	Rank    int      `json:"rank"`
	Product int      `json:"product_id"`
	Name    string   `json:"product"`
	Channel string   `json:"channel"`
	P       float64  `json:"p_accept"`
	Value   float64  `json:"expected_value"`
	Score   float64  `json:"score"`
	Model   string   `json:"model_version"`
	Why     string   `json:"why"`
	Reasons []Reason `json:"reasons"`
}

// LiveJSONStep is one step of the decision trace.
type LiveJSONStep struct {
	Product int    `json:"product_id"`
	Channel string `json:"channel"`
	Rule    string `json:"rule"`
	Detail  string `json:"detail"`
}

// ProductName is the product's name ("" for an unknown id).
func (l *Live) ProductName(id int) string {
	if p, ok := l.Scoring.Products.Get(id); ok {
		return p.Name
	}
	return ""
}

// JSON is d in the shape every surface writes.
func (l *Live) JSON(d *LiveDecision) LiveJSON {
	out := LiveJSON{Customer: d.Customer, AsOf: d.At.Format("2006-01-02"), Segment: d.Segment, Facts: map[string]string{},
		Used: d.Usage.Total, Cap: d.Usage.Cap, Offers: []LiveJSONOffer{}, Trace: []LiveJSONStep{}}
	for _, f := range d.Facts {
		out.Facts[f.Field] = f.Value
	}
	for _, o := range d.Offers {
		rs := o.Reasons
		if rs == nil {
			rs = []Reason{}
		}
		out.Offers = append(out.Offers, LiveJSONOffer{Rank: o.Rank, Product: o.Product, Name: l.ProductName(o.Product), Channel: o.Channel,
			P: o.P, Value: o.Value, Score: o.Score, Model: o.Model, Why: o.Why, Reasons: rs})
	}
	for _, s := range d.Trace {
		out.Trace = append(out.Trace, LiveJSONStep(s))
	}
	return out
}

// AppendJSON appends d in the shape of JSON(d) to dst, byte for byte what encoding/json's
// Encoder writes for it (HTML-safe escaping, shortest floats, sorted facts, a final newline),
// without reflection and with few allocations: acrm serve's answer to every request.
func (l *Live) AppendJSON(dst []byte, d *LiveDecision) []byte {
	b := append(dst, `{"customer_id":`...)
	b = strconv.AppendInt(b, d.Customer, 10)
	b = append(b, `,"as_of":`...)
	b = appendJSONString(b, d.At.Format("2006-01-02"))
	b = append(b, `,"value_segment":`...)
	b = appendJSONString(b, d.Segment)
	b = append(b, `,"facts":{`...)
	// encoding/json writes a map's keys sorted; a later fact of the same field wins.
	keys := make([]int, 0, len(d.Facts))
	for i, f := range d.Facts {
		dup := false
		for k, j := range keys {
			if d.Facts[j].Field == f.Field {
				keys[k], dup = i, true
			}
		}
		if !dup {
			keys = append(keys, i)
		}
	}
	slices.SortFunc(keys, func(a, c int) int { return strings.Compare(d.Facts[a].Field, d.Facts[c].Field) })
	for n, i := range keys {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, d.Facts[i].Field)
		b = append(b, ':')
		b = appendJSONString(b, d.Facts[i].Value)
	}
	b = append(b, `},"offers_used":`...)
	b = strconv.AppendInt(b, int64(d.Usage.Total), 10)
	b = append(b, `,"cap":`...)
	b = strconv.AppendInt(b, int64(d.Usage.Cap), 10)
	b = append(b, `,"offers":[`...)
	for i, o := range d.Offers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rank":`...)
		b = strconv.AppendInt(b, int64(o.Rank), 10)
		b = append(b, `,"product_id":`...)
		b = strconv.AppendInt(b, int64(o.Product), 10)
		b = append(b, `,"product":`...)
		b = appendJSONString(b, l.ProductName(o.Product))
		b = append(b, `,"channel":`...)
		b = appendJSONString(b, o.Channel)
		b = append(b, `,"p_accept":`...)
		b = appendJSONFloat(b, o.P)
		b = append(b, `,"expected_value":`...)
		b = appendJSONFloat(b, o.Value)
		b = append(b, `,"score":`...)
		b = appendJSONFloat(b, o.Score)
		b = append(b, `,"model_version":`...)
		b = appendJSONString(b, o.Model)
		b = append(b, `,"why":`...)
		b = appendJSONString(b, o.Why)
		b = append(b, `,"reasons":[`...)
		for j, r := range o.Reasons {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"feature":`...)
			b = appendJSONString(b, r.Feature)
			b = append(b, `,"value":`...)
			b = appendJSONFloat(b, r.Value)
			b = append(b, `,"contribution":`...)
			b = appendJSONFloat(b, r.Contribution)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"trace":[`...)
	for i, s := range d.Trace {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"product_id":`...)
		b = strconv.AppendInt(b, int64(s.Product), 10)
		b = append(b, `,"channel":`...)
		b = appendJSONString(b, s.Channel)
		b = append(b, `,"rule":`...)
		b = appendJSONString(b, s.Rule)
		b = append(b, `,"detail":`...)
		b = appendJSONString(b, s.Detail)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// appendJSONFloat writes f as encoding/json does (NaN and infinities, which it refuses,
// as null).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	fmt := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		fmt = 'e'
	}
	b = strconv.AppendFloat(b, f, fmt, -1, 64)
	if fmt == 'e' { // e-09 → e-9, as encoding/json
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s quoted as encoding/json does with HTML escaping: <, > and & as
// \u003c…, control characters escaped, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
