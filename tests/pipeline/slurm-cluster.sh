#!/bin/bash
# slurm-cluster.sh - a one-node Slurm cluster on loopback, for the tests.
#
# usage: slurm-cluster.sh start DIR     (prints SLURM_CONF=DIR/slurm.conf)
#        slurm-cluster.sh stop DIR
#
# Starts munged (its own key and socket in DIR), slurmctld and slurmd (a
# node of 2 CPUs, partition "debug") as root, on free 127.0.0.1 ports, with
# every state, spool and log file in DIR; stop kills them by PID.  Needs
# Debian's slurmctld, slurmd, slurm-client and munge (no systemd, no cgroup:
# proctrack/linuxproc, task/none).
set -euo pipefail

die() { echo "slurm-cluster.sh: $*" >&2; exit 1; }

free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
		    ! grep -qx "$p" "$dir/ports" 2>/dev/null; then
			echo "$p" >> "$dir/ports"
			echo "$p"
			return
		fi
	done
	die "no free port"
}

stop() {
	local name pid p i
	[ -f "$dir/pids" ] || return 0
	# cancel what still runs, so that each job's slurmstepd ends with it
	if SLURM_CONF=$dir/slurm.conf timeout 5 scancel --quiet --user=root 2>/dev/null; then
		for i in $(seq 1 20); do
			[ -z "$(SLURM_CONF=$dir/slurm.conf timeout 2 squeue -h -t R,CG 2>/dev/null)" ] && break
			sleep 0.1
		done
	fi
	while read -r name pid; do
		kill "$pid" 2>/dev/null || true
	done < <(tac "$dir/pids")
	sleep 0.5
	while read -r name pid; do
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
	done < "$dir/pids"
	# a job step whose slurmd is gone: this cluster's slurmstepd, by PID
	for p in $(pgrep -x slurmstepd 2>/dev/null); do
		if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null |
		    grep -qx "SLURM_CONF=$dir/slurm.conf"; then
			kill -9 "$p" 2>/dev/null || true
		fi
	done
	rm -f "$dir/pids"
}

[ $# -eq 2 ] || die "usage: slurm-cluster.sh start|stop DIR"
cmd=$1
dir=$2
case $cmd in
stop)
	stop
	exit 0 ;;
start) ;;
*) die "usage: slurm-cluster.sh start|stop DIR" ;;
esac

for c in munged slurmctld slurmd sbatch; do
	command -v "$c" > /dev/null ||
		die "$c not found (apt-get install slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs jobs as their user)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
trap 'st=$?; [ $st = 0 ] || stop; exit $st' EXIT
head -c 128 /dev/urandom > "$dir/munge/key"
chmod 600 "$dir/munge/key"
munged -F -f --socket="$dir/munge/sock" --key-file="$dir/munge/key" \
    --pid-file="$dir/munge/pid" --seed-file="$dir/munge/seed" \
    --log-file="$dir/munge/log" > "$dir/munged.out" 2>&1 < /dev/null 3>&- &
echo "munged $!" >> "$dir/pids"
for i in $(seq 1 50); do [ -S "$dir/munge/sock" ] && break; sleep 0.1; done
[ -S "$dir/munge/sock" ] || die "munged did not start: $(tail -2 "$dir/munged.out")"

host=$(hostname)
cat > "$dir/slurm.conf" <<EOF
ClusterName=codesifttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf
slurmctld -D -i > "$dir/slurmctld.out" 2>&1 < /dev/null 3>&- &
echo "slurmctld $!" >> "$dir/pids"
slurmd -D > "$dir/slurmd.out" 2>&1 < /dev/null 3>&- &
echo "slurmd $!" >> "$dir/pids"
for i in $(seq 1 100); do
	sinfo -h -o %t 2>/dev/null | grep -q '^idle' && break
	sleep 0.1
done
sinfo -h -o %t 2>/dev/null | grep -q '^idle' ||
	die "the node did not come up: $(tail -3 "$dir/slurmctld.log" "$dir/slurmd.log" 2>&1)"
trap - EXIT
echo "SLURM_CONF=$dir/slurm.conf"
