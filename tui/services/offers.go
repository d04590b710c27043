package services

import (
	"context"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/nbo"
)

// OffersService is what the Offers screen's campaign panel asks of the analysis layer: the
// same use cases as acrm score --all and acrm select.
type OffersService interface {
	// OfferProducts lists the products (id and label) a campaign can offer.
	OfferProducts(ctx context.Context) ([]OfferProduct, error)
	// ScoreAll is acrm score --all: the total model over the whole base.
	ScoreAll(ctx context.Context, report func(Progress)) (*nbo.ScoreResult, error)
	// SelectCampaign is acrm select without registering: the picks with every rule applied.
	SelectCampaign(ctx context.Context, spec nbo.SelectSpec, report func(Progress)) (*nbo.SelectResult, error)
	// ExportSelection registers the selection (campaigns, members, control cell) and writes
	// the customers to contact to path (.csv or .parquet); it returns a line saying what.
	ExportSelection(ctx context.Context, sel *nbo.SelectResult, path string) (string, error)
}

// OfferProduct is a product a campaign can offer.
type OfferProduct struct {
	ID    int
	Label string
}

var _ OffersService = (*Workspace)(nil)

// OfferProducts implements OffersService.
func (w *Workspace) OfferProducts(ctx context.Context) ([]OfferProduct, error) {
	p, err := nbo.ReadProducts(ctx, w.WS)
	if err != nil {
		return nil, err
	}
	out := make([]OfferProduct, len(p.List))
	for i, q := range p.List {
		out[i] = OfferProduct{ID: q.ID, Label: fmt.Sprintf("P%02d %s", q.ID, q.Name)}
	}
	return out, nil
}

func nboReport(report func(Progress)) func(nbo.Progress) {
	if report == nil {
		return nil
	}
	return func(p nbo.Progress) { report(Progress{Done: p.Done, Total: p.Total, Stage: p.Stage}) }
}

// ScoreAll implements OffersService.
func (w *Workspace) ScoreAll(ctx context.Context, report func(Progress)) (*nbo.ScoreResult, error) {
	return nbo.ScoreAll(ctx, w.WS, nbo.ScoreOptions{Report: nboReport(report)})
}

// SelectCampaign implements OffersService.
func (w *Workspace) SelectCampaign(ctx context.Context, spec nbo.SelectSpec, report func(Progress)) (*nbo.SelectResult, error) {
	return nbo.Select(ctx, w.WS, spec, nboReport(report))
}

// ExportSelection implements OffersService.
func (w *Workspace) ExportSelection(ctx context.Context, sel *nbo.SelectResult, path string) (string, error) {
	if err := nbo.CheckOutput(path); err != nil {
		return "", err
	}
	if err := sel.Register(ctx, w.WS, "select"); err != nil {
		return "", err
	}
	n, err := sel.Export(ctx, w.WS, path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("campaign %v registered; %d customers to contact written to %s", sel.Campaigns, n, path), nil
}
