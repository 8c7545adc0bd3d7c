// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace aldis::app {

// Parses the command line and runs the chosen mode: the daemon, a helper verb
// (--check-config, token, --version, --help). Returns the process exit code.
int run(int argc, char** argv);

} // namespace aldis::app
