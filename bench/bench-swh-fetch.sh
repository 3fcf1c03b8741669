#!/bin/bash
# bench-swh-fetch.sh [CORPUS.jsonl.zst] - swh-fetch against a local server.
#
# Makes N (default 20,000) gzip objects from the corpus, laid out like the
# Software Heritage bucket (bench/swh_fetch_objects.py; kept between runs
# under $BENCH_TMP), serves them with nginx on 127.0.0.1 (started here,
# stopped by PID), and fetches them all with swh-fetch -j 1, 8 and 64
# (the default --threads: CPUs - 1 workers check and decode; and -j 64
# with --threads 0, all on the network thread):
# objects/s, MB/s (of file content) and CPU seconds per 1,000 objects.
# Beside it, the approach swh-fetch replaces, one object at a time: a
# loop of curl per blob (then gunzip), and boto3 get_object in a Python
# loop (bench/swh_fetch_ref.py, as The Stack v2's builder did), on the
# first PEER_OBJECTS (default 2,000) objects.  Then where swh-fetch's CPU
# goes (perf, by library) for -j 64, and --mirror as the no-network bound.
# Run it alone: flock /tmp/codesift-bench.lock bench/bench-swh-fetch.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${OBJECTS:-20000}
PEER=${PEER_OBJECTS:-2000}
py=/usr/bin/python3; [ -x $py ] || py=python3
tmp=${BENCH_TMP:-/tmp}
objs=$tmp/codesift-swh-fetch-objects-$N
run=$(mktemp -d "$tmp/bench-swh-fetch.XXXXXX")
ngx_pid= fs_pid=

cleanup() {
	[ -n "$ngx_pid" ] && kill "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null
	[ -n "$fs_pid" ] && kill "$fs_pid" 2>/dev/null && wait "$fs_pid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT

if [ ! -e "$objs/.done" ]; then
	f=$(corpus_file "${1:-}")
	echo "making $N objects from $f in $objs ..."
	rm -rf "$objs"
	$py "$BENCH_TOP/bench/swh_fetch_objects.py" "$f" "$N" "$objs"
	touch "$objs/.done"
fi
meta=$objs/meta.jsonl
[ "$(wc -l < "$meta")" -eq "$N" ]
raw_bytes=$(jq -s 'map(.length_bytes) | add' "$meta")
gz_bytes=$(find "$objs/content" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
head -"$PEER" "$meta" > "$run/peer.jsonl"
peer_raw=$(jq -s 'map(.length_bytes) | add' "$run/peer.jsonl")

# nginx, one process in the foreground, no logs; GET /softwareheritage/x
port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$run/ngx"
cat > "$run/ngx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
pid $run/ngx/nginx.pid;
error_log $run/ngx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nodelay on;
	keepalive_requests 10000000;
	keepalive_timeout 300;
	default_type application/octet-stream;
	client_body_temp_path $run/ngx/body;
	proxy_temp_path $run/ngx/proxy;
	fastcgi_temp_path $run/ngx/fastcgi;
	uwsgi_temp_path $run/ngx/uwsgi;
	scgi_temp_path $run/ngx/scgi;
	server {
		listen 127.0.0.1:$port;
		location /softwareheritage/ { alias $objs/; }
	}
}
EOF
/usr/sbin/nginx -c "$run/ngx/nginx.conf" -p "$run/ngx" 3>&- &
ngx_pid=$!
url=http://127.0.0.1:$port
for i in $(seq 100); do
	curl -fsS -o /dev/null "$url/softwareheritage/content/$(head -1 "$meta" | jq -r .blob_id)" 2>/dev/null && break
	sleep 0.05
done

echo "swh-fetch on $N objects: $raw_bytes bytes of content, $gz_bytes bytes gzip; nginx on $url"
echo "(peers on the first $PEER objects; $(nproc) CPUs, shared)"

# measure NAME OBJECTS RAW_BYTES CMD...: wall, user, sys, RSS -> one line
measure() {
	local name=$1 n=$2 raw=$3 t u s m
	shift 3
	/usr/bin/time -f '%e %U %S %M' -o "$run/time" "$@" > "$run/out" 2> "$run/err" ||
		{ echo "bench: $name failed:" >&2; tail -3 "$run/err" >&2; return 1; }
	read -r t u s m < "$run/time"
	awk -v n="$name" -v c="$n" -v b="$raw" -v t="$t" -v u="$u" -v s="$s" -v m="$m" 'BEGIN {
		if (t <= 0) t = 0.001
		printf "%-30s %8.0f objects/s %7.1f MB/s %7.3f CPU-s/1000 %7.1f MB RSS\n",
		    n, c / t, b / t / 1e6, (u + s) * 1000 / c, m / 1024 }'
	echo "$t $u $s" > "$run/last"
}

rate() {	# rate FILE N: objects/s of the last measure
	awk -v n="$2" '{ print n / ($1 > 0 ? $1 : 0.001) }' "$1"
}

measure "swh-fetch -j 1" "$N" "$raw_bytes" swh-fetch -q -j 1 --endpoint "$url" "$meta"
r1=$(rate "$run/last" "$N")
measure "swh-fetch -j 8" "$N" "$raw_bytes" swh-fetch -q -j 8 --endpoint "$url" "$meta"
r8=$(rate "$run/last" "$N")
cp "$run/out" "$run/j8.jsonl"
measure "swh-fetch -j 64" "$N" "$raw_bytes" swh-fetch -q -j 64 --endpoint "$url" "$meta"
r64=$(rate "$run/last" "$N")
read -r t64 u64 s64 < "$run/last"
cmp -s "$run/out" "$run/j8.jsonl" || { echo "bench: -j 64 and -j 8 outputs differ" >&2; exit 1; }
[ "$(wc -l < "$run/out")" -eq "$N" ] || { echo "bench: not every object arrived" >&2; exit 1; }
cp "$run/out" "$run/j64.jsonl"
measure "swh-fetch -j 64 --threads 0" "$N" "$raw_bytes" swh-fetch -q -j 64 --threads 0 --endpoint "$url" "$meta"
measure "swh-fetch --mirror (no network)" "$N" "$raw_bytes" swh-fetch -q --mirror "$objs" "$meta"

