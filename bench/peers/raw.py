"""The peers of bench/peers/raw.sh: scikit-learn's standard pipeline and xgboost on the raw
train CSV, test AUC on the test CSV, printed beside acrm's (its scores and times are in the
work directory raw.sh fills)."""
import os
import re
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.impute import SimpleImputer


def main():
    train_csv, test_csv, col, pos, work = sys.argv[1:6]
    tr, te = pd.read_csv(train_csv), pd.read_csv(test_csv)
    ytr, yte = (tr.pop(col).astype(str) == pos).astype(int), (te.pop(col).astype(str) == pos).astype(int)
    text = [c for c in tr.columns if tr[c].dtype == object]
    nums = [c for c in tr.columns if c not in text]
    pre = ColumnTransformer([
        ("text", OneHotEncoder(handle_unknown="ignore"), text),
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), nums),
    ])
    rows = []

    t0 = time.perf_counter()
    lr = make_pipeline(pre, LogisticRegressionCV(Cs=10, cv=5, scoring="roc_auc", max_iter=2000))
    lr.fit(tr, ytr)
    rows.append(("scikit-learn LogisticRegression (C by 5-fold CV)", roc_auc_score(yte, lr.predict_proba(te)[:, 1]),
                 time.perf_counter() - t0, ""))

    t0 = time.perf_counter()
    xg = make_pipeline(ColumnTransformer([("text", OneHotEncoder(handle_unknown="ignore"), text)], remainder="passthrough"),
                       xgb.XGBClassifier(tree_method="hist", nthread=2))
    xg.fit(tr, ytr)
    rows.append(("xgboost (defaults, hist, 2 threads)", roc_auc_score(yte, xg.predict_proba(te)[:, 1]),
                 time.perf_counter() - t0, ""))

    for algo in ("auto", "logit"):
        sc = pd.read_csv(os.path.join(work, f"scores_{algo}.csv"))
        idcol = sc.columns[0]
        s = np.full(len(te), np.nan)
        s[sc[idcol].astype(int).values - 1] = sc["score"].values
        out = open(os.path.join(work, f"train_{algo}.txt")).read()
        star = [l for l in out.splitlines() if "★" in l]
        cv = re.search(r"(\d\.\d{4}) ± (\d\.\d{4})", star[0]) if star else None
        t0, t1 = map(float, open(os.path.join(work, f"time_{algo}.txt")).read().split())
        sec = t1 - t0
        kept = re.search(r"\b(logit|tree|gbdt|blend)\b", star[0]).group(1) if star else "?"
        rows.append((f"acrm train --algo {algo}" + (" (default)" if algo == "auto" else "") + f" → {kept}",
                     roc_auc_score(yte, s), sec, f"{cv.group(1)} ± {cv.group(2)}" if cv else ""))

    best_peer = max(rows[0][1], rows[1][1])
    print(f"\n## {os.path.basename(train_csv)} → {os.path.basename(test_csv)}: {len(tr):,} / {len(te):,} rows, "
          f"target {col} = {pos} ({ytr.mean():.1%} / {yte.mean():.1%})\n")
    print("| model | test AUC | CV AUC printed | fit time |")
    print("|---|---|---|---|")
    for name, auc, sec, cv in rows:
        print(f"| {name} | {auc:.4f} | {cv or '–'} | {sec:.1f} s |")
    print(f"\nacrm default − best peer: {rows[2][1] - best_peer:+.4f}; acrm logit − scikit-learn LR: {rows[3][1] - rows[0][1]:+.4f}")


if __name__ == "__main__":
    main()
