package features

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestBoundEncodeEqualsTransform: an encoder bound to a shuffled layout with extra columns
// encodes every row exactly as Transform does — numeric (with NULLs), one-hot, target-encoded
// and a text column of numbers — and a layout without a needed column is refused by name.
func TestBoundEncodeEqualsTransform(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 600
	x := &Column{Name: "x", Numeric: true, Type: "DOUBLE", Num: make([]float64, n)}
	sector := &Column{Name: "Sector", Str: make([]string, n), Null: make([]bool, n)}
	state := &Column{Name: "state", Str: make([]string, n), Null: make([]bool, n)}
	txt := &Column{Name: "txtnum", Str: make([]string, n), Null: make([]bool, n)}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		x.Num[i] = rng.NormFloat64()
		if i%17 == 0 {
			x.Num[i] = math.NaN()
		}
		sector.Str[i] = []string{"retail", "ict", "transport"}[rng.IntN(3)]
		sector.Null[i] = i%23 == 0
		state.Str[i] = "s" + strconv.Itoa(rng.IntN(40))
		txt.Str[i] = strconv.Itoa(rng.IntN(9))
		if rng.Float64() < 0.3+0.2*float64(len(sector.Str[i])%2) {
			y[i] = 1
		}
	}
	f := frameOf(x, sector, state, txt)
	enc, _, err := Fit(f, y, EncoderOptions{Standardize: true})
	if err != nil {
		t.Fatal(err)
	}
	X, err := enc.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, ft := range enc.Features {
		kinds[ft.Kind] = true
	}
	if !kinds[KindNumeric] || !kinds[KindOneHot] || !kinds[KindTarget] {
		t.Fatalf("want every kind of feature, got %v", kinds)
	}
	extra := &Column{Name: "extra", Numeric: true, Num: make([]float64, n)}
	layout := []*Column{txt, extra, state, x, sector}
	names := []string{"TXTNUM", "extra", "state", "x", "sector"}
	b, err := enc.Bind(names)
	if err != nil {
		t.Fatal(err)
	}
	if b.Width() != X.Cols {
		t.Fatalf("width %d, Transform %d", b.Width(), X.Cols)
	}
	dst := make([]float64, b.Width())
	for i := 0; i < n; i++ {
		dst[0] = 42 // Encode must clear what a previous row left
		if err := b.Encode(layout, i, dst); err != nil {
			t.Fatal(err)
		}
		for j, v := range dst {
			if v != X.At(i, j) {
				t.Fatalf("row %d %s: bound %v, Transform %v", i, enc.Names[j], v, X.At(i, j))
			}
		}
	}
	if _, err := enc.Bind([]string{"x", "sector"}); err == nil {
		t.Fatal("a layout without state and txtnum was bound")
	} else if me, ok := err.(*MissingColumnsError); !ok || len(me.Missing) != 2 {
		t.Fatalf("error %v", err)
	}
}
