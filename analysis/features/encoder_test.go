package features

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func numCol(name string, v ...float64) *Column {
	return &Column{Name: name, Numeric: true, Num: v}
}

func strCol(name string, v ...string) *Column {
	c := &Column{Name: name, Str: make([]string, len(v)), Null: make([]bool, len(v))}
	for i, s := range v {
		if s == "<nil>" {
			c.Null[i] = true
			continue
		}
		c.Str[i] = s
	}
	return c
}

func frameOf(cols ...*Column) *Frame {
	n := len(cols[0].Num) + len(cols[0].Str)
	f := &Frame{IDName: "id", Rows: n, Cols: cols}
	for i := 0; i < n; i++ {
		f.IDs = append(f.IDs, string(rune('a'+i%26)))
	}
	return f
}

func TestEncoderNumericOneHotAndDrops(t *testing.T) {
	nan := math.NaN()
	f := frameOf(
		numCol("x", 1, 2, 3, nan, 4, 2),
		numCol("allnull", nan, nan, nan, nan, nan, nan),
		numCol("const", 5, 5, 5, 5, 5, 5),
		strCol("sector", "retail", "ict", "retail", "<nil>", "ict", "retail"),
	)
	y := []float64{1, 0, 1, 0, 0, 1}
	enc, X, err := Fit(f, y, EncoderOptions{Standardize: true})
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"x", "x_missing", "sector=retail", "sector=ict", "sector=(null)", "sector=other"}
	if strings.Join(enc.Names, ",") != strings.Join(wantNames, ",") {
		t.Fatalf("names = %v, want %v", enc.Names, wantNames)
	}
	if len(enc.Dropped) != 2 || enc.Dropped[0].Column != "allnull" || !strings.Contains(enc.Dropped[0].Reason, "NULL") ||
		enc.Dropped[1].Column != "const" || !strings.Contains(enc.Dropped[1].Reason, "constant") {
		t.Fatalf("dropped = %v", enc.Dropped)
	}
	// x: mean of 1,2,3,4,2 = 2.4; sd = sqrt(((1.4)²+.4²+.6²+1.6²+.4²)/5) = sqrt(5.2/5)
	sd := math.Sqrt(5.2 / 5)
	if got, want := X.At(0, 0), (1-2.4)/sd; math.Abs(got-want) > 1e-12 {
		t.Errorf("x[0] = %v, want %v", got, want)
	}
	if X.At(3, 0) != 0 || X.At(3, 1) != 1 || X.At(0, 1) != 0 {
		t.Errorf("NULL x should be imputed to the mean (0) with indicator 1: row3 = %v", X.Row(3))
	}
	if X.At(3, 4) != 1 || X.At(0, 2) != 1 || X.At(1, 3) != 1 {
		t.Errorf("one-hot wrong: %v / %v / %v", X.Row(0), X.Row(1), X.Row(3))
	}
	// Unseen level at scoring → other bucket; no error.
	g := frameOf(numCol("x", 10), strCol("sector", "mining"))
	Xg, err := enc.Transform(g)
	if err != nil {
		t.Fatal(err)
	}
	if Xg.At(0, 5) != 1 || Xg.At(0, 2)+Xg.At(0, 3)+Xg.At(0, 4) != 0 {
		t.Errorf("unseen level should land in other: %v", Xg.Row(0))
	}
}

