package deck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/charts"
)

// RevenueKPI is the name of the monthly-revenue KPI of the segments chart.
const RevenueKPI = "Monthly revenue"

// MaxSegments is how many segments the segments chart has room for.
const MaxSegments = 6

// SegmentKPIs indexes segments' KPIs against the whole base: the built-in value segments
// (top, middle, low) by default, else the named ones, built-in or saved (at most
// MaxSegments). An unknown name is an error naming it.
func (s *Source) SegmentKPIs(ctx context.Context, names ...string) (charts.SegmentKPIChart, error) {
	if ok, err := s.WS.HasTable(ctx, "customers"); err != nil || !ok {
		return charts.SegmentKPIChart{}, noData("the workspace has no customers table (acrm sample or acrm import)")
	}
	segs := segment.ValueSegments()
	if len(names) > 0 {
		if len(names) > MaxSegments {
			return charts.SegmentKPIChart{}, fmt.Errorf("deck: %d segments given; the chart has room for %d", len(names), MaxSegments)
		}
		segs = nil
		seen := map[string]bool{}
		for _, n := range names {
			sg, err := segment.Get(ctx, s.WS, n)
			if errors.Is(err, segment.ErrNotFound) {
				return charts.SegmentKPIChart{}, fmt.Errorf("unknown segment %q: not top, middle, low or a saved segment (acrm segments list shows the saved ones)", n)
			}
			if err != nil {
				return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment %q: %w", n, err)
			}
			if seen[sg.Name] {
				return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment %q is given twice", sg.Name)
			}
			seen[sg.Name] = true
			segs = append(segs, sg)
		}
	}
	rows, err := segment.KPIs(ctx, s.WS, segs)
	if err != nil {
		return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment KPIs: %w", err)
	}
	basis, err := segment.ValueBasis(ctx, s.WS)
	if err != nil {
		return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment KPIs: %w", err)
	}
	return KPIChart(rows, s.header("", SegmentSubtitle(segs, basis, rows[0].Customers), ""))
}

// KPIChart maps a KPI table (base first, then the segments) onto the segment KPI chart:
// every KPI with a positive base value, indexed on the base, titled by SegmentTitle unless h
// has a title. It is the one builder of this chart: acrm chart segments, the deck and the
// Segments screen's export all call it, so the same segments get the same title.
func KPIChart(rows []segment.KPIRow, h charts.Header) (charts.SegmentKPIChart, error) {
	if len(rows) < 2 {
		return charts.SegmentKPIChart{}, noData("no segment to chart")
	}
	c := charts.SegmentKPIChart{Header: h}
	for _, r := range rows[1:] {
		c.Segments = append(c.Segments, r.Segment)
	}
	c.KPIs = IndexedKPIs(rows)
	if len(c.KPIs) == 0 {
		return c, noData("every KPI of the base is zero")
	}
	if c.Title == "" {
		c.Title = SegmentTitle(c)
	}
	return c, nil
}

// SegmentTitle says how the first segment compares with the base: on monthly revenue when
// the chart has that KPI ("The top 10 % of customers spend 4.9× the average monthly
// revenue"), else on the KPI where it differs most from the base.
func SegmentTitle(c charts.SegmentKPIChart) string {
	if len(c.Segments) == 0 || len(c.KPIs) == 0 {
		return "Segment KPIs against the whole base"
	}
	who, verb := "Segment “"+c.Segments[0]+"”", "spends"
	if _, ok := valueSegment(c.Segments[0]); ok {
		who, verb = "The "+segmentLabel(c.Segments[0])+" of customers", "spend"
	}
	for _, k := range c.KPIs {
		if k.Name == RevenueKPI && len(k.Values) > 0 {
			return fmt.Sprintf("%s %s %s× the average monthly revenue", who, verb, charts.FormatNumber(k.Values[0]/k.Base, 1))
		}
	}
	best := 0
	for i, k := range c.KPIs {
		if math.Abs(math.Log(k.Values[0]/k.Base)) > math.Abs(math.Log(c.KPIs[best].Values[0]/c.KPIs[best].Base)) {
			best = i
		}
	}
	k := c.KPIs[best]
	return fmt.Sprintf("%s: %s at %s× the average", who, strings.ToLower(k.Name[:1])+k.Name[1:], charts.FormatNumber(k.Values[0]/k.Base, 1))
}

// SegmentSubtitle says what the segments are and, for the value segments, what ranks them
// (segment.ValueBasis: monthly revenue, or the expected value of the best models' scores
// once every product is scored or the user asked for it).
func SegmentSubtitle(segs []segment.Segment, basis string, customers int64) string {
	rank := "monthly revenue"
	if basis == segment.BasisExpectedValue {
		rank = "the best models' expected value"
	}
	labels := make([]string, len(segs))
	values := 0
	for i, sg := range segs {
		labels[i] = sg.Name
		if _, ok := valueSegment(sg.Name); ok {
			labels[i] = segmentLabel(sg.Name)
			values++
		}
	}
	tail := fmt.Sprintf(" of %s customers", charts.FormatInt(float64(customers)))
	switch values {
	case len(segs):
		return fmt.Sprintf("Value segments by %s (%s)%s", rank, strings.Join(labels, ", "), tail)
	case 0:
		return "Saved segments " + joinAnd(labels) + tail
	}
	return fmt.Sprintf("Segments %s (value segments by %s)%s", joinAnd(labels), rank, tail)
}

// valueSegment reports whether name is one of the built-in value segments.
func valueSegment(name string) (segment.Segment, bool) {
	for _, v := range segment.ValueSegments() {
		if v.Name == name {
			return v, true
		}
	}
	return segment.Segment{}, false
}

// IndexedKPIs are the segment KPI chart's bars for a KPI table (rows[0] the base, then the
// segments): monthly revenue, products held, offer response, contract-end and opt-out share,
// each with the base's value to index on; a KPI whose base value is not positive (nothing
// to index against, e.g. no contact history) is left out.
func IndexedKPIs(rows []segment.KPIRow) []charts.KPI {
	if len(rows) == 0 {
		return nil
	}
	base := rows[0]
	var out []charts.KPI
	for _, k := range []struct {
		name string
		unit charts.Unit
		get  func(segment.KPIValues) float64
	}{
		{RevenueKPI, charts.Money, func(v segment.KPIValues) float64 { return v.AvgRevenue }},
		{"Products held", charts.Count, func(v segment.KPIValues) float64 { return v.ProductsPerCustomer }},
		{"Offer response", charts.Percent, func(v segment.KPIValues) float64 { return v.ResponseRate }},
		{"Contract ends ≤ 3 months", charts.Percent, func(v segment.KPIValues) float64 { return v.ContractEndShare }},
		{"Opted out", charts.Percent, func(v segment.KPIValues) float64 { return v.OptOutShare }},
	} {
		b := k.get(base.KPIValues)
		if b <= 0 {
			continue
		}
		kk := charts.KPI{Name: k.name, Unit: k.unit, Base: b}
		for _, r := range rows[1:] {
			kk.Values = append(kk.Values, k.get(r.KPIValues))
		}
		out = append(out, kk)
	}
	return out
}
