#!/usr/bin/env bash
# (copied from the project's ../shared/examples/swift-s3/start.sh for
# swh-fetch's tests; see README.md in this directory)
# start.sh - start a throwaway OpenStack Swift with the S3 API (s3api +
# tempauth, AWS Signature V4 verified) on 127.0.0.1, for tests.
#
# Starts memcached and the Swift account, container, object and proxy
# servers as plain background processes, each bound to 127.0.0.1 on a free
# port chosen now, with every file (configs, rings, the "disk", logs, pid
# files) in a fresh directory under ${TMPDIR:-/tmp}.  Waits until they
# answer, creates the bucket, then prints shell export lines on stdout:
#
#   eval "$(./start.sh)"     # S3_ENDPOINT, AWS_ACCESS_KEY_ID, ... are set
#   ...                      # talk S3 to $S3_ENDPOINT (path-style)
#   ./stop.sh                # stops everything listed in $SWIFT_S3_STATE
#
# Progress and errors go to stderr.  On failure it stops what it started,
# shows the end of each log, removes its directory and exits non-zero.
#
# Environment (all optional):
#   S3_BUCKET            bucket to create (default: softwareheritage)
#   SWIFT_S3_TIMEOUT     give up if not ready after this many seconds (60)
#   SWIFT_S3_KEEP_FAILED=1  keep the state directory when start-up fails
#
# Needs the Debian 12 packages swift swift-proxy swift-account
# swift-container swift-object memcached curl (see README.md).  Linux only.
set -euo pipefail

bucket=${S3_BUCKET:-softwareheritage}
region=us-east-1
# tempauth user "test:tester" with key "testing" (Swift's usual test user).
# For s3api the access key is "<account>:<user>", colon included.
account=test user=tester secret=testing
access_key=$account:$user

here=$(cd "$(dirname "$0")" && pwd)
log() { printf '%s start.sh: %s\n' "$(date +%T.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

for cmd in swift-ring-builder swift-proxy-server swift-account-server \
           swift-container-server swift-object-server memcached curl; do
  command -v "$cmd" >/dev/null || die "$cmd not found; apt-get install swift swift-proxy swift-account swift-container swift-object memcached curl"
done
# The servers always read the cluster-wide /etc/swift/swift.conf (hash
# prefix/suffix and storage policies); Debian's "swift" package ships one.
[[ -r /etc/swift/swift.conf ]] || die "/etc/swift/swift.conf missing (it comes with the swift package)"

# True while PID exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Start time of PID in clock ticks since boot (field 22 of /proc/PID/stat).
# stop.sh compares it so that it never signals a recycled PID.
start_time() {
  local stat f
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -ra f <<<"${stat##*) }"
  printf '%s\n' "${f[19]}"
}

cleanup() {
  (( ok )) && return 0
  log "start-up failed, stopping what was started"
  SWIFT_S3_STATE=$state "$here/stop.sh" --keep || true
  local f
  for f in "$state"/log/*-server.log "$state"/log/memcached.log; do
    [[ -s $f ]] || continue
    log "--- last lines of ${f##*/}"; tail -n 8 "$f" >&2
  done
  if [[ ${SWIFT_S3_KEEP_FAILED:-0} == 1 ]]; then
    log "state directory kept: $state"
  else
    rm -rf "$state"
  fi
}

# ---------------------------------------------------------------- state
ok=0
[[ ${SWIFT_S3_TIMEOUT:-60} =~ ^[0-9]+$ ]] || die "SWIFT_S3_TIMEOUT must be a number of seconds"
t_start=$(now_ms)
deadline=$(( t_start + ${SWIFT_S3_TIMEOUT:-60} * 1000 ))
state=$(mktemp -d "${TMPDIR:-/tmp}/swift-s3.XXXXXX")
state=$(cd "$state" && pwd -P)   # the servers chdir to /, so make it absolute
mkdir -p "$state"/{etc,node/d1,run,log}
: >"$state/.swift-s3-state"     # marker: stop.sh only removes such directories
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The object server keeps metadata in user.* extended attributes; tmpfs has
# them only since Linux 6.6.  Check with the Python that runs Swift.
read -ra swift_python < <(sed -n '1s/^#! *//p' "$(command -v swift-object-server)")
"${swift_python[@]}" -c 'import os, sys; os.setxattr(sys.argv[1], "user.swift-s3-check", b"1")' \
    "$state/node/d1" 2>/dev/null ||
  die "the file system under ${TMPDIR:-/tmp} has no user xattrs, which Swift needs; point TMPDIR at another one"

