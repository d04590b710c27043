package nbo

import (
	"math"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/features"
)

// totalsWithout computes, for the one customer of the one-row view frame f, the contact and
// opt-out totals without product pid's contacts and opt-outs — the row the view's
// ProductTotalsSQL(pid) gives for this customer — from the customer's contacts and opt-outs
// in memory (no query). The columns keep the view's names and types. When the customer has
// neither a contact nor an opt-out of pid the totals are the view's own (f is returned).
func (l *Live) totalsWithout(f *features.Frame, contacts []datamart.Contact, opts []datamart.OptOut, pid int) *features.Frame {
	if !touches(contacts, opts, pid) {
		return f
	}
	names := l.totalNames()
	vals := make([]float64, len(names))
	l.totalsInto(vals, contacts, opts, pid)
	t := &features.Frame{IDName: f.IDName, IDs: f.IDs, Rows: 1, Cols: make([]*features.Column, 0, len(vals))}
	for _, c := range f.Cols {
		for k, n := range names {
			if strings.ToLower(c.Name) == n {
				t.Cols = append(t.Cols, &features.Column{Name: c.Name, Type: c.Type, Numeric: true, Num: []float64{vals[k]}})
				break
			}
		}
	}
	return t
}

// touches reports whether the customer has a contact or an opt-out of product pid (else the
// totals without pid are the view's own).
func touches(contacts []datamart.Contact, opts []datamart.OptOut, pid int) bool {
	for i := range contacts {
		if contacts[i].ProductID == pid {
			return true
		}
	}
	for i := range opts {
		if opts[i].ProductID == pid {
			return true
		}
	}
	return false
}

// totalsInto writes the totals without product pid into vals, in Live.totalNames order.
func (l *Live) totalsInto(vals []float64, contacts []datamart.Contact, opts []datamart.OptOut, pid int) {
	snap := l.View.Snapshot
	year := snap.AddDate(0, 0, -365)
	perCh := vals[10:]
	for j := range perCh {
		perCh[j] = 0
	}
	var in, out, acc, dec, nores, rev float64
	var last, lastOut time.Time
	any, anyOut := false, false
	for i := range contacts {
		k := &contacts[i]
		if k.ProductID == pid || k.TS.After(snap) {
			continue
		}
		recent := k.TS.After(year)
		if recent {
			for j, ch := range l.View.Channels {
				if k.Channel == ch {
					perCh[j]++
				}
			}
			switch k.Direction {
			case "inbound":
				in++
			case "outbound":
				out++
			}
		}
		switch k.Outcome {
		case "accepted":
			acc++
		case "declined":
			dec++
		case "no_response":
			nores++
		}
		rev += k.Revenue
		if !any || k.TS.After(last) {
			last, any = k.TS, true
		}
		if k.Direction == "outbound" && (!anyOut || k.TS.After(lastOut)) {
			lastOut, anyOut = k.TS, true
		}
	}
	var optAll, optN float64
	for i := range opts {
		o := &opts[i]
		if o.ProductID == pid {
			continue
		}
		optN++
		if o.ProductID == 0 && o.Channel == "" {
			optAll = 1
		}
	}
	vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] = in, out, acc, dec, nores, rev
	vals[6], vals[7] = math.NaN(), math.NaN()
	if any {
		vals[6] = dayDiff(last, snap)
	}
	if anyOut {
		vals[7] = dayDiff(lastOut, snap)
	}
	vals[8], vals[9] = optAll, optN
}

// dayDiff is DuckDB's date_diff('day', a, b) for timestamps: the day boundaries between them.
func dayDiff(a, b time.Time) float64 {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(db.Sub(da).Hours() / 24)
}
