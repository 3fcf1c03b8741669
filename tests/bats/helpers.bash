# helpers.bash - shared set-up for the bats tests (load 'helpers').
#
# Puts the programs under test first on PATH ($CODESIFT_BIN: bin/ or the
# sanitizer build), and offers fixtures and small services (a Pushgateway
# on 127.0.0.1, stopped by PID).

TOP=${CODESIFT_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export CODESIFT_BIN=${CODESIFT_BIN:-$TOP/bin}
export PATH="$CODESIFT_BIN:$PATH"
FIXTURES=$TOP/tests/fixtures
SAMPLE=$FIXTURES/code-sample.jsonl
# Debian's python3 (has python3-jsonschema, python3-yaml)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# the sanitizer build must fail loudly on leaks and errors
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# free_port: print a TCP port free on 127.0.0.1
free_port() {
	"$PY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# wait_http URL [SECONDS]: poll until URL answers 2xx
wait_http() {
	local url=$1 t=${2:-10} i
	for ((i = 0; i < t * 10; i++)); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "wait_http: $url did not answer in ${t}s" >&2
	return 1
}

# start_pushgateway: start one on a free loopback port; sets PGW_URL and
# PGW_PID.  Stop it with stop_pushgateway (by PID).
start_pushgateway() {
	local port
	port=$(free_port)
	prometheus-pushgateway --web.listen-address="127.0.0.1:$port" \
	    --persistence.file="" >"$BATS_TEST_TMPDIR/pushgateway.log" 2>&1 &
	PGW_PID=$!
	PGW_URL="http://127.0.0.1:$port"
	wait_http "$PGW_URL/-/ready" 10
}

stop_pushgateway() {
	if [ -n "${PGW_PID:-}" ]; then
		kill "$PGW_PID" 2>/dev/null || true
		wait "$PGW_PID" 2>/dev/null || true
		PGW_PID=
	fi
}

# promtool_check FILE: promtool check metrics, plus what it misses
# (duplicate series, timestamps)
promtool_check() {
	promtool check metrics < "$1" || return 1
	local dups
	dups=$(grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort | uniq -d)
	[ -z "$dups" ] || { echo "duplicate series: $dups" >&2; return 1; }
	! grep -v '^#' "$1" | grep -Eq '} [^ ]+ [0-9]+$|^[a-z_:]+ [^ ]+ [0-9]+$'
}

# count_lines FILE: number of lines (0 for a missing file)
count_lines() {
	[ -e "$1" ] || { echo 0; return; }
	wc -l < "$1" | tr -d ' '
}
