package services

import (
	"context"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
)

// MonitorService is what the Monitor screen asks of the analysis layer: the same report as
// acrm monitor, and its charts.
type MonitorService interface {
	// MonitorReport is acrm monitor: the campaigns against prediction and control, and drift.
	MonitorReport(ctx context.Context, opt monitor.Options, report func(Progress)) (*monitor.Report, error)
	// ExportCampaignChart writes one campaign's chart (kind "deciles" or "time") to path and
	// returns the path written.
	ExportCampaignChart(ctx context.Context, c *monitor.Campaign, kind, path string) (string, error)
	// ChallengeNewest compares a campaign's serving model with the newest other version of
	// its name on the campaign's outcomes (monitor.ChallengeNewest).
	ChallengeNewest(ctx context.Context, campaignID int) (*monitor.Challenge, error)
	// PromoteModel makes a model version serve its name (acrm models promote) and returns the
	// version that served before.
	PromoteModel(ctx context.Context, ref string) (string, error)
}

var _ MonitorService = (*Workspace)(nil)

// MonitorReport implements MonitorService.
func (w *Workspace) MonitorReport(ctx context.Context, opt monitor.Options, report func(Progress)) (*monitor.Report, error) {
	return monitor.Run(ctx, w.WS, opt, report)
}

// ChallengeNewest implements MonitorService.
func (w *Workspace) ChallengeNewest(ctx context.Context, campaignID int) (*monitor.Challenge, error) {
	return monitor.ChallengeNewest(ctx, w.WS, campaignID, 0)
}

// PromoteModel implements MonitorService.
func (w *Workspace) PromoteModel(ctx context.Context, ref string) (string, error) {
	return profiles.Promote(ctx, w.WS, ref)
}

// ExportCampaignChart implements MonitorService.
func (w *Workspace) ExportCampaignChart(ctx context.Context, c *monitor.Campaign, kind, path string) (string, error) {
	var ch charts.Chart
	var err error
	switch kind {
	case "deciles":
		ch, err = deck.CampaignDeciles(c)
	case "time":
		ch, err = deck.CampaignOverTime(c)
	case "qini":
		ch, err = deck.CampaignQini(c)
	default:
		return "", fmt.Errorf("export: unknown campaign chart %q", kind)
	}
	if err != nil {
		return "", err
	}
	return writeChart(ctx, path, ch)
}
