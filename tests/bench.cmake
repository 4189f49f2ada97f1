# Smoke tests of `mailsim bench`: tiny sizes, JSON checked for every figure
# and for a correct measured run (tests/bench_check.py). No wall-time
# assertions. The full benchmarks and the ns-3 comparison are run by hand:
# see docs/performance.md.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(check kernel tcp smtp usage)
    add_test(NAME bench.${check}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bench_check.py $<TARGET_FILE:mailsim> ${check})
    set_tests_properties(bench.${check} PROPERTIES TIMEOUT 300)
  endforeach()
else()
  message(WARNING "python3 not found: the bench.* smoke tests are skipped")
endif()
