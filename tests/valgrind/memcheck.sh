#!/bin/sh
# valgrind's memcheck over every scenario run (issue 9 item 5): no invalid
# read or write, no use of uninitialised memory, no definite or indirect
# leak. Scenarios are globbed when the test runs, so new ones are covered.
# Also a hand-typed session of `mailsim telnet` and a `mailsim step` run.
#   memcheck.sh MAILSIM SRCDIR
# Exit 77 (skipped) without valgrind.
mailsim=$1 src=$2
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
passed=0 failed=0
for f in "$src"/scenarios/*.json "$src"/scenarios/*/*.json; do
	[ -f "$f" ] || continue
	if $vg "$mailsim" run --quiet --seed 3 "$f" >/dev/null 2>/tmp/memcheck.$$; then
		passed=$((passed + 1))
	elif [ $? = 99 ]; then
		echo "memcheck: errors in $f:"; cat /tmp/memcheck.$$; failed=$((failed + 1))
	else
		# a scenario whose expectations fail under another seed is fine
		# here; only memcheck's verdict counts.
		grep -q '^==' /tmp/memcheck.$$ && { echo "memcheck: $f:"; cat /tmp/memcheck.$$; failed=$((failed + 1)); } ||
			passed=$((passed + 1))
	fi
done
if printf 'HELO a\nMAIL FROM:<juan@gmail.com>\nRCPT TO:<mcarri@dc.uba.ar>\nDATA\nhola\n.\nQUIT\n' |
	$vg "$mailsim" telnet "$src/scenarios/telnet-smtp-1.json" --from milagro --to smtp-1 >/dev/null 2>/tmp/memcheck.$$; then
	passed=$((passed + 1))
else
	echo "memcheck: errors in mailsim telnet:"; cat /tmp/memcheck.$$; failed=$((failed + 1))
fi
if printf 'n\nb 250\nc\ns mx\nq\n' | $vg "$mailsim" step --predict "$src/scenarios/juan-maria.json" >/dev/null 2>/tmp/memcheck.$$; then
	passed=$((passed + 1))
else
	echo "memcheck: errors in mailsim step:"; cat /tmp/memcheck.$$; failed=$((failed + 1))
fi
rm -f /tmp/memcheck.$$
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
