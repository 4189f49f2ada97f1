#!/bin/sh
# The viewer draws a crashed host down until its restart: faults.json
# crashes mx-maria at 150.2 s and restarts it at 180 s.
#   crashed_host.sh MAILSIM FAULTS_JSON OUTDIR
set -u
mailsim=$1 scenario=$2 dir=$3
during=$("$mailsim" snapshot "$scenario" --at 160s --describe --out "$dir/crash.png") || exit 1
after=$("$mailsim" snapshot "$scenario" --at 190s --describe --out "$dir/up.png") || exit 1
if ! printf '%s\n' "$during" | grep -q '^host 2 mx-maria .* down$'; then
	echo "FAIL: at 160 s mx-maria is not drawn down:"; printf '%s\n' "$during" | grep '^host'; exit 1
fi
if printf '%s\n' "$after" | grep -q '^host .* down$'; then
	echo "FAIL: at 190 s a host is still drawn down:"; printf '%s\n' "$after" | grep '^host'; exit 1
fi
echo "ok: mx-maria down at 160 s, up again at 190 s"
