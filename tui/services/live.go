package services

import (
	"context"
	"sync"

	"github.com/acrm-dev/acrm/analysis/nbo"
)

// LiveService is what the Offers screen's customer panel asks of the analysis layer: the
// same use cases as acrm nbo (nbo.Live): find a customer, read them, decide their offers with
// live facts, record an outcome, undo it.
type LiveService interface {
	// SearchCustomers finds customers by id prefix or name.
	SearchCustomers(ctx context.Context, q string, limit int) ([]nbo.CustomerHit, error)
	// LiveCustomer reads one customer (the workspace lookup) and keeps them for LiveOffers.
	LiveCustomer(ctx context.Context, id int64) error
	// LiveOffers decides the customer's offers with facts applied (in-process after
	// LiveCustomer) and describes the customer for the screen.
	LiveOffers(ctx context.Context, id int64, facts []nbo.Fact) (*LiveView, error)
	// RecordOutcome records what the customer answered (the rules apply at once).
	RecordOutcome(ctx context.Context, o nbo.LiveOutcome) (*nbo.Recorded, error)
	// UndoOutcome removes the last recorded outcome.
	UndoOutcome(ctx context.Context) (*nbo.Recorded, error)
	// InboundOpportunity is the inbound opportunity on the workspace's data (the inputs of
	// acrm simulate inbound) with the offers at or above a threshold.
	// threshold is the P(accept) an offer must reach (≤ 0: the rules' minimum propensity).
	InboundOpportunity(ctx context.Context, threshold float64) (*nbo.InboundLive, error)
}

// LiveView is one customer's card and live decision, and the product names to show.
type LiveView struct {
	Card     *nbo.Card
	Decision *nbo.LiveDecision
	Names    map[int]string
}

// live is the workbench's nbo.Live (built on first use) and the customers it read.
type live struct {
	mu        sync.Mutex
	l         *nbo.Live
	customers map[int64]*nbo.Customer
}

var _ LiveService = (*Workspace)(nil)

func (w *Workspace) liveLocked(ctx context.Context) (*nbo.Live, error) {
	if w.live.l == nil {
		l, err := nbo.NewLive(ctx, w.WS)
		if err != nil {
			return nil, err
		}
		w.live.l, w.live.customers = l, map[int64]*nbo.Customer{}
	}
	return w.live.l, nil
}

// SearchCustomers implements LiveService.
func (w *Workspace) SearchCustomers(ctx context.Context, q string, limit int) ([]nbo.CustomerHit, error) {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	return l.Search(ctx, q, limit)
}

// LiveCustomer implements LiveService.
func (w *Workspace) LiveCustomer(ctx context.Context, id int64) error {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return err
	}
	c, err := l.Lookup(ctx, id)
	if err != nil {
		return err
	}
	w.live.customers[id] = c
	return nil
}

// LiveOffers implements LiveService.
func (w *Workspace) LiveOffers(ctx context.Context, id int64, facts []nbo.Fact) (*LiveView, error) {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	c := w.live.customers[id]
	if c == nil {
		if c, err = l.Lookup(ctx, id); err != nil {
			return nil, err
		}
		w.live.customers[id] = c
	}
	d, err := l.Offers(c, facts, "")
	if err != nil {
		return nil, err
	}
	card, err := l.Card(c, facts)
	if err != nil {
		return nil, err
	}
	names := map[int]string{}
	for _, p := range l.Scoring.Products.List {
		names[p.ID] = p.Name
	}
	return &LiveView{Card: card, Decision: d, Names: names}, nil
}

// RecordOutcome implements LiveService.
func (w *Workspace) RecordOutcome(ctx context.Context, o nbo.LiveOutcome) (*nbo.Recorded, error) {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	r, err := l.Record(ctx, w.live.customers[o.Customer], o)
	// Read the customer again on the next LiveOffers: the view's contact features changed too,
	// so the panel shows what acrm nbo would now.
	delete(w.live.customers, o.Customer)
	return r, err
}

// UndoOutcome implements LiveService.
func (w *Workspace) UndoOutcome(ctx context.Context) (*nbo.Recorded, error) {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	// Undo restores the history of the customer it concerns, whichever that is.
	r, err := l.Undo(ctx, nil)
	if err != nil {
		return nil, err
	}
	delete(w.live.customers, r.Customer) // read again on the next LiveOffers: the history changed
	return r, nil
}

// InboundOpportunity implements LiveService.
func (w *Workspace) InboundOpportunity(ctx context.Context, threshold float64) (*nbo.InboundLive, error) {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	l, err := w.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	return l.Inbound(ctx, threshold)
}
