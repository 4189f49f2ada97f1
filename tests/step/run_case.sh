#!/bin/sh
# Runs one stepper or explain case and compares its output with the
# expected file: tests/step/NAME.args holds the mailsim arguments (one per
# line; @SRC@ is the source tree), NAME.in what is typed (stdin; absent:
# nothing), NAME.lang the LANG it runs under (absent: C), NAME.expected the output (stdout and stderr) followed by a line
# "exit N". With REGEN=1 the expected file is rewritten instead (after a
# deliberate change to the stepper or the catalogue; review the diff).
#   run_case.sh MAILSIM SRC WORKDIR NAME
set -u
mailsim=$1 src=$2 work=$3 name=$4
dir=$src/tests/step
mkdir -p "$work"
args=$work/$name.argv
sed "s|@SRC@|$src|g" "$dir/$name.args" > "$args"
lang=C
[ -f "$dir/$name.lang" ] && lang=$(cat "$dir/$name.lang")
input=/dev/null
[ -f "$dir/$name.in" ] && input=$dir/$name.in
out=$work/$name.out
# Arguments one per line: read them into the positional parameters.
set --
while IFS= read -r a; do set -- "$@" "$a"; done < "$args"
env -u LC_ALL -u LC_MESSAGES LANG="$lang" NO_COLOR= "$mailsim" "$@" < "$input" > "$out" 2>&1
echo "exit $?" >> "$out"
sed -i "s|$src/||g" "$out"
if [ "${REGEN:-0}" = 1 ]; then
	cp "$out" "$dir/$name.expected"
	echo "regenerated $dir/$name.expected"
	exit 0
fi
if diff -u "$dir/$name.expected" "$out"; then
	echo "1 passed, 0 failed"
	exit 0
fi
echo "0 passed, 1 failed: $name (output in $out)"
exit 1
