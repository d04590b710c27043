#!/usr/bin/env bash
# make load: acrm serve on DB under a bounded loopback load (bench/load), then stopped.
# Usage: bench/load/run.sh DB [SECONDS] [CLIENTS]
set -euo pipefail
db=${1:?usage: bench/load/run.sh DB [SECONDS] [CLIENTS]}
secs=${2:-30}
clients=${3:-32}
addr=127.0.0.1:${LOAD_PORT:-18080}
ids=$(./bin/acrm sql --db "$db" --format csv "SELECT max(customer_id) FROM customers" | tail -n 1)
./bin/acrm serve --db "$db" --addr "$addr" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
until curl -sf "http://$addr/healthz" >/dev/null; do
	kill -0 $pid 2>/dev/null || { echo "load: acrm serve exited" >&2; exit 1; }
	sleep 1
done
go run ./bench/load -url "http://$addr" -ids "$ids" -duration "${secs}s" -c "$clients" -pid $pid
