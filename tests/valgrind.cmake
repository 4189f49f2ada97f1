# valgrind memcheck over every scenario and a telnet session (issue 9 item
# 5). Not in the sanitizer build: valgrind and AddressSanitizer exclude each
# other. Skipped without valgrind (scripts/quickstart test installs it).
if(NOT MAILSIM_SANITIZE)
  add_test(NAME valgrind.scenarios
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/valgrind/memcheck.sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR})
  set_tests_properties(valgrind.scenarios PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
