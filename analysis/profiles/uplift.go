package profiles

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Uplift is the target kind of an uplift profile: the effect of offering the product,
// P(convert | offered) − P(convert | not offered), learnt from the contacted (treated) and
// control members of the product's past campaigns.
const Uplift = "uplift"

// UpliftFollowDays is how many days after a campaign's end a conversion still counts for an
// uplift profile's labels (as acrm monitor's default follow-up).
const UpliftFollowDays = 30

// SelectedByQini names the metric an uplift profile's method is chosen on.
const SelectedByQini = "cv_qini"

// UpliftRows are the labelled rows of an uplift profile: one per treated or control member of
// each of the product's answered campaigns, with the customer's features as of the campaign's
// start (so the contact and its outcome are not among them).
type UpliftRows struct {
	Frame     *features.Frame
	Converted []float64 // 1 = converted within the campaign and its follow-up
	Treated   []float64 // 1 = contacted, 0 = control cell
	Campaigns []int
}

// upliftMember is one member row read for an uplift profile.
type upliftMember struct {
	campaign  int
	start     time.Time
	customer  string
	treated   bool
	converted bool
}

// LoadUpliftRows reads the treated (contacted) and control members of every answered campaign
// of the product, with their conversion within [start, end + UpliftFollowDays] (an accepted
// offer of the product through any channel, or a holding of it starting then — as acrm
// monitor counts), and builds their features on the customer view as of each campaign's start.
func LoadUpliftRows(ctx context.Context, ws *workspace.Workspace, productID int, report func(Progress)) (*UpliftRows, error) {
	rows, err := ws.QueryContext(ctx, `WITH ev AS (SELECT campaign_id, product_id, start_date::TIMESTAMP AS s,
				(end_date + INTERVAL (?) DAY)::TIMESTAMP AS u FROM campaigns
			WHERE product_id = ? AND campaign_id IN (SELECT DISTINCT campaign_id FROM contacts WHERE campaign_id IS NOT NULL)),
		m AS (SELECT campaign_id, customer_id, any_value(cell) AS cell, bool_or(contacted) AS contacted
			FROM campaign_members WHERE campaign_id IN (SELECT campaign_id FROM ev) GROUP BY ALL),
		k AS (SELECT DISTINCT campaign_id, customer_id FROM contacts WHERE campaign_id IN (SELECT campaign_id FROM ev)),
		a AS (SELECT DISTINCT m.campaign_id, m.customer_id FROM m JOIN ev USING (campaign_id)
			JOIN contacts c ON c.customer_id = m.customer_id AND c.product_id = ev.product_id
			WHERE c.outcome = 'accepted' AND c.ts >= ev.s AND c.ts < ev.u),
		h AS (SELECT DISTINCT m.campaign_id, m.customer_id FROM m JOIN ev USING (campaign_id)
			JOIN holdings x ON x.customer_id = m.customer_id AND x.product_id = ev.product_id
			WHERE x.start_date >= ev.s AND x.start_date < ev.u)
		SELECT m.campaign_id, ev.s, CAST(m.customer_id AS VARCHAR), m.contacted,
			a.customer_id IS NOT NULL OR h.customer_id IS NOT NULL
		FROM m JOIN ev USING (campaign_id) LEFT JOIN k USING (campaign_id, customer_id)
			LEFT JOIN a USING (campaign_id, customer_id) LEFT JOIN h USING (campaign_id, customer_id)
		WHERE (m.contacted AND k.customer_id IS NOT NULL) OR (coalesce(m.cell, '') = 'control' AND NOT coalesce(m.contacted, false))
		ORDER BY m.campaign_id, m.customer_id`, UpliftFollowDays+1, productID)
	if err != nil {
		return nil, fmt.Errorf("profiles: uplift rows of product %d: %w", productID, err)
	}
	var ms []upliftMember
	for rows.Next() {
		var m upliftMember
		if err := rows.Scan(&m.campaign, &m.start, &m.customer, &m.treated, &m.converted); err != nil {
			rows.Close()
			return nil, fmt.Errorf("profiles: uplift rows of product %d: %w", productID, err)
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("profiles: uplift rows of product %d: %w", productID, err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("profiles: product %d has no answered campaign with contacted and control members: no uplift target: %w", productID, ErrNoPositives)
	}
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	byStart := map[time.Time][]upliftMember{}
	var starts []time.Time
	for _, m := range ms {
		if _, ok := byStart[m.start]; !ok {
			starts = append(starts, m.start)
		}
		byStart[m.start] = append(byStart[m.start], m)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	out := &UpliftRows{}
	var frames []*features.Frame
	seen := map[int]bool{}
	for k, at := range starts {
		report(Progress{Done: int64(k), Total: int64(len(starts)), Stage: "customer view as of " + at.Format(time.DateOnly)})
		va := v.At(at)
		f, err := features.Load(ctx, ws, features.LoadSpec{Query: va.SQL, ID: "customer_id"}, nil)
		if err != nil {
			return nil, fmt.Errorf("profiles: customer view as of %s: %w", at.Format(time.DateOnly), err)
		}
		fp, err := va.ForProduct(ctx, ws, f, productID)
		if err != nil {
			return nil, fmt.Errorf("profiles: %w", err)
		}
		row := make(map[string]int, fp.Rows)
		for i, id := range fp.IDs {
			row[id] = i
		}
		var idx []int
		for _, m := range byStart[at] {
			i, ok := row[m.customer]
			if !ok {
				continue
			}
			idx = append(idx, i)
			out.Converted = append(out.Converted, b2f(m.converted))
			out.Treated = append(out.Treated, b2f(m.treated))
			if !seen[m.campaign] {
				seen[m.campaign] = true
				out.Campaigns = append(out.Campaigns, m.campaign)
			}
		}
		frames = append(frames, fp.Subset(idx))
	}
	sort.Ints(out.Campaigns)
	if out.Frame, err = features.Concat(frames...); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	return out, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// upliftCandidate is one method × algorithm an uplift run compares.
type upliftCandidate struct {
	method string
	algo   model.Algo
}

func (c upliftCandidate) String() string { return c.method + " " + string(c.algo) }

// upliftCandidates are compared by cross-validated Qini coefficient.
var upliftCandidates = []upliftCandidate{
	{model.TwoModel, model.Logit}, {model.TwoModel, model.GBDT},
	{model.ClassTransformation, model.Logit}, {model.ClassTransformation, model.GBDT},
}

// upliftOptions are the base learners' options: a logit with a firm penalty (the control
// cells are small) and a shallow gbdt with early stopping on its own validation rows.
func upliftOptions(spec Spec, a model.Algo, workers int) model.Options {
	o := model.DefaultOptions(a)
	o.Seed, o.Workers = spec.Seed+7, workers
	switch a {
	case model.Logit:
		o.L2 = 1e-2
	case model.GBDT:
		o.MaxDepth, o.MaxLeaves, o.MinLeaf, o.LearningRate, o.Rounds = 3, 8, 50, 0.05, 300
	}
	return o
}

// fitUplift fits candidate c on rows (indices into X, y, t).
func fitUplift(ctx context.Context, X *model.Matrix, y, t []float64, rows []int, c upliftCandidate, spec Spec, workers int) (model.Classifier, error) {
	o := upliftOptions(spec, c.algo, workers)
	if c.method == model.TwoModel {
		var tr, cr []int
		for _, i := range rows {
			if t[i] == 1 {
				tr = append(tr, i)
			} else {
				cr = append(cr, i)
			}
		}
		mt, err := model.Fit(ctx, X.Subset(tr), pick(y, tr), nil, nil, o, nil)
		if err != nil {
			return nil, fmt.Errorf("treated model: %w", err)
		}
		mc, err := model.Fit(ctx, X.Subset(cr), pick(y, cr), nil, nil, o, nil)
		if err != nil {
			return nil, fmt.Errorf("control model: %w", err)
		}
		return model.NewUplift(model.TwoModel, mt, mc)
	}
	// Class transformation: z = y (treated) or 1 − y (control), the smaller group's rows
	// repeated so that both groups weigh the same.
	var nt, nc int
	for _, i := range rows {
		if t[i] == 1 {
			nt++
		} else {
			nc++
		}
	}
	repT, repC := 1, 1
	if nt > nc {
		repC = max(1, int(math.Round(float64(nt)/float64(nc))))
	} else {
		repT = max(1, int(math.Round(float64(nc)/float64(nt))))
	}
	var zr []int
	var z []float64
	for _, i := range rows {
		rep, zi := repT, y[i]
		if t[i] == 0 {
			rep, zi = repC, 1-y[i]
		}
		for range rep {
			zr = append(zr, i)
			z = append(z, zi)
		}
	}
	m, err := model.Fit(ctx, X.Subset(zr), z, nil, nil, o, nil)
	if err != nil {
		return nil, fmt.Errorf("class-transformation model: %w", err)
	}
	return model.NewUplift(model.ClassTransformation, m)
}

// QiniOf is the Qini coefficient of the uplift scores u over the rows (treated t, converted y).
func QiniOf(u, y, t []float64) float64 {
	units := make([]model.QiniUnit, len(u))
	for i := range u {
		units[i] = model.QiniUnit{Score: u[i], Treated: t[i] == 1, Converted: y[i] == 1}
	}
	_, q := model.Qini(units)
	return q
}

// FitUplift trains an uplift profile on rows (features, conversion, treatment): the method
// (two-model or class-transformation) and base learner (logit or gbdt) with the best mean
// Qini coefficient over spec.Folds cross-validation folds (stratified by treatment and
// conversion) is refitted on every row. The kept model scores the uplift in [−1, 1] (its
// calibrator is the identity). Trained.CVAUC holds the fold Qini coefficients of uplift runs.
func FitUplift(ctx context.Context, r *UpliftRows, spec Spec, report func(Progress)) (*Result, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	if report == nil {
		report = func(Progress) {}
	}
	y, t := r.Converted, r.Treated
	var tPos, tNeg, cPos, cNeg int
	for i := range y {
		switch {
		case t[i] == 1 && y[i] == 1:
			tPos++
		case t[i] == 1:
			tNeg++
		case y[i] == 1:
			cPos++
		default:
			cNeg++
		}
	}
	for _, g := range []struct {
		what     string
		pos, neg int
	}{{"contacted members", tPos, tNeg}, {"control members", cPos, cNeg}} {
		if g.pos < minClass || g.neg < minClass {
			return nil, fmt.Errorf("profiles: uplift of product %d: the %s converted %d times and did not %d times in campaigns %v; need at least %d of each: %w",
				spec.ProductID, g.what, g.pos, g.neg, r.Campaigns, minClass, ErrTooFew)
		}
	}
	res := &Result{Spec: spec, Rows: len(y), Positives: tPos + cPos, Oracle: math.NaN(), IDs: r.Frame.IDs}
	res.Folds = foldsFor(spec.Folds, min(tPos, cPos))
	if res.Folds < spec.Folds {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d folds instead of %d: only %d conversions in the smaller cell", res.Folds, spec.Folds, min(tPos, cPos)))
	}
	k := res.Folds
	total := int64(len(upliftCandidates)*k + 2)
	report(Progress{Done: 0, Total: total, Stage: "encode"})
	enc, X, err := features.Fit(r.Frame, y, features.EncoderOptions{Seed: spec.Seed})
	if err != nil {
		return nil, fmt.Errorf("profiles: %s: %w", spec.Name, err)
	}
	for _, n := range enc.Dropped {
		res.Warnings = append(res.Warnings, "feature "+n.String())
	}
	workers := spec.Workers
	if workers <= 0 {
		workers = 1
	}
	// folds: each cell dealt by conversion separately, so every fold has both cells.
	folds := make([][]int, k)
	for cell := range 2 {
		var idx []int
		var yc []float64
		for i := range t {
			if int(t[i]) == cell {
				idx = append(idx, i)
				yc = append(yc, y[i])
			}
		}
		for f, rows := range model.StratifiedKFold(yc, k, spec.Seed+11+uint64(cell)) {
			folds[f] = append(folds[f], mapIdx(idx, rows)...)
		}
	}
	for f := range folds {
		sort.Ints(folds[f])
	}
	done := int64(1)
	for ci, c := range upliftCandidates {
		tr := &Trained{Algo: model.Uplift, Params: c.String(), Calibration: "identity"}
		t0 := time.Now()
		for f, test := range folds {
			m, err := fitUplift(ctx, X, y, t, complement(len(y), test), c, spec, workers)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, fmt.Errorf("profiles: %s: fold %d: %s: %w", spec.Name, f+1, c, err)
			}
			u := m.Predict(X.Subset(test))
			tr.CVAUC = append(tr.CVAUC, QiniOf(u, pick(y, test), pick(t, test)))
			done++
			report(Progress{Done: done, Total: total, Stage: fmt.Sprintf("cv %s %d/%d", c, f+1, k)})
		}
		tr.CVTime = time.Since(t0)
		res.Models = append(res.Models, tr)
		if tr.CVMean() > res.Models[res.Best].CVMean() {
			res.Best = ci
		}
	}
	best := res.Models[res.Best]
	best.IsBest = true
	report(Progress{Done: done, Total: total, Stage: "refit " + best.Params})
	t0 := time.Now()
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	m, err := fitUplift(ctx, X, y, t, all, upliftCandidates[res.Best], spec, workers)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("profiles: %s: refit %s: %w", spec.Name, best.Params, err)
	}
	best.Classifier, best.Encoder, best.Calibrator = m, enc, model.Identity()
	best.Options = upliftOptions(spec, upliftCandidates[res.Best].algo, workers)
	best.Importance = topImportance(X.Names, m.Importance(), 15)
	best.TrainTime = best.CVTime + time.Since(t0)
	report(Progress{Done: total, Total: total, Stage: "done"})
	return res, nil
}

// TrainUplift is the use case "acrm train --product P --target uplift": it reads the treated
// and control members of the product's answered campaigns (LoadUpliftRows), trains the uplift
// profile (FitUplift) and registers it as P<id>-uplift.
func TrainUplift(ctx context.Context, ws *workspace.Workspace, spec Spec, report func(Progress)) (*Result, error) {
	spec.Kind = Uplift
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	if report == nil {
		report = func(Progress) {}
	}
	r, err := LoadUpliftRows(ctx, ws, spec.ProductID, progress.Prelude(report))
	if err != nil {
		return nil, err
	}
	res, err := FitUplift(ctx, r, spec, report)
	if err != nil {
		return nil, err
	}
	res.Source = "campaigns " + joinInts(r.Campaigns)
	res.Fingerprint = Fingerprint(r.Frame, append(append([]float64(nil), r.Converted...), r.Treated...))
	if err := Register(ctx, ws, res); err != nil {
		return nil, err
	}
	return res, nil
}

func joinInts(v []int) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(x)
	}
	return s
}
