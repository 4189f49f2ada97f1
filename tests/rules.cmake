# Mailbox-host rules and the mailstore's exchange formats: the
# vacation-forward scenario's outcome checked from its Maildir export and
# transcript; the Dovecot interop test skips (77) when doveadm is missing.
set_tests_properties(unit.mailstore_dovecot PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME scenario.vacation-forward
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/rules/vacation_forward_check.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/vacation-forward.json
            ${CMAKE_BINARY_DIR}/test-work/vacation-forward)
  set_tests_properties(scenario.vacation-forward PROPERTIES TIMEOUT 120)
endif()
