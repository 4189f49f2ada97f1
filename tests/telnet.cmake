# `mailsim telnet` (issue 7 item 3) through pipes: the class note's session
# typed into telnet-smtp-1 reads as the note prints it, the whole output is
# deterministic and matches tests/telnet/note-session.expected, and bad
# input (unknown hosts, closed ports, overlong lines) fails clearly.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME telnet.session
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/telnet/telnet_tests.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR})
  set_tests_properties(telnet.session PROPERTIES TIMEOUT 300)
endif()
