package features

import (
	"strings"
)

// Bound is an Encoder bound to one column layout: it encodes single rows given as columns in
// that layout without looking columns up by name, which is what Transform spends its time on
// for a one-row frame of many columns (live scoring of one customer). Encode gives exactly
// Transform's row.
type Bound struct {
	e      *Encoder
	at     []int            // feature i reads layout column at[i]
	levels []map[string]int // one-hot features: level → position
}

// Bind binds e to the layout names (case-insensitive, as Frame.Col matches). Columns the
// encoder needs and names lacks are a *MissingColumnsError.
func (e *Encoder) Bind(names []string) (*Bound, error) {
	pos := make(map[string]int, len(names))
	for i := len(names) - 1; i >= 0; i-- { // the first of equal names wins, as in Frame.Col
		pos[strings.ToLower(names[i])] = i
	}
	b := &Bound{e: e, at: make([]int, len(e.Features)), levels: make([]map[string]int, len(e.Features))}
	var missing []string
	for i, ft := range e.Features {
		j, ok := pos[strings.ToLower(ft.Column)]
		if !ok {
			missing = append(missing, ft.Column)
			continue
		}
		b.at[i] = j
		if ft.Kind == KindOneHot {
			b.levels[i] = make(map[string]int, len(ft.Levels))
			for k, l := range ft.Levels {
				b.levels[i][l] = k
			}
		}
	}
	if len(missing) > 0 {
		return nil, &MissingColumnsError{Source: "the live layout", Missing: missing}
	}
	return b, nil
}

// Width is the number of encoded values (len(Names)).
func (b *Bound) Width() int { return len(b.e.Names) }

// Encode writes row `row` of cols (in the bound layout) encoded into dst (Width values).
func (b *Bound) Encode(cols []*Column, row int, dst []float64) error {
	for i := range dst {
		dst[i] = 0
	}
	off := 0
	for fi, ft := range b.e.Features {
		c := cols[b.at[fi]]
		switch ft.Kind {
		case KindNumeric:
			var v float64
			if c.Numeric {
				v = c.Num[row]
			} else {
				one := &Column{Name: c.Name, Str: c.Str[row : row+1], Null: c.Null[row : row+1]}
				vals, err := numericValues(one)
				if err != nil {
					return err
				}
				v = vals[0]
			}
			isNull := v != v
			if isNull {
				v = ft.Impute
			}
			dst[off] = (v - ft.Center) / ft.Scale
			if ft.Missing && isNull {
				dst[off+1] = 1
			}
			off++
			if ft.Missing {
				off++
			}
		case KindOneHot:
			k, ok := b.levels[fi][stringValues(c)(row)]
			if !ok {
				k = len(ft.Levels)
			}
			dst[off+k] = 1
			off += len(ft.Levels) + 1
		case KindTarget:
			v := ft.Prior
			if r, ok := ft.Rates[stringValues(c)(row)]; ok {
				v = r
			}
			dst[off] = (v - ft.Center) / ft.Scale
			off++
		}
	}
	return nil
}
