package features

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/model"
)

// Feature kinds of an Encoder.
const (
	KindNumeric = "numeric" // standardized number, plus a missing indicator when NULLs were seen
	KindOneHot  = "onehot"  // one 0/1 column per kept level plus an "other" bucket
	KindTarget  = "target"  // smoothed response rate of the level (out-of-fold at fit time)
)

// nullLevel is the level key of a NULL categorical value.
const nullLevel = "(null)"

// EncoderOptions tune Fit. The zero value means the defaults below.
type EncoderOptions struct {
	// Standardize scales numerics to mean 0, standard deviation 1 (for logistic regression;
	// trees do not need it and their rules read better on raw values).
	Standardize bool `json:"standardize"`
	// MaxOneHot is the largest number of distinct values one-hot encoded (default 16);
	// columns with more are target-encoded.
	MaxOneHot int `json:"max_onehot"`
	// MinLevelShare: levels rarer than this share of rows fall into "other" (default 0.005).
	MinLevelShare float64 `json:"min_level_share"`
	// Folds for out-of-fold target encoding (default 5).
	Folds int `json:"folds"`
	// Smoothing m of the target encoding (default 20).
	Smoothing float64 `json:"smoothing"`
	// Seed of the fold assignment.
	Seed uint64 `json:"seed"`
}

func (o EncoderOptions) withDefaults() EncoderOptions {
	if o.MaxOneHot <= 0 {
		o.MaxOneHot = 16
	}
	if o.MinLevelShare <= 0 {
		o.MinLevelShare = 0.005
	}
	if o.Folds < 2 {
		o.Folds = 5
	}
	if o.Smoothing <= 0 {
		o.Smoothing = 20
	}
	return o
}

// Feature is the transform of one source column.
type Feature struct {
	Column string `json:"column"`
	Kind   string `json:"kind"`
	// Numeric and target kinds: x' = (x - Center) / Scale, NULL replaced by Impute first.
	Center  float64 `json:"center"`
	Scale   float64 `json:"scale"`
	Impute  float64 `json:"impute"`
	Missing bool    `json:"missing,omitempty"` // emit a <column>_missing indicator
	// One-hot: the kept levels (an "other" bucket follows them).
	Levels []string `json:"levels,omitempty"`
	// Target encoding: smoothed rate per level; Prior for unseen levels.
	Rates map[string]float64 `json:"rates,omitempty"`
	Prior float64            `json:"prior,omitempty"`
}

