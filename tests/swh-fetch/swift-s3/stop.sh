#!/usr/bin/env bash
# (copied from the project's ../shared/examples/swift-s3/stop.sh for
# swh-fetch's tests; see README.md in this directory)
# stop.sh - stop every process that start.sh recorded in its state
# directory, by PID, wait until they are gone, then remove the directory.
#
# Usage:  stop.sh [--keep] [STATE_DIR]
#   STATE_DIR defaults to $SWIFT_S3_STATE (printed by start.sh).
#   --keep   stop the processes but leave the directory (logs) in place.
#
# Each run/NAME.pid has a run/NAME.start next to it holding the process'
# start time; a PID whose start time differs was recycled by the kernel
# for some other process and is left alone.  Exits non-zero if a process
# survives SIGKILL.  Linux only (reads /proc).
set -euo pipefail

log() { printf '%s stop.sh: %s\n' "$(date +%T.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

keep=0
if [[ ${1:-} == --keep ]]; then keep=1; shift; fi
state=${1:-${SWIFT_S3_STATE:-}}
[[ -n $state ]] || die "usage: stop.sh [--keep] [STATE_DIR] (or set SWIFT_S3_STATE)"
[[ -d $state ]] || { log "$state does not exist, nothing to stop"; exit 0; }
# Refuse to touch (let alone rm -rf) a directory start.sh did not make.
[[ -f $state/.swift-s3-state ]] || die "$state is not a swift-s3 state directory"

# True while PID exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

start_time() {
  local stat f
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -ra f <<<"${stat##*) }"
  printf '%s\n' "${f[19]}"
}

# The proxy first, so that no request is half-served by a dying backend.
order=(proxy-server object-server container-server account-server memcached)
shopt -s nullglob
for f in "$state"/run/*.pid; do
  n=${f##*/}; n=${n%.pid}
  [[ " ${order[*]} " == *" $n "* ]] || order+=("$n")
done

pids=() names=()
for n in "${order[@]}"; do
  f=$state/run/$n.pid
  [[ -f $f ]] || continue
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || { log "$f: bad pid '$pid', skipped"; continue; }
  if ! alive "$pid"; then
    log "$n (pid $pid) was not running"
  elif [[ -f $state/run/$n.start && $(start_time "$pid") != "$(<"$state/run/$n.start")" ]]; then
    log "$n: pid $pid now belongs to another process, left alone"
  else
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid") names+=("$n")
  fi
done

# wait_gone MS: poll until none of pids[] is alive, at most MS ms.
wait_gone() {
  local t0 p any
  t0=$(now_ms)
  while :; do
    any=0
    for p in "${pids[@]}"; do alive "$p" && { any=1; break; }; done
    (( any )) || return 0
    (( $(now_ms) - t0 < $1 )) || return 1
    sleep 0.05
  done
}

rc=0
if (( ${#pids[@]} )) && ! wait_gone 10000; then
  for i in "${!pids[@]}"; do
    if alive "${pids[i]}"; then
      log "${names[i]} (pid ${pids[i]}) ignored SIGTERM for 10 s, sending SIGKILL"
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
  done
  wait_gone 5000 || { log "ERROR: some processes survived SIGKILL"; rc=1; }
fi
(( ${#pids[@]} )) && log "stopped ${names[*]} (pids ${pids[*]})"

if (( keep == 0 && rc == 0 )); then
  rm -rf "$state"
fi
exit "$rc"
