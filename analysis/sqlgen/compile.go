package sqlgen

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
)

// ErrUnsupported marks what a dialect or the compiler cannot express (a model kind, a
// calibration, a column type); the message names it.
var ErrUnsupported = errors.New("cannot compile")

// Source is what a model's SELECT reads: a FROM clause (a table name or a parenthesised
// SELECT), its id column and its columns' DuckDB types.
type Source struct {
	From    string
	ID      string
	Columns []Column
}

func (s Source) typeOf(name string) (string, bool) {
	for _, c := range s.Columns {
		if strings.EqualFold(c.Name, name) {
			return c.Type, true
		}
	}
	return "", false
}

// layer is one SELECT of the nested query: named expressions over the layer below.
type layer struct{ cols [][2]string } // name, expression

func (l *layer) add(name, expr string) { l.cols = append(l.cols, [2]string{name, expr}) }

// nest wraps the layers, innermost first, over from; every layer carries id.
func nest(from, fence string, layers []layer) string {
	q := from
	for k, l := range layers {
		sel := []string{"id"}
		if k == 0 {
			sel = sel[:0]
		}
		for _, c := range l.cols {
			sel = append(sel, c[1]+" AS "+c[0])
		}
		q = "SELECT " + strings.Join(sel, ",\n  ") + "\nFROM " + q
		if k < len(layers)-1 {
			q = "(" + q + fence + ") l" + fmt.Sprint(k)
		}
	}
	return q
}

// Model compiles a stored model (encoder, classifier structure, calibrator) over src to one
// SELECT id, score in dialect d, ordered by id.
func Model(d *Dialect, enc *features.Encoder, st model.Structure, cal *model.Calibrator, src Source) (string, error) {
	if enc == nil || cal == nil {
		return "", fmt.Errorf("sqlgen: model without encoder or calibrator: %w", ErrUnsupported)
	}
	c := &compiler{d: d}
	in := layer{}
	in.add("id", d.Ident(src.ID))
	if err := c.encode(&in, enc, src); err != nil {
		return "", err
	}
	if st.Features != len(enc.Names) && st.Features != 0 {
		return "", fmt.Errorf("sqlgen: the model has %d features, its encoder %d", st.Features, len(enc.Names))
	}
	layers := []layer{in}
	// raw: one column per part (z_k on the log-odds scale, or p_k for a tree).
	parts := []model.Structure{st}
	if st.Algo == model.Blend || st.Algo == model.Uplift {
		parts = st.Parts
	}
	if d.TreeWalk {
		layers = append(layers, c.walk(parts, len(enc.Names))...)
	}
	raw, prob := layer{}, layer{}
	for k, p := range parts {
		e, logOdds, err := c.raw(p)
		if d.TreeWalk && (p.Algo == model.Tree || p.Algo == model.GBDT) {
			e, logOdds, err = c.walked(p, k)
		}
		if err != nil {
			return "", err
		}
		raw.add(fmt.Sprintf("r%d", k), e)
		if logOdds {
			prob.add(fmt.Sprintf("p%d", k), c.sigmoid(fmt.Sprintf("r%d", k)))
		} else {
			prob.add(fmt.Sprintf("p%d", k), fmt.Sprintf("r%d", k))
		}
	}
	layers = append(layers, raw, prob)
	p := "p0"
	if st.Algo == model.Blend {
		if len(st.Calibrators) != len(parts) || len(st.Weights) != len(parts) {
			return "", fmt.Errorf("sqlgen: blend of %d parts with %d calibrators and %d weights", len(parts), len(st.Calibrators), len(st.Weights))
		}
		pre, post := layer{}, layer{}
		for k := range parts {
			a, b, err := c.calibrate(st.Calibrators[k], fmt.Sprintf("p%d", k), fmt.Sprintf("lp%d", k))
			if err != nil {
				return "", err
			}
			pre.add(fmt.Sprintf("lp%d", k), a)
			pre.add(fmt.Sprintf("p%d", k), fmt.Sprintf("p%d", k))
			post.add(fmt.Sprintf("c%d", k), b)
		}
		var sum []string
		for k := range parts {
			sum = append(sum, c.num(st.Weights[k])+" * "+fmt.Sprintf("c%d", k))
		}
		blend := layer{}
		blend.add("b", strings.Join(sum, " + "))
		layers = append(layers, pre, post, blend)
		p = "b"
	}
	if st.Algo == model.Uplift {
		u := layer{}
		switch {
		case st.Method == model.TwoModel && len(parts) == 2:
			u.add("u", "p0 - p1")
		case st.Method == model.ClassTransformation && len(parts) == 1:
			u.add("u", "2 * p0 - 1")
		default:
			return "", fmt.Errorf("sqlgen: uplift method %q with %d parts: %w", st.Method, len(parts), ErrUnsupported)
		}
		layers = append(layers, u)
		p = "u"
	}
	a, b, err := c.calibrate(cal, p, "lq")
	if err != nil {
		return "", err
	}
	pre, fin := layer{}, layer{}
	pre.add("lq", a)
	if p != "lq" {
		pre.add(p, p)
	}
	fin.add("score", b)
	layers = append(layers, pre, fin)
	return nest("("+src.From+") src", d.Fence, layers) + "\nORDER BY id", nil
}

