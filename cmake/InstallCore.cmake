# The core as a CMake package for other projects: `cmake --install build --component automix-dev
# [--prefix P]` installs the module libraries, their headers under include/automix/core/<module>/
# (so the headers' own #include "core/..." lines resolve) and lib/cmake/AutomixCore/, after which
# find_package(AutomixCore) gives Automix::core (everything) and Automix::<module>
# (Automix::routing brings data, scoring and io with it). The component is left out of a plain
# `cmake --install` and of the .deb, which stay the programs only.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AUTOMIX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/AutomixCore)
list(TRANSFORM AUTOMIX_CORE_MODULES PREPEND automix_ OUTPUT_VARIABLE automix_module_targets)

install(TARGETS ${automix_module_targets} automix_core EXPORT AutomixCoreTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT automix-dev EXCLUDE_FROM_ALL
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/automix)
install(DIRECTORY core/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/automix/core
        COMPONENT automix-dev EXCLUDE_FROM_ALL FILES_MATCHING PATTERN "*.hpp")
install(EXPORT AutomixCoreTargets NAMESPACE Automix:: DESTINATION ${AUTOMIX_CMAKE_DIR}
        COMPONENT automix-dev EXCLUDE_FROM_ALL)

configure_package_config_file(cmake/AutomixCoreConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/AutomixCoreConfig.cmake
                              INSTALL_DESTINATION ${AUTOMIX_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/AutomixCoreConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/AutomixCoreConfig.cmake ${PROJECT_BINARY_DIR}/AutomixCoreConfigVersion.cmake
        DESTINATION ${AUTOMIX_CMAKE_DIR} COMPONENT automix-dev EXCLUDE_FROM_ALL)
