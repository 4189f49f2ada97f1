# The fault campaign (issue 9, docs/reliability.md): every scenario of
# scenarios/ (and scenarios/exercises/*/scenario.json) under 1000 random
# fault schedules, the mail ledger checked after each. One ctest per
# scenario, campaign.NAME, so -j spreads them. MAILSIM_CAMPAIGN_RUNS
# (environment, at configure time or at test time) changes the count, as
# the sanitizer build does; a failure prints `mailsim run FILE --faults-seed N`.
add_executable(campaign ${CMAKE_CURRENT_SOURCE_DIR}/campaign/campaign.c)
target_link_libraries(campaign PRIVATE mailsim_sim)
file(GLOB MAILSIM_CAMPAIGN_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json
     ${CMAKE_SOURCE_DIR}/scenarios/exercises/*/scenario.json)
set(MAILSIM_CAMPAIGN_RUNS "" CACHE STRING "schedules per scenario in the fault campaign (empty: 1000)")
foreach(file ${MAILSIM_CAMPAIGN_SCENARIOS})
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR}/scenarios ${file})
  string(REGEX REPLACE "(/scenario)?\\.json$" "" name ${rel})
  string(REPLACE "/" "." name ${name})
  set(args)
  if(MAILSIM_CAMPAIGN_RUNS)
    set(args --runs ${MAILSIM_CAMPAIGN_RUNS})
  endif()
  add_test(NAME campaign.${name} COMMAND campaign ${args} ${file} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(campaign.${name} PROPERTIES TIMEOUT 900)
endforeach()
