package services_test

import (
	"testing"

	"github.com/acrm-dev/acrm/charts/deck"
	"github.com/acrm-dev/acrm/tui/profiles/screentest"
	"github.com/acrm-dev/acrm/tui/services"
)

// The outbound panel opens on the product the deck's profit slide shows (where targeting adds
// most to mailing everyone), not on whichever model happens to come first.
func TestProfitModelsStartWhereTargetingAddsMost(t *testing.T) {
	ws := screentest.Open(t, screentest.Customers, []int{2, 9, 16, 18, 19, 24})
	got, err := services.New(ws).ProfitModels(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 {
		t.Fatalf("%d products with economics in the fixture, want at least 2 to order", len(got))
	}
	src, err := deck.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	best, _, err := deck.ProfitModel(t.Context(), src, got)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ModelID != best.ModelID {
		t.Errorf("first model %s, want %s (targeting adds most there)", got[0].ModelID, best.ModelID)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.ModelID] {
			t.Errorf("model %s listed twice", m.ModelID)
		}
		seen[m.ModelID] = true
	}
}
