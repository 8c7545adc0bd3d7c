// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "options.h"

namespace aldis::bench {

// Runs options.scenario; prints the table and the JSON lines. Returns the exit code:
// 0 when every step ran (saturated steps of a sweep included), 1 when the load could
// not be set up (a refused connection, a failed subscribe).
int runScenario(const Options& options);

} // namespace aldis::bench
