# Turns a file into a C source defining it as a NUL-terminated byte array,
# so a data file (scenarios/default.json) stays the single source of what
# the binary embeds. Run by the build:
#   cmake -DINPUT=in.json -DOUTPUT=out.c -DNAME=symbol -DHEADER=path.h -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# CMake regexes have no {n}: spell out sixteen bytes per line.
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 sixteen)
string(REGEX REPLACE "(${sixteen})" "\\1\n\t" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
  "/* Generated from ${INPUT} by sim/cli/embed.cmake. Do not edit. */\n"
  "#include \"${HEADER}\"\n\n"
  "const char ${NAME}[] = {\n\t${bytes}0x00};\n"
  "const size_t ${NAME}_len = ${len};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
