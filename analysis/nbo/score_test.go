package nbo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

func TestScoreAllOffersRespectHoldingsOptOutsAndTiers(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	q := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := ws.QueryRowContext(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := q(`SELECT count(*) FROM acrm_nbo_offers`); n < fixtureSize/2 {
		t.Fatalf("only %d offers for %d customers", n, fixtureSize)
	}
	// Cross-sell/upsell never to holders, retention only to holders.
	if n := q(`SELECT count(*) FROM acrm_nbo_offers o JOIN products p USING (product_id)
		WHERE (p.objective = 'retention') <> EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = o.customer_id AND h.product_id = o.product_id AND h.end_date IS NULL)`); n != 0 {
		t.Errorf("%d offers break ownership eligibility", n)
	}
	if n := q(`SELECT count(*) FROM acrm_nbo_offers o JOIN optouts x ON x.customer_id = o.customer_id
		AND coalesce(x.product_id, o.product_id) = o.product_id AND coalesce(x.channel, o.channel) = o.channel`); n != 0 {
		t.Errorf("%d offers go to opted-out customer/product/channel", n)
	}
	// Tiers: a retention offer never ranks after a cross-sell one.
	if n := q(`SELECT count(*) FROM acrm_nbo_offers a JOIN acrm_nbo_offers b USING (customer_id)
		JOIN products pa ON pa.product_id = a.product_id JOIN products pb ON pb.product_id = b.product_id
		WHERE a.rank < b.rank AND pa.objective <> 'retention' AND pb.objective = 'retention'`); n != 0 {
		t.Errorf("%d rankings put cross-sell before retention", n)
	}
	if n := q(`SELECT count(*) FROM acrm_nbo_offers WHERE NOT (p_accept > 0 AND p_accept < 1 AND expected_value > 0)`); n != 0 {
		t.Errorf("%d offers with P outside (0,1) or no positive value", n)
	}
	if n := q(`SELECT count(DISTINCT value_segment) FROM acrm_nbo_customers`); n != 3 {
		t.Errorf("%d value segments, want 3", n)
	}
	// Top segment = the 10 % with the highest expected value.
	if n := q(`SELECT count(*) FROM acrm_nbo_customers WHERE value_segment = 'top'`); n != fixtureSize/10 {
		t.Errorf("top segment has %d customers, want %d", n, fixtureSize/10)
	}
	if n := q(`SELECT count(*) FROM acrm_nbo_customers t, acrm_nbo_customers l WHERE t.value_segment = 'top' AND l.value_segment = 'low' AND l.expected_value > t.expected_value`); n != 0 {
		t.Errorf("%d low customers worth more than top ones", n)
	}
}

func TestScoreAllCancelledKeepsPreviousScoring(t *testing.T) {
	ctx := context.Background()
	ws, err := newScored(ctx, 1500)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var before int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_offers`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	_, err = ScoreAll(cctx, ws, ScoreOptions{Report: func(p Progress) {
		if p.Stage == "writing scores" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: err = %v, want context.Canceled", err)
	}
	var after, runs int64
	if err := ws.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM acrm_nbo_offers), (SELECT count(*) FROM acrm_nbo_runs)`).Scan(&after, &runs); err != nil {
		t.Fatal(err)
	}
	if after != before || runs != 1 {
		t.Errorf("after a cancelled run: %d offers (was %d), %d runs (want 1)", after, before, runs)
	}
	if s, err := LoadScoring(ctx, ws, DefaultRules()); err != nil || s.RunID != 1 {
		t.Errorf("previous scoring not readable: %v", err)
	}
}

func TestScoreAllWithoutModels(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, err = ScoreAll(ctx, ws, ScoreOptions{})
	if !errors.Is(err, ErrNoModels) || !strings.Contains(err.Error(), "acrm train") {
		t.Errorf("score before any model: %v", err)
	}
	var n int64
	_ = ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_runs`).Scan(&n)
	if n != 0 {
		t.Errorf("%d runs written", n)
	}
}