type compiler struct{ d *Dialect }

func (c *compiler) num(v float64) string { return c.d.Num(v) }

// encode adds the encoded features x0…x{p−1} of features.Encoder.Transform.
func (c *compiler) encode(l *layer, enc *features.Encoder, src Source) error {
	d := c.d
	j := 0
	next := func(e string) { l.add(fmt.Sprintf("x%d", j), e); j++ }
	for _, ft := range enc.Features {
		typ, ok := src.typeOf(ft.Column)
		if !ok {
			return fmt.Errorf("sqlgen: the source has no column %q, which the model reads", ft.Column)
		}
		col := d.Ident(ft.Column)
		switch ft.Kind {
		case features.KindNumeric:
			v, err := c.number(col, typ, ft.Column)
			if err != nil {
				return err
			}
			e := "coalesce(" + v + ", " + c.num(ft.Impute) + ")"
			if ft.Center != 0 || ft.Scale != 1 {
				e = "(" + e + " - " + c.num(ft.Center) + ") / " + c.num(ft.Scale)
			}
			next(e)
			if ft.Missing {
				next("CASE WHEN " + v + " IS NULL THEN 1 ELSE 0 END")
			}
		case features.KindOneHot:
			lvl, err := c.level(col, typ, ft.Column)
			if err != nil {
				return err
			}
			var in []string
			for _, lv := range ft.Levels {
				next("CASE WHEN " + lvl + " = " + d.String(lv) + " THEN 1 ELSE 0 END")
				in = append(in, d.String(lv))
			}
			if len(in) == 0 {
				next("1")
			} else {
				next("CASE WHEN " + lvl + " IN (" + strings.Join(in, ", ") + ") THEN 0 ELSE 1 END")
			}
		case features.KindTarget:
			lvl, err := c.level(col, typ, ft.Column)
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(ft.Rates))
			for k := range ft.Rates {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			e := c.num(ft.Prior)
			if len(keys) > 0 {
				var b strings.Builder
				b.WriteString("CASE")
				for _, k := range keys {
					b.WriteString(" WHEN " + lvl + " = " + d.String(k) + " THEN " + c.num(ft.Rates[k]))
				}
				b.WriteString(" ELSE " + c.num(ft.Prior) + " END")
				e = b.String()
			}
			if ft.Center != 0 || ft.Scale != 1 {
				e = "(" + e + " - " + c.num(ft.Center) + ") / " + c.num(ft.Scale)
			}
			next(e)
		default:
			return fmt.Errorf("sqlgen: feature %s of kind %q: %w", ft.Column, ft.Kind, ErrUnsupported)
		}
	}
	if j != len(enc.Names) {
		return fmt.Errorf("sqlgen: encoder has %d names, compiled %d features", len(enc.Names), j)
	}
	return nil
}

