package profiles

import (
	"context"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// BenchmarkTrainProduct100k trains the look-alike models (auto: logit, tree, gbdt) of one
// product on the default 100,000-customer sample and reports the best model's test AUC, its
// share of the oracle AUC, the calibration error and the customer-view load time. The whole
// leaderboard is `acrm train --all` on the same sample.
func BenchmarkTrainProduct100k(b *testing.B) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 100000, Seed: 42}, nil); err != nil {
		b.Fatal(err)
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		base, err := LoadBase(ctx, ws, nil)
		if err != nil {
			b.Fatal(err)
		}
		load := time.Since(t0)
		res, err := TrainProduct(ctx, ws, base, Spec{ProductID: 2, Algo: "auto", Seed: 1}, oracle, nil)
		if err != nil {
			b.Fatal(err)
		}
		best := res.BestModel()
		b.ReportMetric(load.Seconds(), "load-s")
		b.ReportMetric(best.CVMean(), "AUC")
		b.ReportMetric(best.CVMean()/res.Oracle, "AUC/oracle")
		b.ReportMetric(best.OOF.CalError, "cal-err")
	}
}
