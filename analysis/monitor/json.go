package monitor

import (
	"encoding/json"
	"math"
)

// jnum is a float that encodes NaN and ±Inf as null (JSON has no NaN).
type jnum float64

func (f jnum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// MarshalJSON encodes an undefined estimate (an empty group) as null.
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Est jnum `json:"est"`
		Lo  jnum `json:"lo"`
		Hi  jnum `json:"hi"`
	}{jnum(iv.Est), jnum(iv.Lo), jnum(iv.Hi)})
}

// MarshalJSON encodes the Qini coefficient as null when there is no score for both cells.
func (c *Campaign) MarshalJSON() ([]byte, error) {
	type plain Campaign
	return json.Marshal(struct {
		*plain
		QiniCoef jnum
	}{(*plain)(c), jnum(c.QiniCoef)})
}

// MarshalJSON names the severity.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalJSON encodes the open upper edge of a numeric distribution's last bin as null.
func (d Dist) MarshalJSON() ([]byte, error) {
	type plain Dist
	hi := make([]jnum, len(d.Hi))
	for i, h := range d.Hi {
		hi[i] = jnum(h)
	}
	return json.Marshal(struct {
		plain
		Hi []jnum
	}{plain(d), hi})
}
