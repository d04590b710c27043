package features

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// The in-memory totals without a product are the rows ProductTotalsSQL loads, for every
// product of the hand-made mart and of a generated sample (counts exact, revenue to rounding).
func TestProductTotalsEqualSQL(t *testing.T) {
	ctx := context.Background()
	sample, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer sample.Close()
	if _, err := sampledata.Generate(ctx, sample, sampledata.Options{Customers: 1500, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	for name, ws := range map[string]*workspace.Workspace{"tiny": tinyWorkspace(t), "sample": sample} {
		v, err := CustomerView(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Load(ctx, ws, LoadSpec{Query: v.SQL, ID: "customer_id"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := v.ProductTotals(ctx, ws, f)
		if err != nil {
			t.Fatal(err)
		}
		compared, nonzero := 0, 0
		for _, p := range v.Products {
			want, err := Load(ctx, ws, LoadSpec{Query: v.ProductTotalsSQL(p.ID), ID: "customer_id"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := pt.Without(p.ID)
			if len(got.Cols) != len(want.Cols) {
				t.Fatalf("%s P%d: %d columns, SQL %d", name, p.ID, len(got.Cols), len(want.Cols))
			}
			for j, wc := range want.Cols {
				gc := got.Cols[j]
				if gc.Name != wc.Name || gc.Type != wc.Type {
					t.Fatalf("%s P%d column %d: %s %s, SQL %s %s", name, p.ID, j, gc.Name, gc.Type, wc.Name, wc.Type)
				}
				for i := range wc.Num {
					a, b := gc.Num[i], wc.Num[i]
					if math.IsNaN(a) != math.IsNaN(b) || !math.IsNaN(a) && math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(b)) {
						t.Fatalf("%s P%d %s row %d (customer %s): %v, SQL %v", name, p.ID, wc.Name, i, f.IDs[i], a, b)
					}
					compared++
					if b != 0 && !math.IsNaN(b) {
						nonzero++
					}
				}
			}
			// The ForProduct frame built from either is the same.
			a, err := v.ForProductWith(f, p.ID, got)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Cols) != len(f.Cols)-3 {
				t.Fatalf("%s P%d: %d columns in the product frame, want %d", name, p.ID, len(a.Cols), len(f.Cols)-3)
			}
		}
		if nonzero < compared/10 {
			t.Fatalf("%s: only %d of %d compared values non-zero: the comparison proves little", name, nonzero, compared)
		}
	}
}

// A view restricted to a range of customer ids (Between) has exactly the rows of the whole
// view in that range, column for column, and so have its product totals: scoring a base
// slice by slice sees what scoring it whole sees.
func TestViewBetweenEqualsWholeView(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 1200, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	v, err := CustomerView(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Load(ctx, ws, LoadSpec{Query: v.SQL, ID: "customer_id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := v.ProductTotals(ctx, ws, whole)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, a, b *Column, i, j int) {
		t.Helper()
		if a.Name != b.Name || a.Numeric != b.Numeric {
			t.Fatalf("%s: column %s vs %s", what, a.Name, b.Name)
		}
		if a.Numeric {
			x, y := a.Num[i], b.Num[j]
			if math.IsNaN(x) != math.IsNaN(y) || !math.IsNaN(x) && math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(y)) {
				t.Fatalf("%s %s: %v, whole view %v", what, a.Name, x, y)
			}
			return
		}
		if a.Str[i] != b.Str[j] || a.Null[i] != b.Null[j] {
			t.Fatalf("%s %s: %q, whole view %q", what, a.Name, a.Str[i], b.Str[j])
		}
	}
	// Ranges with gaps and uneven sizes; ids outside any customer are skipped.
	bounds := [][2]int64{{-5, 0}, {1, 1}, {2, 400}, {401, 977}, {978, 5000}}
	row, totalRows := 0, 0
	for _, b := range bounds {
		rv := v.Between(b[0], b[1])
		f, err := Load(ctx, ws, LoadSpec{Query: rv.SQL, ID: "customer_id"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := rv.ProductTotals(ctx, ws, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Cols) != len(whole.Cols) {
			t.Fatalf("%v: %d columns, whole view %d", b, len(f.Cols), len(whole.Cols))
		}
		for i := 0; i < f.Rows; i++ {
			if f.IDs[i] != whole.IDs[row+i] {
				t.Fatalf("%v row %d: customer %s, whole view %s", b, i, f.IDs[i], whole.IDs[row+i])
			}
			for j, c := range f.Cols {
				same(fmt.Sprintf("%v customer %s", b, f.IDs[i]), c, whole.Cols[j], i, row+i)
			}
		}
		for _, p := range []int{1, 7, 16} {
			got, want := pt.Without(p), wt.Without(p)
			for i := 0; i < f.Rows; i++ {
				for j, c := range got.Cols {
					same(fmt.Sprintf("%v P%d totals customer %s", b, p, f.IDs[i]), c, want.Cols[j], i, row+i)
				}
			}
		}
		row += f.Rows
		totalRows += f.Rows
	}
	if totalRows != whole.Rows || whole.Rows != 1200 {
		t.Fatalf("ranges cover %d rows, whole view %d", totalRows, whole.Rows)
	}
}
