#!/bin/bash
# stack.sh - run the monitoring stack on this machine, on loopback.
#
# usage: stack.sh start [--fast] DIR
#        stack.sh stop DIR
#        stack.sh status DIR
#
# start: a Pushgateway, an Alertmanager (alertmanager.yml) and a Prometheus
# (prometheus.yml with rules/) as plain processes on free 127.0.0.1 ports,
# with their state, logs and PIDs in DIR.  Prints, and writes to
# DIR/stack.env, the URLs to use:
#
#   PUSHGATEWAY_URL=http://127.0.0.1:PORT   (export it; the stage scripts push there)
#   PROMETHEUS_URL=...  ALERTMANAGER_URL=...
#
# --fast scrapes and evaluates every second instead of every 15 s (tests).
# stop: stops the processes started in DIR, by their PIDs.
# Grafana is not part of it (not in Debian): point one at PROMETHEUS_URL and
# provision grafana/ (README, "Running it").
#
# Needs the Debian packages prometheus, prometheus-pushgateway,
# prometheus-alertmanager, and curl.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "stack.sh: $*" >&2; exit 1; }
usage() { sed -n 's/^# \{0,1\}//; 3,5p' "$0" >&2; exit 2; }

# a 127.0.0.1 port nothing listens on, below the ephemeral range
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		grep -qx "$p" "$dir/ports" 2>/dev/null && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p" >> "$dir/ports"
			echo "$p"
			return
		fi
	done
	die "found no free port"
}

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat:0:1}" != Z ]
}

# start_daemon NAME READY_PATH CMD...: @PORT@ in CMD is a free port
start_daemon() {
	local name=$1 ready=$2 attempt port pid t a args
	shift 2
	for attempt in 1 2 3; do
		port=$(free_port)
		args=()
		for a in "$@"; do args+=("${a//@PORT@/$port}"); done
		"${args[@]}" > "$dir/$name.log" 2>&1 < /dev/null 3>&- &
		pid=$!
		for ((t = 0; t < 300; t++)); do
			alive "$pid" || break
			if curl -fs -o /dev/null "http://127.0.0.1:$port$ready"; then
				echo "$name $pid $port" >> "$dir/pids"
				REPLY=$port
				return
			fi
			sleep 0.05
		done
		if alive "$pid"; then
			kill "$pid" 2>/dev/null || true
			die "$name not ready after 15 s (see $dir/$name.log)"
		fi
		echo "stack.sh: $name exited at start-up (attempt $attempt):" >&2
		tail -n 3 "$dir/$name.log" >&2
	done
	die "could not start $name"
}

stop() {
	local name pid port i
	[ -f "$dir/pids" ] || return 0
	while read -r name pid port; do
		if alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 100; i++)); do
				alive "$pid" || break
				sleep 0.1
			done
			alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
		fi
		echo "stack.sh: stopped $name (pid $pid)" >&2
	done < <(tac "$dir/pids")
	rm -f "$dir/pids" "$dir/ports"
}

[ $# -ge 2 ] || usage
cmd=$1
shift
fast=0
if [ "$cmd" = start ] && [ "$1" = --fast ]; then
	fast=1
	shift
fi
[ $# -eq 1 ] || usage
dir=$1

case $cmd in
start)
	for c in prometheus promtool prometheus-pushgateway \
	    prometheus-alertmanager curl; do
		command -v "$c" > /dev/null ||
			die "$c not found (apt-get install prometheus prometheus-pushgateway prometheus-alertmanager curl)"
	done
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ ! -s "$dir/pids" ] || die "$dir already has a running stack (stack.sh stop $dir)"
	trap 'st=$?; [ $st = 0 ] || stop; exit $st' EXIT
	# --persistence.file="": nothing shared with a system Pushgateway
	start_daemon pushgateway /-/ready prometheus-pushgateway \
	    --web.listen-address=127.0.0.1:@PORT@ --persistence.file=
	pgw=$REPLY
	# an empty --cluster.listen-address: no gossip port on 0.0.0.0:9094
	start_daemon alertmanager /-/ready prometheus-alertmanager \
	    --config.file="$here/alertmanager.yml" \
	    --storage.path="$dir/alertmanager" \
	    --web.listen-address=127.0.0.1:@PORT@ --cluster.listen-address=
	am=$REPLY
	sed -e "s|localhost:9091|127.0.0.1:$pgw|" \
	    -e "s|localhost:9093|127.0.0.1:$am|" \
	    -e "s|^  - rules/|  - $here/rules/|" \
	    "$here/prometheus.yml" > "$dir/prometheus.yml"
	if [ "$fast" = 1 ]; then
		sed -i -e 's/^  scrape_interval: .*/  scrape_interval: 1s/' \
		    -e 's/^  evaluation_interval: .*/  evaluation_interval: 1s/' \
		    "$dir/prometheus.yml"
	fi
	promtool check config "$dir/prometheus.yml" > /dev/null ||
		die "the generated $dir/prometheus.yml is not valid"
	start_daemon prometheus /-/ready prometheus \
	    --config.file="$dir/prometheus.yml" \
	    --storage.tsdb.path="$dir/tsdb" \
	    --web.listen-address=127.0.0.1:@PORT@
	prom=$REPLY
	cat > "$dir/stack.env" <<EOF
PUSHGATEWAY_URL=http://127.0.0.1:$pgw
PROMETHEUS_URL=http://127.0.0.1:$prom
ALERTMANAGER_URL=http://127.0.0.1:$am
EOF
	cat "$dir/stack.env"
	echo "stack.sh: running; stop it with: $0 stop $dir" >&2
	trap - EXIT ;;
stop)
	[ -d "$dir" ] || die "no such directory: $dir"
	stop ;;
status)
	[ -f "$dir/pids" ] || { echo "stack.sh: not running" >&2; exit 1; }
	st=0
	while read -r name pid port; do
		if alive "$pid"; then
			echo "$name pid $pid on 127.0.0.1:$port"
		else
			echo "$name pid $pid: not running"
			st=1
		fi
	done < "$dir/pids"
	exit $st ;;
*)
	usage ;;
esac
