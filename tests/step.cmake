# Hands-on (issue 7): the terminal stepper and `mailsim explain`, driven
# through pipes and compared with expected output (tests/step/NAME.args,
# .in, .expected; see tests/step/run_case.sh, REGEN=1 to rewrite after a
# deliberate change): stepping the classic and the note's telnet session,
# --predict scoring (replies, hops, Received fields, retransmissions on a
# lossy link), breakpoints, host state, the end of input, Spanish by flag
# and by LANG, usage errors. The catalogue itself is checked by unit.explain.
file(GLOB MAILSIM_STEP_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/step/*.args)
foreach(args ${MAILSIM_STEP_CASES})
  get_filename_component(name ${args} NAME_WE)
  add_test(NAME step.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/step/run_case.sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}
            ${CMAKE_BINARY_DIR}/test-work/step ${name})
  set_tests_properties(step.${name} PROPERTIES TIMEOUT 120)
endforeach()

# Colour: escapes when stdout is a terminal (script(1) gives it one), none
# when NO_COLOR is set (skipped without script).
add_test(NAME step.color
  COMMAND sh -c "command -v script >/dev/null || exit 77; \
c=$(script -qec \"sh -c 'printf c\\\\\\\\n | $1 step --lang en $2'\" /dev/null | grep -c \"$(printf '\\033')\\\\[\"); \
n=$(NO_COLOR=1 script -qec \"sh -c 'printf c\\\\\\\\n | $1 step --lang en $2'\" /dev/null | grep -c \"$(printf '\\033')\\\\[\"); \
echo \"colour lines: $c, with NO_COLOR: $n\"; [ \"$c\" -gt 10 ] && [ \"$n\" = 0 ] && echo '1 passed, 0 failed'"
  sh $<TARGET_FILE:mailsim> ${CMAKE_SOURCE_DIR}/scenarios/telnet-smtp-1.json)
set_tests_properties(step.color PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)

# The stepper's display and questions on POP3 and IMAP lines, fed directly
# (the stepper's files are part of the mailsim executable, so the test
# compiles them in).
add_executable(test_step_show ${CMAKE_CURRENT_SOURCE_DIR}/step/test_step_show.c
  ${CMAKE_SOURCE_DIR}/sim/cli/step_show.c ${CMAKE_SOURCE_DIR}/sim/cli/step_quiz.c
  ${CMAKE_SOURCE_DIR}/sim/cli/step_feed.c ${CMAKE_SOURCE_DIR}/sim/cli/text_wrap.c)
target_include_directories(test_step_show PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test_step_show PRIVATE mailsim_sim)
target_compile_definitions(test_step_show PRIVATE MAILSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_test(NAME step.show COMMAND test_step_show)
set_tests_properties(step.show PROPERTIES TIMEOUT 60)

# The catalogue in the tree passes `mailsim explain --check` (what a
# teacher runs after editing it).
add_test(NAME step.explain-check COMMAND mailsim explain --check ${CMAKE_SOURCE_DIR}/data/explanations.json)
set_tests_properties(step.explain-check PROPERTIES TIMEOUT 60 PASS_REGULAR_EXPRESSION ": ok \\([0-9]+ entries\\)")