// Note records a column the encoder dropped and why.
type Note struct {
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (n Note) String() string { return n.Column + ": " + n.Reason }

// Encoder maps a Frame onto a numeric matrix. It is fitted on training rows and serialized
// with the model, so scoring applies exactly the same transform.
type Encoder struct {
	Options  EncoderOptions `json:"options"`
	Features []Feature      `json:"features"`
	Names    []string       `json:"names"`
	Dropped  []Note         `json:"dropped,omitempty"`
}

// Fit learns the encoding of f's columns for target y (y may be nil when no column needs
// target encoding) and returns the encoder with the encoded training matrix. Target-encoded
// columns of the training matrix are out-of-fold: each row's value is computed without the
// rows of its own fold, so the model does not see its own label through the encoding.
//
// Columns that are entirely NULL, constant, or identifier-like text (more than half the rows
// distinct) are dropped and listed in Encoder.Dropped; Fit fails when no column remains.
//
// Standardization: x' = (x − mean) / sd over the non-NULL training values; NULL → mean
// (so 0 after standardization) plus a 0/1 missing indicator. Target encoding of level v:
// rate(v) = (Σ y over rows with v + m·prior) / (n_v + m), prior = mean(y).
func Fit(f *Frame, y []float64, opt EncoderOptions) (*Encoder, *model.Matrix, error) {
	opt = opt.withDefaults()
	if f.Rows == 0 {
		return nil, nil, fmt.Errorf("features: no rows to fit the encoder on")
	}
	if y != nil && len(y) != f.Rows {
		return nil, nil, fmt.Errorf("features: %d targets for %d rows", len(y), f.Rows)
	}
	enc := &Encoder{Options: opt}
	var oofCols = map[int][]float64{}
	for _, c := range f.Cols {
		if !c.Numeric && allNumbers(c) {
			// Numbers stored as text (a blank or "NA" in an export made the column text):
			// a numeric feature, never an identifier; Transform parses the text the same way.
			v, _ := numericValues(c)
			c = &Column{Name: c.Name, Numeric: true, Num: v}
		}
		ft, note := fitColumn(c, f.Rows, opt, y != nil)
		if note != "" {
			enc.Dropped = append(enc.Dropped, Note{Column: c.Name, Reason: note})
			continue
		}
		if ft.Kind == KindTarget {
			ft.Prior = mean(y)
			ft.Rates = targetRates(c, y, nil, ft.Prior, opt.Smoothing)
			oof := oofTarget(c, y, opt)
			m, sd := meanSD(oof)
			if !opt.Standardize {
				m, sd = 0, 1
			}
			if sd == 0 {
				sd = 1
			}
			ft.Center, ft.Scale = m, sd
			oofCols[len(enc.Features)] = oof
		}
		enc.Features = append(enc.Features, ft)
	}
	if len(enc.Features) == 0 {
		var why []string
		for _, n := range enc.Dropped {
			why = append(why, n.String())
		}
		return nil, nil, fmt.Errorf("features: no usable feature column left (%s)", strings.Join(why, "; "))
	}
	enc.Names = enc.names()
	X, err := enc.transform(f, oofCols)
	if err != nil {
		return nil, nil, err
	}
	return enc, X, nil
}

func fitColumn(c *Column, rows int, opt EncoderOptions, haveY bool) (Feature, string) {
	ft := Feature{Column: c.Name, Scale: 1}
	if c.Numeric {
		var n, nulls int
		var s float64
		for _, v := range c.Num {
			if math.IsNaN(v) {
				nulls++
				continue
			}
			n++
			s += v
		}
		if n == 0 {
			return ft, "all values are NULL (dropped)"
		}
		m := s / float64(n)
		var ss float64
		for _, v := range c.Num {
			if !math.IsNaN(v) {
				ss += (v - m) * (v - m)
			}
		}
		sd := math.Sqrt(ss / float64(n))
		if sd == 0 && nulls == 0 {
			return ft, fmt.Sprintf("constant (every value is %g; dropped)", m)
		}
		ft.Kind = KindNumeric
		ft.Impute = m
		ft.Missing = nulls > 0
		if opt.Standardize {
			ft.Center = m
			if sd > 0 {
				ft.Scale = sd
			}
		}
		return ft, ""
	}
	counts := map[string]int{}
	nulls := 0
	for i, s := range c.Str {
		if c.Null[i] {
			nulls++
			counts[nullLevel]++
			continue
		}
		counts[s]++
	}
	if nulls == rows {
		return ft, "all values are NULL (dropped)"
	}
	if len(counts) == 1 {
		for k := range counts {
			return ft, fmt.Sprintf("constant (every value is %q; dropped)", k)
		}
	}
	if len(counts) <= opt.MaxOneHot {
		type lc struct {
			l string
			n int
		}
		var ls []lc
		for l, n := range counts {
			if float64(n) >= opt.MinLevelShare*float64(rows) {
				ls = append(ls, lc{l, n})
			}
		}
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].n != ls[j].n {
				return ls[i].n > ls[j].n
			}
			return ls[i].l < ls[j].l
		})
		ft.Kind = KindOneHot
		for _, x := range ls {
			ft.Levels = append(ft.Levels, x.l)
		}
		return ft, ""
	}
	if len(counts) > rows/2 && len(counts) > 50 {
		return ft, fmt.Sprintf("looks like an identifier (%d distinct values in %d rows; dropped)", len(counts), rows)
	}
	if !haveY {
		return ft, fmt.Sprintf("has %d distinct values and needs a target for target encoding (dropped)", len(counts))
	}
	ft.Kind = KindTarget
	return ft, ""
}

