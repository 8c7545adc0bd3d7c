# SPDX-License-Identifier: Apache-2.0
# The Debian package (CPack DEB) and the files that only a system installation has:
# /etc/aldis/aldis.toml, the systemd unit, the maintainer scripts. docs/operations.md
# ("Deployment") and packaging/README.md describe the result.
#
#   cmake --build --preset ci && cpack --config build/ci/CPackConfig.cmake
#     -> build/ci/package/aldis_<version>_<arch>.deb
#
# The package holds what the other install() rules install under the prefix /usr
# (bin/aldis; with the GUI: the plugins in lib/aldis/plugins, the control room's .qm
# files in share/aldis/translations, and the plugin SDK in include/aldis and
# lib/cmake/AldisPlugin) plus the system files below. One package: the SDK is one
# header and two CMake files, not worth an aldis-dev of its own.
#
# cpack installs what the build produced and does not build first
# (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY): the ci build dir also holds every test, and
# packaging must not compile them. Build before packaging; a file that was never
# built stops cpack with "file INSTALL cannot find".
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(ALDIS_PACKAGE_MAINTAINER "Aldis maintainers <maintainers@users.noreply.r-seed-8ce4eb54.example>"
  CACHE STRING "Maintainer field of the Debian package")

# /etc/aldis/aldis.toml is packaging/aldis.toml (every key at its default) with
# node.data_dir set to /var/lib/aldis, the unit's StateDirectory. Made at configure
# time; the example itself stays as it is, since `--check-config` on it must not
# touch /var/lib (tests/e2e/tst_cli.cpp checks it).
set(aldis_example_config ${PROJECT_SOURCE_DIR}/packaging/aldis.toml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${aldis_example_config})
file(READ ${aldis_example_config} aldis_config_text)
set(aldis_data_dir_line "#data_dir = \"/var/lib/aldis\"")
string(FIND "${aldis_config_text}" "${aldis_data_dir_line}" aldis_at)
if(aldis_at EQUAL -1)
  message(FATAL_ERROR "packaging/aldis.toml has no line '${aldis_data_dir_line}' for cmake/Packaging.cmake "
    "to turn into the installed data_dir; keep that line, or update cmake/Packaging.cmake")
endif()
string(REPLACE "${aldis_data_dir_line}" "data_dir = \"/var/lib/aldis\"" aldis_config_text "${aldis_config_text}")
string(PREPEND aldis_config_text
  "# /etc/aldis/aldis.toml, installed by the aldis package for aldis.service.\n"
  "# It is packaging/aldis.toml with node.data_dir set to /var/lib/aldis (the unit's\n"
  "# StateDirectory); every other key is at its default. dpkg keeps your changes on\n"
  "# upgrades (a conffile). Readable by root and the aldis group only: it may hold keys.\n"
  "#\n")
set(aldis_installed_config ${PROJECT_BINARY_DIR}/packaging/aldis.toml)
set(aldis_old_text "")
if(EXISTS ${aldis_installed_config})
  file(READ ${aldis_installed_config} aldis_old_text)
endif()
if(NOT aldis_old_text STREQUAL aldis_config_text)
  file(WRITE ${aldis_installed_config} "${aldis_config_text}")
endif()

# System files go to absolute paths: /etc and /lib are not under the /usr prefix.
# They honour DESTDIR, which is how cpack stages them; a plain `cmake --install`
# without DESTDIR writes them to the real /etc and /lib.
install(FILES ${aldis_installed_config} DESTINATION /etc/aldis)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/aldis.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
  ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
  DESTINATION share/doc/aldis)

# The maintainer scripts, and conffiles: dpkg keeps an administrator's changes to
# these files on upgrade (CPack marks nothing by itself).
set(aldis_conffiles ${PROJECT_BINARY_DIR}/packaging/conffiles)
file(WRITE ${aldis_conffiles} "/etc/aldis/aldis.toml\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aldis)
set(CPACK_PACKAGE_VENDOR "Aldis")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ALDIS_PACKAGE_MAINTAINER}")
if(TARGET aldis_ui)
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
else()
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Real-time messaging node (headless build)")
endif()
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The build is RelWithDebInfo: strip the packaged copies (149 MB -> about 15 MB).
set(CPACK_STRIP_FILES ON)
# No source package; keep `package_source` from packing build trees if run anyway.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\\\.git/" "/\\\\.cache/")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # aldis_<version>_<arch>.deb
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
# Where cpack puts the package; tests/packaging installs it from there.
set(ALDIS_DEB_FILE ${CPACK_PACKAGE_DIRECTORY}/aldis_${PROJECT_VERSION}_${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}.deb)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ALDIS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the ELF files (dpkg-shlibdeps), so it always matches what was linked.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# sqlite3 for online backups of the store (docs/operations.md).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3")
# The long description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY above it. No
# semicolons: CMake would read them as list separators.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Aldis serves WebSocket pub/sub with presence, history, resume after reconnect,\n"
  "idempotent publish and JWT auth, on an embedded SQLite event store or a shared\n"
  "PostgreSQL one. Nodes of a region form a cluster through Kafka.\n"
  "\n"
  "The package runs the node headless as aldis.service (user aldis, configuration\n"
  "/etc/aldis/aldis.toml, data in /var/lib/aldis).")
if(TARGET aldis_ui)
  string(APPEND CPACK_DEBIAN_PACKAGE_DESCRIPTION
    " The same binary opens the\n"
    "Qt control room, which watches nodes through their admin API. The sample heat\n"
    "map plugin and the control room's translations are included.")
  # The control room needs a Qt platform plugin; Qt's own translations are optional.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-qpa-plugins")
  string(APPEND CPACK_DEBIAN_PACKAGE_SUGGESTS ", qt6-translations-l10n")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
  ${aldis_conffiles})
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes are.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