used_ports=()
# Sets REPLY to a port on 127.0.0.1 that nothing listens on.  Ports come
# from 20000-32767, below Linux's default ephemeral range (32768-60999), so
# outgoing connections do not take them between this check and the bind.
pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 12768 ))
    [[ " ${used_ports[*]} " == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+=("$p"); REPLY=$p; return 0
    fi
  done
  die "found no free port"
}

# spawn NAME CMD [ARGS...]: run CMD in the background with stdin from
# /dev/null, stdout and stderr to log/NAME.log and no other inherited file
# descriptor (bats, for one, waits until its fds 3 and up are closed), and
# record its pid in run/NAME.pid.
spawn() {
  local name=$1; shift
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if (( fd > 2 )); then exec {fd}>&-; fi
    done
    exec "$@"
  ) </dev/null >"$state/log/$name.log" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" >"$state/run/$name.pid"
  start_time "$pid" >"$state/run/$name.start" || true
}

# ---------------------------------------------------------------- configs
me=$(id -un)    # Swift servers setuid to "user" (default: swift)

# write_storage_conf NAME PORT: account-, container- or object-server.conf
write_storage_conf() {
  cat >"$state/etc/$1-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $2
# workers = 0: serve from this one process, no forked workers, so the pid
# in run/ is the whole server.
workers = 0
# Give up after 2 s (default 30) if the port is in use.
bind_timeout = 2
user = $me
swift_dir = $state/etc
devices = $state/node
mount_check = false
disable_fallocate = true
log_name = $1-server
log_level = INFO

[pipeline:main]
pipeline = healthcheck $1-server

[app:$1-server]
use = egg:swift#$1

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
}

write_proxy_conf() {   # write_proxy_conf PROXY_PORT MEMCACHED_PORT
  cat >"$state/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
bind_timeout = 2
user = $me
swift_dir = $state/etc
log_name = proxy-server
log_level = INFO

[pipeline:main]
# s3api must come right before the auth middleware (tempauth); slo after it
# enables multipart upload.
# (versioned_writes is listed only because the proxy inserts it otherwise.)
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
# Region in the SigV4 credential scope; any other region gets 400
# AuthorizationHeaderMalformed.
location = $region

[filter:tempauth]
use = egg:swift#tempauth
# user_<account>_<user> = <key> [groups]; S3 access key "$access_key",
# secret "$secret".
user_${account}_${user} = $secret .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$2

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
EOF
}

# build_ring KIND PORT: etc/KIND.ring.gz with one device, one replica.
build_ring() {
  local b="$state/etc/$1.builder"
  rm -f "$b" "$state/etc/$1.ring.gz"
  {
    swift-ring-builder "$b" create 2 1 0 &&
    swift-ring-builder "$b" add --region 1 --zone 1 --ip 127.0.0.1 \
      --port "$2" --device d1 --weight 100 &&
    swift-ring-builder "$b" rebalance
  } >>"$state/log/ring-$1.log" 2>&1 || die "swift-ring-builder failed for $1"
}

# ready_http PORT: the server's healthcheck middleware answers "OK".
ready_http() { curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$1/healthcheck" 2>/dev/null; }

# ready_memcached PORT: memcached answers the "version" command.
ready_memcached() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'version\r\n' >&3
  IFS= read -r -t 2 line <&3 || line=
  exec 3>&-
  [[ $line == VERSION* ]]
}

# listeners PORT: inodes of the sockets listening on 127.0.0.1:PORT.
listeners() {
  local addr
  printf -v addr '0100007F:%04X' "$1"
  awk -v a="$addr" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp
}

