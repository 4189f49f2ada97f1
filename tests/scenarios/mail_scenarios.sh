#!/bin/sh
# Runs every mail scenario and checks its expectations (exit status) and, for
# the note's sessions, the exact server replies in the transcript.
set -u
pass=0
fail=0
check() { # name, command...
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}
for s in juan-maria telnet-smtp-1 esmtp-etrn mx-backup open-relay-spam bounce-and-retry starttls-eavesdrop turn-insecure; do
	check "$s meets its expectations" "$MAILSIM" run --quiet "$SRC/scenarios/$s.json"
done
out=$("$MAILSIM" run "$SRC/scenarios/telnet-smtp-1.json")
for line in "S: 220 smtp-1.dc.uba.ar ESMTP" "S: 250 smtp-1.dc.uba.ar" "S: 250 ok" \
	"S: 354 go ahead punk, make my day" "S: 250 ok 1150944635 qp 24023 by smtp-1.dc.uba.ar" \
	"S: 221 smtp-1.dc.uba.ar Goodbye."; do
	check "telnet-smtp-1 shows '$line'" sh -c 'printf "%s\n" "$1" | grep -qF -- "$2"' sh "$out" "$line"
done
out=$("$MAILSIM" run "$SRC/scenarios/esmtp-etrn.json")
check "esmtp-etrn: ETRN answered" sh -c 'printf "%s\n" "$1" | grep -qF "Queuing for node mindflip.com started"' sh "$out"
check "esmtp-etrn: new session to nakula" sh -c 'printf "%s\n" "$1" | grep -qF -- "--- arjuna connects to nakula:25"' sh "$out"
out=$("$MAILSIM" run "$SRC/scenarios/open-relay-spam.json")
check "open-relay-spam: the strict server refuses" sh -c 'printf "%s\n" "$1" | grep -qF "Relay access denied"' sh "$out"
out=$("$MAILSIM" run "$SRC/scenarios/turn-insecure.json")
check "turn-insecure: TURN accepted and roles reversed" sh -c 'printf "%s\n" "$1" | grep -qF "arjuna -> mallory     C: EHLO arjuna.mindflip.com"' sh "$out"
check "turn-insecure: the held mail reaches mallory" sh -c 'printf "%s\n" "$1" | grep -qF "path sender > arjuna > mallory"' sh "$out"
# POP3 against IMAP: the phone idling on IMAP sees the POP3 download's
# deletions as EXPUNGE and the new message as EXISTS; the lock refuses the
# second POP3 client, not the IMAP one.
out=$("$MAILSIM" run "$SRC/scenarios/pop3-vs-imap.json")
check "pop3-vs-imap meets its expectations" "$MAILSIM" run --quiet "$SRC/scenarios/pop3-vs-imap.json"
for line in "mx-maria -> maria-phone         S: * 1 EXPUNGE" "mx-maria -> maria-phone         S: * 1 EXISTS" \
	"mx-maria -> maria-desktop       S: -ERR [IN-USE]" "pop3: UPDATE: 2 messages removed" \
	"told while idling: 1 EXISTS, 0 FETCH, 2 EXPUNGE"; do
	check "pop3-vs-imap shows '$line'" sh -c 'printf "%s\n" "$1" | grep -qF -- "$2"' sh "$out" "$line"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