func TestEncoderMissingColumnsNamed(t *testing.T) {
	f := frameOf(numCol("a", 1, 2, 3), numCol("b", 3, 1, 2), strCol("c", "x", "y", "x"))
	enc, _, err := Fit(f, []float64{0, 1, 0}, EncoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = enc.Transform(frameOf(numCol("b", 1)))
	var mc *MissingColumnsError
	if !errors.As(err, &mc) || strings.Join(mc.Missing, ",") != "a,c" {
		t.Fatalf("err = %v, want missing a, c", err)
	}
	if !strings.Contains(err.Error(), "a, c") {
		t.Errorf("message should name the columns: %v", err)
	}
}

func TestEncoderTargetEncodingOutOfFold(t *testing.T) {
	// 40 levels (> MaxOneHot) with level-dependent rates; the out-of-fold values of a row
	// must not depend on its own label.
	n := 4000
	c := &Column{Name: "state", Str: make([]string, n), Null: make([]bool, n)}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		l := i % 40
		c.Str[i] = "s" + string(rune('A'+l%26)) + string(rune('a'+l/26))
		if (i/40)%10 < l/4 { // rate l/40 rising with l
			y[i] = 1
		}
	}
	f := frameOf(c)
	enc, X, err := Fit(f, y, EncoderOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if enc.Features[0].Kind != KindTarget || enc.Names[0] != "state_te" {
		t.Fatalf("want target encoding, got %+v", enc.Features[0])
	}
	// Flip one label: in-fold encodings would change for that row; out-of-fold must not.
	y2 := append([]float64(nil), y...)
	y2[123] = 1 - y2[123]
	_, X2, err := Fit(f, y2, EncoderOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if X.At(123, 0) != X2.At(123, 0) {
		t.Errorf("row 123's own label leaked into its encoding: %v vs %v", X.At(123, 0), X2.At(123, 0))
	}
	// Full-data rates are smoothed means: (Σy + m·prior)/(n + m).
	var s, cnt float64
	for i := 0; i < n; i++ {
		if c.Str[i] == c.Str[39] {
			s += y[i]
			cnt++
		}
	}
	prior := mean(y)
	want := (s + 20*prior) / (cnt + 20)
	if got := enc.Features[0].Rates[c.Str[39]]; math.Abs(got-want) > 1e-12 {
		t.Errorf("rate = %v, want %v", got, want)
	}
	// Unseen level → prior.
	Xu, err := enc.Transform(frameOf(strCol("state", "never-seen")))
	if err != nil {
		t.Fatal(err)
	}
	if Xu.At(0, 0) != prior {
		t.Errorf("unseen level = %v, want prior %v", Xu.At(0, 0), prior)
	}
}

func TestEncoderIdentifierDroppedAndNoFeatures(t *testing.T) {
	n := 200
	c := &Column{Name: "name", Str: make([]string, n), Null: make([]bool, n)}
	for i := range c.Str {
		c.Str[i] = "customer " + string(rune(i+100))
	}
	f := frameOf(c)
	_, _, err := Fit(f, make([]float64, n), EncoderOptions{})
	if err == nil || !strings.Contains(err.Error(), "name: looks like an identifier") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncoderJSONRoundTrip(t *testing.T) {
	f := frameOf(numCol("x", 1, 2, math.NaN(), 4), strCol("k", "a", "b", "a", "<nil>"))
	enc, X, err := Fit(f, []float64{1, 0, 1, 0}, EncoderOptions{Standardize: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	enc2, err := UnmarshalEncoder(b)
	if err != nil {
		t.Fatal(err)
	}
	X2, err := enc2.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range X.Data {
		if X.Data[i] != X2.Data[i] {
			t.Fatalf("cell %d: %v after round trip, %v before", i, X2.Data[i], X.Data[i])
		}
	}
	if _, err := UnmarshalEncoder([]byte(`{"features":[]}`)); err == nil {
		t.Error("empty encoder should not load")
	}
}

func TestEncoderTextNumbersAtScoring(t *testing.T) {
	f := frameOf(numCol("x", 1, 2, 3))
	enc, _, err := Fit(f, nil, EncoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	X, err := enc.Transform(frameOf(strCol("x", "2.5")))
	if err != nil || X.At(0, 0) != 2.5 {
		t.Fatalf("X = %v, err = %v", X, err)
	}
	_, err = enc.Transform(frameOf(strCol("x", "abc")))
	if err == nil || !strings.Contains(err.Error(), `column x row 1: expected a number, found "abc"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestEncoderNumbersAsTextAreNumeric: a text column of numbers with blanks and many
// distinct values is a numeric feature, never dropped as an identifier.
func TestEncoderNumbersAsTextAreNumeric(t *testing.T) {
	n := 200
	c := &Column{Name: "balance", Str: make([]string, n), Null: make([]bool, n)}
	y := make([]float64, n)
	for i := range c.Str {
		switch {
		case i%10 == 0:
			c.Str[i] = " "
		case i%10 == 1:
			c.Null[i] = true
		default:
			c.Str[i] = strconv.FormatFloat(float64(i)*1.5, 'f', -1, 64)
		}
		y[i] = float64(i % 2)
	}
	enc, X, err := Fit(frameOf(c), y, EncoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.Dropped) != 0 || len(enc.Features) != 1 || enc.Features[0].Kind != KindNumeric || !enc.Features[0].Missing {
		t.Fatalf("features %+v dropped %v", enc.Features, enc.Dropped)
	}
	if got := X.At(3, 0); got != 4.5 {
		t.Errorf("row 3 = %v, want 4.5", got)
	}
}
