# `cmake --install build [--prefix P]`: both programs, the shared resources, the desktop entry,
# the icon (SVG and PNG sizes, the PNGs rendered from the SVG), AppStream metainfo, the session
# MIME type, man pages and the documentation, in the usual FHS places. Nothing installed refers
# to the build or source tree: the explorer carries its demo data in its Qt resources, the CLI
# its prompt templates in code. `cpack -G DEB` (in build/) makes the Debian 12 package.
include(GNUInstallDirs)

set(AUTOMIX_APP_ID org.automix.explorer)
# Debian names the documentation folder after the package.
set(AUTOMIX_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/automix-explorer)

install(TARGETS automix RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(AUTOMIX_BUILD_GUI)
  install(TARGETS automix-explorer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES resources/desktop/${AUTOMIX_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES resources/desktop/${AUTOMIX_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES resources/desktop/${AUTOMIX_APP_ID}.mime.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages
          RENAME ${AUTOMIX_APP_ID}.xml)
  install(FILES resources/icons/${AUTOMIX_APP_ID}.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  foreach(size 16 32 48 64 128 256)
    install(FILES resources/icons/hicolor/${size}x${size}/apps/${AUTOMIX_APP_ID}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
endif()
# Man pages go in compressed (Debian policy); gzip -n keeps the package reproducible.
find_program(AUTOMIX_GZIP gzip REQUIRED)
set(man_pages automix)
if(AUTOMIX_BUILD_GUI)
  list(APPEND man_pages automix-explorer)
endif()
set(man_outputs)
foreach(page ${man_pages})
  set(out ${PROJECT_BINARY_DIR}/man/${page}.1.gz)
  add_custom_command(OUTPUT ${out}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
                     COMMAND ${AUTOMIX_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/docs/man/${page}.1 > ${out}
                     DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page}.1
                     COMMENT "Compressing the man page ${page}(1)")
  list(APPEND man_outputs ${out})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${man_outputs})
install(FILES ${man_outputs} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Data a user may want to look at or start from (the programs do not read these).
install(DIRECTORY resources/demo resources/prompts resources/config resources/schema
        DESTINATION ${CMAKE_INSTALL_DATADIR}/automix-explorer)
install(FILES README.md docs/tutorial.md docs/method.md CHANGELOG.md
        DESTINATION ${AUTOMIX_DOCDIR} OPTIONAL)
# The tutorial's pictures and the session of each step (the lesson opens them).
install(DIRECTORY docs/ DESTINATION ${AUTOMIX_DOCDIR} FILES_MATCHING PATTERN "*.png" PATTERN "*.automix-session")

# Debian package: dependencies from the linked libraries (dpkg-shlibdeps).
set(CPACK_PACKAGE_NAME automix-explorer)
set(CPACK_PACKAGE_VENDOR "AutoMix Explorer contributors")
set(CPACK_PACKAGE_CONTACT "AutoMix Explorer maintainers <automix-explorer@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Inspect and tune AutoMix routing between language models")
set(CPACK_PACKAGE_DESCRIPTION
    "AutoMix Explorer (automix-explorer) and its command line (automix): train and evaluate the AutoMix\n\
meta-verifiers that route queries between a small and a large language model, walk through one\n\
query step by step, save sessions, run live against OpenAI-compatible servers.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Qt loads its platform plugins at run time; dpkg-shlibdeps cannot see them.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-dejavu-core")
set(CPACK_STRIP_FILES ON)
include(CPack)
