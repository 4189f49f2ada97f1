#!/bin/sh
# The IMAP scenarios (mailbox access): each meets its expectations, and its
# transcript shows what the lesson is about. imap-two-clients: the phone,
# idling, is told of the laptop's flag change, expunge and the new message
# at once, and \Recent went to the phone only. imap-search: only the
# numbers of the matching messages travel back, then only their envelopes.
set -u
pass=0
fail=0
check() { # name, command...
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}
has() { printf "%s\n" "$1" | grep -qF -- "$2"; }
at() { printf "%s\n" "$1" | grep -F -- "$2" | head -1 | awk '{print $1}'; }
# Two lines (the phone's news, the laptop's reply) at the same instant.
same_time() { a=$(at "$1" "$2"); b=$(at "$1" "$3"); [ -n "$a" ] && [ "$a" = "$b" ]; }
lacks() { ! printf "%s\n" "$1" | grep -qF -- "$2"; }
for s in imap-two-clients imap-search; do
	check "$s meets its expectations" "$MAILSIM" run --quiet "$SRC/scenarios/$s.json"
done
out=$("$MAILSIM" run "$SRC/scenarios/imap-two-clients.json")
check "phone idles" has "$out" "maria-phone -> mx-maria       C: A005 IDLE"
check "phone told of the flag at once" same_time "$out" "maria-phone       S: * 1 FETCH (FLAGS (\\Flagged \\Recent))" \
	"maria-laptop      S: A005 OK STORE completed"
check "phone told of the expunge at once" same_time "$out" "maria-phone       S: * 2 EXPUNGE" \
	"maria-laptop      S: A009 OK EXPUNGE completed"
check "phone told of the new message" has "$out" "mx-maria -> maria-phone       S: * 2 EXISTS"
check "laptop gets no \\Recent" has "$out" "mx-maria -> maria-laptop      S: * 0 RECENT"
check "phone's summary" has "$out" "seen live while idle: 1 new, 2 flag change(s), 1 expunged"
out=$("$MAILSIM" run "$SRC/scenarios/imap-search.json")
check "search runs on the server" has "$out" "C: A003 SEARCH FROM \"juan\""
check "only the numbers come back" has "$out" "S: * SEARCH 1 3 5"
check "then only those envelopes" has "$out" "C: A004 FETCH 1,3,5 (ENVELOPE)"
check "no message body is downloaded" lacks "$out" "BODY["
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
