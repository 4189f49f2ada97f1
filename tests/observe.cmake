# Observer tests driven by scripts: tshark decodes the pcap files the
# observers write (skipped, with a message, when tshark is not installed;
# scripts/quickstart installs it for the test suite).
find_program(MAILSIM_TSHARK tshark)
if(NOT MAILSIM_TSHARK)
  message(STATUS "tshark not found: the observe.pcap_tshark tests are not registered")
else()
  # The unit test leaves observe_pcap_unit.pcap (hand-built frames) and
  # observe_pcap_corrupt.pcap (one bit flipped) in the build folder.
  set_tests_properties(unit.observe_pcap PROPERTIES FIXTURES_SETUP observe_pcap_files)
  add_test(NAME observe.pcap_tshark_fields
           COMMAND ${CMAKE_COMMAND} -DTSHARK=${MAILSIM_TSHARK}
                   -DPCAP=${CMAKE_BINARY_DIR}/observe_pcap_unit.pcap
                   -DCORRUPT=${CMAKE_BINARY_DIR}/observe_pcap_corrupt.pcap
                   -DEXPECTED=${CMAKE_CURRENT_SOURCE_DIR}/observe/pcap_unit.expected
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/observe/tshark_fields.cmake)
  set_tests_properties(observe.pcap_tshark_fields PROPERTIES FIXTURES_REQUIRED observe_pcap_files TIMEOUT 120)

  # unit.observe_stack leaves the capture of a lossless TCP transfer and
  # what the stack says it sent.
  set_tests_properties(unit.observe_stack PROPERTIES FIXTURES_SETUP observe_stack_files)
  add_test(NAME observe.pcap_tshark_stack
           COMMAND ${CMAKE_COMMAND} -DTSHARK=${MAILSIM_TSHARK}
                   -DPCAP=${CMAKE_BINARY_DIR}/observe_stack-a.pcap
                   -DEXPECT=${CMAKE_BINARY_DIR}/observe_stack-a.expect
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/observe/tshark_stack.cmake)
  set_tests_properties(observe.pcap_tshark_stack PROPERTIES FIXTURES_REQUIRED observe_stack_files TIMEOUT 120)

  add_test(NAME observe.pcap_tshark_lossy
           COMMAND ${CMAKE_COMMAND} -DTSHARK=${MAILSIM_TSHARK}
                   -DPCAP=${CMAKE_BINARY_DIR}/observe_stack-lossy.pcap
                   -DEXPECT=${CMAKE_BINARY_DIR}/observe_stack-lossy.expect
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/observe/tshark_lossy.cmake)
  set_tests_properties(observe.pcap_tshark_lossy PROPERTIES FIXTURES_REQUIRED observe_stack_files TIMEOUT 120)
endif()

# A benchmark, not a test: build/bin/bench_observers prints what each
# observer costs on a bulk TCP transfer.
add_executable(bench_observers ${CMAKE_CURRENT_SOURCE_DIR}/observe/bench_observers.c)
target_link_libraries(bench_observers PRIVATE mailsim_sim)
