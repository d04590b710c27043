// Package model holds the learning algorithms of acrm: regularized logistic
// regression, a readable decision tree / decision list, histogram gradient-boosted
// trees, probability calibration (Platt, isotonic) and the evaluation metrics used to
// compare propensity models (AUC, Gini, lift per decile, gains, Brier, calibration
// error). It is pure Go numerics: no database and no UI imports.
//
// Fit trains one of three algorithms on a dense Matrix with labels in {0,1}:
//
//   - Logit: mean log-loss + L2/2·‖β‖² + L1·Σ|β| (smoothed) on standardized features,
//     minimized with LBFGS from gonum/optimize; coefficients are reported on the
//     original scale.
//   - Tree: one CART tree with the Gini criterion on quantile bins, grown best-first
//     and pruned by a chi-square test; its leaves are the decision list that Rules
//     prints ("mobile_subs ≥ 8 and sector = transport").
//   - GBDT: histogram gradient boosting for the log-loss (xgboost's hist method):
//     ≤ 255 quantile bins per feature with NaN in its own bin, best-first growth with
//     depth and leaf limits, min child weight, L2 on leaf values, shrinkage, early
//     stopping on a validation split; histograms are built in parallel across
//     features from a row-major uint8 bin matrix with ordered gradients, and the
//     larger child's histogram is the parent's minus the smaller child's.
//
// Predictions are uncalibrated probabilities; FitCalibrator maps them to calibrated
// ones. Evaluate, AUC, StratifiedSplit and StratifiedKFold support the model contest,
// and Marshal/Unmarshal store a classifier as versioned JSON.
//
// Fit checks ctx between rounds (gbdt) and iterations (logit), reports Progress and
// takes its randomness from Options.Seed; nothing uses a global random source.
package model
