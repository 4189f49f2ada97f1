# Scenario tests: malformed scenario files and their messages, the scenario
# library, and `mailsim run` end to end (demos, determinism, exit codes,
# summary). Driven by tests/scenarios/scenario_tests.py.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  foreach(t bad library demos determinism exit-codes summary pcap)
    add_test(NAME scenario.${t}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/scenario_tests.py
              $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/scenario-work/${t} ${t})
    # 77: skipped (scenario.pcap without tshark).
    set_tests_properties(scenario.${t} PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
  endforeach()
else()
  message(WARNING "python3 not found: the scenario tests are not registered (scripts/quickstart test installs it)")
endif()

# A short bounded fuzz run of the scenario loader (skipped without clang and
# libFuzzer); longer runs: tests/fuzz/run-fuzz.sh scenario SECONDS.
add_test(NAME fuzz.scenario COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh scenario 20)
set_tests_properties(fuzz.scenario PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
