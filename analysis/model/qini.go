package model

import (
	"math"
	"sort"
)

// QiniUnit is one campaign member for the Qini curve: its score (the ranking), whether it was
// treated (contacted) or in the control cell, and whether it converted.
type QiniUnit struct {
	Score     float64
	Treated   bool
	Converted bool
}

// QiniPoint is one point of the Qini curve: Depth is the share of members ranked (best
// first) and Gain the incremental conversions found there per treated member of the campaign,
// (R_t − R_c · N_t/N_c) / N_t,total, where R and N count conversions and members of the
// treated and control cells in the top Depth (R_c · N_t/N_c is 0 while N_c is 0).
type QiniPoint struct {
	Depth, Gain float64
}

// Qini ranks the units by score, highest first (tied scores enter together), and returns
// the Qini curve, starting at (0, 0) and ending at (1, uplift), and the Qini coefficient
//
//	Q = ∫₀¹ (Gain(x) − x · Gain(1)) dx
//
// (trapezoids between the points): the area between the curve and the line of random
// targeting, positive when the ranking finds the incremental conversions first. It returns
// nil, NaN without treated or control units.
func Qini(units []QiniUnit) ([]QiniPoint, float64) {
	var nt, nc int
	for _, u := range units {
		if u.Treated {
			nt++
		} else {
			nc++
		}
	}
	if nt == 0 || nc == 0 {
		return nil, math.NaN()
	}
	us := append([]QiniUnit(nil), units...)
	sort.SliceStable(us, func(i, j int) bool { return us[i].Score > us[j].Score })
	n := float64(len(us))
	curve := []QiniPoint{{0, 0}}
	var ct, cc, rt, rc float64
	for i := 0; i < len(us); {
		j := i
		for j < len(us) && us[j].Score == us[i].Score {
			if us[j].Treated {
				ct++
				if us[j].Converted {
					rt++
				}
			} else {
				cc++
				if us[j].Converted {
					rc++
				}
			}
			j++
		}
		g := rt
		if cc > 0 {
			g -= rc * ct / cc
		}
		curve = append(curve, QiniPoint{Depth: float64(j) / n, Gain: g / float64(nt)})
		i = j
	}
	end := curve[len(curve)-1].Gain
	var q float64
	for i := 1; i < len(curve); i++ {
		a, b := curve[i-1], curve[i]
		dx := b.Depth - a.Depth
		q += dx * ((a.Gain - a.Depth*end) + (b.Gain - b.Depth*end)) / 2
	}
	return curve, q
}
