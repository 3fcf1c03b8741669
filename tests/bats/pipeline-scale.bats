#!/usr/bin/env bats
# Scale-out (pipelines/scale/): the sharded pipeline with GNU parallel and
# as Slurm job arrays gives the one-process dataset.
bats_require_minimum_version 1.5.0
load helpers

SC=$TOP/pipelines/scale

teardown() {
	# a test that failed half-way leaves no Slurm daemon behind
	if [ -f "$BATS_TEST_TMPDIR/slurm/pids" ]; then
		"$TOP/tests/pipeline/slurm-cluster.sh" stop "$BATS_TEST_TMPDIR/slurm"
	fi
}

@test "scale: split cuts the input into N contiguous shards, in order" {
	cd "$BATS_TEST_TMPDIR"
	"$SC/step.sh" -S scale.shards=4 -w w split "$SAMPLE"
	[ "$(ls w/shards | tr '\n' ' ')" = "00000.jsonl 00001.jsonl 00002.jsonl 00003.jsonl " ]
	cat w/shards/*.jsonl | cmp - "$SAMPLE"
	for f in w/shards/*.jsonl; do [ -s "$f" ]; done
	# compressed input; more shards than lines: the extra ones are empty
	head -3 "$SAMPLE" | zstd -q > in.jsonl.zst
	"$SC/step.sh" -S scale.shards=5 -w w2 split in.jsonl.zst
	[ "$(ls w2/shards | wc -l)" -eq 5 ]
	cat w2/shards/*.jsonl | cmp - <(head -3 "$SAMPLE")
	[ "$("$SC/step.sh" -S scale.shards=5 -w w2 list shards | tr '\n' ' ')" = "00000 00001 00002 00003 00004 " ]
	run "$SC/step.sh" -S scale.shards=0 -w w3 split "$SAMPLE"
	[ "$status" -eq 2 ]
}

@test "scale: step.sh -n prints each step's stage commands on the shared layout" {
	run "$SC/step.sh" -w W -n shard 00002
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "pipelines/stages/fetch.sh --reports W/reports --shard 00002 "*" W/shards/00002.jsonl W/fetched/00002.jsonl.zst" ]]
	[[ "${lines[2]}" == "pipelines/stages/dedup-exact.sh "*" map W/scrubbed/00002.jsonl.zst W/parts/00002" ]]
	run "$SC/step.sh" -S dedup_exact.partitions=3 -w W -n sign 00001
	[[ "${lines[0]}" == "pipelines/stages/dedup-exact.sh --shard 00001 merge W/kept/00000/00001.jsonl W/kept/00001/00001.jsonl W/kept/00002/00001.jsonl W/dedup-exact/00001.jsonl.zst" ]]
	run "$SC/step.sh" -w W -n bucket 9
	[ "$status" -eq 2 ]
	run "$SC/step.sh" -w W -n shard 7
	[ "$status" -eq 2 ]
	[[ "$output" == *"shard needs a shard id"* ]]
	run "$SC/step.sh" -w W -n nope
	[ "$status" -eq 2 ]
}

@test "scale: concat.sh joins the shards' outputs in order" {
	cd "$BATS_TEST_TMPDIR"
	printf 'a\n' | zstd -q > 1.zst
	printf 'b\n' | zstd -q > 2.zst
	printf 'c\n' > 3.jsonl
	"$SC/concat.sh" out.zst 1.zst 2.zst
	[ "$(zstd -dc out.zst | tr '\n' ' ')" = "a b " ]
	"$SC/concat.sh" out.jsonl.gz 2.zst 3.jsonl 1.zst
	[ "$(gzip -dc out.jsonl.gz | tr '\n' ' ')" = "b c a " ]
	run "$SC/concat.sh" out.zst 1.zst none.zst
	[ "$status" -eq 2 ]
}

@test "scale: slurm.sh submits the steps as arrays, each after the one before" {
	run "$SC/slurm.sh" -n -S scale.shards=8 -w /shared/run in.jsonl -- --partition=cpu
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 8 ]
	want=("split::" "shard:split:0-7" "reduce:shard:0-15" "sign:reduce:0-7"
	    "bucket:sign:1-5" "cluster:bucket:" "finish-shard:cluster:0-7"
	    "finish:finish_shard:")
	for i in "${!want[@]}"; do
		IFS=: read -r name dep array <<<"${want[i]}"
		l=${lines[i]}
		[[ "$l" == "sbatch --parsable --job-name=codesift-$name "* ]]
		[[ "$l" == *" --partition=cpu "* ]]
		[[ "$l" == *"--export=ALL\\,CODESIFT_HOME=$TOP "* ]]
		if [ -n "$dep" ]; then [[ "$l" == *"--dependency=afterok:\\\$JOB_$dep "* ]]; fi
		if [ -n "$array" ]; then [[ "$l" == *"--array=$array "* ]]; else [[ "$l" != *--array* ]]; fi
		[[ "$l" == *"/pipelines/scale/codesift.sbatch -S scale.shards=8 -w /shared/run ${name}"* ]]
	done
}

@test "scale: codesift.sbatch takes its index from SLURM_ARRAY_TASK_ID" {
	run env CODESIFT_HOME="$TOP" SLURM_ARRAY_TASK_ID=3 "$SC/codesift.sbatch" -w W -n shard
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == *" map W/scrubbed/00003.jsonl.zst W/parts/00003" ]]
	run env CODESIFT_HOME="$TOP" SLURM_ARRAY_TASK_ID=2 "$SC/codesift.sbatch" -w W -n bucket
	[[ "${lines[-1]}" == *" bucket "*" W/pairs/2.pairs" ]]
	run env -u CODESIFT_HOME SLURM_ARRAY_TASK_ID=2 "$SC/codesift.sbatch" -w W -n bucket
	[ "$status" -ne 0 ]
	[[ "$output" == *"set CODESIFT_HOME"* ]]
	run env CODESIFT_HOME="$TOP" "$SC/codesift.sbatch" -w W -n shard
	[ "$status" -ne 0 ]
	[[ "$output" == *"is an array step"* ]]
}

# the one-process run of the sample, through the demo's local bucket
one_process() {
	"$PY" "$TOP/pipelines/demo/build-mirror.py" "$SAMPLE" "$BATS_TEST_TMPDIR/mirror" > /dev/null
	"$TOP/pipelines/run.sh" -q -w "$BATS_TEST_TMPDIR/one" \
	    -S fetch.mirror="$BATS_TEST_TMPDIR/mirror" "$TOP/pipelines/demo/metadata.jsonl"
}

@test "scale: N=4 shards with GNU parallel == the one-process run" {
	cd "$BATS_TEST_TMPDIR"
	sets=(-S scale.shards=4 -S dedup_exact.partitions=3 -S dedup_near.bucket-parts=5
	    -S fetch.mirror="$BATS_TEST_TMPDIR/mirror")
	one_process
	run "$SC/parallel.sh" "${sets[@]}" -j 2 -w par "$TOP/pipelines/demo/metadata.jsonl"
	echo "$output"
	[ "$status" -eq 0 ]
	# the same records, in the same order
	cmp <(zstd -dc one/dataset.jsonl.zst) <(zstd -dc par/dataset.jsonl.zst)
	[ "$(zstd -dc par/dataset.jsonl.zst | wc -l)" -gt 300 ]
	# and the same funnel: each stage's records in and out, added over shards
	for s in fetch scrub dedup-exact dedup-near tokenize validate; do
		a=$(jq -s -c 'map(.records | [.in, .out]) | transpose | map(add)' one/reports/$s.summary.json)
		b=$(jq -s -c 'map(.records | [.in, .out]) | transpose | map(add)' par/reports/$s.0*.summary.json)
		[ "$a" = "$b" ] || { echo "$s: one process $a, sharded $b"; false; }
	done
	[ -s par/reports/stats/report.html ]
	jq -e . par/reports/stats/report.json > /dev/null
}

@test "scale: the Slurm job array steps, task by task == the one-process run" {
	one_process
	cd "$BATS_TEST_TMPDIR"
	p=(-S scale.shards=4 -S dedup_exact.partitions=2 -S dedup_near.bucket-parts=5
	    -S fetch.mirror="$BATS_TEST_TMPDIR/mirror")
	export CODESIFT_HOME=$TOP
	job() {			# job STEP [ARG]: one job, what slurmd would run
		"$SC/codesift.sbatch" "${p[@]}" -w slurm "$@"
	}
	array() {		# array STEP TASK...: the tasks of an array job
		local t
		for t in "${@:2}"; do
			SLURM_ARRAY_TASK_ID=$t "$SC/codesift.sbatch" "${p[@]}" -w slurm "$1"
		done
	}
	job split "$TOP/pipelines/demo/metadata.jsonl" 2>/dev/null
	array shard 3 1 0 2
	array reduce 1 0
	array sign 0 2 1 3
	array bucket 5 4 3 2 1
	job cluster
	array finish-shard 2 0 3 1
	job finish
	cmp <(zstd -dc one/dataset.jsonl.zst) <(zstd -dc slurm/dataset.jsonl.zst)
}

# state JOBID: the job's state (of its worst array task)
job_state() {
	scontrol -o show job "$1" 2>/dev/null |
	    grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' '
}

@test "scale: the chain slurm.sh submits runs on a real Slurm (one node on loopback)" {
	c=$BATS_TEST_TMPDIR/slurm
	"$TOP/tests/pipeline/slurm-cluster.sh" start "$c"
	export SLURM_CONF=$c/slurm.conf
	one_process
	cd "$BATS_TEST_TMPDIR"
	run "$SC/slurm.sh" -S scale.shards=2 -S dedup_exact.partitions=2 \
	    -S dedup_near.bucket-parts=1 -S fetch.mirror="$BATS_TEST_TMPDIR/mirror" \
	    -w "$BATS_TEST_TMPDIR/sl" "$TOP/pipelines/demo/metadata.jsonl" -- \
	    --cpus-per-task=1 --mem=1M --output="$BATS_TEST_TMPDIR/%x-%A_%a.out"
	echo "$output"
	[ "$status" -eq 0 ]
	jobs=$(grep -o 'job [0-9]*' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')
	[ "$(wc -w <<<"$jobs")" -eq 8 ]
	last=${lines[-1]}
	[ "$last" = "${jobs% }" ] || [ "$last" = "$(awk '{print $NF}' <<<"$jobs")" ]
	for ((t = 0; t < 600; t++)); do
		case $(job_state "$last") in *COMPLETED*|*FAILED*|*CANCELLED*) break ;; esac
		for j in $jobs; do
			[[ "$(job_state "$j")" != *FAILED* ]] || break 2
		done
		sleep 0.2
	done
	states=$(for j in $jobs; do job_state "$j"; done)
	stl=$(job_state "$last")
	scancel $jobs 2>/dev/null || true
	"$TOP/tests/pipeline/slurm-cluster.sh" stop "$c"
	echo "$states"
	[[ "$states" != *FAILED* ]]
	[ "$stl" = "JobState=COMPLETED " ]
	cmp <(zstd -dc one/dataset.jsonl.zst) <(zstd -dc sl/dataset.jsonl.zst)
}
