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
# Leak checking is off for this one test: SDL's X11 driver loads libX11 and
# libdbus with dlopen and unloads them at SDL_Quit, and LeakSanitizer then
# reports their own process-lifetime allocations from modules it can no
# longer name (so they cannot be suppressed by name). Our code's leaks are
# checked by the headless viz tests, which run the same viewer code.
set_tests_properties(viz.window PROPERTIES TIMEOUT 120 ENVIRONMENT "SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0")

# The subcommands.
set(VIZ_SNAP_DIR ${CMAKE_BINARY_DIR}/viz-cli)
file(MAKE_DIRECTORY ${VIZ_SNAP_DIR})
add_test(NAME viz.cli_snapshot
  COMMAND $<TARGET_FILE:mailsim> snapshot --at 105ms --size 640x400 --out ${VIZ_SNAP_DIR}/default.png)
add_test(NAME viz.cli_snapshot_file
  COMMAND $<TARGET_FILE:mailsim> snapshot ${CMAKE_SOURCE_DIR}/scenarios/link-down-up.json --at 600ms
          --projector --lang es --select link:uplink --out ${VIZ_SNAP_DIR}/down.png)
add_test(NAME viz.cli_frames
  COMMAND $<TARGET_FILE:mailsim> snapshot --frames ${VIZ_SNAP_DIR}/frames --fps 100 --from 100ms --to 103ms
          --speed 0.1 --size 320x200)
set_tests_properties(viz.cli_frames PROPERTIES PASS_REGULAR_EXPRESSION "^4 frames in ")
# Bad input: exit code 2 and a message saying what is wrong.
set(VIZ_EXPECT sh ${CMAKE_CURRENT_SOURCE_DIR}/viz/expect_exit.sh)
add_test(NAME viz.cli_snapshot_bad_time
  COMMAND ${VIZ_EXPECT} 2 "'soon' is not a time" $<TARGET_FILE:mailsim> snapshot --at soon --out x.png)
add_test(NAME viz.cli_snapshot_no_out
  COMMAND ${VIZ_EXPECT} 2 "give --at TIME and --out PNG" $<TARGET_FILE:mailsim> snapshot --at 1s)
add_test(NAME viz.cli_snapshot_bad_size
  COMMAND ${VIZ_EXPECT} 2 "is not WxH" $<TARGET_FILE:mailsim> snapshot --at 1s --out x.png --size 10x10)
add_test(NAME viz.cli_snapshot_bad_select
  COMMAND ${VIZ_EXPECT} 2 "no host:nobody" $<TARGET_FILE:mailsim> snapshot --at 1s --out ${VIZ_SNAP_DIR}/x.png --select host:nobody)
add_test(NAME viz.cli_view_missing_file
  COMMAND ${VIZ_EXPECT} 2 "/nonexistent/scenario.json" $<TARGET_FILE:mailsim> view /nonexistent/scenario.json)
add_test(NAME viz.cli_view_bad_lang
  COMMAND ${VIZ_EXPECT} 2 "is not en or es" $<TARGET_FILE:mailsim> view --lang fr)
set_tests_properties(viz.cli_snapshot viz.cli_snapshot_file viz.cli_frames PROPERTIES ENVIRONMENT "SDL_AUDIODRIVER=dummy")
# The real window through the command, on a virtual display, closing
# itself after 40 frames.
if(MAILSIM_XVFB_RUN)
  add_test(NAME viz.cli_view COMMAND ${MAILSIM_XVFB_RUN} -a $<TARGET_FILE:mailsim> view --play --speed 10 --quit-after 40)
  set_tests_properties(viz.cli_view PROPERTIES TIMEOUT 120 ENVIRONMENT "SDL_AUDIODRIVER=dummy;ASAN_OPTIONS=detect_leaks=0")
endif()
# No fonts: a clear error naming the font and the package, exit code 1.
add_test(NAME viz.cli_no_fonts
  COMMAND ${VIZ_EXPECT} 1 "install the Debian package fonts-dejavu-core" $<TARGET_FILE:mailsim> snapshot --at 1s
          --out ${VIZ_SNAP_DIR}/nofont.png)
set_tests_properties(viz.cli_no_fonts PROPERTIES ENVIRONMENT "MAILSIM_FONT_DIR=/nonexistent")
# A crashed host is drawn down until its restart (issue 9: faults shown by
# the viewer): scenarios/faults.json crashes mx-maria at 150.2 s and
# restarts it at 180 s.
add_test(NAME viz.crashed_host_down
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/viz/crashed_host.sh $<TARGET_FILE:mailsim>
          ${CMAKE_SOURCE_DIR}/scenarios/faults.json ${VIZ_SNAP_DIR})
set_tests_properties(viz.crashed_host_down PROPERTIES ENVIRONMENT "SDL_AUDIODRIVER=dummy")
