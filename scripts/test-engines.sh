#!/usr/bin/env bash
# make test-engines: the compiled SQL run on real engines, each started here in a temporary
# directory on loopback and torn down at the end —
#   PostgreSQL 15 (Debian's postgresql-15: initdb + pg_ctl as an unprivileged user), and
#   ClickHouse (Debian's clickhouse-server 18.16) as a two-shard cluster: two server processes,
#   the customer tables as Distributed tables over both.
# What is missing is installed with apt-get when this runs as root (or with sudo that needs no
# password) and apt-get works. An engine that cannot be had is SKIPPED with a banner saying why;
# ACRM_ENGINES_REQUIRED=1 turns a skip into a failure.
# Ports: ACRM_ENGINES_PG_PORT and ACRM_ENGINES_CH_PORTS (two, comma-separated) pick them;
# otherwise free loopback ports are found.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# Sample sizes (the tests' defaults are what CI runs): ACRM_ENGINES_CUSTOMERS for the models'
# parity, ACRM_ENGINES_JOB_CUSTOMERS for the ranked offers of the emitted job.
tmp=$(mktemp -d /tmp/acrm-engines.XXXXXX)
chmod 755 "$tmp"
run_as=()
if [ "$(id -u)" = 0 ]; then
	# PostgreSQL refuses to run as root; both engines run as nobody.
	run_as=(runuser -u nobody --)
fi
pids=()
cleanup() {
	if [ -x "$PGBIN/pg_ctl" ] && [ -d "$tmp/pg/data" ]; then
		"${run_as[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1 || true
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

skip() {
	echo "################################################################"
	echo "### ENGINE SKIPPED: $1"
	echo "### $2"
	echo "################################################################"
	skipped+=("$1")
}
skipped=()

# A free TCP port on loopback: one nothing answers on, from 20000–39999.
freeport() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	echo "no free port found on 127.0.0.1" >&2
	echo 0
}

