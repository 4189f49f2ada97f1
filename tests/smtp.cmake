# SMTP engines (issue 4): short bounded fuzz runs of the server and client
# engines, seeded from the transcripts (skipped without clang/libFuzzer);
# longer runs: tests/fuzz/run-fuzz.sh smtp_server SECONDS. The transcripts
# themselves are replayed by unit.smtp_server.
foreach(target smtp_server smtp_client)
  add_test(NAME fuzz.${target} COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh ${target} 20)
  set_tests_properties(fuzz.${target} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
endforeach()
