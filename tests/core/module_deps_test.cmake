# ctest core_module_deps: the real core passes cmake/CheckModuleDeps.cmake, and the checker
# does reject each kind of violation in a small made-up tree (so a passing check means something).
# Called with -DSOURCE_DIR=... -DTABLE=<build>/automix_core_modules.txt -DWORK_DIR=...
cmake_minimum_required(VERSION 3.22)
set(checker ${SOURCE_DIR}/cmake/CheckModuleDeps.cmake)

function(check core table expect_ok expect_message)
  execute_process(COMMAND ${CMAKE_COMMAND} -DCORE_DIR=${core} -DTABLE=${table} -P ${checker}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "the check failed on ${core}:\n${out}${err}")
  elseif(NOT expect_ok AND rc EQUAL 0)
    message(FATAL_ERROR "the check passed a tree that breaks the rule '${expect_message}':\n${out}")
  endif()
  string(REGEX REPLACE "[ \n]+" " " flat "${out}${err}")
  if(NOT flat MATCHES "${expect_message}")
    message(FATAL_ERROR "expected '${expect_message}' from the check, got:\n${out}${err}")
  endif()
endfunction()

check(${SOURCE_DIR}/core ${TABLE} TRUE "match the declared dependencies")

set(fake ${WORK_DIR}/core)
file(REMOVE_RECURSE ${WORK_DIR})
file(WRITE ${fake}/low/low.hpp "#pragma once\n#include <vector>\n")
file(WRITE ${fake}/high/high.cpp "#include \"core/low/low.hpp\"\n#include <zlib.h>\n")
file(WRITE ${WORK_DIR}/good.txt "low||\nhigh|low|ZLIB::ZLIB\n")
check(${fake} ${WORK_DIR}/good.txt TRUE "of 2 modules")
# high includes low without declaring it.
file(WRITE ${WORK_DIR}/undeclared.txt "low||\nhigh||ZLIB::ZLIB\n")
check(${fake} ${WORK_DIR}/undeclared.txt FALSE "core/high/high.cpp includes core/low/low.hpp, but module high does not declare low")
# high includes zlib without linking it.
file(WRITE ${WORK_DIR}/nolib.txt "low||\nhigh|low|\n")
check(${fake} ${WORK_DIR}/nolib.txt FALSE "core/high/high.cpp includes <zlib.h>, but module high does not link ZLIB::ZLIB")
# A cycle in the table.
file(WRITE ${WORK_DIR}/cycle.txt "low|high|\nhigh|low|ZLIB::ZLIB\n")
check(${fake} ${WORK_DIR}/cycle.txt FALSE "module dependency cycle: low -> high -> low")
# Qt in core, and a directory nobody declared.
file(WRITE ${fake}/low/qt.cpp "#include <QString>\n")
file(WRITE ${fake}/extra/x.cpp "\n")
check(${fake} ${WORK_DIR}/good.txt FALSE "core/low/qt.cpp includes the Qt header <QString>")
check(${fake} ${WORK_DIR}/good.txt FALSE "core/extra/ is not a declared module")
file(REMOVE_RECURSE ${WORK_DIR})
