# POP3 (issue 5): short bounded fuzz runs of the server and client engines
# (skipped without clang/libFuzzer; longer runs: tests/fuzz/run-fuzz.sh
# pop3_server SECONDS), the pop3-download scenario end to end, and tshark
# decoding its POP3 from the capture. The transcripts are replayed by
# unit.pop3_server, the RFC 1321 suite by unit.md5.
foreach(target pop3_server pop3_client)
  add_test(NAME fuzz.${target} COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh ${target} 20)
  set_tests_properties(fuzz.${target} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
endforeach()

# The scenario meets its expectations (the server keeps nothing, laptop and
# phone hold both messages, the ledger balances), and its transcript shows
# the lock refusing the laptop, the UPDATE, and a byte-stuffed line.
add_test(NAME scenario.pop3-download
  COMMAND sh -c "out=$(\"$1\" run \"$2\") || { printf '%s\\n' \"$out\"; exit 1; }; \
for want in 'maria-laptop -> mx            C: APOP maria ' 'S: -ERR [IN-USE] maildrop already locked by another session' \
  'mx pop3: UPDATE: 2 messages removed from maria@dominio.de.maria' 'S: ..linea con punto' \
  'S: +OK mx.dominio.de.maria POP3 server signing off (maildrop empty)' '--- maria-phone connects to mx:110 (POP3) ---'; do \
  printf '%s\\n' \"$out\" | grep -qF -- \"$want\" || { echo \"transcript lacks: $want\"; exit 1; }; done; echo '1 passed, 0 failed'"
          sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/pop3-download.json)
set_tests_properties(scenario.pop3-download PROPERTIES TIMEOUT 120)

# tshark decodes the POP3 sessions of the capture: every command in order,
# the [IN-USE] refusal, and no TCP analysis flags (skipped without tshark).
add_test(NAME scenario.pop3-pcap
  COMMAND sh -c "command -v tshark >/dev/null || exit 77; mkdir -p \"$(dirname \"$3\")\"; \"$1\" run --quiet --pcap \"$3\" \"$2\" >/dev/null || exit 1; \
pop=$(tshark -r \"$3\" -Y pop.request.command -T fields -e pop.request.command | tr '\\n' ' '); \
inuse=$(tshark -r \"$3\" -Y 'pop.response.description contains \"IN-USE\"' | wc -l); \
flags=$(tshark -r \"$3\" -Y tcp.analysis.flags | wc -l); \
echo \"pop: $pop\"; echo \"in-use: $inuse\"; echo \"flags: $flags\"; \
[ \"$pop\" = 'APOP STAT UIDL LIST RETR RETR QUIT APOP STAT UIDL LIST QUIT USER PASS STAT UIDL APOP QUIT LIST RETR RETR QUIT APOP STAT UIDL LIST RETR DELE RETR DELE QUIT ' ] && [ \"$inuse\" = 1 ] && [ \"$flags\" = 0 ] && echo '1 passed, 0 failed'"
          sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/pop3-download.json ${CMAKE_BINARY_DIR}/test-work/pop3.pcap)
set_tests_properties(scenario.pop3-pcap PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