// number is a source column as features.Load reads it: a 64-bit float (NULL stays NULL),
// booleans 0/1, dates and timestamps in days since 1970-01-01, text parsed as a number.
func (c *compiler) number(col, typ, name string) (string, error) {
	d := c.d
	t := strings.ToUpper(typ)
	switch {
	case t == "BOOLEAN":
		return d.Double("CASE WHEN " + col + " THEN 1 WHEN NOT " + col + " THEN 0 END"), nil
	case t == "DATE" || strings.HasPrefix(t, "TIMESTAMP"):
		if d.Types(t) == "" && !strings.HasPrefix(t, "TIMESTAMP") {
			return "", fmt.Errorf("sqlgen: column %s has type %s, which %s lacks: %w", name, typ, d.Name, ErrUnsupported)
		}
		return d.Epoch(col) + " / " + c.num(86400), nil
	case t == "VARCHAR":
		return d.Double("NULLIF(TRIM(" + col + "), '')"), nil
	case isNumericType(t):
		if d.Types(t) == "" {
			return "", fmt.Errorf("sqlgen: column %s has type %s, which %s lacks: %w", name, typ, d.Name, ErrUnsupported)
		}
		return d.Double(col), nil
	}
	return "", fmt.Errorf("sqlgen: column %s has type %s, which %s cannot read as a number: %w", name, typ, d.Name, ErrUnsupported)
}

func isNumericType(t string) bool {
	if strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC") {
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL":
		return true
	}
	return false
}

// level is the category of a text column as the encoder keys it ("(null)" for NULL).
func (c *compiler) level(col, typ, name string) (string, error) {
	t := strings.ToUpper(typ)
	if c.d.Name != "duckdb" && c.d.Types(t) == "" {
		return "", fmt.Errorf("sqlgen: column %s has type %s, which %s lacks: %w", name, typ, c.d.Name, ErrUnsupported)
	}
	return "coalesce(" + c.d.Text(col) + ", '(null)')", nil
}

// raw returns a part's score expression over x0…: the log-odds (logit, gbdt) or the leaf
// value (tree, logOdds false).
func (c *compiler) raw(s model.Structure) (expr string, logOdds bool, err error) {
	switch s.Algo {
	case model.Logit:
		var b strings.Builder
		b.WriteString(c.num(s.Intercept))
		for j, w := range s.Coef {
			fmt.Fprintf(&b, " + %s * x%d", c.num(w), j)
		}
		return b.String(), true, nil
	case model.Tree:
		if len(s.Trees) != 1 {
			return "", false, fmt.Errorf("sqlgen: a tree model with %d trees", len(s.Trees))
		}
		return c.tree(s.Trees[0], 0), false, nil
	case model.GBDT:
		terms := []string{c.num(s.Base)}
		for _, t := range s.Trees {
			terms = append(terms, c.tree(t, 0))
		}
		return balancedSum(terms), true, nil
	}
	return "", false, fmt.Errorf("sqlgen: model kind %q: %w (a blend or an uplift model may hold logit, tree and gbdt parts only)", s.Algo, ErrUnsupported)
}

// balancedSum adds the terms pairwise, so a sum of hundreds of trees stays a shallow
// expression (engines limit expression depth); the order of the terms is kept.
func balancedSum(t []string) string {
	if len(t) == 1 {
		return t[0]
	}
	m := len(t) / 2
	return "(" + balancedSum(t[:m]) + " + " + balancedSum(t[m:]) + ")"
}

func (c *compiler) tree(t []model.TreeNode, k int) string {
	nd := t[k]
	if nd.Feature < 0 {
		return c.num(nd.Value)
	}
	x := fmt.Sprintf("x%d", nd.Feature)
	cond := x + " < " + c.num(nd.Threshold)
	if nd.MissingLeft {
		cond = "(" + cond + " OR " + x + " IS NULL)"
	}
	return "CASE WHEN " + cond + " THEN " + c.tree(t, nd.Left) + " ELSE " + c.tree(t, nd.Right) + " END"
}

