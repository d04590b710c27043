package deck

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func TestCampaignChartsFromTheMonitor(t *testing.T) {
	ws := sampletest.Fresh(t, 1200, 5)
	ctx := context.Background()
	if _, err := LatestCampaignOverTime(ctx, ws); err == nil {
		t.Fatal("the history's campaigns carry no prediction, yet a chart came back")
	}
	if _, err := LatestCampaignQini(ctx, ws); err == nil {
		t.Fatal("the history's campaigns carry no prediction, yet a Qini chart came back")
	}
	if err := sampletest.TrueCampaign(ctx, ws, 9001, 16, "account_manager", 1, 13); err != nil {
		t.Fatal(err)
	}
	rep, err := monitor.Run(ctx, ws, monitor.Options{CampaignID: 9001, NoDrift: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Campaigns[0]
	tc, err := LatestCampaignOverTime(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	last := tc.Periods[len(tc.Periods)-1]
	if len(tc.Periods) < 3 || math.Abs(last.Actual-c.Treated.Rate.Est) > 1e-12 || math.Abs(last.Predicted-c.Predicted.Est) > 1e-12 {
		t.Errorf("over time %+v, campaign actual %v predicted %v", tc.Periods, c.Treated.Rate.Est, c.Predicted.Est)
	}
	dc, err := CampaignDeciles(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(dc.Deciles) != 10 || dc.Deciles[0].Predicted != c.Deciles[0].Predicted.Est {
		t.Errorf("deciles %+v", dc.Deciles)
	}
	qc, err := LatestCampaignQini(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if qc.Coef != c.QiniCoef || qc.Gain[len(qc.Gain)-1] != c.Qini[len(c.Qini)-1].Gain || qc.Depth[0] != 0 || qc.Depth[len(qc.Depth)-1] != 1 {
		t.Errorf("Qini chart coef %v (campaign %v), ends at %v (campaign %v)", qc.Coef, c.QiniCoef, qc.Gain[len(qc.Gain)-1], c.Qini[len(c.Qini)-1])
	}
	if tk := qc.Takeaway(); !strings.Contains(tk, "top 30 %") || !strings.Contains(tk, "Qini coefficient") {
		t.Errorf("takeaway %q", tk)
	}
	for _, ch := range []charts.Chart{tc, dc, qc} {
		var buf bytes.Buffer
		if err := charts.Render(&buf, charts.PNG, ch); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v", ch.Kind(), err)
		}
	}
}
