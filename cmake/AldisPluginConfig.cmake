# SPDX-License-Identifier: Apache-2.0
# find_package(AldisPlugin) for control-room plugins built outside the Aldis tree
# (docs/plugins.md). Installed to <prefix>/lib/cmake/AldisPlugin.
#
#   Aldis::PluginApi          INTERFACE target: the include dir of <aldis/panel_plugin.h>
#   ALDIS_PLUGIN_INSTALL_DIR  where the control room looks for installed plugins,
#                             relative to the install prefix
get_filename_component(_aldis_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Aldis::PluginApi)
  add_library(Aldis::PluginApi INTERFACE IMPORTED)
  set_target_properties(Aldis::PluginApi PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_aldis_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()
set(ALDIS_PLUGIN_INSTALL_DIR "lib/aldis/plugins")
unset(_aldis_prefix)
