package nbo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// marketSize is the sample the market-simulator tests run on: every product trained.
// marketAlgo is the blend of the L2 logit and gbdt: a logit alone cannot represent the
// interactions (sector × size, a threshold on one attribute times another) that dominate the
// true propensity of several products (P06, P10, P13, P23, P27, P30 …), and ranked them at
// 0.86–0.89 of the oracle's top-decile lift; the gbdt part of the blend learns them.
const (
	marketSize = 20000
	marketAlgo = "blend"
)

var (
	marketOnce sync.Once
	marketWS   *workspace.Workspace
	marketErr  error
)

func marketWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	if testing.Short() {
		t.Skip("trains every product on a 20,000-customer sample")
	}
	marketOnce.Do(func() {
		ctx := context.Background()
		marketWS, marketErr = workspace.Open(ctx, workspace.Memory)
		if marketErr != nil {
			return
		}
		if _, marketErr = sampledata.Generate(ctx, marketWS, sampledata.Options{Customers: marketSize, Seed: 42}, nil); marketErr != nil {
			return
		}
		if _, marketErr = profiles.TrainAll(ctx, marketWS, profiles.AllSpec{Algo: marketAlgo, Seed: 1}, nil); marketErr != nil {
			return
		}
		_, marketErr = ScoreAll(ctx, marketWS, ScoreOptions{})
	})
	if marketErr != nil {
		t.Fatal(marketErr)
	}
	return marketWS
}

type market struct {
	s        *Scoring
	profiles map[int64]*sampledata.Profile
	prior    map[int64][]time.Time
	truth    map[[2]int64]float64 // (customer, product) → p_true, evaluation only
}

