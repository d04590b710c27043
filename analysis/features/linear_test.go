package features

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestLinearEqualsTransformDot: Linear gives intercept + coef·Transform(f) row by row on
// every kind of feature (standardized numerics with NULLs, numbers held as text, one-hot
// levels including unseen ones and NULL, target-encoded levels including unseen ones, a
// numeric column with few values), on row ranges and with a shared cache.
func TestLinearEqualsTransformDot(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	n := 3000
	x := numCol("x")
	txt := strCol("txtnum")
	sector := strCol("sector")
	city := strCol("city")
	small := numCol("small")
	sectors := []string{"retail", "ict", "care", "bank", "<nil>"}
	for i := 0; i < n; i++ {
		v := r.NormFloat64()*3 + 10
		if r.Float64() < 0.1 {
			v = math.NaN()
		}
		x.Num = append(x.Num, v)
		if r.Float64() < 0.05 {
			txt.Str, txt.Null = append(txt.Str, ""), append(txt.Null, true)
		} else {
			txt.Str, txt.Null = append(txt.Str, strconv.FormatFloat(r.Float64()*100, 'f', 2, 64)), append(txt.Null, false)
		}
		s := sectors[r.IntN(len(sectors))]
		sector.Str, sector.Null = append(sector.Str, s), append(sector.Null, s == "<nil>")
		c := "c" + strconv.Itoa(r.IntN(60))
		city.Str, city.Null = append(city.Str, c), append(city.Null, false)
		small.Num = append(small.Num, float64(r.IntN(4)))
	}
	f := frameOf(x, txt, sector, city, small)
	y := make([]float64, n)
	for i := range y {
		if r.Float64() < 0.3 {
			y[i] = 1
		}
	}
	enc, _, err := Fit(f, y, EncoderOptions{Standardize: true, MaxOneHot: 8})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, ft := range enc.Features {
		kinds[ft.Kind] = true
	}
	if !kinds[KindNumeric] || !kinds[KindOneHot] || !kinds[KindTarget] {
		t.Fatalf("the fixture should exercise every kind, got %v", kinds)
	}
	// Score a frame with levels the encoder never saw.
	g := frameOf(x, txt, strCol("sector"), strCol("city"), small)
	for i := 0; i < n; i++ {
		s, c := sector.Str[i], city.Str[i]
		if i%7 == 0 {
			s, c = "unseen", "nowhere"
		}
		g.Cols[2].Str, g.Cols[2].Null = append(g.Cols[2].Str, s), append(g.Cols[2].Null, sector.Null[i] && i%7 != 0)
		g.Cols[3].Str, g.Cols[3].Null = append(g.Cols[3].Str, c), append(g.Cols[3].Null, false)
	}
	coef := make([]float64, len(enc.Names))
	for j := range coef {
		coef[j] = r.NormFloat64()
	}
	b0 := -0.7
	X, err := enc.Transform(g)
	if err != nil {
		t.Fatal(err)
	}
	cache := NewLinearCache()
	for _, rg := range [][2]int{{0, n}, {0, 1000}, {1000, 2999}, {2999, 3000}} {
		lo, hi := rg[0], rg[1]
		z := make([]float64, hi-lo)
		if err := enc.Linear(g, b0, coef, cache, lo, hi, z); err != nil {
			t.Fatal(err)
		}
		for i := lo; i < hi; i++ {
			want := b0
			for j, c := range coef {
				want += c * X.Data[i*X.Cols+j]
			}
			if math.Abs(z[i-lo]-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("rows %d–%d: row %d: Linear %v, Transform·coef %v", lo, hi, i, z[i-lo], want)
			}
		}
	}
	// A frame without a column the encoder reads: the same error as Transform.
	err = enc.Linear(frameOf(x, txt, small), b0, coef, cache, 0, n, make([]float64, n))
	var me *MissingColumnsError
	if !errors.As(err, &me) || len(me.Missing) != 2 {
		t.Errorf("missing columns: %v", err)
	}
	if err := enc.Linear(g, b0, coef[1:], cache, 0, n, make([]float64, n)); err == nil {
		t.Error("wrong number of coefficients accepted")
	}
}
