package sim

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestModelHooks(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	db := ws
	metrics := `{"auc":0.84,"gains":[{"Share":0.1,"Gain":0.4},{"Share":0.3,"Gain":0.7},{"Share":0.6,"Gain":0.9},{"Share":1,"Gain":1}]}`
	for _, q := range []string{
		`INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, metrics, is_best, created_at)
		 VALUES ('P05@v1', 'P05', 5, 'lookalike', 'customers', 'gbdt', 1, '` + metrics + `', true, now())`,
		`INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, metrics, is_best, created_at)
		 VALUES ('broken@v1', 'broken', NULL, 'lookalike', 'customers', 'logit', 1, '{"auc":0.7}', false, now())`,
		`INSERT INTO acrm_scores SELECT 'P05@v1', i, CASE WHEN i <= 20 THEN 0.3 ELSE 0.01 END, TIMESTAMP '2026-11-01' FROM range(1, 101) t(i)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	mg, err := LoadModelGains(ctx, ws, "P05")
	if err != nil {
		t.Fatal(err)
	}
	if mg.ModelID != "P05@v1" || mg.ProductID != 5 || len(mg.Gains) != 4 || mg.AUC != 0.84 {
		t.Errorf("gains %+v", mg)
	}
	// The seed: a base of 250,000, 1.5 % random conversion; the top 100,000 (40 %) hold
	// G(0.4) = 0.7 + 0.2·(0.1/0.3) of the responders.
	c, err := TargetedConversion(mg.Gains, 250000, 100000, 0.015)
	if err != nil {
		t.Fatal(err)
	}
	want := (0.7 + 0.2/3) * 250000 * 0.015 / 100000
	if math.Abs(c-want) > 1e-12 {
		t.Errorf("targeted conversion %v, want %v", c, want)
	}
	if _, err := TargetedConversion(mg.Gains, 1000, 2000, 0.01); err == nil {
		t.Error("volume above base accepted")
	}
	// The top 10 % hold 40 % of the responders: at a 30 % response that is 120 % conversion,
	// which is an error naming the contradiction, not a silent 100 %.
	if c, err := TargetedConversion(mg.Gains, 1000, 100, 0.30); !errors.Is(err, ErrConversionAboveOne) || !strings.Contains(err.Error(), "120 %") {
		t.Errorf("conversion above 100 %%: %v, %v; want ErrConversionAboveOne naming 120 %%", c, err)
	}
	// Exactly 100 % is possible (every contact converts) and is returned as is.
	if c, err := TargetedConversion(mg.Gains, 1000, 100, 0.25); err != nil || math.Abs(c-1) > 1e-12 {
		t.Errorf("conversion of exactly 100 %%: %v, %v", c, err)
	}
	if _, err := LoadModelGains(ctx, ws, "nope"); !errors.Is(err, ErrNoModel) {
		t.Errorf("unknown model err = %v", err)
	}
	if _, err := LoadModelGains(ctx, ws, "broken"); err == nil || !strings.Contains(err.Error(), "no holdout gains") {
		t.Errorf("model without gains err = %v", err)
	}
	in, cl, n, err := InboundFromModel(ctx, ws, "P05@v1", 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if n != 100 || in != 0.2 || math.Abs(cl-0.3) > 1e-12 {
		t.Errorf("interesting %v close %v n %d, want 0.2, 0.3, 100", in, cl, n)
	}
	if _, _, _, err := InboundFromModel(ctx, ws, "broken", 0.2); err == nil || !strings.Contains(err.Error(), "no scores") {
		t.Errorf("unscored model err = %v", err)
	}
}