need=()
[ -x "$PGBIN/initdb" ] || need+=(postgresql-15)
command -v clickhouse-server >/dev/null || [ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server)
command -v clickhouse-client >/dev/null || need+=(clickhouse-client)
if [ ${#need[@]} -gt 0 ]; then
	sudo=()
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo -n -l apt-get >/dev/null 2>&1; then
		sudo=(sudo -n)
	fi
	if ! command -v apt-get >/dev/null; then
		echo "missing ${need[*]}, and there is no apt-get here to install them"
	elif [ "$(id -u)" != 0 ] && [ ${#sudo[@]} = 0 ]; then
		echo "missing ${need[*]}: installing needs root, and this runs as $(id -un) without password-less sudo"
		echo "(run once: sudo apt-get install postgresql-15 clickhouse-server clickhouse-client)"
	else
		echo "installing ${need[*]} with ${sudo[*]:+${sudo[*]} }apt-get"
		t0=$SECONDS
		export DEBIAN_FRONTEND=noninteractive
		("${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}") </dev/null >"$tmp/apt.log" 2>&1 &&
			echo "installed in $((SECONDS - t0)) s" ||
			{ echo "apt-get failed:"; tail -5 "$tmp/apt.log"; }
	fi
fi

# PostgreSQL 15
if [ -x "$PGBIN/initdb" ]; then
	mkdir -p "$tmp/pg" && chown -R "$( [ "$(id -u)" = 0 ] && echo nobody || id -un )" "$tmp/pg"
	pgport=${ACRM_ENGINES_PG_PORT:-$(freeport)}
	if "${run_as[@]}" "$PGBIN/initdb" -D "$tmp/pg/data" -U acrm --auth=trust -E UTF8 >"$tmp/pg/initdb.log" 2>&1 &&
		"${run_as[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$tmp/pg -c fsync=off -c synchronous_commit=off" start >/dev/null; then
		export ACRM_PG_PORT=$pgport ACRM_PG_USER=acrm
		echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport ($tmp/pg)"
	else
		skip postgres "initdb/pg_ctl failed: $(tail -3 "$tmp/pg/initdb.log" "$tmp/pg/log" 2>/dev/null | tr '\n' ' ')"
	fi
else
	skip postgres "no $PGBIN/initdb (apt-get install postgresql-15)"
fi

# ClickHouse, two shards; a query may use ACRM_ENGINES_CH_MAX_MEMORY bytes per server (a
# GROUP BY spills to disk past half of it).
chmem=${ACRM_ENGINES_CH_MAX_MEMORY:-6000000000}
chsrv=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
if [ -x "$chsrv" ] && command -v clickhouse-client >/dev/null; then
	if [ -n "${ACRM_ENGINES_CH_PORTS:-}" ]; then
		IFS=, read -r p1 p2 <<<"$ACRM_ENGINES_CH_PORTS"
	else
		p1=$(freeport); p2=$(freeport)
		while [ "$p2" = "$p1" ]; do p2=$(freeport); done
	fi
	for i in 1 2; do
		d="$tmp/ch$i"; mkdir -p "$d/data" "$d/tmp" "$d/user_files"
		tcp=$([ $i = 1 ] && echo "$p1" || echo "$p2")
		cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/server.err.log</errorlog><size>100M</size><count>1</count></logger>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_concurrent_queries>20</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers>
    <acrm>
      <shard><replica><host>127.0.0.1</host><port>$p1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$p2</port></replica></shard>
    </acrm>
  </remote_servers>
</yandex>
XML
		cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>$chmem</max_memory_usage><max_bytes_before_external_group_by>$((chmem / 2))</max_bytes_before_external_group_by></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
		[ "$(id -u)" = 0 ] && chown -R nobody "$d"
		(cd "$d" && exec "${run_as[@]}" "$chsrv" --config-file="$d/config.xml" >"$d/stdout.log" 2>&1) &
		pids+=($!)
	done
	ok=0
	for _ in $(seq 60); do
		if clickhouse-client --port "$p1" -q "SELECT 1" >/dev/null 2>&1 && clickhouse-client --port "$p2" -q "SELECT 1" >/dev/null 2>&1; then ok=1; break; fi
		sleep 1
	done
	if [ $ok = 1 ]; then
		export ACRM_CH_PORTS="$p1,$p2"
		echo "ClickHouse $(clickhouse-client --port "$p1" -q 'SELECT version()') two shards on 127.0.0.1:$p1 and :$p2 ($tmp/ch1, $tmp/ch2)"
	else
		skip clickhouse "the servers did not answer in 60 s: $(tail -3 "$tmp"/ch1/server.err.log "$tmp"/ch1/stdout.log 2>/dev/null | tr '\n' ' ')"
	fi
else
	skip clickhouse "no clickhouse-server/clickhouse-client (apt-get install clickhouse-server clickhouse-client)"
fi

export ACRM_ENGINES_TMP=$tmp
"$GO" test -count=1 -timeout "${ACRM_ENGINES_TIMEOUT:-60m}" -run "${ACRM_ENGINES_TESTS:-^TestEngine}" -v ./analysis/sqlgen 2>&1 | tee "$tmp/test.log" | grep -E '^(=== RUN|--- |\s+engines_test|ok|FAIL|PASS)|SKIP|Δ'
rc=${PIPESTATUS[0]}
# CPU the engine servers used (their own and their finished children's), for sizing CI.
cpu=0
for p in $(pgrep -f -- "$tmp/" || true); do
	[ -r "/proc/$p/stat" ] || continue
	set -- $(sed 's/^.*) //' "/proc/$p/stat")
	cpu=$((cpu + ${12} + ${13} + ${14} + ${15}))
done
echo "engine servers used $((cpu / $(getconf CLK_TCK))) CPU-s"
for i in 1 2; do
	for p in $(pgrep -f -- "$tmp/ch$i/config.xml" || true); do
		hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null)
		[ -n "$hwm" ] && [ "$hwm" -gt 20000 ] && echo "ClickHouse shard $i peak RSS $((hwm / 1024)) MB"
	done
done
if [ ${#skipped[@]} -gt 0 ]; then
	echo "################################################################"
	echo "### make test-engines: SKIPPED ${skipped[*]} (see above) — those engines were NOT tested"
	echo "################################################################"
	if [ "${ACRM_ENGINES_REQUIRED:-0}" = 1 ]; then rc=1; fi
fi
exit $rc