# holds PID INODE: one of PID's file descriptors is socket INODE.
holds() {
  local fd
  for fd in /proc/"$1"/fd/*; do
    [[ $(readlink "$fd" 2>/dev/null) == "socket:[$2]" ]] && return 0
  done
  return 1
}

# wait_ready NAME PORT CHECK: wait until NAME's process is the only one
# listening on 127.0.0.1:PORT and CHECK PORT passes.  If it exits, or some
# other process listens there too, stop it and return 1 so that the caller
# retries on another port.  (Swift's servers set SO_REUSEPORT, so a second
# server on a port already in use binds without error and the kernel then
# splits the connections between the two.)  Dies at the deadline.
wait_ready() {
  local name=$1 port=$2 check=$3 pid inodes
  pid=$(<"$state/run/$name.pid")
  while :; do
    if ! alive "$pid"; then
      log "$name (pid $pid) exited during start-up; last lines of its log:"
      tail -n 3 "$state/log/$name.log" >&2
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    mapfile -t inodes < <(listeners "$port")
    if (( ${#inodes[@]} == 1 )) && holds "$pid" "${inodes[0]}"; then
      "$check" "$port" && break
    elif (( ${#inodes[@]} )); then
      log "$name: another process listens on 127.0.0.1:$port too, moving"
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    (( $(now_ms) < deadline )) || die "$name not ready after ${SWIFT_S3_TIMEOUT:-60} s"
    sleep 0.05
  done
  log "$name ready on 127.0.0.1:$port (pid $pid), $(( $(now_ms) - t_start )) ms"
}

# start_storage KIND PORT
start_storage() {
  write_storage_conf "$1" "$2"
  spawn "$1-server" "swift-$1-server" "$state/etc/$1-server.conf" --verbose
}

# ---------------------------------------------------------------- start
# memcached and the three storage servers do not need the rings, so start
# them all at once and build the rings (which hold their ports) meanwhile.
declare -A port
for name in memcached account container object proxy; do
  pick_port; port[$name]=$REPLY
done

# -u: memcached refuses to run as root without it.  -U 0: no UDP.
start_memcached() {
  spawn memcached memcached -l 127.0.0.1 -p "$1" -U 0 -t 1 -m 16 -u "$me"
}
start_memcached "${port[memcached]}"
for kind in account container object; do
  start_storage "$kind" "${port[$kind]}"
done
ring_pids=()
for kind in account container object; do
  build_ring "$kind" "${port[$kind]}" &
  ring_pids+=("$!")
done
for pid in "${ring_pids[@]}"; do
  wait "$pid" || die "building the rings failed"
done

# If a port was taken between pick_port and bind (by a concurrent start.sh,
# say), retry that server on another port, rebuilding its ring.
until wait_ready memcached "${port[memcached]}" ready_memcached; do
  pick_port; port[memcached]=$REPLY
  start_memcached "${port[memcached]}"
done
for kind in account container object; do
  until wait_ready "$kind-server" "${port[$kind]}" ready_http; do
    pick_port; port[$kind]=$REPLY
    build_ring "$kind" "${port[$kind]}"
    start_storage "$kind" "${port[$kind]}"
  done
done

# The proxy reads the rings when it starts, so it comes last.
write_proxy_conf "${port[proxy]}" "${port[memcached]}"
spawn proxy-server swift-proxy-server "$state/etc/proxy-server.conf" --verbose
until wait_ready proxy-server "${port[proxy]}" ready_http; do
  pick_port; port[proxy]=$REPLY
  write_proxy_conf "${port[proxy]}" "${port[memcached]}"
  spawn proxy-server swift-proxy-server "$state/etc/proxy-server.conf" --verbose
done
endpoint=http://127.0.0.1:${port[proxy]}

# ---------------------------------------------------------------- bucket
# PUT /<bucket> signed with SigV4.  curl's --user splits at the first ':',
# and the access key contains one, so the credentials go in a netrc file.
netrc="$state/etc/netrc"
( umask 077; printf 'machine 127.0.0.1 login %s password %s\n' "$access_key" "$secret" >"$netrc" )
empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
while :; do
  code=$(curl -sS -o "$state/log/create-bucket.xml" -w '%{http_code}' -m 10 \
           -X PUT --aws-sigv4 "aws:amz:$region:s3" --netrc-file "$netrc" \
           -H "x-amz-content-sha256: $empty_sha256" "$endpoint/$bucket") || code=000
  [[ $code == 200 ]] && break
  # 5xx can happen while the proxy's first requests meet cold servers.
  if [[ $code != 5* && $code != 000 ]] || (( $(now_ms) > deadline )); then
    { cat "$state/log/create-bucket.xml"; echo; } >&2 2>/dev/null || true
    die "PUT /$bucket got HTTP $code"
  fi
  sleep 0.2
done
# Last check for a late collision: each port has one listener, ours.
for k in memcached account container object proxy; do
  n=$k; [[ $k == memcached ]] || n=$k-server
  mapfile -t inodes < <(listeners "${port[$k]}")
  if (( ${#inodes[@]} != 1 )) || ! holds "$(<"$state/run/$n.pid")" "${inodes[0]}"; then
    die "$n: 127.0.0.1:${port[$k]} is shared with another process"
  fi
done
log "bucket $bucket created; Swift S3 API ready at $endpoint after $(( $(now_ms) - t_start )) ms"

ok=1
printf 'export %s=%q\n' \
  S3_ENDPOINT "$endpoint" \
  S3_BUCKET "$bucket" \
  AWS_ACCESS_KEY_ID "$access_key" \
  AWS_SECRET_ACCESS_KEY "$secret" \
  AWS_REGION "$region" \
  SWIFT_S3_STATE "$state"
