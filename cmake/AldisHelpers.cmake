# SPDX-License-Identifier: Apache-2.0
# Small helpers shared by every CMakeLists.txt of the project.

# Warnings live on an INTERFACE target so that no global flag is needed.
add_library(aldis_warnings INTERFACE)
add_library(aldis::warnings ALIAS aldis_warnings)
target_compile_options(aldis_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic>
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> # clang has no -Wshadow=local
  $<$<AND:$<CXX_COMPILER_ID:GNU,Clang>,$<COMPILE_LANGUAGE:CXX>>:-Wnon-virtual-dtor>) # C++ only (C test helpers)
if(ALDIS_WERROR)
  target_compile_options(aldis_warnings INTERFACE -Werror)
endif()

# aldis_add_module(NAME SOURCES ... LINKS ...): an engine module as a static library
# with the alias aldis::NAME. Headers are included as "NAME/header.h" from engine/.
function(aldis_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINKS;PRIVATE_LINKS" ${ARGN})
  add_library(aldis_${name} STATIC ${ARG_SOURCES})
  add_library(aldis::${name} ALIAS aldis_${name})
  target_compile_features(aldis_${name} PUBLIC cxx_std_20)
  target_include_directories(aldis_${name} PUBLIC ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(aldis_${name} PUBLIC ${ARG_PUBLIC_LINKS} PRIVATE aldis::warnings ${ARG_PRIVATE_LINKS})
endfunction()

# aldis_add_test(NAME SOURCES ... LINKS ... LABELS ...): a QtTest executable run by ctest.
function(aldis_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LINKS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LINKS} aldis::warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ALDIS_BINARY=$<TARGET_FILE:aldis>")
endfunction()

# aldis_add_plugin(NAME SOURCES ... [CHARTS] [LINKS ...] [OUTPUT_DIRECTORY dir] [NO_INSTALL]):
# a control-room panel plugin (docs/plugins.md) as a MODULE library with AUTOMOC. It
# sees plugins/api and Qt only, never engine/ or ui/ headers. It lands in
# ${PROJECT_BINARY_DIR}/plugins (where the application run from the build tree and
# the tests look) unless OUTPUT_DIRECTORY says otherwise, and installs into
# lib/aldis/plugins unless NO_INSTALL is given (test fixtures).
function(aldis_add_plugin name)
  cmake_parse_arguments(ARG "CHARTS;NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LINKS" ${ARGN})
  set(qt_components Widgets)
  if(ARG_CHARTS)
    list(APPEND qt_components Charts)
  endif()
  # Imported targets are directory-scoped; finding them here makes them visible to
  # whichever directory calls the helper.
  find_package(Qt6 6.4 REQUIRED COMPONENTS ${qt_components})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/plugins)
  endif()

  add_library(${name} MODULE ${ARG_SOURCES})
  # Hidden visibility: two plugins that happen to define the same helper must not
  # resolve to each other's copy; Q_PLUGIN_METADATA exports what Qt needs.
  set_target_properties(${name} PROPERTIES
    AUTOMOC ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/plugins/api)
  target_link_libraries(${name} PRIVATE Qt6::Widgets aldis::warnings ${ARG_LINKS})
  if(ARG_CHARTS)
    target_link_libraries(${name} PRIVATE Qt6::Charts)
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION lib/aldis/plugins)
  endif()
endfunction()