func levelOf(c *Column, i int) string {
	if c.Null[i] {
		return nullLevel
	}
	return c.Str[i]
}

// targetRates computes the smoothed rate per level over the rows where use is true (all rows
// when use is nil).
func targetRates(c *Column, y []float64, use []bool, prior, m float64) map[string]float64 {
	sum := map[string]float64{}
	cnt := map[string]float64{}
	for i := range y {
		if use != nil && !use[i] {
			continue
		}
		l := levelOf(c, i)
		sum[l] += y[i]
		cnt[l]++
	}
	out := make(map[string]float64, len(sum))
	for l, s := range sum {
		out[l] = (s + m*prior) / (cnt[l] + m)
	}
	return out
}

// oofTarget is the out-of-fold target encoding of c: rows are dealt into opt.Folds folds
// by a seeded permutation; each fold is encoded with rates computed on the other folds.
func oofTarget(c *Column, y []float64, opt EncoderOptions) []float64 {
	n := len(y)
	fold := make([]int, n)
	r := rand.New(rand.NewPCG(opt.Seed, 0x7e57))
	perm := r.Perm(n)
	for k, i := range perm {
		fold[i] = k % opt.Folds
	}
	out := make([]float64, n)
	use := make([]bool, n)
	for k := 0; k < opt.Folds; k++ {
		var s, cnt float64
		for i := range y {
			use[i] = fold[i] != k
			if use[i] {
				s += y[i]
				cnt++
			}
		}
		prior := s / math.Max(cnt, 1)
		rates := targetRates(c, y, use, prior, opt.Smoothing)
		for i := range y {
			if fold[i] != k {
				continue
			}
			if v, ok := rates[levelOf(c, i)]; ok {
				out[i] = v
			} else {
				out[i] = prior
			}
		}
	}
	return out
}

func (e *Encoder) names() []string {
	var out []string
	for _, ft := range e.Features {
		switch ft.Kind {
		case KindNumeric:
			out = append(out, ft.Column)
			if ft.Missing {
				out = append(out, ft.Column+"_missing")
			}
		case KindOneHot:
			for _, l := range ft.Levels {
				out = append(out, ft.Column+"="+l)
			}
			out = append(out, ft.Column+"=other")
		case KindTarget:
			out = append(out, ft.Column+"_te")
		}
	}
	return out
}

// Columns lists the source columns the encoder reads.
func (e *Encoder) Columns() []string {
	out := make([]string, len(e.Features))
	for i, ft := range e.Features {
		out[i] = ft.Column
	}
	return out
}

// MissingColumnsError names the source columns a frame lacks.
type MissingColumnsError struct {
	Source  string
	Missing []string
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("features: %s is missing column(s) the model needs: %s", e.Source, strings.Join(e.Missing, ", "))
}

// Transform encodes f with the fitted transform. Columns the encoder needs but f lacks are a
// *MissingColumnsError naming all of them; unseen categories go to the "other" bucket (one-hot)
// or the prior rate (target encoding); NULL numerics get the training mean and the indicator.
func (e *Encoder) Transform(f *Frame) (*model.Matrix, error) {
	return e.transform(f, nil)
}

// sourceColumns finds the frame's column for each of the encoder's features (names compared
// case-insensitively, the first match kept, as Frame.Col); a feature the frame lacks is a
// MissingColumnsError naming every one.
func (e *Encoder) sourceColumns(f *Frame) ([]*Column, error) {
	byName := make(map[string]*Column, len(f.Cols))
	for _, c := range f.Cols {
		k := strings.ToLower(c.Name)
		if _, ok := byName[k]; !ok {
			byName[k] = c
		}
	}
	cols := make([]*Column, len(e.Features))
	var missing []string
	for i, ft := range e.Features {
		cols[i] = byName[strings.ToLower(ft.Column)]
		if cols[i] == nil {
			missing = append(missing, ft.Column)
		}
	}
	if len(missing) > 0 {
		src := "the scoring table"
		if f.IDName != "" {
			src = "the table (id " + f.IDName + ")"
		}
		return nil, &MissingColumnsError{Source: src, Missing: missing}
	}
	return cols, nil
}

