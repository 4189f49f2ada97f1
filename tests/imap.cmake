# IMAP (mailbox access): the scenarios imap-two-clients and imap-search meet
# their expectations and show their lesson in the transcript; tshark
# decodes the IMAP commands from a capture; a bounded fuzz run of the IMAP
# server and client engines.
add_test(NAME scenario.imap
  COMMAND ${CMAKE_COMMAND} -E env "MAILSIM=$<TARGET_FILE:mailsim>" "SRC=${CMAKE_SOURCE_DIR}"
          sh ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/imap_scenarios.sh)
set_tests_properties(scenario.imap PROPERTIES TIMEOUT 300)

add_test(NAME scenario.imap-pcap
  COMMAND sh -c "command -v tshark >/dev/null || exit 77; mkdir -p \"$(dirname \"$3\")\"; \"$1\" run --quiet --pcap \"$3\" \"$2\" >/dev/null || exit 1; \
cmds=$(tshark -r \"$3\" -Y imap.request.command -T fields -e imap.request.command | tr '\\n' ' '); \
search=$(tshark -r \"$3\" -Y imap -T fields -e imap.request | grep -c 'SEARCH FROM \"juan\"'); \
echo \"imap: $cmds\"; echo \"search: $search\"; \
[ \"$cmds\" = 'LOGIN SELECT SEARCH FETCH STORE SEARCH LOGOUT ' ] && [ \"$search\" = 1 ] && echo '1 passed, 0 failed'"
          sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/imap-search.json ${CMAKE_BINARY_DIR}/test-work/imap-search.pcap)
set_tests_properties(scenario.imap-pcap PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
