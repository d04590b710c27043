#!/usr/bin/env bash
# The end-to-end peer comparison (bench/peers/raw.sh) on the generated sample's products:
# each product's raw look-alike table, as it enters training, is split 80/20 (stratified,
# seed 1) into a train and a test CSV (acrm peers-export --raw); acrm's default `acrm train
# --table`, its logit, scikit-learn's standard pipeline and xgboost are fitted on the train
# CSV and scored on the test CSV. Prints raw.sh's table per product and a summary.
#
#   bench/peers/sample.sh                                  20,000 and 100,000 customers
#   SIZES=20000 PRODUCTS=1,2,3 bench/peers/sample.sh       fewer
#
# Workspaces are generated with acrm sample into $WORK (kept between runs). Not part of
# make test.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-/tmp/acrm-peers}
SEED=${SEED:-42}
SIZES=${SIZES:-"20000 100000"}
PRODUCTS=${PRODUCTS:-1,2,3,5,7,10,20,30}
mkdir -p "$WORK" bin
go build -o bin/acrm ./cmd/acrm
for n in $SIZES; do
	db="$WORK/sample-$n.duckdb"
	if [ ! -f "$db" ]; then
		echo "generating $n customers into $db…" >&2
		./bin/acrm sample --db "$db" --customers "$n" --seed "$SEED" >&2
	fi
	out="$WORK/raw-$n"
	rm -rf "$out"
	./bin/acrm --db "$db" peers-export --raw --dir "$out" --products "$PRODUCTS" --seed 1 >&2
	summary="$out/summary.md"
	echo "| product | scikit-learn LR | xgboost | acrm default (kept) | CV AUC printed | acrm logit | default − best peer | logit − LR |" > "$summary"
	echo "|---|---|---|---|---|---|---|---|" >> "$summary"
	for d in "$out"/P*; do
		p=$(basename "$d")
		bash bench/peers/raw.sh "$d/train.csv" "$d/test.csv" target yes | tee "$d/table.md"
		awk -F'|' -v p="$p" '
			/scikit-learn LogisticRegression/ { lr = $3 + 0 }
			/^\| xgboost/ { xg = $3 + 0 }
			/--algo auto/ { auto = $3 + 0; cv = $4; kept = $2; sub(/.*→ /, "", kept); gsub(/ /, "", kept) }
			/--algo logit/ { lo = $3 + 0 }
			END {
				best = lr > xg ? lr : xg
				gsub(/^ +| +$/, "", cv)
				printf "| %s | %.4f | %.4f | %.4f (%s) | %s | %.4f | %+.4f | %+.4f |\n", p, lr, xg, auto, kept, cv, lo, auto - best, lo - lr
			}' "$d/table.md" >> "$summary"
	done
	echo
	echo "## $n customers: look-alike targets, test AUC on the held-out 20 %"
	echo
	cat "$summary"
done
