# IMAP data half (issue 5): a short bounded fuzz run of the sequence-set,
# SEARCH and FETCH parsers with evaluation and rendering (skipped without
# clang/libFuzzer); longer runs: tests/fuzz/run-fuzz.sh imap_parse SECONDS.
add_test(NAME fuzz.imap_parse COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh imap_parse 20)
set_tests_properties(fuzz.imap_parse PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
