package features

import (
	"context"
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
