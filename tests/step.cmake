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
