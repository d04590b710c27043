package features

import (
	"math"
	"testing"
)

func TestConcat(t *testing.T) {
	a := &Frame{IDName: "id", IDs: []string{"1", "2"}, Rows: 2, Cols: []*Column{
		{Name: "n", Numeric: true, Num: []float64{1, math.NaN()}}, {Name: "s", Str: []string{"a", ""}, Null: []bool{false, true}}}}
	b := &Frame{IDName: "id", IDs: []string{"3"}, Rows: 1, Cols: []*Column{
		{Name: "n", Numeric: true, Num: []float64{3}}, {Name: "s", Str: []string{"c"}, Null: []bool{false}}}}
	c, err := Concat(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != 3 || len(c.IDs) != 3 || c.IDs[2] != "3" || c.Cols[0].Num[2] != 3 || !c.Cols[0].IsNull(1) || !c.Cols[1].IsNull(1) || c.Cols[1].Str[2] != "c" {
		t.Errorf("concat: %+v", c)
	}
	b.Cols[1] = &Column{Name: "s", Numeric: true, Num: []float64{1}}
	if _, err := Concat(a, b); err == nil {
		t.Error("a column numeric in one frame and text in the other: no error")
	}
}
