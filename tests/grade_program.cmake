# Grading programs (issue 8, kind "program"): the smtp-client-program
# exercise's submissions are compared with their expected results by
# tests/grade.cmake like every exercise's; this test adds what is particular
# to programs: nothing a program or the grader writes survives outside the
# grader's output paths (tests/grade_program/litter.py tries), the opt-out
# of network isolation is reported, Spanish outcomes, a wrong language.
# Registered once `mailsim grade` is part of the build.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/sim/cli/cmd_grade.c)
  add_test(NAME grade.program
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade_program/check_program.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/test-work/grade-program)
  set_tests_properties(grade.program PROPERTIES TIMEOUT 600)
endif()
