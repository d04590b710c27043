package deck

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
)

// CampaignDeciles is a campaign's predicted P(accept) against the actual acceptance of the
// offer per decile of the predicted chance (acrm monitor and the Monitor screen's export).
func CampaignDeciles(c *monitor.Campaign) (charts.PredictedDecileChart, error) {
	if !c.HasPrediction || len(c.Deciles) < 2 {
		return charts.PredictedDecileChart{}, noData("campaign %d has no registered prediction per member (campaigns registered by acrm select or acrm plan have one)", c.ID)
	}
	ch := charts.PredictedDecileChart{Measure: "Acceptance"}
	for _, d := range c.Deciles {
		ch.Deciles = append(ch.Deciles, charts.DecileOutcome{Predicted: d.Predicted.Est, Actual: d.Actual.Est, Count: float64(d.Members)})
	}
	ch.Header = campaignHeader(c, "predicted against actual acceptance per decile",
		"Contacted customers by decile of the predicted P(accept); share who accepted the campaign's offer")
	return ch, nil
}

// CampaignOverTime is a campaign's cumulative acceptance since its start against the
// predicted P(accept) and its 95 % interval, one point a week (the deck's "predicted vs actual
// over time").
func CampaignOverTime(c *monitor.Campaign) (charts.PredictedTimeChart, error) {
	if !c.HasPrediction || len(c.OverTime) < 2 {
		return charts.PredictedTimeChart{}, noData("campaign %d has no registered prediction per member, or too few days with outcomes", c.ID)
	}
	ch := charts.PredictedTimeChart{Measure: "Cumulative acceptance", Unit: charts.Percent, Period: "Week since the start"}
	week := -1
	for i, p := range c.OverTime {
		w := p.Day / 7
		last := i == len(c.OverTime)-1
		if !last && c.OverTime[i+1].Day/7 == w {
			continue
		}
		if w == week {
			continue
		}
		week = w
		ch.Periods = append(ch.Periods, charts.PeriodOutcome{Label: fmt.Sprintf("w%d", w+1), Predicted: p.Predicted.Est,
			Actual: p.Actual, Lo: p.Predicted.Lo, Hi: p.Predicted.Hi})
	}
	if len(ch.Periods) < 2 {
		return charts.PredictedTimeChart{}, noData("campaign %d: outcomes span less than two weeks", c.ID)
	}
	ch.Header = campaignHeader(c, "cumulative acceptance against the prediction",
		"Share of the customers contacted so far who accepted the offer, by week since the start; band: the predicted 95 % interval")
	return ch, nil
}

func campaignHeader(c *monitor.Campaign, what, sub string) charts.Header {
	return charts.Header{
		Title:        fmt.Sprintf("Campaign %d (%s): %s", c.ID, c.ProductName, what),
		Subtitle:     sub,
		DataDate:     c.Until.AddDate(0, 0, -1).Format(time.DateOnly),
		ModelVersion: c.ModelVersion,
		Source:       fmt.Sprintf("%d contacted, %d accepted, %d converted", c.Treated.Members, c.Treated.Accepted, c.Treated.Converted),
	}
}

// LatestCampaignOverTime is the deck's "predicted vs actual over time": the newest campaign
// whose members carry a registered prediction and whose outcomes span two weeks or more.
func LatestCampaignOverTime(ctx context.Context, ws *workspace.Workspace) (charts.PredictedTimeChart, error) {
	rep, err := monitor.Run(ctx, ws, monitor.Options{NoDrift: true}, nil)
	if err != nil {
		return charts.PredictedTimeChart{}, err
	}
	for i := len(rep.Campaigns) - 1; i >= 0; i-- {
		if c, err := CampaignOverTime(rep.Campaigns[i]); err == nil {
			return c, nil
		}
	}
	return charts.PredictedTimeChart{}, noData("no campaign with a registered prediction and two weeks of outcomes")
}

// CampaignQini is a campaign's Qini curve: its members (treated and control) ranked by the
// registered prediction, the incremental conversions found against the share targeted.
func CampaignQini(c *monitor.Campaign) (charts.QiniChart, error) {
	if len(c.Qini) < 3 || math.IsNaN(c.QiniCoef) {
		return charts.QiniChart{}, noData("campaign %d has no Qini curve (it needs a registered prediction for every member and a control cell)", c.ID)
	}
	ch := charts.QiniChart{Model: c.ModelVersion, Coef: c.QiniCoef}
	// At most ~200 points: the curve's shape, not every member.
	step := max(1, len(c.Qini)/200)
	for i, p := range c.Qini {
		if i%step == 0 || i == len(c.Qini)-1 {
			ch.Depth = append(ch.Depth, p.Depth)
			ch.Gain = append(ch.Gain, p.Gain)
		}
	}
	ch.Header = campaignHeader(c, "Qini curve",
		fmt.Sprintf("Treated and control members ranked by the predicted chance; incremental conversions = treated − control scaled to the treated (control %d)", c.Control.Members))
	return ch, nil
}

// LatestCampaignQini is the deck's Qini chart: the newest campaign with a Qini curve.
func LatestCampaignQini(ctx context.Context, ws *workspace.Workspace) (charts.QiniChart, error) {
	rep, err := monitor.Run(ctx, ws, monitor.Options{NoDrift: true}, nil)
	if err != nil {
		return charts.QiniChart{}, err
	}
	for i := len(rep.Campaigns) - 1; i >= 0; i-- {
		if c, err := CampaignQini(rep.Campaigns[i]); err == nil {
			return c, nil
		}
	}
	return charts.QiniChart{}, noData("no campaign with outcomes, a registered prediction for its members and a control cell yet")
}
