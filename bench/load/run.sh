#!/usr/bin/env bash
# make load: acrm serve on DB under a bounded loopback load (bench/load), then stopped.
# Usage: bench/load/run.sh DB [SECONDS] [CLIENTS]
# LOAD_SERVE_CPUS / LOAD_CLIENT_CPUS pin serve and the load generator to CPUs (taskset -c
# lists, e.g. 0 and 1) so that the two do not share a core; LOAD_PROFILE=FILE writes serve's
# CPU profile of the run (go tool pprof bin/acrm FILE).
set -euo pipefail
db=${1:?usage: bench/load/run.sh DB [SECONDS] [CLIENTS]}
secs=${2:-30}
clients=${3:-32}
addr=127.0.0.1:${LOAD_PORT:-18080}
pin() { local cpus=$1; shift; if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi; }
ids=$(./bin/acrm sql --db "$db" --format csv "SELECT max(customer_id) FROM customers" | tail -n 1)
go build -o bin/load ./bench/load
prof=()
[[ -n ${LOAD_PROFILE:-} ]] && prof=(--cpuprofile "$LOAD_PROFILE")
(pin "${LOAD_SERVE_CPUS:-}" ./bin/acrm serve --db "$db" --addr "$addr" "${prof[@]}") &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
until curl -sf "http://$addr/healthz" >/dev/null; do
	kill -0 $pid 2>/dev/null || { echo "load: acrm serve exited" >&2; exit 1; }
	sleep 1
done
echo "serve pid $pid on CPUs ${LOAD_SERVE_CPUS:-any}, load generator on CPUs ${LOAD_CLIENT_CPUS:-any}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
(pin "${LOAD_CLIENT_CPUS:-}" ./bin/load -url "http://$addr" -ids "$ids" -duration "${secs}s" -c "$clients" -pid $pid)
