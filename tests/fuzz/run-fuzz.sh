#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a bounded time.
#
#   tests/fuzz/run-fuzz.sh TARGET SECONDS [libFuzzer options...]
#
# TARGET is the NAME of tests/fuzz/fuzz_NAME.c; it is compiled with clang
# -fsanitize=fuzzer,address,undefined together with every protocols/*.c
# (libc only, so no build system is needed). A target that needs more (the
# scenario loader needs sim/ and cJSON) lists it in tests/fuzz/NAME.sources:
# source globs relative to the top of the tree, and -l options. Seeds come from
# tests/fuzz/corpus/NAME/ (never written to); new inputs go to a working
# corpus in $FUZZ_WORKDIR (default /tmp/mailsim-fuzz), crashes to
# $FUZZ_WORKDIR/NAME-crash-*. Exit status: 0 nothing found, 1 a finding
# (or a build failure), 2 usage, 77 clang/libFuzzer unavailable (ctest skips).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 TARGET SECONDS [libFuzzer options...]" >&2
	exit 2
fi
target=$1
seconds=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/tests/fuzz/fuzz_$target.c
if [ ! -f "$src" ]; then
	echo "run-fuzz: no such target: $src" >&2
	exit 2
fi
cc=${CLANG:-clang}
if ! command -v "$cc" >/dev/null; then
	echo "run-fuzz: $cc not found; skipping" >&2
	exit 77
fi
work=${FUZZ_WORKDIR:-/tmp/mailsim-fuzz}
mkdir -p "$work/$target-corpus"
bin=$work/fuzz_$target
probe=$work/probe-$target.c
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer "$probe" -o "$work/probe-$target" 2>/dev/null; then
	echo "run-fuzz: $cc cannot build libFuzzer targets; skipping" >&2
	exit 77
fi
extra=()
if [ -f "$root/tests/fuzz/$target.sources" ]; then
	for word in $(grep -v '^#' "$root/tests/fuzz/$target.sources"); do
		case "$word" in
		-l*) extra+=("$word") ;;
		*) extra+=("$root"/$word) ;;
		esac
	done
fi
"$cc" -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I"$root" "$root"/protocols/*.c "$src" ${extra[@]+"${extra[@]}"} -o "$bin"
seeds=()
[ -d "$root/tests/fuzz/corpus/$target" ] && seeds+=("$root/tests/fuzz/corpus/$target")
echo "run-fuzz: $target for ${seconds}s (work dir $work)"
# libFuzzer's own exit status for a finding is 77, the status this script
# (and ctest) uses for "skipped": map findings and timeouts to 1.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -error_exitcode=1 -timeout_exitcode=1 \
	-artifact_prefix="$work/$target-crash-" -print_final_stats=1 "$@" \
	"$work/$target-corpus" "${seeds[@]}"
