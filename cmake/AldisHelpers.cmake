# SPDX-License-Identifier: Apache-2.0
# Small helpers shared by every CMakeLists.txt of the project.

# Warnings live on an INTERFACE target so that no global flag is needed.
add_library(aldis_warnings INTERFACE)
add_library(aldis::warnings ALIAS aldis_warnings)
target_compile_options(aldis_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor>)
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
