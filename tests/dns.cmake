# DNS: a benchmark, not a test. build/bin/bench_dns prints what an MX lookup
# through the simulated server and resolver costs (tests/dns/bench_dns.c).
add_executable(bench_dns ${CMAKE_CURRENT_SOURCE_DIR}/dns/bench_dns.c)
target_link_libraries(bench_dns PRIVATE mailsim_sim)

# A short bounded fuzz run of the DNS wire parser (round trip through the
# builder; skipped without clang/libFuzzer); longer runs:
# tests/fuzz/run-fuzz.sh dns SECONDS.
add_test(NAME fuzz.dns COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh dns 20)
set_tests_properties(fuzz.dns PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
