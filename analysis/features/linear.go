package features

import (
	"fmt"
	"sync"
)

// LinearCache holds what Linear prepares once per source column and reuses across calls on
// frames that share columns (the per-product frames of one customer view share all but a
// few): the level codes of categorical columns and the numbers parsed from text columns.
// It is safe for concurrent use.
type LinearCache struct {
	mu    sync.Mutex
	codes map[*Column]*levelCodes
	nums  map[*Column]*parsedNums
}

// NewLinearCache returns an empty cache.
func NewLinearCache() *LinearCache {
	return &LinearCache{codes: map[*Column]*levelCodes{}, nums: map[*Column]*parsedNums{}}
}

type levelCodes struct {
	once   sync.Once
	codes  []int32  // per row, an index into levels
	levels []string // distinct levels (stringValues) in order of first appearance
}

type parsedNums struct {
	once sync.Once
	v    []float64
	err  error
}

func (lc *LinearCache) levelsOf(c *Column) *levelCodes {
	lc.mu.Lock()
	e := lc.codes[c]
	if e == nil {
		e = &levelCodes{}
		lc.codes[c] = e
	}
	lc.mu.Unlock()
	e.once.Do(func() {
		n := len(c.Num)
		if !c.Numeric {
			n = len(c.Str)
		}
		strs := stringValues(c)
		idx := map[string]int32{}
		e.codes = make([]int32, n)
		for i := 0; i < n; i++ {
			s := strs(i)
			k, ok := idx[s]
			if !ok {
				k = int32(len(e.levels))
				idx[s] = k
				e.levels = append(e.levels, s)
			}
			e.codes[i] = k
		}
	})
	return e
}

func (lc *LinearCache) numbersOf(c *Column) ([]float64, error) {
	if c.Numeric {
		return c.Num, nil
	}
	lc.mu.Lock()
	e := lc.nums[c]
	if e == nil {
		e = &parsedNums{}
		lc.nums[c] = e
	}
	lc.mu.Unlock()
	e.once.Do(func() { e.v, e.err = numericValues(c) })
	return e.v, e.err
}

// Linear adds intercept + Σ_j coef[j]·x_j, x = Transform(f) (the encoded row), for the rows
// lo … hi−1 of f into z[0 … hi−lo−1] (z is overwritten). It computes the same log-odds as a
// linear model's dot product with the encoded matrix, column by column and without building
// the matrix: numerics as slope·x + constant (NULL: the imputed value's term plus the
// missing indicator's coefficient), categorical columns as a table lookup per level code.
// coef must have one entry per encoded column (len(e.Names)). Missing source columns are a
// *MissingColumnsError, as with Transform.
func (e *Encoder) Linear(f *Frame, intercept float64, coef []float64, cache *LinearCache, lo, hi int, z []float64) error {
	if cache == nil {
		cache = NewLinearCache()
	}
	if len(coef) != len(e.Names) {
		return fmt.Errorf("features: %d coefficients for %d encoded columns", len(coef), len(e.Names))
	}
	cols, err := e.sourceColumns(f)
	if err != nil {
		return err
	}
	z = z[:hi-lo]
	for i := range z {
		z[i] = intercept
	}
	off := 0
	for fi, ft := range e.Features {
		c := cols[fi]
		switch ft.Kind {
		case KindNumeric:
			vals, err := cache.numbersOf(c)
			if err != nil {
				return err
			}
			a := coef[off]
			slope, base := a/ft.Scale, -a*ft.Center/ft.Scale
			null := a * ((ft.Impute - ft.Center) / ft.Scale)
			if ft.Missing {
				null += coef[off+1]
			}
			x := vals[lo:hi]
			for i, v := range x {
				if v != v {
					z[i] += null
				} else {
					z[i] += slope*v + base
				}
			}
			off++
			if ft.Missing {
				off++
			}
		case KindOneHot:
			lv := cache.levelsOf(c)
			idx := make(map[string]int, len(ft.Levels))
			for k, l := range ft.Levels {
				idx[l] = k
			}
			other := len(ft.Levels)
			table := make([]float64, len(lv.levels))
			for code, l := range lv.levels {
				k, ok := idx[l]
				if !ok {
					k = other
				}
				table[code] = coef[off+k]
			}
			for i, code := range lv.codes[lo:hi] {
				z[i] += table[code]
			}
			off += len(ft.Levels) + 1
		case KindTarget:
			lv := cache.levelsOf(c)
			a := coef[off]
			table := make([]float64, len(lv.levels))
			for code, l := range lv.levels {
				r, ok := ft.Rates[l]
				if !ok {
					r = ft.Prior
				}
				table[code] = a * ((r - ft.Center) / ft.Scale)
			}
			for i, code := range lv.codes[lo:hi] {
				z[i] += table[code]
			}
			off++
		}
	}
	return nil
}

// Slice is rows [lo, hi) of f, sharing its column storage.
func (f *Frame) Slice(lo, hi int) *Frame {
	if lo == 0 && hi == f.Rows {
		return f
	}
	out := &Frame{IDName: f.IDName, IDs: f.IDs[lo:hi], Rows: hi - lo, Cols: make([]*Column, len(f.Cols))}
	if f.Target != nil {
		out.Target = f.Target[lo:hi]
	}
	for j, c := range f.Cols {
		nc := &Column{Name: c.Name, Type: c.Type, Numeric: c.Numeric}
		if c.Numeric {
			nc.Num = c.Num[lo:hi]
		} else {
			nc.Str, nc.Null = c.Str[lo:hi], c.Null[lo:hi]
		}
		out.Cols[j] = nc
	}
	return out
}
