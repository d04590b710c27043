package nbo

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/progress"
)

// liveIndex is every customer in memory, as Lookup reads one from the workspace: the customer
// view rows in compact columns, the contacts (what the totals and the rules read), opt-outs,
// planned offers, eligibility and value segment of the latest scoring. Built once (BuildIndex),
// read without locks by any number of requests.
type liveIndex struct {
	ids    []int64 // ascending; row i of every column
	idName string
	cols   []compactCol

	cOff  []int32 // contacts of row i: [cOff[i], cOff[i+1])
	cTS   []int64 // Unix microseconds
	cCh   []uint8 // codes into dict
	cDir  []uint8
	cOut  []uint8
	cProd []int32
	cRev  numStore
	dict  []string

	opts     map[int64][]datamart.OptOut
	planned  map[int64][]PastOffer
	eligible []bool // nil: everyone
	seg      []uint8
	segDict  []string
}

// compactCol is one view column: numbers in the narrowest exact width, text as dictionary codes.
type compactCol struct {
	name, typ string
	numeric   bool
	num       numStore
	codes     []uint32 // text: 0 = NULL, k = dict[k-1]
	dict      []string
	dictIdx   map[string]uint32
}

// numStore holds float64 values exactly in the narrowest of int8, int16, int32, float32 and
// float64 that represents every value so far (NaN included), widening as values come.
type numStore struct {
	kind int // 0 int8, 1 int16, 2 int32, 3 float32, 4 float64
	i8   []int8
	i16  []int16
	i32  []int32
	f32  []float32
	f64  []float64
}

const nanInt = math.MinInt32 // NaN in the integer widths (int8: -128, int16: -32768)

func fits(kind int, v float64) bool {
	if math.IsNaN(v) {
		return true
	}
	switch kind {
	case 0:
		return v == math.Trunc(v) && v > -128 && v <= 127
	case 1:
		return v == math.Trunc(v) && v > -32768 && v <= 32767
	case 2:
		return v == math.Trunc(v) && v > math.MinInt32 && v <= math.MaxInt32
	case 3:
		return float64(float32(v)) == v
	}
	return true
}

func (s *numStore) len() int {
	switch s.kind {
	case 0:
		return len(s.i8)
	case 1:
		return len(s.i16)
	case 2:
		return len(s.i32)
	case 3:
		return len(s.f32)
	}
	return len(s.f64)
}

func (s *numStore) get(i int) float64 {
	switch s.kind {
	case 0:
		if s.i8[i] == math.MinInt8 {
			return math.NaN()
		}
		return float64(s.i8[i])
	case 1:
		if s.i16[i] == math.MinInt16 {
			return math.NaN()
		}
		return float64(s.i16[i])
	case 2:
		if s.i32[i] == nanInt {
			return math.NaN()
		}
		return float64(s.i32[i])
	case 3:
		return float64(s.f32[i])
	}
	return s.f64[i]
}

func (s *numStore) add(v float64) {
	for !fits(s.kind, v) {
		s.widen()
	}
	nan := math.IsNaN(v)
	switch s.kind {
	case 0:
		x := int8(math.MinInt8)
		if !nan {
			x = int8(v)
		}
		s.i8 = append(s.i8, x)
	case 1:
		x := int16(math.MinInt16)
		if !nan {
			x = int16(v)
		}
		s.i16 = append(s.i16, x)
	case 2:
		x := int32(nanInt)
		if !nan {
			x = int32(v)
		}
		s.i32 = append(s.i32, x)
	case 3:
		s.f32 = append(s.f32, float32(v))
	default:
		s.f64 = append(s.f64, v)
	}
}

func (s *numStore) widen() {
	n := s.len()
	old := make([]float64, n)
	for i := range old {
		old[i] = s.get(i)
	}
	k := s.kind + 1
	if k == 3 { // integers that no longer fit int32 and are not float32-exact: float64
		for _, v := range old {
			if !fits(3, v) {
				k = 4
				break
			}
		}
	}
	*s = numStore{kind: k}
	for _, v := range old {
		s.add(v)
	}
}

func (s *numStore) bytes() int64 {
	return int64(len(s.i8)) + 2*int64(len(s.i16)) + 4*int64(len(s.i32)) + 4*int64(len(s.f32)) + 8*int64(len(s.f64))
}

