"""Fit scikit-learn LogisticRegression and xgboost (hist, nthread=2) on the matrices that
`acrm peers-export` wrote, and print them next to acrm's own logit and gbdt."""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score


def load(d, name, cols=None):
    v = np.fromfile(os.path.join(d, name + ".f32"), dtype="<f4")
    return v.reshape(-1, cols) if cols else v


def main():
    root, n = sys.argv[1], int(sys.argv[2])
    ours = json.load(open(os.path.join(root, "ours.json")))
    rows = []
    predict = []
    for r in ours:
        d = r["dir"]
        cols = r["cols"]
        Xtr, ytr = load(d, "Xtr", cols), load(d, "ytr")
        Xva, yva = load(d, "Xva", cols), load(d, "yva")
        Xte, yte = load(d, "Xte", cols), load(d, "yte")

        t0 = time.perf_counter()
        lr = LogisticRegression(max_iter=1000)
        lr.fit(Xtr, ytr)
        lr_sec = time.perf_counter() - t0
        lr_auc = roc_auc_score(yte, lr.predict_proba(Xte)[:, 1])

        t0 = time.perf_counter()
        xg = xgb.XGBClassifier(tree_method="hist", nthread=2, n_estimators=500, learning_rate=0.1,
                               max_depth=6, max_bin=255, early_stopping_rounds=20, eval_metric="logloss")
        xg.fit(Xtr, ytr, eval_set=[(Xva, yva)], verbose=False)
        xg_sec = time.perf_counter() - t0
        xg_auc = roc_auc_score(yte, xg.predict_proba(Xte)[:, 1])
        rows.append((r, lr_auc, lr_sec, xg_auc, xg_sec, xg.best_iteration + 1))
        if r.get("gbdt_predict_sec") and r.get("gbdt_trees"):
            # Predict on a same-sized ensemble: xgboost grown loss-guided to our gbdt's trees,
            # depth and leaves, timed on the same training rows (best of three, inplace_predict,
            # its fastest path, 2 threads) against our Predict's best of three.
            same = xgb.XGBClassifier(tree_method="hist", nthread=2, n_estimators=r["gbdt_trees"], learning_rate=0.1,
                                     max_depth=r["gbdt_max_depth"], max_leaves=r["gbdt_max_leaves"],
                                     grow_policy="lossguide", max_bin=255)
            same.fit(Xtr, ytr, verbose=False)
            booster = same.get_booster()
            best = None
            for _ in range(3):
                t0 = time.perf_counter()
                booster.inplace_predict(Xtr)
                s = time.perf_counter() - t0
                best = s if best is None else min(best, s)
            predict.append((r["product"], r["gbdt_trees"], r["gbdt_predict_rows"], r["gbdt_predict_sec"], best))
        print(f'P{r["product"]:02d}: sklearn LR {lr_auc:.4f} {lr_sec:.2f}s, xgboost {xg_auc:.4f} {xg_sec:.2f}s',
              file=sys.stderr, flush=True)

    print(f"\n## {n:,} customers: {len(rows)} product(s), look-alike target, test AUC and fit time "
          f"(2 threads each)\n")
    print("| product | rows | cols | base rate | oracle | acrm logit | sklearn LR | ΔAUC | time acrm/sk "
          "| acrm gbdt | xgboost | ΔAUC | time acrm/xgb |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    tot = {"ol": 0.0, "sl": 0.0, "og": 0.0, "sx": 0.0}
    worst_l, worst_g = 1.0, 1.0
    for r, la, ls, xa, xs, trees in rows:
        dl, dg = r["logit_auc"] - la, r["gbdt_auc"] - xa
        worst_l, worst_g = min(worst_l, dl), min(worst_g, dg)
        tot["ol"] += r["logit_sec"]; tot["sl"] += ls; tot["og"] += r["gbdt_sec"]; tot["sx"] += xs
        oracle = f'{r["oracle_auc"]:.4f}' if r.get("oracle_auc") else "–"
        print(f'| P{r["product"]:02d} | {r["n_train"]:,}/{r["n_val"]:,}/{r["n_test"]:,} | {r["cols"]} | {r["base_rate"]:.3f} '
              f'| {oracle} | {r["logit_auc"]:.4f} ({r["logit_sec"]:.2f}s) | {la:.4f} ({ls:.2f}s) | {dl:+.4f} '
              f'| {r["logit_sec"] / ls:.2f} | {r["gbdt_auc"]:.4f} ({r["gbdt_sec"]:.2f}s) | {xa:.4f} ({xs:.2f}s, {trees} trees) '
              f'| {dg:+.4f} | {r["gbdt_sec"] / xs:.2f} |')
    print(f'\ntotal fit time: acrm logit {tot["ol"]:.1f}s vs sklearn {tot["sl"]:.1f}s (ratio {tot["ol"] / tot["sl"]:.2f}); '
          f'acrm gbdt {tot["og"]:.1f}s vs xgboost {tot["sx"]:.1f}s (ratio {tot["og"] / tot["sx"]:.2f})')
    print(f"worst ΔAUC (acrm − peer): logit {worst_l:+.4f}, gbdt {worst_g:+.4f} (goal ≥ −0.003)")
    if predict:
        print(f"\n## {n:,} customers: gbdt predict vs xgboost predict on same-sized ensembles "
              f"(trees, depth ≤ 6, ≤ 31 leaves; training rows; best of 3; 2 threads)\n")
        print("| product | trees | rows | acrm predict | xgboost inplace_predict | time acrm/xgb |")
        print("|---|---|---|---|---|---|")
        ta = tx = 0.0
        for p, trees, nrows, a, x in predict:
            ta += a; tx += x
            print(f"| P{p:02d} | {trees} | {nrows:,} | {a * 1000:.1f} ms | {x * 1000:.1f} ms | {a / x:.2f} |")
        print(f"\ntotal predict time: acrm {ta:.3f}s vs xgboost {tx:.3f}s (ratio {ta / tx:.2f}; goal < 1)")


if __name__ == "__main__":
    main()
