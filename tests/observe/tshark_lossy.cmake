# Decodes the capture of a TCP transfer over a path with 3% loss (written by
# unit.observe_stack) and checks that tshark sees exactly the
# retransmissions the stack made, no more and no fewer (each retransmitted
# segment is captured when it is sent again), and every frame the stack
# sent, each with good checksums.
# Run with: cmake -DTSHARK=... -DPCAP=... -DEXPECT=... -P tshark_lossy.cmake
file(STRINGS ${EXPECT} lines)
foreach(line ${lines})
  if(line MATCHES "^([a-z_]+)=([0-9]+)$")
    set(want_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
if(NOT DEFINED want_frames OR NOT DEFINED want_retransmissions)
  message(FATAL_ERROR "${EXPECT}: missing frames= or retransmissions=")
endif()
set(checks -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)

function(count_frames filter out_var)
  execute_process(COMMAND ${TSHARK} -n -r ${PCAP} ${checks} -Y "${filter}" -T fields -e frame.number
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tshark failed (${rc}) on ${PCAP}:\n${err}")
  endif()
  string(REGEX MATCHALL "[0-9]+" numbers "${out}")
  list(LENGTH numbers n)
  set(${out_var} ${n} PARENT_SCOPE)
endfunction()

count_frames("frame" frames)
count_frames("ip.checksum.status == 1 && tcp.checksum.status == 1" good)
count_frames("tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission"
             retransmissions)
set(failures "")
if(NOT frames EQUAL want_frames)
  string(APPEND failures "${frames} frames, the stack sent ${want_frames}\n")
endif()
if(NOT good EQUAL frames)
  string(APPEND failures "only ${good} of ${frames} frames have good checksums\n")
endif()
if(NOT retransmissions EQUAL want_retransmissions)
  string(APPEND failures "tshark sees ${retransmissions} retransmissions, the stack made ${want_retransmissions}\n")
endif()
if(failures)
  message(FATAL_ERROR "${PCAP}:\n${failures}")
endif()
message(STATUS "${frames} frames, ${retransmissions} retransmissions, as the stack says")
