package profiles

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// PeerRun is our side of a peer comparison for one product: the shapes of the exported
// matrices and our logit and gbdt fitted on exactly those matrices (AUC of the raw scores on
// the test rows, wall-clock fit time).
type PeerRun struct {
	Product   int     `json:"product"`
	Dir       string  `json:"dir"`
	Cols      int     `json:"cols"`
	NTrain    int     `json:"n_train"`
	NVal      int     `json:"n_val"`
	NTest     int     `json:"n_test"`
	BaseRate  float64 `json:"base_rate"`
	Oracle    float64 `json:"oracle_auc,omitempty"`
	LogitAUC  float64 `json:"logit_auc"`
	LogitSec  float64 `json:"logit_sec"`
	GBDTAUC   float64 `json:"gbdt_auc"`
	GBDTSec   float64 `json:"gbdt_sec"`
	GBDTTrees int     `json:"gbdt_trees,omitempty"`
	// GBDTPredictSec is the best of three wall times of our gbdt's Predict over the training
	// rows (GBDTPredictRows), for the predict comparison with xgboost on the same-sized
	// ensemble (same trees, depth and leaves).
	GBDTPredictSec  float64 `json:"gbdt_predict_sec,omitempty"`
	GBDTPredictRows int     `json:"gbdt_predict_rows,omitempty"`
	GBDTMaxDepth    int     `json:"gbdt_max_depth,omitempty"`
	GBDTMaxLeaves   int     `json:"gbdt_max_leaves,omitempty"`
}

// ExportPeers writes, per product, the encoded look-alike matrices of the same stratified
// train / validation / test split that Fit uses (standardized encoding, float32 row-major,
// files Xtr.f32 ytr.f32 Xva.f32 yva.f32 Xte.f32 yte.f32 and meta.json in dir/P<id>), fits our
// logit and gbdt on them with workers goroutines, and returns our side of the comparison (also
// written to dir/ours.json). bench/peers/run.py trains scikit-learn and xgboost on the files.
func ExportPeers(ctx context.Context, ws *workspace.Workspace, dir string, products []int, seed uint64, workers int, skipOurs bool, report func(Progress)) ([]PeerRun, error) {
	if report == nil {
		report = func(Progress) {}
	}
	b, err := LoadBase(ctx, ws, report)
	if err != nil {
		return nil, err
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		return nil, err
	}
	if products == nil {
		for _, p := range b.View.Products {
			products = append(products, p.ID)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []PeerRun
	for k, pid := range products {
		if k > 0 {
			report(Progress{Done: int64(k), Total: int64(len(products)), Stage: fmt.Sprintf("P%02d exported", products[k-1])})
		}
		f, y, err := b.ProductData(ctx, ws, pid, Lookalike)
		if err != nil {
			return nil, err
		}
		spec := Spec{ProductID: pid, Kind: Lookalike, Seed: seed, Workers: workers}
		if err := spec.normalize(); err != nil {
			return nil, err
		}
		if _, err := checkTarget("look-alike target of product "+fmt.Sprint(pid), y); err != nil {
			return nil, err
		}
		rest, test := model.StratifiedSplit(y, 0.2, spec.Seed)
		trIdx, vaIdx := model.StratifiedSplit(pick(y, rest), 0.25, spec.Seed+1)
		train, val := mapIdx(rest, trIdx), mapIdx(rest, vaIdx)
		yTr, yVa, yTe := pick(y, train), pick(y, val), pick(y, test)
		enc, Xtr, err := features.Fit(f.Subset(train), yTr, features.EncoderOptions{Standardize: true, Seed: seed})
		if err != nil {
			return nil, err
		}
		Xva, err := enc.Transform(f.Subset(val))
		if err != nil {
			return nil, err
		}
		Xte, err := enc.Transform(f.Subset(test))
		if err != nil {
			return nil, err
		}
		pd := filepath.Join(dir, fmt.Sprintf("P%02d", pid))
		if err := os.MkdirAll(pd, 0o755); err != nil {
			return nil, err
		}
		for _, w := range []struct {
			name string
			v    []float64
		}{{"Xtr", Xtr.Data}, {"ytr", yTr}, {"Xva", Xva.Data}, {"yva", yVa}, {"Xte", Xte.Data}, {"yte", yTe}} {
			if err := writeF32(filepath.Join(pd, w.name+".f32"), w.v); err != nil {
				return nil, err
			}
		}
		r := PeerRun{Product: pid, Dir: pd, Cols: Xtr.Cols, NTrain: Xtr.Rows, NVal: Xva.Rows, NTest: Xte.Rows, BaseRate: mean(y)}
		if o, ok := oracle[pid]; ok {
			r.Oracle = o
		}
		meta, _ := json.Marshal(map[string]any{"cols": Xtr.Cols, "n_train": Xtr.Rows, "n_val": Xva.Rows, "n_test": Xte.Rows, "names": enc.Names})
		if err := os.WriteFile(filepath.Join(pd, "meta.json"), meta, 0o644); err != nil {
			return nil, err
		}
		if !skipOurs {
			for _, a := range []model.Algo{model.Logit, model.GBDT} {
				opt := options(spec, a)
				t0 := time.Now()
				c, err := model.Fit(ctx, Xtr, yTr, Xva, yVa, opt, nil)
				if err != nil {
					return nil, fmt.Errorf("profiles: peers P%02d %s: %w", pid, a, err)
				}
				sec := time.Since(t0).Seconds()
				auc := model.AUC(c.Predict(Xte), yTe)
				if a == model.Logit {
					r.LogitAUC, r.LogitSec = auc, sec
				} else {
					r.GBDTAUC, r.GBDTSec = auc, sec
					if n, ok := c.(interface{ NumTrees() int }); ok {
						r.GBDTTrees = n.NumTrees()
					}
					d, l := opt.MaxDepth, opt.MaxLeaves
					if d <= 0 && l <= 0 {
						def := model.DefaultOptions(model.GBDT)
						d, l = def.MaxDepth, def.MaxLeaves
					}
					r.GBDTMaxDepth, r.GBDTMaxLeaves, r.GBDTPredictRows = d, l, Xtr.Rows
					for rep := 0; rep < 3; rep++ {
						t0 := time.Now()
						c.Predict(Xtr)
						if s := time.Since(t0).Seconds(); rep == 0 || s < r.GBDTPredictSec {
							r.GBDTPredictSec = s
						}
					}
				}
			}
		}
		out = append(out, r)
	}
	report(Progress{Done: int64(len(products)), Total: int64(len(products)), Stage: fmt.Sprintf("P%02d exported", products[len(products)-1])})
	js, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "ours.json"), js, 0o644); err != nil {
		return nil, err
	}
	return out, nil
}