func loadMarket(t *testing.T) *market {
	ws := marketWorkspace(t)
	ctx := context.Background()
	s, err := LoadScoring(ctx, ws, DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	m := &market{s: s, truth: map[[2]int64]float64{}}
	if m.profiles, err = sampledata.LoadProfiles(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if m.prior, err = sampledata.LoadPrior(ctx, ws, s.AsOf.AddDate(-1, 0, -1)); err != nil {
		t.Fatal(err)
	}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, product_id, p_true FROM sample_truth`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, pid int64
		var p float64
		if err := rows.Scan(&id, &pid, &p); err != nil {
			t.Fatal(err)
		}
		m.truth[[2]int64{id, pid}] = p
	}
	return m
}

// simulate runs planned contacts through the market simulator: mean true P(accept), drawn
// contracts, margin and opt-outs.
func (m *market) simulate(t *testing.T, plans []sampledata.PlannedContact) (meanP float64, contracts int, revenue float64, optouts int) {
	t.Helper()
	out, err := sampledata.Simulate(context.Background(), plans, m.profiles, m.prior, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		meanP += o.PAccept
		if o.Result == "accepted" {
			contracts++
		}
		revenue += o.Revenue
		if o.OptOut {
			optouts++
		}
	}
	return meanP / float64(max(1, len(out))), contracts, revenue, optouts
}

// TestUpliftThroughMarketSimulator: for every cross-sell/upsell product, a top 10 % of the
// non-owners picked by the total model's P(accept) against a random 10 % and the top 10 % by
// the true propensity, all offered by mail through the market simulator. The model's lift
// averages ≥ 4× and reaches ≥ 0.9× the oracle's lift for each product.
func TestUpliftThroughMarketSimulator(t *testing.T) {
	m := loadMarket(t)
	s := m.s
	K := s.K()
	r := rand.New(rand.NewPCG(3, 4))
	sumLift, n := 0.0, 0
	t.Logf("%-4s %-28s %8s %8s %8s %7s %7s %6s", "P", "product", "random", "model", "oracle", "lift", "oracle", "ratio")
	for k, p := range s.Products.List {
		if p.Objective == ObjRetention || s.Cal[p.ID] == nil {
			continue
		}
		var rows []int
		for i := range s.IDs {
			if sc := s.Score[i*K+k]; sc == sc { // not NaN: a non-owner
				rows = append(rows, i)
			}
		}
		top := len(rows) / 10
		plan := func(order []int) []sampledata.PlannedContact {
			out := make([]sampledata.PlannedContact, top)
			for j, i := range order[:top] {
				out[j] = sampledata.PlannedContact{CustomerID: s.IDs[i], ProductID: p.ID, Channel: "mail", TS: s.AsOf.Add(10 * time.Hour)}
			}
			return out
		}
		model := append([]int(nil), rows...)
		sort.SliceStable(model, func(a, b int) bool { return s.Score[model[a]*K+k] > s.Score[model[b]*K+k] })
		oracle := append([]int(nil), rows...)
		sort.SliceStable(oracle, func(a, b int) bool {
			return m.truth[[2]int64{s.IDs[oracle[a]], int64(p.ID)}] > m.truth[[2]int64{s.IDs[oracle[b]], int64(p.ID)}]
		})
		random := append([]int(nil), rows...)
		r.Shuffle(len(random), func(a, b int) { random[a], random[b] = random[b], random[a] })
		pr, _, _, _ := m.simulate(t, plan(random))
		pm, _, _, _ := m.simulate(t, plan(model))
		po, _, _, _ := m.simulate(t, plan(oracle))
		lift, olift := pm/pr, po/pr
		t.Logf("P%02d  %-28.28s %7.3f%% %7.3f%% %7.3f%% %6.2f× %6.2f× %6.2f", p.ID, p.Name, 100*pr, 100*pm, 100*po, lift, olift, lift/olift)
		if lift < 0.9*olift {
			t.Errorf("P%02d: model lift %.2f× < 0.9 × oracle lift %.2f×", p.ID, lift, olift)
		}
		sumLift += lift
		n++
	}
	avg := sumLift / float64(n)
	t.Logf("average model lift over %d cross-sell/upsell products: %.2f×", n, avg)
	if avg < 4 {
		t.Errorf("average top-decile lift %.2f× < 4×", avg)
	}
}

// TestTotalModelBeatsProductCampaigns is the KPN claim: with the same number of contacts, the
// total model (each customer its one best offer) against a campaign per product, each picking
// its own top customers by the product's model — through the market simulator.
func TestTotalModelBeatsProductCampaigns(t *testing.T) {
	m := loadMarket(t)
	s := m.s
	K := s.K()
	ch := "mail"
	var prods []int
	for k, p := range s.Products.List {
		if p.Objective != ObjRetention && s.Cal[p.ID] != nil {
			prods = append(prods, k)
		}
	}
	per := len(s.IDs) / (2 * len(prods)) // each product campaign's size: half the base contacted in all
	contacts := per * len(prods)
	when := func(j int) time.Time {
		return s.AsOf.Add(time.Duration(9*3600+j%28800)*time.Second).AddDate(0, 0, j%28)
	}
	// Product campaigns: each product's top customers by its own P(accept).
	var campaigns []sampledata.PlannedContact
	costC := 0.0
	for n, k := range prods {
		p := s.Products.List[k]
		var rows []int
		for i := range s.IDs {
			if sc := s.Score[i*K+k]; sc == sc {
				rows = append(rows, i)
			}
		}
		sort.SliceStable(rows, func(a, b int) bool { return s.Score[rows[a]*K+k] > s.Score[rows[b]*K+k] })
		for j, i := range rows[:min(per, len(rows))] {
			campaigns = append(campaigns, sampledata.PlannedContact{CustomerID: s.IDs[i], ProductID: p.ID, Channel: ch, TS: when(n*per + j)})
			costC += p.Cost[ch]
		}
	}
	// Total model: one best offer per customer (highest expected value), best customers first.
	type best struct {
		row, k int
		v      float64
	}
	var bests []best
	for i := range s.IDs {
		b := best{row: i, k: -1}
		for _, k := range prods {
			sc := s.Score[i*K+k]
			if sc != sc {
				continue
			}
			p := &s.Products.List[k]
			if v := value(p, ch, s.Cal[p.ID][ch].P(float64(sc))); b.k < 0 || v > b.v {
				b = best{i, k, v}
			}
		}
		if b.k >= 0 {
			bests = append(bests, b)
		}
	}
	sort.SliceStable(bests, func(a, b int) bool { return bests[a].v > bests[b].v })
	var total []sampledata.PlannedContact
	costT := 0.0
	for j, b := range bests[:min(len(campaigns), len(bests))] {
		p := s.Products.List[b.k]
		total = append(total, sampledata.PlannedContact{CustomerID: s.IDs[b.row], ProductID: p.ID, Channel: ch, TS: when(j)})
		costT += p.Cost[ch]
	}
	_, cC, revC, optC := m.simulate(t, campaigns)
	_, cT, revT, optT := m.simulate(t, total)
	custC := map[int64]bool{}
	for _, c := range campaigns {
		custC[c.CustomerID] = true
	}
	t.Logf("%d contacts by mail (%d product campaigns of %d vs one best offer each)", contacts, len(prods), per)
	t.Logf("%-26s %9s %9s %10s %12s %8s", "", "customers", "contracts", "cost", "profit", "opt-outs")
	t.Logf("%-26s %9d %9d %10.0f %12.0f %8d", fmt.Sprintf("%d product campaigns", len(prods)), len(custC), cC, costC, revC-costC, optC)
	t.Logf("%-26s %9d %9d %10.0f %12.0f %8d", "total model", len(total), cT, costT, revT-costT, optT)
	if len(total) != len(campaigns) {
		t.Fatalf("contacts differ: %d vs %d", len(total), len(campaigns))
	}
	if !(revT-costT > revC-costC) || !(optT < optC) {
		t.Errorf("total model profit %.0f / opt-outs %d vs product campaigns %.0f / %d: want more profit and fewer opt-outs", revT-costT, optT, revC-costC, optC)
	}
}
