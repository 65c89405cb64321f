# ctest install_prefix: installs the build into a fresh temporary prefix, runs both installed
# programs from there (--version, --help, a --screenshot of the demo) with the working
# directory outside the build and source trees, and validates the desktop entry and the
# AppStream metainfo (desktop-file-utils and appstream, see scripts/bootstrap.sh).
# Called with -DBUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=...
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/install_common.cmake)

function(expect_file path)
  if(NOT EXISTS ${prefix}/${path})
    message(FATAL_ERROR "not installed: ${prefix}/${path}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(f bin/automix bin/automix-explorer
          share/applications/org.automix.explorer.desktop
          share/metainfo/org.automix.explorer.metainfo.xml
          share/mime/packages/org.automix.explorer.xml
          share/icons/hicolor/scalable/apps/org.automix.explorer.svg
          share/icons/hicolor/48x48/apps/org.automix.explorer.png
          share/icons/hicolor/256x256/apps/org.automix.explorer.png
          share/man/man1/automix.1.gz share/man/man1/automix-explorer.1.gz
          share/automix-explorer/demo/demo.jsonl.gz share/automix-explorer/prompts/answer.txt
          share/doc/automix-explorer/README.md share/doc/automix-explorer/tutorial.md
          share/doc/automix-explorer/tutorial/07-cascade.automix-session
          share/doc/automix-explorer/tutorial/02-cost-quality.png)
  expect_file(${f})
endforeach()

run(${prefix}/bin/automix --version)
if(NOT last_out MATCHES "[0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "automix --version printed no version: ${last_out}")
endif()
run(${prefix}/bin/automix --help)
if(NOT last_out MATCHES "eval")
  message(FATAL_ERROR "automix --help lists no commands: ${last_out}")
endif()
# The installed CLI evaluates the installed demo data.
run(${prefix}/bin/automix eval --data ${prefix}/share/automix-explorer/demo/demo.jsonl.gz --methods threshold --quiet
    --json ${WORK_DIR}/report.json)
expect_file(../report.json)

set(ENV{QT_QPA_PLATFORM} offscreen)
set(ENV{XDG_CONFIG_HOME} ${WORK_DIR}/config)
run(${prefix}/bin/automix-explorer --version)
if(NOT last_out MATCHES "[0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "automix-explorer --version printed no version: ${last_out}")
endif()
run(${prefix}/bin/automix-explorer --help)
if(NOT last_out MATCHES "--session")
  message(FATAL_ERROR "automix-explorer --help does not list --session: ${last_out}")
endif()
run(${prefix}/bin/automix-explorer --method Threshold --screenshot ${WORK_DIR}/demo.png)
file(SIZE ${WORK_DIR}/demo.png shot_size)
if(shot_size LESS 20000)
  message(FATAL_ERROR "the screenshot of the demo is suspiciously small (${shot_size} bytes)")
endif()
# A session of the tutorial (exit status 1 when it cannot be opened and applied).
run(${prefix}/bin/automix-explorer --session ${SOURCE_DIR}/docs/tutorial/06-tuning.automix-session
    --screenshot ${WORK_DIR}/session.png)
# A session given as the file (how the desktop entry passes it).
run(${prefix}/bin/automix-explorer ${SOURCE_DIR}/docs/tutorial/02-cost-quality.automix-session
    --screenshot ${WORK_DIR}/session-file.png)
# ... and a missing one fails (QApplication must not have swallowed --session as its own option).
execute_process(COMMAND ${prefix}/bin/automix-explorer --session ${WORK_DIR}/missing.automix-session
                        --screenshot ${WORK_DIR}/missing.png
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(rc EQUAL 0 OR NOT err MATCHES "missing.automix-session: cannot open the session file")
  message(FATAL_ERROR "automix-explorer --session with a missing file: exit ${rc}, ${err}")
endif()
run(${prefix}/bin/automix eval --session ${SOURCE_DIR}/docs/tutorial/06-tuning.automix-session)
if(NOT last_out MATCHES "IBC lift")
  message(FATAL_ERROR "automix eval --session printed no figures: ${last_out}")
endif()

find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(APPSTREAMCLI appstreamcli)
if(NOT DESKTOP_FILE_VALIDATE OR NOT APPSTREAMCLI)
  message(FATAL_ERROR "desktop-file-validate and appstreamcli are needed (scripts/bootstrap.sh installs "
                      "desktop-file-utils and appstream)")
endif()
run(${DESKTOP_FILE_VALIDATE} ${prefix}/share/applications/org.automix.explorer.desktop)
if(last_out MATCHES "error")
  message(FATAL_ERROR "desktop-file-validate: ${last_out}")
endif()
run(${APPSTREAMCLI} validate --no-net ${prefix}/share/metainfo/org.automix.explorer.metainfo.xml)
message(STATUS "installed into ${prefix}; both programs ran from there; desktop entry and metainfo valid")
file(REMOVE_RECURSE ${WORK_DIR})
