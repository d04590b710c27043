#!/usr/bin/env bash
# Peer benchmark: our logit and gbdt against scikit-learn LogisticRegression and xgboost
# (tree_method=hist, nthread=2) on the same encoded look-alike matrices and the same
# train / validation / test split.
#
#   bench/peers/run.sh                 30 products on 100,000 customers, then 1 product on 1,000,000
#   SIZES="100000" bench/peers/run.sh  only the first part
#
# Needs Debian's python3-sklearn and python3-xgboost (installed with apt-get if missing) and
# /usr/bin/python3. Workspaces are generated with acrm sample into $WORK (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-/tmp/acrm-peers}
SEED=${SEED:-42}
SIZES=${SIZES:-"100000 1000000"}
PRODUCTS_100K=${PRODUCTS_100K:-$(seq -s, 1 30)}
PRODUCT_1M=${PRODUCT_1M:-4}
PY=/usr/bin/python3

if ! $PY -c 'import sklearn, xgboost' 2>/dev/null; then
	echo "installing python3-sklearn python3-xgboost (apt-get)…" >&2
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get install -y python3-sklearn python3-xgboost >&2
fi
mkdir -p "$WORK" bin
go build -o bin/acrm ./cmd/acrm

for n in $SIZES; do
	db="$WORK/sample-$n.duckdb"
	if [ ! -f "$db" ]; then
		echo "generating $n customers into $db…" >&2
		./bin/acrm sample --db "$db" --customers "$n" --seed "$SEED" >&2
	fi
	if [ "$n" -ge 1000000 ]; then products=$PRODUCT_1M; else products=$PRODUCTS_100K; fi
	out="$WORK/matrices-$n"
	rm -rf "$out"
	echo "== $n customers, products $products: exporting and fitting ours (2 goroutines per fit)…" >&2
	./bin/acrm --db "$db" peers-export --dir "$out" --products "$products" --seed 1 --workers 2 >&2
	echo "== $n customers: scikit-learn and xgboost on the same matrices…" >&2
	$PY bench/peers/run.py "$out" "$n"
	rm -rf "$out"
done