func writeF32(path string, v []float64) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	var b [4]byte
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(x)))
		if _, err := w.Write(b[:]); err != nil {
			fh.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / math.Max(float64(len(v)), 1)
}

// ExportPeersRaw writes, per product, the look-alike table as it enters training (the
// customer view's columns for that product, before any encoding) split 80/20 stratified by
// seed into dir/P<id>/train.csv and test.csv, with the target as a last column "target"
// (yes/no) and NULL as an empty cell. bench/peers/sample.sh runs the end-to-end comparison
// (bench/peers/raw.sh) on each pair.
func ExportPeersRaw(ctx context.Context, ws *workspace.Workspace, dir string, products []int, seed uint64, report func(Progress)) error {
	if report == nil {
		report = func(Progress) {}
	}
	b, err := LoadBase(ctx, ws, report)
	if err != nil {
		return err
	}
	if products == nil {
		for _, p := range b.View.Products {
			products = append(products, p.ID)
		}
	}
	for k, pid := range products {
		report(Progress{Done: int64(k), Total: int64(len(products)), Stage: fmt.Sprintf("P%02d", pid)})
		f, y, err := b.ProductData(ctx, ws, pid, Lookalike)
		if err != nil {
			return err
		}
		if _, err := checkTarget("look-alike target of product "+fmt.Sprint(pid), y); err != nil {
			return err
		}
		train, test := model.StratifiedSplit(y, 0.2, seed)
		pd := filepath.Join(dir, fmt.Sprintf("P%02d", pid))
		if err := os.MkdirAll(pd, 0o755); err != nil {
			return err
		}
		for _, part := range []struct {
			name string
			rows []int
		}{{"train.csv", train}, {"test.csv", test}} {
			if err := writeFrameCSV(filepath.Join(pd, part.name), f, y, part.rows); err != nil {
				return err
			}
		}
	}
	report(Progress{Done: int64(len(products)), Total: int64(len(products)), Stage: "exported"})
	return nil
}

func writeFrameCSV(path string, f *features.Frame, y []float64, rows []int) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	for _, c := range f.Cols {
		fmt.Fprintf(w, "%s,", csvCell(c.Name))
	}
	fmt.Fprintln(w, "target")
	for _, i := range rows {
		for _, c := range f.Cols {
			switch {
			case c.IsNull(i):
			case c.Numeric:
				w.WriteString(strconv.FormatFloat(c.Num[i], 'g', -1, 64))
			default:
				w.WriteString(csvCell(c.Str[i]))
			}
			w.WriteByte(',')
		}
		if y[i] == 1 {
			w.WriteString("yes\n")
		} else {
			w.WriteString("no\n")
		}
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
