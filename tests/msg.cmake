# Message format tests (issue 3): the Python email package as an oracle,
# the `mailsim msg` command line, and a short bounded fuzz run of the MIME
# parser (skipped when clang with libFuzzer is not installed).
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

add_test(NAME fuzz.mime COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzz.sh mime 20)
set_tests_properties(fuzz.mime PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                     ENVIRONMENT "FUZZ_WORKDIR=${CMAKE_BINARY_DIR}/test-work/fuzz")
