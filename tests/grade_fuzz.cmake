# The exercise loader and submission readers under libFuzzer for a short,
# bounded time (issue 9 item 3; the long runs use tests/fuzz/run-all.sh).
add_test(NAME fuzz.exercise COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh exercise 20)
set_tests_properties(fuzz.exercise PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
