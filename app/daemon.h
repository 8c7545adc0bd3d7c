// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config.h"

#include <optional>
#include <string>

namespace aldis::app {

// Runs a headless node until SIGTERM or SIGINT (drain, exit 0); SIGHUP reloads the
// configuration file. Prints "aldis: listening on ADDRESS:PORT" on stdout once ready
// (tests read the port from it).
int runDaemon(config::Config config, std::optional<std::string> configFile);

} // namespace aldis::app
