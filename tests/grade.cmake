# Grading (issue 8): every exercise in scenarios/exercises/ is one ctest,
# grade.exercise.NAME, that grades each of its submissions with `mailsim
# grade` and compares the reports with the exercise's expected/*.json
# (tests/grade/grade_exercises.py says what else it checks: the layout,
# full marks for the reference, stable text reports, Spanish feedback).
# The folders are found when cmake configures (CONFIGURE_DEPENDS: a new
# exercise.json makes the build re-run cmake).
find_package(Python3 COMPONENTS Interpreter)
file(GLOB MAILSIM_EXERCISES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/exercises/*/exercise.json)
if(Python3_FOUND)
  foreach(exfile ${MAILSIM_EXERCISES})
    get_filename_component(exdir ${exfile} DIRECTORY)
    get_filename_component(exname ${exdir} NAME)
    add_test(NAME grade.exercise.${exname}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/grade/grade_exercises.py
              $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/exercises
              ${CMAKE_BINARY_DIR}/test-work/grade/${exname} ${exname})
    set_tests_properties(grade.exercise.${exname} PROPERTIES TIMEOUT 600)
  endforeach()
  # Every folder under scenarios/exercises/ is an exercise (has an
  # exercise.json), so a misnamed file never silently drops one from the
  # tests above.
  add_test(NAME grade.exercise-folders
    COMMAND ${Python3_EXECUTABLE} -c "import os,sys; r=sys.argv[1]; bad=[d for d in sorted(os.listdir(r)) if os.path.isdir(os.path.join(r,d)) and not os.path.isfile(os.path.join(r,d,'exercise.json'))]; print('folders without exercise.json: '+' '.join(bad) if bad else '%d exercises, 0 failed' % len([d for d in os.listdir(r) if os.path.isdir(os.path.join(r,d))])); sys.exit(1 if bad else 0)"
            ${CMAKE_SOURCE_DIR}/scenarios/exercises)
else()
  message(WARNING "python3 not found: the grading tests are not registered (scripts/quickstart test installs it)")
endif()
