package datamart

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Objectives of a product, in the priority order of the business rules.
const (
	Retention = "retention"
	CrossSell = "cross-sell"
	Upsell    = "upsell"
)

// Product is one row of products with its economics.
type Product struct {
	ID           int
	Code         string // "MOB-DATA" ("" when the table has no code column)
	Name         string
	Family       string
	Objective    string  // retention, cross-sell or upsell ("" when unknown)
	Margin       float64 // profit per contract over its horizon (€)
	HorizonYears int
	MonthlyPrice float64
	// ChannelCost is the cost of one contact about this product per channel, from the
	// table's cost_<channel> columns (cost_mail → "mail"); nil when it has none.
	ChannelCost map[string]float64
}

// Label is "P03 Fixed VoIP" style: the code (or "P<id>") and the name.
func (p Product) Label() string {
	code := p.Code
	if code == "" {
		code = fmt.Sprintf("P%02d", p.ID)
	}
	if p.Name == "" {
		return code
	}
	return code + " " + p.Name
}

var productCols = []column{
	required("product_id", "INTEGER"), optString("code"), required("name", "VARCHAR"),
	optString("family"), optString("objective"), optFloat("margin"), optInt("horizon_years"),
	optFloat("monthly_price"),
}

// Products reads every product, ordered by product_id.
func Products(ctx context.Context, ws *workspace.Workspace) ([]Product, error) {
	return readProducts(ctx, ws, "", nil)
}

// ProductByID reads one product; the error wraps ErrNoProduct when the id is absent.
func ProductByID(ctx context.Context, ws *workspace.Workspace, id int) (Product, error) {
	ps, err := readProducts(ctx, ws, "product_id = ?", []any{id})
	if err != nil {
		return Product{}, err
	}
	if len(ps) == 0 {
		return Product{}, fmt.Errorf("product %d is not in products: %w", id, ErrNoProduct)
	}
	return ps[0], nil
}

// ErrNoProduct is wrapped by ProductByID when the product id is not in products.
var ErrNoProduct = errors.New("no such product")

// ProductNames maps product_id to name (empty, no error, when products is absent).
func ProductNames(ctx context.Context, ws *workspace.Workspace) (map[int]string, error) {
	ps, err := Products(ctx, ws)
	if errors.Is(err, ErrMissingTable) {
		return map[int]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[int]string, len(ps))
	for _, p := range ps {
		out[p.ID] = p.Name
	}
	return out, nil
}

