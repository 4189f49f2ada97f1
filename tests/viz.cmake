# Viewer tests (tests/viz/). test_sdl_*.c use the SDL backend (headless,
# SDL_VIDEODRIVER=dummy); the others link only the SDL-free viewer core,
# which proves the scene, frame and controls need no SDL. viz.window opens
# the real window under Xvfb.
file(GLOB MAILSIM_VIZ_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/viz/test_*.c)
foreach(src ${MAILSIM_VIZ_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" module ${name})
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_CURRENT_SOURCE_DIR}/viz)
  if(name MATCHES "^test_sdl_")
    target_link_libraries(${name} PRIVATE mailsim_viz)
  else()
    target_link_libraries(${name} PRIVATE mailsim_viz_core)
  endif()
  target_compile_definitions(${name} PRIVATE MAILSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             MAILSIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(name STREQUAL "test_sdl_window")
    continue()
  endif()
  add_test(NAME viz.${module} COMMAND ${name})
  set_tests_properties(viz.${module} PROPERTIES TIMEOUT 300 ENVIRONMENT "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=dummy")
endforeach()

# The real window, on a virtual X display (scripts/quickstart installs xvfb
# and xauth for the test suite).
find_program(MAILSIM_XVFB_RUN xvfb-run)
if(MAILSIM_XVFB_RUN)
  add_test(NAME viz.window COMMAND ${MAILSIM_XVFB_RUN} -a -s "-screen 0 1280x800x24" $<TARGET_FILE:test_sdl_window>)
else()
  add_test(NAME viz.window COMMAND sh -c "echo 'xvfb-run is missing: install the Debian packages xvfb and xauth' >&2; exit 1")
endif()
set_tests_properties(viz.window PROPERTIES TIMEOUT 120 ENVIRONMENT "SDL_AUDIODRIVER=dummy")