// sigmoid is σ(z) as model's sigmoid computes it, z clamped to ±700 so that no engine
// over- or underflows exp (σ is 1 or below 1e−304 there).
func (c *compiler) sigmoid(z string) string {
	zc := "least(greatest(" + z + ", " + c.num(-700) + "), " + c.num(700) + ")"
	e := c.d.Exp
	return "CASE WHEN " + z + " >= 0 THEN " + c.num(1) + " / (" + c.num(1) + " + " + e + "(-" + zc + ")) ELSE " +
		e + "(" + zc + ") / (" + c.num(1) + " + " + e + "(" + zc + ")) END"
}

// calibrate returns the two steps of a calibrator over probability column p: pre (a column
// named lp: logit(p) for Platt, p for isotonic) and post (over lp and p: the calibrated
// probability), as model.Calibrator.Apply computes them.
func (c *compiler) calibrate(cal *model.Calibrator, p, lp string) (pre, post string, err error) {
	switch cal.Method {
	case "identity":
		return p, p, nil
	case "platt":
		const eps = 1e-12
		pc := "least(greatest(" + p + ", " + c.num(eps) + "), " + c.num(1-eps) + ")"
		pre = c.d.Ln + "(" + pc + " / (" + c.num(1) + " - " + pc + "))"
		z := "(" + c.num(cal.A) + " * " + lp + " + " + c.num(cal.B) + ")"
		return pre, c.sigmoid(z), nil
	case "isotonic":
		n := len(cal.X)
		if n == 0 || len(cal.Y) != n {
			return "", "", fmt.Errorf("sqlgen: isotonic calibrator with %d knots: %w", n, ErrUnsupported)
		}
		if n == 1 {
			return p, c.num(cal.Y[0]), nil
		}
		body := "CASE WHEN " + p + " <= " + c.num(cal.X[0]) + " THEN " + c.num(cal.Y[0]) +
			" WHEN " + p + " >= " + c.num(cal.X[n-1]) + " THEN " + c.num(cal.Y[n-1]) +
			" ELSE " + c.isoSearch(cal, p, 1, n-1) + " END"
		return p, body, nil
	}
	return "", "", fmt.Errorf("sqlgen: calibration %q: %w", cal.Method, ErrUnsupported)
}

// isoSearch interpolates between knots k−1 and k for the first k in [lo, hi] with X[k] ≥ p,
// as a binary search of nested CASEs (depth log₂ of the knots).
func (c *compiler) isoSearch(cal *model.Calibrator, p string, lo, hi int) string {
	if lo == hi {
		k := lo
		x0, x1, y0, y1 := cal.X[k-1], cal.X[k], cal.Y[k-1], cal.Y[k]
		return "(" + c.num(y0) + " + ((" + p + " - " + c.num(x0) + ") / " + c.num(x1-x0) + ") * " + c.num(y1-y0) + ")"
	}
	m := (lo + hi) / 2
	return "CASE WHEN " + p + " <= " + c.num(cal.X[m]) + " THEN " + c.isoSearch(cal, p, lo, m) + " ELSE " + c.isoSearch(cal, p, m+1, hi) + " END"
}

