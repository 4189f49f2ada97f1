# Smoke tests of `mailsim bench`: tiny sizes, JSON checked for every figure
# and for a correct measured run (tests/bench_check.py). No wall-time
# assertions. The full benchmarks and the ns-3 comparison are run by hand:
# see docs/performance.md.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(check kernel tcp smtp mail mailbox usage)
    add_test(NAME bench.${check}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bench_check.py $<TARGET_FILE:mailsim> ${check})
    set_tests_properties(bench.${check} PROPERTIES TIMEOUT 300)
  endforeach()
  # mailsim's engines beside a throwaway Dovecot, tiny; skipped (77) when
  # Dovecot is not installed, failed when it is and does not run.
  add_test(NAME bench.mailbox-dovecot
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bench_check.py $<TARGET_FILE:mailsim> mailbox-dovecot)
  set_tests_properties(bench.mailbox-dovecot PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
else()
  message(WARNING "python3 not found: the bench.* smoke tests are skipped")
endif()
