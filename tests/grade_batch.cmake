# Batch grading (issue 8): `mailsim grade EX --batch DIR --csv F -j N` over
# a folder of real and awkward submissions, with the real grader as the
# child (tests/grade_batch/check_batch.py; skipped, 77, while this build has
# no `mailsim grade` or no smtp-by-hand exercise), and smoke runs of
# `mailsim bench grade` (figures present, -j 1 == -j 2; no wall-time
# assertions), the Postfix+Dovecot reference skipped (77) where it cannot
# run (not installed, not root).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME grade.batch
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade_batch/check_batch.py
                   $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR})
  set_tests_properties(grade.batch PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  foreach(check bench bench-reference)
    add_test(NAME grade.${check}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade_batch/check_bench.py
                     $<TARGET_FILE:mailsim> ${check})
    set_tests_properties(grade.${check} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  endforeach()
else()
  message(WARNING "python3 not found: the grade.batch tests are skipped")
endif()