// IndexStats describes a built index.
type IndexStats struct {
	Customers, Contacts int
	Columns             int
	Bytes               int64 // the index's arrays (an estimate of its heap)
	Took                time.Duration
}

// BuildIndex reads every customer into memory — the customer view in chunks, the contacts,
// opt-outs, planned offers, eligibility and segments — so that Lookup answers from memory
// (a few microseconds) instead of the workspace. Outcomes recorded through l afterwards mark
// their customer, whom Lookup then reads from the workspace again, so the index never serves
// a stale history. report (may be nil) follows the stages.
func (l *Live) BuildIndex(ctx context.Context, report func(progress.Progress)) (IndexStats, error) {
	t0 := time.Now()
	ws := l.ws
	x := &liveIndex{opts: map[int64][]datamart.OptOut{}, planned: map[int64][]PastOffer{}}
	rep := func(stage string, done, total int64) {
		if report != nil {
			report(progress.Progress{Stage: stage, Done: done, Total: total})
		}
	}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM customers WHERE customer_id IS NOT NULL ORDER BY customer_id`)
	if err != nil {
		return IndexStats{}, fmt.Errorf("nbo: index: customers: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return IndexStats{}, fmt.Errorf("nbo: index: customers: %w", err)
		}
		x.ids = append(x.ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return IndexStats{}, fmt.Errorf("nbo: index: customers: %w", err)
	}
	n := len(x.ids)
	const chunk = 50000
	for a := 0; a < n; a += chunk {
		b := min(a+chunk, n)
		rep("customer view", int64(a), int64(n))
		f, err := features.Load(ctx, ws, features.LoadSpec{Query: fmt.Sprintf("SELECT * FROM (%s) WHERE customer_id BETWEEN %d AND %d ORDER BY customer_id",
			l.View.SQL, x.ids[a], x.ids[b-1]), ID: "customer_id"}, nil)
		if err != nil {
			return IndexStats{}, fmt.Errorf("nbo: index: customer view: %w", err)
		}
		if f.Rows != b-a {
			return IndexStats{}, fmt.Errorf("nbo: index: customer view rows %d–%d: %d rows, want %d (duplicate customer ids?)", a+1, b, f.Rows, b-a)
		}
		if x.cols == nil {
			x.idName = f.IDName
			for _, c := range f.Cols {
				x.cols = append(x.cols, compactCol{name: c.Name, typ: c.Type, numeric: c.Numeric, dictIdx: map[string]uint32{}})
			}
		}
		if len(f.Cols) != len(x.cols) {
			return IndexStats{}, fmt.Errorf("nbo: index: customer view changed while reading")
		}
		for r := 0; r < f.Rows; r++ {
			if f.IDs[r] != strconv.FormatInt(x.ids[a+r], 10) {
				return IndexStats{}, fmt.Errorf("nbo: index: customer view row %d is customer %s, want %d", a+r+1, f.IDs[r], x.ids[a+r])
			}
		}
		for j, c := range f.Cols {
			cc := &x.cols[j]
			for r := 0; r < f.Rows; r++ {
				if c.Numeric {
					cc.num.add(c.Num[r])
					continue
				}
				if c.Null[r] {
					cc.codes = append(cc.codes, 0)
					continue
				}
				k, ok := cc.dictIdx[c.Str[r]]
				if !ok {
					cc.dict = append(cc.dict, c.Str[r])
					k = uint32(len(cc.dict))
					cc.dictIdx[c.Str[r]] = k
				}
				cc.codes = append(cc.codes, k)
			}
		}
	}
	for j := range x.cols {
		x.cols[j].dictIdx = nil
	}
	// Contacts, in the order the one-customer read gives them (customer, time, contact id).
	rep("contacts", 0, 0)
	code := map[string]uint8{}
	enc := func(s string) (uint8, error) {
		if k, ok := code[s]; ok {
			return k, nil
		}
		if len(x.dict) == 255 {
			return 0, fmt.Errorf("more than 255 distinct channels, directions and outcomes")
		}
		x.dict = append(x.dict, s)
		code[s] = uint8(len(x.dict) - 1)
		return code[s], nil
	}
	x.cOff = make([]int32, n+1)
	row := 0
	if ok, _ := ws.HasTable(ctx, "contacts"); ok {
		err := datamart.EachContact(ctx, ws, datamart.ContactFilter{}, func(k datamart.Contact) error {
			for row < n && x.ids[row] < k.CustomerID {
				row++
				x.cOff[row] = int32(len(x.cTS))
			}
			if row >= n || x.ids[row] != k.CustomerID {
				return nil // a contact of no customer: the view does not see it either
			}
			ch, err := enc(k.Channel)
			if err != nil {
				return err
			}
			dir, err := enc(k.Direction)
			if err != nil {
				return err
			}
			out, err := enc(k.Outcome)
			if err != nil {
				return err
			}
			x.cTS = append(x.cTS, k.TS.UnixMicro())
			x.cCh, x.cDir, x.cOut = append(x.cCh, ch), append(x.cDir, dir), append(x.cOut, out)
			x.cProd = append(x.cProd, int32(k.ProductID))
			x.cRev.add(k.Revenue)
			if len(x.cTS)%(1<<20) == 0 {
				rep("contacts", int64(len(x.cTS)), 0)
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return IndexStats{}, fmt.Errorf("nbo: index: contacts: %w", err)
		}
		if len(x.cTS) > math.MaxInt32 {
			return IndexStats{}, fmt.Errorf("nbo: index: %d contacts: more than the index holds", len(x.cTS))
		}
	}
	for row < n {
		row++
		x.cOff[row] = int32(len(x.cTS))
	}
	rep("opt-outs, planned offers, segments", 0, 0)
	if ok, _ := ws.HasTable(ctx, "optouts"); ok {
		opts, err := datamart.OptOuts(ctx, ws)
		if err != nil {
			return IndexStats{}, fmt.Errorf("nbo: index: %w", err)
		}
		for _, o := range opts {
			x.opts[o.CustomerID] = append(x.opts[o.CustomerID], o)
		}
	}
	if err := l.readPlanned(ctx, x.planned); err != nil {
		return IndexStats{}, err
	}
	if e := strings.TrimSpace(l.Rules.Eligibility); e != "" {
		ids, err := filterIDs(ctx, ws, e)
		if err != nil {
			return IndexStats{}, fmt.Errorf("nbo: eligibility %q: %w", e, err)
		}
		x.eligible = make([]bool, n)
		for _, id := range ids {
			if i, ok := x.row(id); ok {
				x.eligible[i] = true
			}
		}
	}
	x.seg = make([]uint8, n)
	segCode := map[string]uint8{}
	x.segDict = []string{""}
	srows, err := ws.QueryContext(ctx, `SELECT customer_id, value_segment FROM acrm_nbo_customers`)
	if err != nil {
		return IndexStats{}, fmt.Errorf("nbo: index: segments: %w", err)
	}
	for srows.Next() {
		var id int64
		var s string
		if err := srows.Scan(&id, &s); err != nil {
			srows.Close()
			return IndexStats{}, fmt.Errorf("nbo: index: segments: %w", err)
		}
		k, ok := segCode[s]
		if !ok {
			if len(x.segDict) == 255 {
				srows.Close()
				return IndexStats{}, fmt.Errorf("nbo: index: more than 254 value segments")
			}
			x.segDict = append(x.segDict, s)
			k = uint8(len(x.segDict) - 1)
			segCode[s] = k
		}
		if i, ok := x.row(id); ok {
			x.seg[i] = k
		}
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return IndexStats{}, fmt.Errorf("nbo: index: segments: %w", err)
	}
	l.index.Store(x)
	st := IndexStats{Customers: n, Contacts: len(x.cTS), Columns: len(x.cols), Took: time.Since(t0)}
	st.Bytes = 8*int64(len(x.ids)) + 4*int64(len(x.cOff)) + 8*int64(len(x.cTS)) + 7*int64(len(x.cTS)) + x.cRev.bytes() + int64(len(x.seg))
	for _, c := range x.cols {
		st.Bytes += c.num.bytes() + 4*int64(len(c.codes))
	}
	return st, nil
}

// readPlanned reads every customer's planned offers (LoadHistories' query) into m.
func (l *Live) readPlanned(ctx context.Context, m map[int64][]PastOffer) error {
	ws := l.ws
	ok0, _ := ws.HasTable(ctx, "contacts")
	ok1, _ := ws.HasTable(ctx, "campaign_members")
	ok2, _ := ws.HasTable(ctx, "campaigns")
	if !ok0 || !ok1 || !ok2 {
		return nil
	}
	rows, err := ws.QueryContext(ctx, `SELECT m.customer_id, c.start_date::TIMESTAMP, c.product_id, coalesce(c.channel, '')
		FROM campaign_members m JOIN campaigns c USING (campaign_id)
		WHERE m.contacted AND c.product_id IS NOT NULL AND c.end_date >= ?::DATE
		  AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.campaign_id = m.campaign_id AND k.customer_id = m.customer_id)`, l.windowStart())
	if err != nil {
		return fmt.Errorf("nbo: index: planned offers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var o PastOffer
		if err := rows.Scan(&id, &o.TS, &o.Product, &o.Channel); err != nil {
			return fmt.Errorf("nbo: index: planned offers: %w", err)
		}
		if !o.TS.After(l.At) {
			o.TS = l.At
		}
		m[id] = append(m[id], o)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("nbo: index: planned offers: %w", err)
	}
	return nil
}

func (x *liveIndex) row(id int64) (int, bool) {
	i := sort.Search(len(x.ids), func(i int) bool { return x.ids[i] >= id })
	return i, i < len(x.ids) && x.ids[i] == id
}

// customer is Lookup from the index: the view row, the product frames and the history; the
// card's details (name, holdings, contacts, events) are left empty.
func (x *liveIndex) customer(l *Live, id int64) (*Customer, error) {
	i, ok := x.row(id)
	if !ok {
		return nil, fmt.Errorf("nbo: customer %d: %w in the customers table", id, ErrUnknownCustomer)
	}
	f := &features.Frame{IDName: x.idName, IDs: []string{strconv.FormatInt(id, 10)}, Rows: 1, Cols: make([]*features.Column, len(x.cols))}
	// One allocation for the numbers and one for the columns.
	nums := make([]float64, len(x.cols))
	cols := make([]features.Column, len(x.cols))
	for j := range x.cols {
		cc := &x.cols[j]
		c := &cols[j]
		c.Name, c.Type, c.Numeric = cc.name, cc.typ, cc.numeric
		if cc.numeric {
			nums[j] = cc.num.get(i)
			c.Num = nums[j : j+1 : j+1]
		} else {
			k := cc.codes[i]
			if k == 0 {
				c.Str, c.Null = []string{""}, []bool{true}
			} else {
				c.Str, c.Null = []string{cc.dict[k-1]}, []bool{false}
			}
		}
		f.Cols[j] = c
	}
	a, b := x.cOff[i], x.cOff[i+1]
	contacts := make([]datamart.Contact, 0, b-a)
	for k := a; k < b; k++ {
		contacts = append(contacts, datamart.Contact{CustomerID: id, TS: time.UnixMicro(x.cTS[k]).UTC(), Channel: x.dict[x.cCh[k]],
			Direction: x.dict[x.cDir[k]], ProductID: int(x.cProd[k]), Outcome: x.dict[x.cOut[k]], Revenue: x.cRev.get(int(k))})
	}
	opts := x.opts[id]
	c := &Customer{ID: id, View: f, Segment: x.segDict[x.seg[i]]}
	c.all, c.opts = contacts, opts
	eligible := x.eligible == nil || x.eligible[i]
	c.History = l.historyOf(c.Segment, contacts, opts, x.planned[id], eligible)
	return c, nil
}

// touch marks customer id as changed since the index was built: Lookup reads it from the
// workspace from now on.
func (l *Live) touch(id int64) {
	l.touchedMu.Lock()
	if l.touchedID == nil {
		l.touchedID = map[int64]bool{}
	}
	l.touchedID[id] = true
	l.touchedMu.Unlock()
}

func (l *Live) touched(id int64) bool {
	l.touchedMu.RLock()
	defer l.touchedMu.RUnlock()
	return l.touchedID[id]
}