# one object at a time: curl per blob (then gunzip), and boto3
jq -r .blob_id "$run/peer.jsonl" > "$run/ids"
cat > "$run/curl-loop.sh" <<EOF
while read -r id; do
	curl -sf "$url/softwareheritage/content/\$id" | gunzip -c
done < "$run/ids"
EOF
measure "curl per blob | gunzip (loop)" "$PEER" "$peer_raw" bash "$run/curl-loop.sh"
rcurl=$(rate "$run/last" "$PEER")
measure "python boto3 get_object loop" "$PEER" "$peer_raw" \
    $py "$BENCH_TOP/bench/swh_fetch_ref.py" "$url" "$run/peer.jsonl"
rboto=$(rate "$run/last" "$PEER")
# the Python loop got the same texts
cmp <(jq -c .content "$run/out") <(head -"$PEER" "$run/j64.jsonl" | jq -c .content) ||
	{ echo "bench: boto3 loop and swh-fetch disagree" >&2; exit 1; }

echo "ratios, objects/s (higher is faster):"
inv() { awk -v r="$1" 'BEGIN { print 1 / r }'; }	# objects/s -> s/object
ratio "swh-fetch -j 64 vs boto3 loop" "$(inv "$r64")" "$(inv "$rboto")"
ratio "swh-fetch -j 64 vs curl loop" "$(inv "$r64")" "$(inv "$rcurl")"
ratio "swh-fetch -j 8 vs boto3 loop" "$(inv "$r8")" "$(inv "$rboto")"
ratio "swh-fetch -j 1 vs boto3 loop" "$(inv "$r1")" "$(inv "$rboto")"

# With S3's latency instead of loopback's: tests/swh-fetch/fault-server.py
# answers after LATENCY_MS (default 20, a typical time to first byte).
lat=${LATENCY_MS:-20}
lp=$run/fault.port
$py "$BENCH_TOP/tests/swh-fetch/fault-server.py" --root "$objs" --port-file "$lp" \
    --delay "$(awk -v l="$lat" 'BEGIN { print l / 1000 }')" 3>&- &
fs_pid=$!
for i in $(seq 100); do [ -s "$lp" ] && break; sleep 0.05; done
furl=http://127.0.0.1:$(cat "$lp")
head -2000 "$meta" > "$run/m2000.jsonl"
head -200 "$meta" > "$run/m200.jsonl"
r2000=$(jq -s 'map(.length_bytes) | add' "$run/m2000.jsonl")
r200=$(jq -s 'map(.length_bytes) | add' "$run/m200.jsonl")
echo "with ${lat} ms per request (Python test server), 2,000 objects (200 for the loops):"
measure "  swh-fetch -j 64" 2000 "$r2000" swh-fetch -q -j 64 --endpoint "$furl" "$run/m2000.jsonl"
l64=$(rate "$run/last" 2000)
measure "  swh-fetch -j 8" 2000 "$r2000" swh-fetch -q -j 8 --endpoint "$furl" "$run/m2000.jsonl"
measure "  swh-fetch -j 1" 200 "$r200" swh-fetch -q -j 1 --endpoint "$furl" "$run/m200.jsonl"
measure "  python boto3 get_object loop" 200 "$r200" \
    $py "$BENCH_TOP/bench/swh_fetch_ref.py" "$furl" "$run/m200.jsonl"
lboto=$(rate "$run/last" 200)
kill "$fs_pid" 2>/dev/null; wait "$fs_pid" 2>/dev/null || true
fs_pid=
ratio "swh-fetch -j 64 vs boto3 loop, ${lat} ms" "$(inv "$l64")" "$(inv "$lboto")"

# where the CPU of -j 64 goes, by library: perf's shares of the samples
# applied to the CPU time measured above
if command -v perf > /dev/null && perf record -q -F 999 -o "$run/perf.data" \
    swh-fetch -q -j 64 --endpoint "$url" "$meta" > /dev/null 2> "$run/perf.err"; then
	cpu=$(awk -v u="$u64" -v s="$s64" 'BEGIN { print u + s }')	# of -j 64
	perf report -i "$run/perf.data" --sort dso --stdio 2> /dev/null |
	    awk -v cpu="$cpu" -v n="$N" '/^ *[0-9.]+%/ {
		p = $1; sub("%", "", p); d = $2
		if (d ~ /^\[kernel/) k += p; else if (d ~ /libcurl/) c += p
		else if (d ~ /libz\./) z += p; else if (d ~ /libcrypto|libssl/) o += p
		else if (d ~ /swh-fetch/) s += p; else if (d ~ /libc\./) l += p
		else x += p }
	    END {
		f = cpu * 1000 / n / 100
		printf "CPU of -j 64 by library, CPU-s per 1000 objects (%.3f in all):\n", cpu * 1000 / n
		printf "  swh-fetch itself (incl. libcommon) %.3f  libc %.3f  OpenSSL hashes %.3f\n", s * f, l * f, o * f
		printf "  libcurl %.3f  zlib %.3f  kernel (sockets, pipes) %.3f  other %.3f\n", c * f, z * f, k * f, x * f
		printf "  beyond curl and zlib (swh-fetch + libc + hashes): %.3f\n", (s + l + o) * f }'
fi
