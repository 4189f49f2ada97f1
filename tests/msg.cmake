# Message format tests (issue 3): the Python email package as an oracle,
# the `mailsim msg` command line, and short bounded fuzz runs of the MIME
# parser and of builder-parser round trips (skipped without clang/libFuzzer).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME msg.oracle
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/msg_oracle.py
                   $<TARGET_FILE:mailsim> ${CMAKE_BINARY_DIR}/test-work/msg-oracle --count 150)
  add_test(NAME msg.cli
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/msg_cli_check.py
                   $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/msg-cli)
  set_tests_properties(msg.oracle msg.cli PROPERTIES TIMEOUT 600)
endif()

foreach(target mime build)
  add_test(NAME fuzz.${target} COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh ${target} 20)
  set_tests_properties(fuzz.${target} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
endforeach()
