# The grader core's exercises (issue 8): each submission's score, failed
# checks and details against expected/*.json; JUnit parses as XML;
# Gradescope keys; text reports stable in en and es.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME grade.core_exercises
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade_core/core_exercises.py
            $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR})
  set_tests_properties(grade.core_exercises PROPERTIES TIMEOUT 600)
endif()
# Check types and queries no shipped exercise uses (header absent and
# received_order, mx_order, delivered_count, bounced_count).
if(Python3_FOUND)
  add_test(NAME grade.more_checks
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade_core/more_checks.py $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR})
  set_tests_properties(grade.more_checks PROPERTIES TIMEOUT 120)
endif()
