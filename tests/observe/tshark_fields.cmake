# Decodes PCAP with tshark, checksum validation on, and compares the fields
# of every frame with EXPECTED; then checks that tshark flags the bad TCP
# checksum in CORRUPT, so a writer with wrong checksums could not pass.
# EXPECTED was written by tshark 4.0 (Debian 12, what scripts/quickstart
# installs) and checked field by field against the frames the unit test
# builds; another tshark version may print some fields differently.
# Run with: cmake -DTSHARK=... -DPCAP=... -DCORRUPT=... -DEXPECTED=... -P tshark_fields.cmake
set(checks -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
set(fields
  -e frame.number -e frame.time_epoch -e frame.len -e eth.src -e eth.dst -e eth.type
  -e ip.src -e ip.dst -e ip.len -e ip.id -e ip.flags.df -e ip.ttl -e ip.proto -e ip.checksum.status
  -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value
  -e tcp.hdr_len -e tcp.options.mss_val -e tcp.len -e tcp.checksum.status
  -e udp.srcport -e udp.dstport -e udp.length -e udp.checksum -e udp.checksum.status)

execute_process(COMMAND ${TSHARK} -n -r ${PCAP} ${checks} -T fields -E separator=/s ${fields}
                OUTPUT_VARIABLE got ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tshark failed (${rc}) on ${PCAP}:\n${err}")
endif()
file(READ ${EXPECTED} want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "tshark fields differ from ${EXPECTED}\n--- expected\n${want}--- got\n${got}")
endif()

# Frame 5 is a retransmission: tcp.analysis.flags must match it, and only
# it (the stack test relies on this filter finding nothing).
execute_process(COMMAND ${TSHARK} -n -r ${PCAP} ${checks} -Y tcp.analysis.flags -T fields -e frame.number
                OUTPUT_VARIABLE flagged ERROR_VARIABLE err RESULT_VARIABLE rc)
string(STRIP "${flagged}" flagged)
if(NOT rc EQUAL 0 OR NOT flagged STREQUAL "5")
  message(FATAL_ERROR "tcp.analysis.flags matched frames '${flagged}', expected 5 (rc ${rc})\n${err}")
endif()

execute_process(COMMAND ${TSHARK} -n -r ${CORRUPT} ${checks} -T fields -e tcp.checksum.status -c 1
                OUTPUT_VARIABLE bad ERROR_VARIABLE err RESULT_VARIABLE rc)
string(STRIP "${bad}" bad)
# Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
if(NOT rc EQUAL 0 OR NOT bad STREQUAL "0")
  message(FATAL_ERROR "tshark did not flag the corrupted TCP checksum (status '${bad}', rc ${rc})\n${err}")
endif()
message(STATUS "tshark decoded every frame as expected")
