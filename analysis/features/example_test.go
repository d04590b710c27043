package features_test

import (
	"fmt"
	"math"

	"github.com/acrm-dev/acrm/analysis/features"
)

// Fit learns the encoding on training rows; Transform applies it to new rows, sending an
// unseen category to the "other" bucket and a NULL number to the mean plus its indicator.
func ExampleFit() {
	train := &features.Frame{IDName: "id", IDs: []string{"1", "2", "3", "4"}, Rows: 4, Cols: []*features.Column{
		{Name: "employees", Numeric: true, Num: []float64{10, 20, math.NaN(), 30}},
		{Name: "sector", Str: []string{"retail", "ict", "retail", "ict"}, Null: make([]bool, 4)},
	}}
	enc, X, err := features.Fit(train, []float64{1, 0, 1, 0}, features.EncoderOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(enc.Names)
	fmt.Println(X.Row(2))
	score := &features.Frame{IDName: "id", IDs: []string{"9"}, Rows: 1, Cols: []*features.Column{
		{Name: "employees", Numeric: true, Num: []float64{15}},
		{Name: "sector", Str: []string{"mining"}, Null: []bool{false}},
	}}
	Y, _ := enc.Transform(score)
	fmt.Println(Y.Row(0))
	// Output:
	// [employees employees_missing sector=ict sector=retail sector=other]
	// [20 1 0 1 0]
	// [15 0 0 0 1]
}
