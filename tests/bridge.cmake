# Real clients through `mailsim bridge` (issue 7): curl, smtplib (with a Bcc),
# mutt (with an attachment), the note's session typed through nc and telnet,
# swaks (pipelining), a relay, 200 concurrent sessions delivered
# exactly once, clients that vanish or stall, and a clean Ctrl-C with a
# balanced ledger; POP3 and IMAP readers (curl, poplib with APOP, imaplib).
# Uses real loopback sockets on free ports.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME bridge.clients
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bridge/bridge_tests.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/bridge)
  set_tests_properties(bridge.clients PROPERTIES TIMEOUT 300)
  # POP3 and IMAP readers: curl pop3:// and imap://, poplib with APOP (RFC
  # 1939's flow), imaplib (SELECT, SEARCH, FETCH, STORE, EXPUNGE, APPEND),
  # and the bridge's transcript of both protocols.
  add_test(NAME bridge.mailbox
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bridge/bridge_mailbox_tests.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/bridge-mailbox)
  set_tests_properties(bridge.mailbox PROPERTIES TIMEOUT 120)
endif()
