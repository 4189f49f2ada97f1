#!/bin/sh
# Runs a command and checks its exit code and that its standard error
# contains a text: expect_exit.sh CODE TEXT COMMAND [ARGS...]
code=$1
text=$2
shift 2
err=$("$@" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne "$code" ]; then
	echo "expected exit $code, got $rc: $err" >&2
	exit 1
fi
case "$err" in
*"$text"*) exit 0 ;;
*)
	echo "expected '$text' in: $err" >&2
	exit 1
	;;
esac
