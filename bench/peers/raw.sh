#!/usr/bin/env bash
# Peer comparison end to end on a raw table: acrm's default `acrm train --table` (and its
# logit alone) against scikit-learn's standard pipeline (one-hot for text, standardised
# numbers, LogisticRegression with C chosen by 5-fold CV) and xgboost, all on the same
# train CSV, scored on the same separate test CSV. Prints a table of test AUCs, the CV AUC
# acrm printed, and fit times.
#
#   bench/peers/raw.sh                                  the churn files in testdata/churn
#   bench/peers/raw.sh TRAIN.csv TEST.csv COLUMN VALUE  any pair of files; target COLUMN = VALUE
#
# Needs Debian's python3-sklearn, python3-xgboost and python3-pandas (/usr/bin/python3).
# Not part of make test (make peers-raw runs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
TRAIN=${1:-testdata/churn/mlc_churn_train.csv}
TEST=${2:-testdata/churn/mlc_churn_test.csv}
COL=${3:-churn}
POS=${4:-yes}
PY=/usr/bin/python3
if ! $PY -c 'import sklearn, xgboost, pandas' 2>/dev/null; then
	echo "needs python3-sklearn python3-xgboost python3-pandas: apt-get install -y python3-sklearn python3-xgboost python3-pandas" >&2
	exit 1
fi
WORK=$(mktemp -d /tmp/acrm-peers-raw.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/acrm" ./cmd/acrm
A="$WORK/acrm --db $WORK/ws.duckdb"
$A import "$TRAIN" --table peer_train >&2
$A import "$TEST" --table peer_test >&2
target="\"$COL\" = '$POS'"
for algo in auto logit; do
	t0=$(date +%s.%N)
	$A train --table peer_train --target "$target" --name "peer_$algo" --algo "$algo" > "$WORK/train_$algo.txt"
	t1=$(date +%s.%N)
	echo "$t0 $t1" > "$WORK/time_$algo.txt"
	$A score --model "peer_$algo" --table peer_test -o "$WORK/scores_$algo.csv" >&2
done
$PY bench/peers/raw.py "$TRAIN" "$TEST" "$COL" "$POS" "$WORK"
