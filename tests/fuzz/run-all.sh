#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ (each fuzz_NAME.c) for a
# bounded time, through run-fuzz.sh, and sums up.
#
#   tests/fuzz/run-all.sh [-j N] [-t TARGET]... SECONDS
#
# -j N runs N targets at a time (default 1: one after another; mind the
# shared machine). -t TARGET restricts the run to the named targets. Each
# target's output goes to $FUZZ_WORKDIR/logs/NAME.log (default work dir
# /tmp/mailsim-fuzz, as for run-fuzz.sh); at the end one line per target:
#
#   fuzz smtp_server: runs 1234567 in 600 s, findings 0: ok
#
# "findings" counts the crash, leak, timeout and out-of-memory inputs the
# run left in the work dir (NAME-crash-*). Exit status: 0 if no target found
# anything, 1 if any did (or failed to build), 2 usage, 77 if clang or
# libFuzzer is unavailable (nothing ran).
set -uo pipefail

usage() {
	echo "usage: $0 [-j N] [-t TARGET]... SECONDS" >&2
	exit 2
}

jobs=1
only=()
while getopts "j:t:h" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	t) only+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
seconds=$1
case $seconds in '' | *[!0-9]*) echo "run-all: SECONDS must be a whole number, not \"$seconds\"" >&2; exit 2 ;; esac
case $jobs in '' | *[!0-9]* | 0) echo "run-all: -j needs a whole number of at least 1, not \"$jobs\"" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORKDIR:-/tmp/mailsim-fuzz}
export FUZZ_WORKDIR=$work
mkdir -p "$work/logs"

targets=()
for src in "$here"/fuzz_*.c; do
	name=$(basename "$src" .c)
	targets+=("${name#fuzz_}")
done
if [ ${#only[@]} -gt 0 ]; then
	for t in "${only[@]}"; do
		if [ ! -f "$here/fuzz_$t.c" ]; then
			echo "run-all: no such target: $t (targets: ${targets[*]})" >&2
			exit 2
		fi
	done
	targets=("${only[@]}")
fi

crashes() { # how many finding files target $1 has in the work dir
	local n=0 f
	for f in "$work/$1"-crash-*; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo $n
}

declare -A before status started ended
run_one() { # target; runs in the background
	local t=$1
	"$here/run-fuzz.sh" "$t" "$seconds" >"$work/logs/$t.log" 2>&1
	echo $? >"$work/logs/$t.status"
}

running=0
for t in "${targets[@]}"; do
	while [ "$running" -ge "$jobs" ]; do
		wait -n
		running=$((running - 1))
	done
	before[$t]=$(crashes "$t")
	rm -f "$work/logs/$t.status"
	echo "run-all: $t for ${seconds}s (log $work/logs/$t.log)"
	started[$t]=$(date +%s)
	run_one "$t" &
	running=$((running + 1))
done
wait

found=0
skipped=0
for t in "${targets[@]}"; do
	rc=$(cat "$work/logs/$t.status" 2>/dev/null || echo 1)
	log=$work/logs/$t.log
	# libFuzzer's last "Done N runs in S second(s)", else its final stats.
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
	[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$secs" ] || secs=$(sed -n 's/^stat::total_time_s\?: *//p' "$log" | tail -1)
	new=$(($(crashes "$t") - ${before[$t]}))
	case $rc in
	0) verdict=ok ;;
	77) verdict="skipped (no clang/libFuzzer)"; skipped=$((skipped + 1)) ;;
	*)
		if [ "$new" -gt 0 ] || grep -q '^==[0-9]*==ERROR\|^SUMMARY: \|deadly signal' "$log"; then
			verdict="FOUND something (see $log and $work/$t-crash-*)"
			[ "$new" -gt 0 ] || new=1
		else
			verdict="FAILED with status $rc (see $log)"
		fi
		found=1
		;;
	esac
	echo "fuzz $t: runs ${runs:-?} in ${secs:-?} s, findings $new: $verdict"
done
if [ "$found" -eq 0 ] && [ "$skipped" -eq ${#targets[@]} ]; then
	exit 77
fi
exit $found
