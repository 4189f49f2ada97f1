# The faults scenario (scenarios/faults.json): expectations met, every fault
# announced in the transcript and the trace with its effect, mail delivered
# exactly once, byte-identical traces for the same seed, other seeds fine.
# Driven by tests/scenarios/faults_check.py; the unit tests of each fault
# are unit.faults (tests/unit/test_faults.c).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME scenario.faults
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/faults_check.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/faults)
  set_tests_properties(scenario.faults PROPERTIES TIMEOUT 300)
endif()