func readProducts(ctx context.Context, ws *workspace.Workspace, where string, args []any) ([]Product, error) {
	have, err := columnsOf(ctx, ws, "products")
	if err != nil {
		return nil, err
	}
	cols := append([]column(nil), productCols...)
	var channels []string
	for c := range have {
		if ch, ok := strings.CutPrefix(c, "cost_"); ok && ch != "" {
			channels = append(channels, ch)
		}
	}
	sort.Strings(channels)
	for _, ch := range channels {
		cols = append(cols, optFloat("cost_"+ch))
	}
	var out []Product
	err = query(ctx, ws, "products", cols, where, "product_id", args, func(r *sql.Rows) error {
		var p Product
		var horizon int64
		dest := []any{&p.ID, &p.Code, &p.Name, &p.Family, &p.Objective, &p.Margin, &horizon, &p.MonthlyPrice}
		costs := make([]float64, len(channels))
		for i := range costs {
			dest = append(dest, &costs[i])
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		p.HorizonYears = int(horizon)
		if len(channels) > 0 {
			p.ChannelCost = make(map[string]float64, len(channels))
			for i, ch := range channels {
				p.ChannelCost[ch] = costs[i]
			}
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// Customer is a customer's id and descriptive attributes (every column of customers other
// than customer_id, by column name, as DuckDB returns them: int64, float64, string, time.Time
// or nil).
type Customer struct {
	ID    int64
	Attrs map[string]any
}

// CustomerCount is the number of rows of customers.
func CustomerCount(ctx context.Context, ws *workspace.Workspace) (int64, error) {
	if ok, err := ws.HasTable(ctx, "customers"); err != nil {
		return 0, err
	} else if !ok {
		return 0, &MissingTableError{Table: "customers"}
	}
	var n int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("datamart: count customers: %w", err)
	}
	return n, nil
}

// CustomerIDs reads every customer_id, ascending.
func CustomerIDs(ctx context.Context, ws *workspace.Workspace) ([]int64, error) {
	var out []int64
	err := query(ctx, ws, "customers", []column{required("customer_id", "BIGINT")}, "customer_id IS NOT NULL", "1", nil, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}

// ErrNoCustomer is wrapped by CustomerByID when the id is not in customers.
var ErrNoCustomer = errors.New("no such customer")

// CustomerByID reads one customer with all its attributes.
func CustomerByID(ctx context.Context, ws *workspace.Workspace, id int64) (Customer, error) {
	if ok, err := ws.HasTable(ctx, "customers"); err != nil {
		return Customer{}, err
	} else if !ok {
		return Customer{}, &MissingTableError{Table: "customers"}
	}
	rows, err := ws.QueryContext(ctx, `SELECT * FROM customers WHERE customer_id = ? LIMIT 1`, id)
	if err != nil {
		return Customer{}, fmt.Errorf("datamart: customer %d: %w", id, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return Customer{}, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Customer{}, fmt.Errorf("datamart: customer %d: %w", id, err)
		}
		return Customer{}, fmt.Errorf("customer %d is not in customers: %w", id, ErrNoCustomer)
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return Customer{}, fmt.Errorf("datamart: customer %d: %w", id, err)
	}
	c := Customer{ID: id, Attrs: make(map[string]any, len(names)-1)}
	for i, n := range names {
		if strings.EqualFold(n, "customer_id") {
			continue
		}
		c.Attrs[n] = vals[i]
	}
	return c, nil
}

// Holding is one product a customer holds or held.
type Holding struct {
	CustomerID int64
	ProductID  int
	Start, End time.Time // End is zero while the contract runs
}

// Active reports whether the holding runs at t (started by t, not ended by t).
func (h Holding) Active(t time.Time) bool {
	return (h.Start.IsZero() || !h.Start.After(t)) && (h.End.IsZero() || h.End.After(t))
}

var holdingCols = []column{
	required("customer_id", "BIGINT"), required("product_id", "INTEGER"), optTime("start_date"), optTime("end_date"),
}

// Holdings reads every holding, ordered by customer and product.
func Holdings(ctx context.Context, ws *workspace.Workspace) ([]Holding, error) {
	return readHoldings(ctx, ws, "", nil)
}

// HoldingsOf reads one customer's holdings.
func HoldingsOf(ctx context.Context, ws *workspace.Workspace, customerID int64) ([]Holding, error) {
	return readHoldings(ctx, ws, "customer_id = ?", []any{customerID})
}

func readHoldings(ctx context.Context, ws *workspace.Workspace, where string, args []any) ([]Holding, error) {
	var out []Holding
	err := query(ctx, ws, "holdings", holdingCols, where, "customer_id, product_id", args, func(r *sql.Rows) error {
		var h Holding
		if err := r.Scan(&h.CustomerID, &h.ProductID, &h.Start, &h.End); err != nil {
			return err
		}
		h.Start, h.End = timeOrZero(h.Start), timeOrZero(h.End)
		out = append(out, h)
		return nil
	})
	return out, err
}

// Contact is one contact with a customer.
type Contact struct {
	ID         int64
	CustomerID int64
	TS         time.Time
	Channel    string
	Direction  string // inbound or outbound
	CampaignID int    // 0 when not part of a campaign
	ProductID  int    // 0 when about no product
	Outcome    string // accepted, declined or no_response
	Revenue    float64
}

// ContactFilter narrows EachContact; zero fields do not filter.
type ContactFilter struct {
	CustomerID int64
	ProductID  int
	Since      time.Time // ts >= Since
	Until      time.Time // ts < Until
}

var contactCols = []column{
	optInt("contact_id"), required("customer_id", "BIGINT"), required("ts", "TIMESTAMP"), required("channel", "VARCHAR"),
	optString("direction"), optInt("campaign_id"), optInt("product_id"), optString("outcome"), optFloat("revenue"),
}

// EachContact streams the contacts matching f, ordered by customer and time, to fn; an error
// from fn stops the read and is returned.
func EachContact(ctx context.Context, ws *workspace.Workspace, f ContactFilter, fn func(Contact) error) error {
	var where []string
	var args []any
	if f.CustomerID != 0 {
		where, args = append(where, "customer_id = ?"), append(args, f.CustomerID)
	}
	if f.ProductID != 0 {
		where, args = append(where, "product_id = ?"), append(args, f.ProductID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "ts >= ?"), append(args, f.Since)
	}
	if !f.Until.IsZero() {
		where, args = append(where, "ts < ?"), append(args, f.Until)
	}
	return query(ctx, ws, "contacts", contactCols, strings.Join(where, " AND "), "customer_id, ts, 1", args, func(r *sql.Rows) error {
		var c Contact
		var campaign, product int64
		if err := r.Scan(&c.ID, &c.CustomerID, &c.TS, &c.Channel, &c.Direction, &campaign, &product, &c.Outcome, &c.Revenue); err != nil {
			return err
		}
		c.TS = c.TS.UTC()
		c.CampaignID, c.ProductID = int(campaign), int(product)
		return fn(c)
	})
}

// Contacts collects EachContact into a slice (for one customer or a small workspace).
func Contacts(ctx context.Context, ws *workspace.Workspace, f ContactFilter) ([]Contact, error) {
	var out []Contact
	err := EachContact(ctx, ws, f, func(c Contact) error { out = append(out, c); return nil })
	return out, err
}

// Selections of a campaign's customers.
const (
	SelectionModel   = "model"
	SelectionRandom  = "random"
	SelectionControl = "control"
)

// Campaign is one campaign: a product offered through a channel at a cost per contact to
// customers chosen by a model, at random, or held out as a control.
type Campaign struct {
	ID             int
	Name           string
	ProductID      int
	Channel        string
	Start, End     time.Time
	CostPerContact float64
	Selection      string // model, random or control
	Period         int
}

var campaignCols = []column{
	required("campaign_id", "INTEGER"), optString("name"), optInt("product_id"), optString("channel"),
	optTime("start_date"), optTime("end_date"), optFloat("cost_per_contact"), optString("selection"), optInt("period"),
}

// Campaigns reads every campaign, ordered by campaign_id.
func Campaigns(ctx context.Context, ws *workspace.Workspace) ([]Campaign, error) {
	var out []Campaign
	err := query(ctx, ws, "campaigns", campaignCols, "", "campaign_id", nil, func(r *sql.Rows) error {
		var c Campaign
		var product, period int64
		if err := r.Scan(&c.ID, &c.Name, &product, &c.Channel, &c.Start, &c.End, &c.CostPerContact, &c.Selection, &period); err != nil {
			return err
		}
		c.ProductID, c.Period = int(product), int(period)
		c.Start, c.End = timeOrZero(c.Start), timeOrZero(c.End)
		out = append(out, c)
		return nil
	})
	return out, err
}

// OptOut is a customer's refusal of offers: of one product (ProductID 0 = all products)
// through one channel ("" = all channels) since a date.
type OptOut struct {
	CustomerID int64
	ProductID  int
	Channel    string
	Since      time.Time
}

// Covers reports whether the opt-out forbids offering product through channel.
func (o OptOut) Covers(product int, channel string) bool {
	return (o.ProductID == 0 || o.ProductID == product) && (o.Channel == "" || o.Channel == channel)
}

var optoutCols = []column{
	required("customer_id", "BIGINT"), optInt("product_id"), optString("channel"), optTime("since"),
}

// OptOuts reads every opt-out, ordered by customer.
func OptOuts(ctx context.Context, ws *workspace.Workspace) ([]OptOut, error) {
	return readOptOuts(ctx, ws, "", nil)
}

// OptOutsOf reads one customer's opt-outs.
func OptOutsOf(ctx context.Context, ws *workspace.Workspace, customerID int64) ([]OptOut, error) {
	return readOptOuts(ctx, ws, "customer_id = ?", []any{customerID})
}

// OptOutsBetween reads the opt-outs of the customers with idLo ≤ customer_id ≤ idHi.
func OptOutsBetween(ctx context.Context, ws *workspace.Workspace, idLo, idHi int64) ([]OptOut, error) {
	return readOptOuts(ctx, ws, "customer_id BETWEEN ? AND ?", []any{idLo, idHi})
}

func readOptOuts(ctx context.Context, ws *workspace.Workspace, where string, args []any) ([]OptOut, error) {
	var out []OptOut
	err := query(ctx, ws, "optouts", optoutCols, where, "customer_id, 2, 3", args, func(r *sql.Rows) error {
		var o OptOut
		var product int64
		if err := r.Scan(&o.CustomerID, &product, &o.Channel, &o.Since); err != nil {
			return err
		}
		o.ProductID, o.Since = int(product), timeOrZero(o.Since)
		out = append(out, o)
		return nil
	})
	return out, err
}

// Event is a life or business event a customer told in a contact.
type Event struct {
	CustomerID int64
	TS         time.Time
	Kind       string
	Value      float64
}

var eventCols = []column{
	required("customer_id", "BIGINT"), required("ts", "TIMESTAMP"), required("kind", "VARCHAR"), optFloat("value"),
}

// EachEvent streams events (of one customer when customerID != 0), ordered by customer and
// time, to fn.
func EachEvent(ctx context.Context, ws *workspace.Workspace, customerID int64, fn func(Event) error) error {
	where, args := "", []any(nil)
	if customerID != 0 {
		where, args = "customer_id = ?", []any{customerID}
	}
	return query(ctx, ws, "events", eventCols, where, "customer_id, ts", args, func(r *sql.Rows) error {
		var e Event
		if err := r.Scan(&e.CustomerID, &e.TS, &e.Kind, &e.Value); err != nil {
			return err
		}
		e.TS = e.TS.UTC()
		return fn(e)
	})
}

// Distinct lists the distinct non-NULL values of a canonical column ("contacts", "channel"),
// sorted; used for the channels and event kinds a workspace has.
func Distinct(ctx context.Context, ws *workspace.Workspace, table, col string) ([]string, error) {
	have, err := columnsOf(ctx, ws, table)
	if err != nil {
		return nil, err
	}
	if !have[strings.ToLower(col)] {
		return nil, nil
	}
	q := fmt.Sprintf(`SELECT DISTINCT CAST(%[1]s AS VARCHAR) FROM %[2]s WHERE %[1]s IS NOT NULL ORDER BY 1`, workspace.QuoteIdent(col), workspace.QuoteIdent(table))
	rows, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("datamart: distinct %s.%s: %w", table, col, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