func (e *Encoder) transform(f *Frame, oof map[int][]float64) (*model.Matrix, error) {
	cols, err := e.sourceColumns(f)
	if err != nil {
		return nil, err
	}
	width := len(e.Names)
	X := model.NewMatrix(f.Rows, width, append([]string(nil), e.Names...))
	off := 0
	for fi, ft := range e.Features {
		c := cols[fi]
		switch ft.Kind {
		case KindNumeric:
			vals, err := numericValues(c)
			if err != nil {
				return nil, err
			}
			for i := 0; i < f.Rows; i++ {
				v := vals[i]
				isNull := math.IsNaN(v)
				if isNull {
					v = ft.Impute
				}
				X.Data[i*width+off] = (v - ft.Center) / ft.Scale
				if ft.Missing && isNull {
					X.Data[i*width+off+1] = 1
				}
			}
			off++
			if ft.Missing {
				off++
			}
		case KindOneHot:
			idx := make(map[string]int, len(ft.Levels))
			for k, l := range ft.Levels {
				idx[l] = k
			}
			other := len(ft.Levels)
			strs := stringValues(c)
			for i := 0; i < f.Rows; i++ {
				k, ok := idx[strs(i)]
				if !ok {
					k = other
				}
				X.Data[i*width+off+k] = 1
			}
			off += len(ft.Levels) + 1
		case KindTarget:
			strs := stringValues(c)
			o := oof[fi]
			for i := 0; i < f.Rows; i++ {
				var v float64
				if o != nil {
					v = o[i]
				} else if r, ok := ft.Rates[strs(i)]; ok {
					v = r
				} else {
					v = ft.Prior
				}
				X.Data[i*width+off] = (v - ft.Center) / ft.Scale
			}
			off++
		}
	}
	return X, nil
}

// allNumbers reports whether every non-blank value of a text column is a number (and at
// least one is).
func allNumbers(c *Column) bool {
	seen := false
	for i, s := range c.Str {
		t := strings.TrimSpace(s)
		if c.Null[i] || t == "" {
			continue
		}
		if v, err := strconv.ParseFloat(t, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		seen = true
	}
	return seen
}

// numericValues returns c as numbers, parsing text columns (a scoring table may hold numbers
// as text); text that is not a number is an error naming the column and row.
func numericValues(c *Column) ([]float64, error) {
	if c.Numeric {
		return c.Num, nil
	}
	out := make([]float64, len(c.Str))
	for i, s := range c.Str {
		if c.Null[i] || strings.TrimSpace(s) == "" {
			out[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("features: column %s row %d: expected a number, found %q", c.Name, i+1, s)
		}
		out[i] = v
	}
	return out, nil
}

// stringValues returns the level of each row of c; numeric columns are formatted the way
// DuckDB casts a DOUBLE to text for integral values.
func stringValues(c *Column) func(i int) string {
	if !c.Numeric {
		return func(i int) string { return levelOf(c, i) }
	}
	return func(i int) string {
		v := c.Num[i]
		if math.IsNaN(v) {
			return nullLevel
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
}

// Marshal serializes the encoder as JSON.
func (e *Encoder) Marshal() ([]byte, error) { return json.Marshal(e) }

// UnmarshalEncoder reads an encoder written by Marshal.
func UnmarshalEncoder(b []byte) (*Encoder, error) {
	var e Encoder
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("features: read encoder: %w", err)
	}
	if len(e.Features) == 0 || len(e.Names) == 0 {
		return nil, fmt.Errorf("features: read encoder: no features")
	}
	return &e, nil
}

func mean(y []float64) float64 {
	if len(y) == 0 {
		return 0
	}
	var s float64
	for _, v := range y {
		s += v
	}
	return s / float64(len(y))
}

func meanSD(x []float64) (float64, float64) {
	m := mean(x)
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / math.Max(float64(len(x)), 1))
}