// walk is the tree encoding of an engine that parses deep nested CASEs slowly and analyses
// every nested SELECT again for each level above it (ClickHouse 18): one layer holds each
// tree of a walked part as arrays of its nodes — feature, threshold, left, right, missing
// direction, value; a leaf points to itself — and carries the encoded features x0… forward;
// walked then moves all the part's trees one level down per arrayMap, as many as its deepest
// tree, in one expression.
func (c *compiler) walk(parts []model.Structure, nx int) []layer {
	first := layer{}
	found := false
	for j := 0; j < nx; j++ {
		first.add(fmt.Sprintf("x%d", j), fmt.Sprintf("x%d", j))
	}
	var xs []string
	for j := 0; j < nx; j++ {
		xs = append(xs, c.d.Double(fmt.Sprintf("x%d", j)))
	}
	first.add("xs", "["+strings.Join(xs, ", ")+"]")
	for k, p := range parts {
		if p.Algo != model.Tree && p.Algo != model.GBDT {
			continue
		}
		found = true
		var f, th, l, r, ml, v [][]string
		for _, t := range p.Trees {
			var ft, tt, lt, rt, mt, vt []string
			for i, nd := range t {
				vt = append(vt, num64(nd.Value))
				if nd.Feature < 0 {
					ft, tt, lt, rt, mt = append(ft, "1"), append(tt, "0e0"), append(lt, fmt.Sprint(i+1)), append(rt, fmt.Sprint(i+1)), append(mt, "0")
					continue
				}
				m := "0"
				if nd.MissingLeft {
					m = "1"
				}
				ft, tt, lt, rt, mt = append(ft, fmt.Sprint(nd.Feature+1)), append(tt, num64(nd.Threshold)), append(lt, fmt.Sprint(nd.Left+1)),
					append(rt, fmt.Sprint(nd.Right+1)), append(mt, m)
			}
			f, th, l, r, ml, v = append(f, ft), append(th, tt), append(l, lt), append(r, rt), append(ml, mt), append(v, vt)
		}
		for _, a := range []struct {
			n string
			v [][]string
		}{{"f", f}, {"th", th}, {"l", l}, {"r", r}, {"ml", ml}, {"v", v}} {
			first.add(fmt.Sprintf("%s%d", a.n, k), nestedArray(a.v))
		}
	}
	if !found {
		return nil
	}
	return []layer{first}
}

func nestedArray(rows [][]string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("[" + strings.Join(r, ", ") + "]")
	}
	return b.String() + "]"
}

// walked is the raw score of a walked part k: the sum of its trees' leaves after the base
// (gbdt, on the log-odds scale) or its one tree's leaf (tree).
func (c *compiler) walked(p model.Structure, k int) (string, bool, error) {
	if p.Algo == model.Tree && len(p.Trees) != 1 {
		return "", false, fmt.Errorf("sqlgen: a tree model with %d trees", len(p.Trees))
	}
	depth := 0
	var trees, root []string
	for i, t := range p.Trees {
		depth = max(depth, treeDepth(t, 0))
		trees, root = append(trees, fmt.Sprint(i+1)), append(root, "1")
	}
	at := func(a string) string { return fmt.Sprintf("%s%d[t][n]", a, k) }
	x := "xs[" + at("f") + "]"
	ts := "[" + strings.Join(trees, ", ") + "]"
	s := "arrayMap(n -> toUInt32(n), [" + strings.Join(root, ", ") + "])"
	for i := 0; i < depth; i++ {
		s = "arrayMap((t, n) -> toUInt32(if(" + x + " < " + at("th") + " OR (" + at("ml") + " = 1 AND isNull(" + x + ")), " + at("l") + ", " + at("r") + ")), " + ts + ", " + s + ")"
	}
	leaves := "arrayMap((t, n) -> " + at("v") + ", " + ts + ", " + s + ")"
	// ClickHouse 18 drops a column from the layer below when only a lambda reads it: every
	// captured column is also read outside the lambdas (notEmpty).
	var used []string
	for _, a := range []string{"f", "th", "l", "r", "ml", "v"} {
		used = append(used, fmt.Sprintf("notEmpty(%s%d)", a, k))
	}
	guard := "notEmpty(xs) AND " + strings.Join(used, " AND ")
	if p.Algo == model.Tree {
		return "if(" + guard + ", " + leaves + "[1], " + c.num(0) + ")", false, nil
	}
	return "if(" + guard + ", " + c.num(p.Base) + " + arraySum(" + leaves + "), " + c.num(0) + ")", true, nil
}

func treeDepth(t []model.TreeNode, k int) int {
	if t[k].Feature < 0 {
		return 0
	}
	return 1 + max(treeDepth(t, t[k].Left), treeDepth(t, t[k].Right))
}
