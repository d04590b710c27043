package model

import (
	"math"
	"math/rand/v2"
	"sort"
)

// binner maps raw feature values to small integer bins by quantile cut points.
type binner struct {
	// Cuts[j] are ascending cut points of feature j; the bin of x is the number of cut
	// points ≤ x (0..len(Cuts[j])), and NaN goes to bin len(Cuts[j])+1.
	Cuts [][]float64
}

// maxSample bounds the values sorted per feature to find quantiles.
const maxSample = 200_000

// newBinner finds at most maxBins value bins per feature (maxBins ≤ 255) from the
// given rows of X (nil = all rows). A feature
// with at most maxBins distinct values gets one bin per value; otherwise the cut points
// are the distinct values at the quantiles q/maxBins, q = 1..maxBins−1, of a seeded
// sample of at most 200,000 rows. Cut points are data values, so a rule reads
// "x ≥ 8" with 8 a value that occurs.
func newBinner(X *Matrix, use []int, maxBins int, seed uint64, workers int) *binner {
	return newBinners(X, use, []int{maxBins}, seed, workers)[0]
}

// newBinners is newBinner for several bin counts at once: each feature's sample is
// sorted once for all of them.
func newBinners(X *Matrix, use []int, maxBins []int, seed uint64, workers int) []*binner {
	counts := make([]int, len(maxBins))
	for k, m := range maxBins {
		counts[k] = min(max(m, 2), 255)
	}
	p := X.Cols
	if use == nil {
		use = make([]int, X.Rows)
		for i := range use {
			use[i] = i
		}
	}
	rows := use
	if len(use) > maxSample {
		rng := rand.New(rand.NewPCG(seed, 0xb1b1))
		rows = make([]int, maxSample)
		for k, q := range rng.Perm(len(use))[:maxSample] {
			rows[k] = use[q]
		}
		sort.Ints(rows)
	}
	bs := make([]*binner, len(counts))
	for k := range bs {
		bs[k] = &binner{Cuts: make([][]float64, p)}
	}
	parallelChunks(p, workers, func(lo, hi int) {
		vals := make([]float64, 0, len(rows))
		for j := lo; j < hi; j++ {
			vals = vals[:0]
			for _, i := range rows {
				if v := X.Data[i*p+j]; !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			sort.Float64s(vals)
			distinct := countDistinct(vals)
			for k, m := range counts {
				bs[k].Cuts[j] = cutPoints(vals, distinct, m)
			}
		}
	})
	return bs
}

// countDistinct returns the number of distinct values of sorted vals.
func countDistinct(vals []float64) int {
	n := 0
	for k, v := range vals {
		if k == 0 || v != vals[k-1] {
			n++
		}
	}
	return n
}

// cutPoints returns the cut points of one feature's non-missing values, sorted, with
// distinct distinct values.
func cutPoints(vals []float64, distinct, maxBins int) []float64 {
	if len(vals) == 0 {
		return nil
	}
	if distinct <= maxBins {
		cuts := make([]float64, 0, distinct-1)
		for k, v := range vals {
			if k > 0 && v != vals[k-1] {
				cuts = append(cuts, v)
			}
		}
		return cuts
	}
	var cuts []float64
	for q := 1; q < maxBins; q++ {
		v := vals[q*len(vals)/maxBins]
		if v > vals[0] && (len(cuts) == 0 || v > cuts[len(cuts)-1]) {
			cuts = append(cuts, v)
		}
	}
	return cuts
}

// nbins returns the number of bins of feature j including the NaN bin.
func (b *binner) nbins(j int) int { return len(b.Cuts[j]) + 2 }

// transform bins X row-major: out[i*X.Cols+j] is the bin of X[i,j].
func (b *binner) transform(X *Matrix, workers int) []uint8 {
	n, p := X.Rows, X.Cols
	out := make([]uint8, n*p)
	parallelChunks(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := X.Data[i*p : (i+1)*p]
			ob := out[i*p : (i+1)*p]
			for j, v := range row {
				c := b.Cuts[j]
				if v != v { // NaN
					ob[j] = uint8(len(c) + 1)
					continue
				}
				lo, hi := 0, len(c)
				for lo < hi {
					m := int(uint(lo+hi) >> 1)
					if c[m] > v {
						hi = m
					} else {
						lo = m + 1
					}
				}
				ob[j] = uint8(lo)
			}
		}
	})
	return out
}

// parallelChunks runs fn over [0,n) split into up to workers contiguous chunks, even for small n.
func parallelChunks(n, workers int, fn func(lo, hi int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	done := make(chan struct{}, workers)
	chunk := (n + workers - 1) / workers
	cnt := 0
	for lo := 0; lo < n; lo += chunk {
		cnt++
		go func(lo, hi int) {
			fn(lo, hi)
			done <- struct{}{}
		}(lo, min(lo+chunk, n))
	}
	for range cnt {
		<-done
	}
}
