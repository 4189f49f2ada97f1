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

# `mailsim bridge --view`: the viewer's frame loop runs the bridge's world;
# smtplib delivers through it, SIGINT ends it with the ledger, and the
# window's last frame (PNG) and scene (text) show the real session. On a
# virtual X display like viz.window (leak checking off for the same reason:
# SDL's X11 driver dlopens libraries LeakSanitizer cannot name).
if(Python3_FOUND)
  find_program(MAILSIM_XVFB_RUN xvfb-run)
  if(MAILSIM_XVFB_RUN)
    add_test(NAME bridge.view
      COMMAND ${MAILSIM_XVFB_RUN} -a -s "-screen 0 1280x800x24" ${Python3_EXECUTABLE}
              ${CMAKE_CURRENT_SOURCE_DIR}/bridge/bridge_view_test.py
              $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/bridge-view)
  else()
    add_test(NAME bridge.view COMMAND sh -c "echo 'xvfb-run is missing: install the Debian packages xvfb and xauth' >&2; exit 1")
  endif()
  set_tests_properties(bridge.view PROPERTIES TIMEOUT 180
                       ENVIRONMENT "SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0")
endif()
add_test(NAME bridge.view_png_needs_view
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/viz/expect_exit.sh 2 "--view-png and --view-text need --view"
          $<TARGET_FILE:mailsim> bridge --listen 0=mx:25 --view-png x.png)
add_test(NAME bridge.view_bad_speed
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/viz/expect_exit.sh 2 "0.1 to 1000"
          $<TARGET_FILE:mailsim> bridge --listen 0=mx:25 --view --speed 5000)
