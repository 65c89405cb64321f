# ctest install_consumer: installs the automix-dev component into a fresh temporary prefix,
# configures and builds tests/consumer against it with find_package(AutomixCore), and runs the
# consumer on a fixture (it routes the file with Threshold).
# Called with -DBUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=... -DGENERATOR=... -DCXX=... -DDATA=...
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/install_common.cmake)

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component automix-dev --prefix ${prefix})
foreach(f include/automix/core/routing/method.hpp include/automix/core/data/dataset.hpp
          lib/cmake/AutomixCore/AutomixCoreConfig.cmake lib/cmake/AutomixCore/AutomixCoreConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()
# The component holds the library only: no programs, no sources.
file(GLOB_RECURSE stray ${prefix}/bin/* ${prefix}/include/*.cpp)
if(stray)
  message(FATAL_ERROR "automix-dev installed more than the library: ${stray}")
endif()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_FLAGS=-Wall\ -Wextra\ -Wpedantic\ -Werror)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer ${DATA})
if(NOT last_out MATCHES "rows=[1-9][0-9]* candidates=[1-9]")
  message(FATAL_ERROR "the consumer printed no routing result: ${last_out}")
endif()
message(STATUS "consumer built against ${prefix}: ${last_out}")
file(REMOVE_RECURSE ${WORK_DIR})
