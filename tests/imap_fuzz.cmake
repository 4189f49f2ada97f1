# IMAP engines (mailbox access): short bounded fuzz runs of the server and
# client engines (skipped without clang and libFuzzer); longer runs:
# tests/fuzz/run-fuzz.sh imap_server SECONDS.
foreach(target imap_server imap_client)
  add_test(NAME fuzz.${target} COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh ${target} 20)
  set_tests_properties(fuzz.${target} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
endforeach()
