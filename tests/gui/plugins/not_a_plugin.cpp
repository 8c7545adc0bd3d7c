// SPDX-License-Identifier: Apache-2.0
// A shared library that is not a Qt plugin: PluginManager must list it with a reason
// and never load it.

extern "C" int aldis_fixture_not_a_plugin_answer() {
    return 42;
}
