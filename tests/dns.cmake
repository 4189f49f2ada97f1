# DNS: a benchmark, not a test. build/bin/bench_dns prints what an MX lookup
# through the simulated server and resolver costs (tests/dns/bench_dns.c).
add_executable(bench_dns ${CMAKE_CURRENT_SOURCE_DIR}/dns/bench_dns.c)
target_link_libraries(bench_dns PRIVATE mailsim_sim)
