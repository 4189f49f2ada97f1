# Decodes the capture of a lossless 100,000-byte TCP transfer (written by
# unit.observe_stack) with tshark and checks what the foundation issue asks:
# no frame carries tcp.analysis.flags (no retransmission, duplicate ACK,
# out-of-order, window problem...), every checksum is good, and the capture
# has the right number of segments: as many frames as the stack sent, and
# exactly ceil(payload / MSS) data segments from the client, whose lengths
# add up to the payload.
# Run with: cmake -DTSHARK=... -DPCAP=... -DEXPECT=... -P tshark_stack.cmake
cmake_policy(SET CMP0007 NEW) # keep empty fields in lists
file(STRINGS ${EXPECT} lines)
foreach(line ${lines})
  if(line MATCHES "^([a-z_]+)=([0-9]+)$")
    set(want_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
if(NOT DEFINED want_frames OR NOT DEFINED want_payload)
  message(FATAL_ERROR "${EXPECT}: missing frames= or payload=")
endif()

set(checks -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o tcp.analyze_sequence_numbers:TRUE)
execute_process(COMMAND ${TSHARK} -n -r ${PCAP} ${checks} -T fields -E separator=/s
                        -e ip.src -e tcp.len -e ip.checksum.status -e tcp.checksum.status -e tcp.options.mss_val
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark failed (${rc}) on ${PCAP}:\n${err}")
endif()
string(REGEX REPLACE "\n$" "" out "${out}")
string(REPLACE "\n" ";" rows "${out}")

set(frames 0)
set(data 0)
set(payload 0)
set(badsum 0)
set(mss "")
foreach(row ${rows})
  math(EXPR frames "${frames} + 1")
  string(REPLACE " " ";" f "${row}")
  list(GET f 0 src)
  list(GET f 1 len)
  list(GET f 2 ipsum)
  list(GET f 3 tcpsum)
  # Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
  if(NOT ipsum STREQUAL "1" OR NOT tcpsum STREQUAL "1")
    math(EXPR badsum "${badsum} + 1")
  endif()
  list(GET f 4 m)
  if(src STREQUAL "192.168.1.2" AND NOT m STREQUAL "")
    set(mss ${m})
  endif()
  if(src STREQUAL "192.168.1.2" AND len GREATER 0)
    math(EXPR data "${data} + 1")
    math(EXPR payload "${payload} + ${len}")
  endif()
endforeach()

# tcp.analysis.flags has no value to print: count the frames it matches.
execute_process(COMMAND ${TSHARK} -n -r ${PCAP} ${checks} -Y tcp.analysis.flags -T fields -e frame.number
                OUTPUT_VARIABLE flagged_frames ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark failed (${rc}) on ${PCAP}:\n${err}")
endif()
string(STRIP "${flagged_frames}" flagged_frames)

if(NOT mss STREQUAL "1460")
  message(FATAL_ERROR "client SYN MSS option: '${mss}', expected 1460")
endif()
math(EXPR want_data "(${want_payload} + ${mss} - 1) / ${mss}")
set(failures "")
if(NOT flagged_frames STREQUAL "")
  string(REPLACE "\n" " " flagged_frames "${flagged_frames}")
  string(APPEND failures "frames with tcp.analysis.flags: ${flagged_frames}\n")
endif()
if(NOT badsum EQUAL 0)
  string(APPEND failures "${badsum} frames have a bad or unverified checksum\n")
endif()
if(NOT frames EQUAL want_frames)
  string(APPEND failures "${frames} frames, the stack sent ${want_frames}\n")
endif()
if(NOT data EQUAL want_data)
  string(APPEND failures "${data} client data segments, expected ${want_data}\n")
endif()
if(NOT payload EQUAL want_payload)
  string(APPEND failures "client payload ${payload} bytes, expected ${want_payload}\n")
endif()
if(failures)
  message(FATAL_ERROR "${PCAP}:\n${failures}")
endif()
message(STATUS "${frames} frames, ${data} data segments, ${payload} bytes, no analysis flags, checksums good")
