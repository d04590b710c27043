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
	touched := false
	for i := range contacts {
		if contacts[i].ProductID == pid {
			touched = true
			break
		}
	}
	for i := range opts {
		if opts[i].ProductID == pid {
			touched = true
			break
		}
	}
	if !touched {
		return f
	}
	snap := l.View.Snapshot
	year := snap.AddDate(0, 0, -365)
	perCh := make([]float64, len(l.View.Channels))
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
	vals := map[string]float64{
		"ct12_in": in, "ct12_out": out, "n_accepted": acc, "n_declined": dec, "n_no_response": nores,
		"contact_revenue": rev, "days_since_contact": math.NaN(), "days_since_outbound": math.NaN(),
		"optout_all": optAll, "optout_n": optN,
	}
	if any {
		vals["days_since_contact"] = dayDiff(last, snap)
	}
	if anyOut {
		vals["days_since_outbound"] = dayDiff(lastOut, snap)
	}
	for j, ch := range l.View.Channels {
		vals["ct12_"+features.Ident(ch)] = perCh[j]
	}
	t := &features.Frame{IDName: f.IDName, IDs: f.IDs, Rows: 1, Cols: make([]*features.Column, 0, len(vals))}
	for _, c := range f.Cols {
		if v, ok := vals[strings.ToLower(c.Name)]; ok {
			t.Cols = append(t.Cols, &features.Column{Name: c.Name, Type: c.Type, Numeric: true, Num: []float64{v}})
		}
	}
	return t
}

// dayDiff is DuckDB's date_diff('day', a, b) for timestamps: the day boundaries between them.
func dayDiff(a, b time.Time) float64 {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(db.Sub(da).Hours() / 24)
}
